/**
 * A gallery of validation images with what the network says about each: the first few, then the
 * misclassified ones, framed in the colour of the predicted class and marked when wrong. Looking at
 * the mistakes is often the fastest way to see what a model has not learned (or that a label is wrong).
 *
 * @example
 *   const gallery = createGallery(body);
 *   gallery.update(predictionsPayload, classNames);
 */
import {tensorValues} from '../protocol.js';
import {el} from '../builder/fields.js';

/**
 * @param {Float32Array} values  one image (C, H, W) normalised; drawn min..max as grey or RGB
 * @param {number[]} shape       [C, H, W]
 * @returns {HTMLCanvasElement}
 */
function imageCanvas(values, shape) {
  const [channels, height, width] = shape.length === 3 ? shape : [1, shape[0], shape[1] ?? 1];
  let low = Infinity, high = -Infinity;
  for (const v of values) { low = Math.min(low, v); high = Math.max(high, v); }
  const span = Math.max(high - low, 1e-9);
  const canvas = /** @type {HTMLCanvasElement} */ (el('canvas', {width: String(width), height: String(height)}));
  const image = new ImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    const at = (/** @type {number} */ c) => Math.round(255 * (values[Math.min(c, channels - 1) * width * height + p] - low) / span);
    image.data.set(channels === 1 ? [255 - at(0), 255 - at(0), 255 - at(0), 255] : [at(0), at(1), at(2), 255], p * 4);
  }
  canvas.getContext('2d')?.putImageData(image, 0, 0);
  return canvas;
}

/**
 * @param {HTMLElement} parent
 * @returns {{update: (payload: any, classNames: string[], imageShape?: number[] | null) => void}}
 */
export function createGallery(parent) {
  const summary = el('p', {class: 'gallery-summary'});
  const grid = el('div', {class: 'gallery', 'data-testid': 'gallery'});
  parent.append(summary, grid);
  return {
    /**
     * @param {any} payload  the predictions view
     * @param {string[]} classNames
     * @param {number[] | null} [imageShape]  [C, H, W] for inputs that arrive flattened
     */
    update(payload, classNames, imageShape = null) {
      const shape = payload.inputs.shape.length >= 3 || !imageShape ? payload.inputs.shape : [payload.inputs.shape[0], ...imageShape];
      const perImage = shape.slice(1).reduce((a, b) => a * b, 1);
      const all = tensorValues(payload.inputs);
      const confidence = tensorValues(payload.confidence);
      const name = (/** @type {number} */ k) => String(classNames[k] ?? k);
      summary.textContent = `${payload.misclassified} of ${payload.total} validation samples misclassified`;
      const tiles = payload.labels.map((label, i) => {
        if (shape.length < 3) return null;
        const wrong = payload.predicted[i] !== label;
        const tile = el('figure', {class: `gallery-tile${wrong ? ' wrong' : ''}`, title: `true: ${name(label)}, predicted: ${name(payload.predicted[i])} (${Math.round(confidence[i] * 100)}%)`});
        tile.append(imageCanvas(all.subarray(i * perImage, (i + 1) * perImage), shape.slice(1)),
          el('figcaption', {}, wrong ? `${name(payload.predicted[i])} ✗` : name(payload.predicted[i])));
        return tile;
      }).filter(Boolean);
      grid.replaceChildren(.../** @type {HTMLElement[]} */ (tiles.slice(0, 24)));
    },
  };
}
