/**
 * Weight and gradient histograms over time, one row per layer: weights on the left, gradients on
 * the right, so "the weights stopped moving" and "the gradients vanished" can be told apart.
 */
import {createHistogramStrip} from '../charts/histories.js';
import {tensorValues} from '../protocol.js';
import {el} from '../builder/fields.js';

/**
 * @param {any} payload  {low, high, counts: tensor}
 * @returns {import('../charts/histories.js').Histogram}
 */
const readHistogram = (payload) => ({low: payload.low, high: payload.high, counts: tensorValues(payload.counts)});

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
      for (const [name, strip] of strips) if (payload[name]) strip.weights.push(readHistogram(payload[name]));
    },
    /** @param {Record<string, any>} payload */
    pushGradients(payload) {
      for (const [name, strip] of strips) if (payload[name]) strip.gradients.push(readHistogram(payload[name]));
    },
    reset() {
      for (const strip of strips.values()) { strip.weights.reset(); strip.gradients.reset(); }
    },
  };
}
