/**
 * Weight and gradient histograms over time, one row per layer: weights on the left, gradients on
 * the right, so "the weights stopped moving" and "the gradients vanished" can be told apart.
 */
import {createHistogramStrip} from '../charts/histories.js';
import {tensorValues} from '../protocol.js';
import {el} from '../builder/fields.js';

/**
 * Reads either form the server sends: {low, high, counts: tensor} or the engine's statistics
 * {bins: [counts], edges: [bins + 1 edges], ...}.
 * @param {any} payload
 * @returns {import('../charts/histories.js').Histogram | null}
 */
function readHistogram(payload) {
  if (payload?.counts) return {low: payload.low, high: payload.high, counts: tensorValues(payload.counts)};
  if (Array.isArray(payload?.bins) && Array.isArray(payload.edges) && Number.isFinite(payload.edges[0])) {
    return {low: payload.edges[0], high: payload.edges.at(-1), counts: Float32Array.from(payload.bins)};
  }
  return null;
}

/**
 * @param {HTMLElement} parent
 */
export function createHistogramPanel(parent) {
  const grid = el('div', {class: 'histogram-grid'});
  parent.append(grid);
  /** @type {Map<string, {weights: ReturnType<typeof createHistogramStrip>, gradients: ReturnType<typeof createHistogramStrip>}>} */
  let strips = new Map();
  let names = '';

  return {
    /** @param {string[]} params */
    setParams(params) {
      if (params.join() === names) return;
      names = params.join();
      grid.replaceChildren();
      strips = new Map();
      for (const name of params) {
        const left = el('div');
        const right = el('div');
        grid.append(left, right);
        strips.set(name, {weights: createHistogramStrip(left, `${name} — weights`), gradients: createHistogramStrip(right, `${name} — gradients`)});
      }
    },
    /** @param {Record<string, any>} payload */
    pushWeights(payload) {
      for (const [name, strip] of strips) {
        const histogram = readHistogram(payload[name]);
        if (histogram) strip.weights.push(histogram);
      }
    },
    /** @param {Record<string, any>} payload */
    pushGradients(payload) {
      for (const [name, strip] of strips) {
        const histogram = readHistogram(payload[name]);
        if (histogram) strip.gradients.push(histogram);
      }
    },
    reset() {
      for (const strip of strips.values()) { strip.weights.reset(); strip.gradients.reset(); }
    },
  };
}
