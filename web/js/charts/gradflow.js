/**
 * Gradient flow: the size (L2 norm) of each layer's weight gradient over time, on a log scale,
 * one line per layer from input (light) to output (dark). Lines that sink towards the bottom for
 * the first layers are vanishing gradients; lines shooting up are exploding ones.
 *
 * @example
 *   const flow = createGradientFlow(container);
 *   flow.setLayers(['h1.weight', 'h2.weight', 'out.weight']);
 *   flow.append(120, [0.01, 0.05, 0.2]);
 */
import uPlot from 'uplot';
import {formatValue} from './curves.js';

const MAX_POINTS = 600;

/**
 * @param {number} index
 * @param {number} count
 * @returns {string} blue shade from light (first layer) to dark (last layer)
 */
function depthColor(index, count) {
  const t = count <= 1 ? 1 : index / (count - 1);
  const light = [158, 202, 225];
  const dark = [8, 48, 107];
  const rgb = light.map((v, k) => Math.round(v + (dark[k] - v) * t));
  return `rgb(${rgb.join(',')})`;
}

/**
 * @param {HTMLElement} container
 * @returns {{setLayers: (names: string[]) => void, append: (step: number, norms: (number | null)[]) => void, reset: () => void}}
 */
export function createGradientFlow(container) {
  /** @type {string[]} */
  let names = [];
  /** @type {number[][]} */
  let data = [[]];
  /** @type {uPlot | null} */
  let plot = null;
  let pending = false;

  function make() {
    plot?.destroy();
    plot = new uPlot({
      width: Math.max(200, container.clientWidth),
      height: 170,
      legend: {live: true},
      scales: {x: {time: false}, y: {distr: 3}},
      axes: [
        {label: 'step', size: 34, labelSize: 16, font: '12px system-ui', labelFont: '12px system-ui'},
        {label: '‖gradient‖', size: 56, labelSize: 16, font: '12px system-ui', labelFont: '12px system-ui'},
      ],
      series: [{label: 'step'}, ...names.map((name, i) => ({
        label: name.replace(/\.weight$/, ''), stroke: depthColor(i, names.length), width: 2, spanGaps: true,
        value: (/** @type {uPlot} */ _u, /** @type {number | null} */ v) => (v == null ? '–' : formatValue(v)),
      }))],
    }, /** @type {uPlot.AlignedData} */ (data), container);
  }

  new ResizeObserver(() => plot?.setSize({width: Math.max(200, container.clientWidth), height: 170})).observe(container);
  make();

  return {
    setLayers(next) {
      if (next.join() === names.join()) return;
      names = next;
      data = [[], ...names.map(() => [])];
      make();
    },
    append(step, norms) {
      data[0].push(step);
      names.forEach((_, i) => data[i + 1].push(norms[i] != null && norms[i] > 0 ? /** @type {number} */ (norms[i]) : NaN));
      if (data[0].length > MAX_POINTS) data = data.map((column) => column.filter((_, k) => k % 2 === 0));
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; plot?.setData(/** @type {uPlot.AlignedData} */ (data)); });
    },
    reset() {
      data = [[], ...names.map(() => [])];
      plot?.setData(/** @type {uPlot.AlignedData} */ (data));
    },
  };
}
