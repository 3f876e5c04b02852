/**
 * A gallery of validation images with what the network says about each: the first few, then the
 * misclassified ones, framed in the colour of the predicted class and marked when wrong. Looking at
 * the mistakes is often the fastest way to see what a model has not learned (or that a label is wrong).
 * When the page can put an image on the drawing pad, each tile is a button (click, Enter or Space)
 * that does so, so a learner can ask the model about one it got wrong.
 *
 * @example
 *   const gallery = createGallery(body, {onPick: (pick) => pad.showImage(pick.values, pick.name), canPick: () => true});
 *   gallery.update(predictionsPayload, classNames);
 */
import {tensorValues} from '../protocol.js';
import {el} from '../builder/fields.js';
import {setText} from '../charts/bars.js';
import {imageData} from '../charts/canvas.js';

/**
 * @typedef {Object} GalleryPick  one validation image and what the network said about it
 * @property {number} index        its place in the validation set
 * @property {number} label
 * @property {number} predicted
 * @property {Float32Array} values  the image as the network reads it (C·H·W values)
 * @property {number[]} shape       [C, H, W]
 */

/**
 * @typedef {Object} GalleryPicking
 * @property {(pick: GalleryPick) => void} onPick
 * @property {() => boolean} canPick  whether tiles are buttons now (the pad fits this data)
 */

/**
 * @param {number} index
 * @param {string} trueName
 * @param {string} predictedName
 * @returns {string} what a screen reader says for a tile
 */
export function tileLabel(index, trueName, predictedName) {
  return `validation image ${index}, true ${trueName}, predicted ${predictedName}`;
}

/**
 * @param {HTMLCanvasElement} canvas  a tile's own canvas, kept from frame to frame
 * @param {Float32Array} values  one image (C, H, W) normalised; drawn min..max, grey (dark ink on white) or RGB
 * @param {number[]} shape       [C, H, W]
 */
function drawImage(canvas, values, shape) {
  const image = imageData(values, shape, {invert: shape.length < 3 || shape[0] === 1});
  // Setting a size clears the canvas even when unchanged: only on a new image size.
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  canvas.getContext('2d')?.putImageData(image, 0, 0);
}

/**
 * @param {HTMLElement} parent
 * @param {GalleryPicking} [picking]
 * @returns {{update: (payload: any, classNames: string[], imageShape?: number[] | null) => void}}
 */
export function createGallery(parent, picking) {
  const summary = el('p', {class: 'gallery-summary'});
  const grid = el('div', {class: 'gallery', 'data-testid': 'gallery'});
  parent.append(summary, grid);
  /** Tiles are kept and refilled, never replaced: a tile with the keyboard focus keeps it while frames arrive. */
  /** @type {{tile: HTMLElement, canvas: HTMLCanvasElement, caption: HTMLElement}[]} */
  const tiles = [];
  /** Per tile what it shows: its image stays a view into the frame's inputs until it is picked. */
  /** @type {(Omit<GalleryPick, 'values'> & {source: Float32Array})[]} */
  const shown = [];

  /** @param {number} k */
  const pick = (k) => {
    const {source, ...rest} = shown[k];
    picking?.onPick({...rest, values: source.slice()});  // a copy: the pad keeps it after the next frame
  };

  /** @param {number} k */
  const tileAt = (k) => {
    if (tiles[k]) return tiles[k];
    const tile = el('figure', {class: 'gallery-tile'});
    const canvas = /** @type {HTMLCanvasElement} */ (el('canvas'));
    const caption = el('figcaption');
    tile.append(canvas, caption);
    tile.addEventListener('click', () => { if (tile.getAttribute('role') === 'button') pick(k); });
    tile.addEventListener('keydown', (event) => {
      if (tile.getAttribute('role') !== 'button' || (event.key !== 'Enter' && event.key !== ' ')) return;
      event.preventDefault();
      event.stopPropagation();  // Space on a tile picks it rather than playing or pausing
      pick(k);
    });
    tiles[k] = {tile, canvas, caption};
    return tiles[k];
  };

  return {
    /**
     * @param {any} payload  the predictions view
     * @param {string[]} classNames
     * @param {number[] | null} [imageShape]  [C, H, W] for inputs that arrive flattened
     */
    update(payload, classNames, imageShape = null) {
      const shape = payload.inputs.shape.length >= 3 || !imageShape ? payload.inputs.shape : [payload.inputs.shape[0], ...imageShape];
      const perImage = shape.slice(1).reduce((/** @type {number} */ a, /** @type {number} */ b) => a * b, 1);
      const all = tensorValues(payload.inputs);
      const confidence = tensorValues(payload.confidence);
      const name = (/** @type {number} */ k) => String(classNames[k] ?? k);
      const pickable = Boolean(picking?.canPick());
      setText(summary, `${payload.misclassified} of ${payload.total} validation samples misclassified`);
      const count = shape.length < 3 ? 0 : Math.min(payload.labels.length, 24);
      for (let i = 0; i < count; i++) {
        const label = payload.labels[i], predicted = payload.predicted[i], index = payload.index?.[i] ?? i;
        const wrong = predicted !== label;
        const source = all.subarray(i * perImage, (i + 1) * perImage);
        shown[i] = {index, label, predicted, source, shape: shape.slice(1)};
        const {tile, canvas, caption} = tileAt(i);
        tile.className = `gallery-tile${wrong ? ' wrong' : ''}${pickable ? ' pickable' : ''}`;
        const title = `true: ${name(label)}, predicted: ${name(predicted)} (${Math.round(confidence[i] * 100)}%)`
          + (pickable ? ' (click to try it on the drawing pad)' : '');
        if (tile.title !== title) tile.title = title;  // an open tooltip stays while the frame says the same
        tile.dataset.index = String(index);
        tile.dataset.predicted = String(predicted);
        if (pickable) {
          tile.setAttribute('role', 'button');
          tile.setAttribute('tabindex', '0');
          tile.setAttribute('aria-label', tileLabel(index, name(label), name(predicted)));
        } else {
          for (const attribute of ['role', 'tabindex', 'aria-label']) tile.removeAttribute(attribute);
        }
        drawImage(canvas, source, shape.slice(1));
        setText(caption, wrong ? `${name(predicted)} ✗` : name(predicted));
      }
      while (grid.children.length > count) grid.lastElementChild?.remove();
      for (let i = grid.children.length; i < count; i++) grid.append(tiles[i].tile);
    },
  };
}
