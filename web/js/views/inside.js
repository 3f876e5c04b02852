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
  const width = Math.min(values.length, 64);
  return {title, tiles: [{values: values.subarray(0, width), width, height: 1}], size: 16};
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
    clearWeights() { weights.update([]); },
  };
}
