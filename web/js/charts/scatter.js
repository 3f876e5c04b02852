/**
 * A scatter plot of 2-D points coloured by class: an autoencoder's 2-unit codes, where digits of
 * one kind gather in one region as the code learns to separate them.
 *
 * @example
 *   const plot = createScatter(container);
 *   plot.update(xy, labels);
 */
import {createSurface} from './canvas.js';
import {classColor} from './colors.js';

/**
 * @param {HTMLElement} container
 * @returns {{update: (xy: ArrayLike<number>, labels: ArrayLike<number>) => void}}
 */
export function createScatter(container) {
  /** @type {{xy: ArrayLike<number>, labels: ArrayLike<number>} | null} */
  let data = null;
  const surface = createSurface(container, paint, {aspect: 0.75, label: 'scatter of the 2-unit codes, coloured by label'});

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {number} width
   * @param {number} height
   */
  function paint(ctx, width, height) {
    if (!data) return;
    const count = data.xy.length / 2;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < count; i++) {
      x0 = Math.min(x0, data.xy[2 * i]); x1 = Math.max(x1, data.xy[2 * i]);
      y0 = Math.min(y0, data.xy[2 * i + 1]); y1 = Math.max(y1, data.xy[2 * i + 1]);
    }
    const pad = 8;
    const sx = (width - 2 * pad) / Math.max(x1 - x0, 1e-9);
    const sy = (height - 2 * pad) / Math.max(y1 - y0, 1e-9);
    ctx.strokeStyle = '#d9dce3';
    ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
    for (let i = 0; i < count; i++) {
      ctx.fillStyle = classColor(data.labels[i] ?? 0);
      ctx.beginPath();
      ctx.arc(pad + (data.xy[2 * i] - x0) * sx, height - pad - (data.xy[2 * i + 1] - y0) * sy, 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  return {
    update(xy, labels) {
      data = {xy, labels};
      surface.redraw();
    },
  };
}
