/**
 * Rows of small heatmaps: feature maps of a convolution, the outputs of a dense layer as a strip
 * of cells, or first-layer weights seen as images. Each row is titled; each tile is its own canvas
 * scaled without smoothing, so single pixels stay visible.
 *
 * @example
 *   const rows = createTileRows(container);
 *   rows.update([{title: 'conv1 (8×24×24)', tiles: [{values, width: 24, height: 24}]}]);
 */
import {paintDiverging, symmetricRange} from './heatmap.js';
import {el} from '../builder/fields.js';

/**
 * @typedef {Object} Tile
 * @property {ArrayLike<number>} values  row-major height × width
 * @property {number} width
 * @property {number} height
 * @property {string} [label]
 */

/**
 * @typedef {Object} TileRow
 * @property {string} title
 * @property {Tile[]} tiles
 * @property {number} [size]   CSS pixels per tile side
 */

/**
 * @param {Tile} tile
 * @param {number} size
 * @returns {HTMLElement}
 */
function tileElement(tile, size) {
  const canvas = /** @type {HTMLCanvasElement} */ (el('canvas', {width: String(tile.width), height: String(tile.height)}));
  const image = new ImageData(tile.width, tile.height);
  paintDiverging(image, tile.values, symmetricRange(tile.values));
  canvas.getContext('2d')?.putImageData(image, 0, 0);
  // A strip (one row of units) gets a fixed cell width; an image keeps its aspect ratio.
  const strip = tile.height === 1;
  canvas.style.width = `${strip ? Math.min(600, tile.width * 16) : size}px`;
  canvas.style.height = `${strip ? 18 : size * tile.height / tile.width}px`;
  const figure = el('figure', {class: 'tile'});
  figure.append(canvas);
  if (tile.label) figure.append(el('figcaption', {}, tile.label));
  return figure;
}

/**
 * @param {HTMLElement} container
 * @returns {{element: HTMLElement, update: (rows: TileRow[]) => void}}
 */
export function createTileRows(container) {
  const root = el('div', {class: 'tile-rows'});
  container.append(root);
  return {
    element: root,
    update(rows) {
      root.replaceChildren(...rows.map((row) => {
        const section = el('div', {class: 'tile-row'});
        const strip = el('div', {class: 'tile-strip'});
        strip.append(...row.tiles.map((tile) => tileElement(tile, row.size ?? 40)));
        section.append(el('div', {class: 'tile-title'}, row.title), strip);
        return section;
      }));
    },
  };
}
