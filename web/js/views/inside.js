/**
 * Inside the network for one input: every layer's output for a validation sample, or for the
 * digit just drawn (feature maps for convolutions, a strip of cells for dense layers), and, for
 * images fed to a dense layer, the first layer's weights shown as images: what each first-layer
 * neuron looks for in a picture.
 *
 * @example
 *   const inside = createInsideView(card.body);
 *   inside.showActivations(payload.layers, 'validation sample 0');
 */
import {createTileRows} from '../charts/tiles.js';
import {tensorValues} from '../protocol.js';
import {el} from '../builder/fields.js';

const MAX_MAPS = 16;
const MAX_WEIGHT_IMAGES = 16;

/**
 * @param {string} id
 * @param {any} tensor  {dtype, shape, data}; the batch axis, when present, is dropped by the caller
 * @param {number[]} shape
 * @returns {import('../charts/tiles.js').TileRow}
 */
function layerRow(id, tensor, shape) {
  const values = tensorValues(tensor);
  const title = `${id} (${shape.join('×')})`;
  if (shape.length === 3) {
    const [channels, height, width] = shape;
    const tiles = Array.from({length: Math.min(channels, MAX_MAPS)}, (_, c) => ({
      values: values.subarray(c * height * width, (c + 1) * height * width), width, height,
    }));
    return {title, tiles, size: 44};
  }
  if (shape.length === 2) {
    // A sequence layer's states: one row per time step, one column per unit (recurrent states over time).
    const [steps, units] = shape;
    return {title: `${title}: time ↓, units →`, tiles: [{values, width: units, height: steps}], size: Math.min(240, units * 6)};
  }
  const width = Math.min(values.length, 64);
  return {title, tiles: [{values: values.subarray(0, width), width, height: 1}], size: 16};
}

/**
 * @param {string} name    parameter name, e.g. 'conv1.weight'
 * @param {any} tensor     (out, in, kh, kw)
 * @returns {import('../charts/tiles.js').TileRow}  one tile per filter (averaged over input channels)
 */
function filterRow(name, tensor) {
  const [outs, ins, kh, kw] = tensor.shape;
  const values = tensorValues(tensor);
  const tiles = Array.from({length: Math.min(outs, MAX_MAPS)}, (_, o) => {
    const mean = new Float32Array(kh * kw);
    for (let i = 0; i < ins; i++) {
      for (let k = 0; k < kh * kw; k++) mean[k] += values[((o * ins) + i) * kh * kw + k] / ins;
    }
    return {values: mean, width: kw, height: kh, label: String(o)};
  });
  return {title: `${name}: filters (${outs}×${ins}×${kh}×${kw})`, tiles, size: 36};
}

/**
 * @param {HTMLElement} parent
 */
export function createInsideView(parent) {
  const caption = el('p', {class: 'inside-caption'});
  const weightsBox = el('div');
  const activationsBox = el('div');
  parent.append(weightsBox, caption, activationsBox);
  const weights = createTileRows(weightsBox);
  const activations = createTileRows(activationsBox);

  return {
    /**
     * @param {Record<string, any>} layers  layer id → tensor (one sample, or a batch of one)
     * @param {string} source  which input this is, in words
     */
    showActivations(layers, source) {
      caption.textContent = `Each layer’s output for ${source}:`;
      activations.update(Object.entries(layers).map(([id, tensor]) => {
        const shape = tensor.shape[0] === 1 && tensor.shape.length > 1 ? tensor.shape.slice(1) : tensor.shape;
        return layerRow(id, tensor, shape);
      }));
    },
    /**
     * @param {any} tensor        the first dense layer's weight (units, C*H*W)
     * @param {number[]} imageShape  [C, H, W] of the images before flattening
     * @param {string} id
     */
    showFirstWeights(tensor, imageShape, id) {
      const [, height, width] = imageShape;
      const values = tensorValues(tensor);
      const [units, inputs] = tensor.shape;
      const tiles = Array.from({length: Math.min(units, MAX_WEIGHT_IMAGES)}, (_, u) => ({
        values: values.subarray(u * inputs, u * inputs + height * width), width, height, label: `${u}`,
      }));
      weights.update([{title: `${id}: what each neuron looks for (blue adds, orange subtracts)`, tiles, size: 44}]);
    },
    /** @param {Record<string, any>} params  the weights view: conv filters are the 4-D ones */
    showFilters(params) {
      const rows = Object.entries(params).filter(([, t]) => t?.shape?.length === 4).map(([name, t]) => filterRow(name, t));
      if (rows.length) weights.update(rows);
    },
    clearWeights() { weights.update([]); },
  };
}
