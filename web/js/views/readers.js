/**
 * Turns view payloads from the wire into what the chart components draw. Kept apart from the
 * charts (which know nothing of the protocol) and from the panel (which only routes).
 *
 * @example
 *   const read = readNeuronGrid(frame.views.neuron_grid, layers, 'binary_cross_entropy');
 *   boundary.setGrid(read.output);
 */
import {tensorValues} from '../protocol.js';

/** @typedef {import('../state.js').LayerSpec} LayerSpec */
/** @typedef {import('../charts/network.js').NeuronImage} NeuronImage */
/** @typedef {import('../charts/network.js').Matrix} Matrix */

/**
 * @param {LayerSpec[]} layers
 * @param {string} loss
 * @returns {'probability' | 'logit' | 'value'} how to read the last layer's numbers
 */
export function outputKind(layers, loss) {
  const activation = layers.at(-1)?.activation;
  if (activation === 'sigmoid' || activation === 'softmax') return 'probability';
  if (loss === 'cross_entropy' || loss === 'binary_cross_entropy') return 'logit';
  return 'value';
}

/**
 * @param {any} payload  the neuron_grid view: uint8 (neurons, R, R), neurons [{layer, unit}], extent
 * @param {LayerSpec[]} layers
 * @param {string} loss
 */
export function readNeuronGrid(payload, layers, loss) {
  const values = payload ? tensorValues(payload) : new Float32Array(0);
  const [count, height, width] = payload?.shape ?? [0, 0, 0];
  const plane = height * width;
  /** @type {{layer: string, unit: number}[]} */
  const neurons = payload?.neurons ?? [];
  const lastId = layers.at(-1)?.id;
  /** @type {Record<string, NeuronImage[]>} */
  const byLayer = {};
  neurons.forEach((neuron, k) => {
    if (k >= count) return;
    (byLayer[neuron.layer] ??= [])[neuron.unit] = {values: values.subarray(k * plane, (k + 1) * plane), width, height};
  });
  const outputs = neurons.map((n, k) => (n.layer === lastId ? k : -1)).filter((k) => k >= 0);
  let output = null;
  if (payload && outputs.length) {
    const stacked = new Float32Array(outputs.length * plane);
    outputs.forEach((k, c) => stacked.set(values.subarray(k * plane, (k + 1) * plane), c * plane));
    output = {values: stacked, classes: outputs.length, width, height, kind: outputKind(layers, loss)};
  } else if (payload && count) {
    output = {values: values.subarray((count - 1) * plane), classes: 1, width, height, kind: outputKind(layers, loss)};
  }

  return {
    output,
    /**
     * @param {string} layer
     * @param {number} unit
     * @returns {NeuronImage | null}
     */
    neuron: (layer, unit) => byLayer[layer]?.[unit] ?? null,
    /**
     * @param {number} inputSize
     * @param {string[]} [inputNames]  feature names of the input neurons
     * @returns {{columns: import('../charts/network.js').Column[], neuronImages: Record<string, NeuronImage[]>}}
     */
    diagramBase(inputSize, inputNames) {
      /** @type {import('../charts/network.js').Column[]} */
      const columns = [{id: 'input', size: inputSize, label: 'input', nodeLabels: inputNames}];
      for (const layer of layers) if (typeof layer.units === 'number') columns.push({id: layer.id, size: layer.units, label: layer.id});
      return {columns, neuronImages: byLayer};
    },
    /**
     * @param {Record<string, any> | null} weights  the weights view
     * @returns {(Matrix | null)[]}
     */
    weightsFrom(weights) {
      return layers.filter((l) => typeof l.units === 'number').map((layer) => {
        const tensor = weights?.[`${layer.id}.weight`];
        if (!tensor || tensor.shape.length !== 2) return null;
        return {values: tensorValues(tensor), rows: tensor.shape[0], cols: tensor.shape[1]};
      });
    },
  };
}

/**
 * @param {any} result  probe_result
 * @param {LayerSpec[]} layers
 * @param {string} loss
 * @returns {number[]} class probabilities of the first sample
 */
export function outputProbabilities(result, layers, loss) {
  const output = Array.from(tensorValues(result.output));
  const classes = result.output.shape.at(-1) ?? output.length;
  const first = output.slice(0, classes);
  if (result.probabilities) return Array.from(tensorValues(result.probabilities)).slice(0, classes);
  if (classes === 1) return [1 - first[0], first[0]];
  if (outputKind(layers, loss) === 'probability') return first;
  const peak = Math.max(...first);
  const exps = first.map((v) => Math.exp(v - peak));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}
