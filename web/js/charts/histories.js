/**
 * Histograms over time: each column is one histogram (of a layer's weights or gradients), newest
 * on the right, darker where more values fall. Watching the strip shows weights spreading out,
 * collapsing to zero, or gradients shrinking towards the input (vanishing gradients).
 *
 * @example
 *   const strip = createHistogramStrip(container, 'h1.weight');
 *   strip.push({low: -1, high: 1, counts: new Float32Array(32)});
 */
import {createSurface} from './canvas.js';
import {formatValue} from './curves.js';

const MAX_COLUMNS = 120;

/**
 * @typedef {Object} Histogram
 * @property {number} low
 * @property {number} high
 * @property {Float32Array} counts
 */

/**
 * @param {HTMLElement} container
 * @param {string} title
 * @returns {{push: (histogram: Histogram) => void, reset: () => void}}
 */
export function createHistogramStrip(container, title) {
  /** @type {Histogram[]} */
  let columns = [];
  const surface = createSurface(container, paint, {aspect: 0.32, label: `${title} histogram over time`});

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {number} width
   * @param {number} height
   */
  function paint(ctx, width, height) {
    ctx.fillStyle = '#1d2330';
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(title, 2, 12);
    if (!columns.length) return;
    const plotTop = 16;
    const plotHeight = height - plotTop - 14;
    let low = Infinity;
    let high = -Infinity;
    for (const h of columns) { low = Math.min(low, h.low); high = Math.max(high, h.high); }
    const span = Math.max(high - low, 1e-9);
    const columnWidth = width / MAX_COLUMNS;
    columns.forEach((h, t) => {
      const peak = Math.max(1, ...h.counts);
      const binHeight = ((h.high - h.low) / span) * plotHeight / h.counts.length;
      h.counts.forEach((count, b) => {
        if (!count) return;
        const y = plotTop + plotHeight - ((h.low - low) / span) * plotHeight - (b + 1) * binHeight;
        ctx.fillStyle = `rgba(33,102,172,${0.1 + 0.9 * Math.sqrt(count / peak)})`;
        ctx.fillRect(width - (columns.length - t) * columnWidth, y, Math.ceil(columnWidth), Math.max(1, binHeight));
      });
    });
    ctx.fillStyle = '#59606e';
    ctx.fillText(formatValue(high), 2, plotTop + 10);
    ctx.fillText(formatValue(low), 2, height - 2);
  }

  return {
    push(histogram) {
      columns.push(histogram);
      if (columns.length > MAX_COLUMNS) columns = columns.slice(-MAX_COLUMNS);
      surface.redraw();
    },
    reset() {
      columns = [];
      surface.redraw();
    },
  };
}
