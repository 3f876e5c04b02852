/**
 * Dense grids of numbers drawn as pixels with ImageData: one putImageData per update, then one
 * scaled drawImage, which stays fast for 100×100 decision boundaries at 30 frames/s.
 *
 * @example
 *   const map = createHeatmap(canvas, {smooth: true});
 *   map.draw(values, 64, 64, {min: -1, max: 1});
 */
import {DIVERGING_LUT, divergingIndex} from './colors.js';

/**
 * @typedef {Object} HeatmapRange
 * @property {number} min
 * @property {number} max
 */

/**
 * @param {ArrayLike<number>} values
 * @returns {HeatmapRange} symmetric around zero, so white always means zero
 */
export function symmetricRange(values) {
  let extent = 1e-9;
  for (let i = 0; i < values.length; i++) {
    const magnitude = Math.abs(values[i]);
    if (magnitude > extent && Number.isFinite(magnitude)) extent = magnitude;
  }
  return {min: -extent, max: extent};
}

/**
 * Fills RGBA pixels from values mapped onto the diverging scale.
 * @param {ImageData} image
 * @param {ArrayLike<number>} values  row-major, image.width * image.height
 * @param {HeatmapRange} range
 */
export function paintDiverging(image, values, range) {
  const middle = (range.max + range.min) / 2;
  const half = Math.max(1e-12, (range.max - range.min) / 2);
  const pixels = image.data;
  for (let i = 0; i < values.length; i++) {
    const c = divergingIndex((values[i] - middle) / half);
    pixels[i * 4] = DIVERGING_LUT[c];
    pixels[i * 4 + 1] = DIVERGING_LUT[c + 1];
    pixels[i * 4 + 2] = DIVERGING_LUT[c + 2];
    pixels[i * 4 + 3] = 255;
  }
}

/**
 * @typedef {Object} Heatmap
 * @property {(values: ArrayLike<number>, width: number, height: number, range?: HeatmapRange) => void} draw
 * @property {(image: ImageData) => void} drawImage  an already painted image (e.g. class colours)
 * @property {HTMLCanvasElement} canvas
 */

/**
 * @param {HTMLCanvasElement} canvas  the visible canvas; its width/height are the display resolution
 * @param {{smooth?: boolean}} [options]  smooth for continuous fields, off for weights and pixels
 * @returns {Heatmap}
 */
export function createHeatmap(canvas, options = {}) {
  const scratch = document.createElement('canvas');
  const scratchContext = /** @type {CanvasRenderingContext2D} */ (scratch.getContext('2d'));
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));

  /** @param {ImageData} image */
  function blit(image) {
    scratch.width = image.width;
    scratch.height = image.height;
    scratchContext.putImageData(image, 0, 0);
    context.imageSmoothingEnabled = Boolean(options.smooth);
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  }

  return {
    canvas,
    draw(values, width, height, range) {
      const image = new ImageData(width, height);
      paintDiverging(image, values, range ?? symmetricRange(values));
      blit(image);
    },
    drawImage: blit,
  };
}
