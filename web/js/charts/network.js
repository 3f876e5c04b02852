/**
 * The network drawn as columns of neurons joined by their weights: colour is the sign (orange
 * negative, blue positive), thickness the magnitude, so you can watch connections grow, die and
 * flip sign while training. A neuron may carry a small heatmap of what it responds to over the 2-D
 * input plane (the per-neuron view of TensorFlow Playground). Dense stacks only: other layers are
 * drawn as labelled boxes.
 *
 * @example
 *   const net = createNetworkDiagram(container);
 *   net.update({columns: [{id: 'input', size: 2}, {id: 'h1', size: 8}], weights: [w1], neuronImages: {}});
 */
import {createSurface, paintPixels} from './canvas.js';
import {divergingCss, divergingRgb} from './colors.js';

const MAX_NEURONS = 12;

/**
 * @typedef {Object} Column
 * @property {string} id
 * @property {number} size     neurons (units); 0 for a layer drawn as a box
 * @property {string} [label]
 * @property {string[]} [nodeLabels]  drawn left of each neuron (input feature names)
 */

/**
 * @typedef {Object} Matrix
 * @property {Float32Array} values   row-major (out, in), as PyTorch stores dense weights
 * @property {number} rows
 * @property {number} cols
 */

/**
 * @typedef {Object} NeuronImage
 * @property {Float32Array} values  row-major height × width
 * @property {number} width
 * @property {number} height
 */

/**
 * @typedef {Object} NetworkPicture
 * @property {Column[]} columns
 * @property {(Matrix | null)[]} weights      weights[i] joins columns[i] to columns[i + 1]
 * @property {Record<string, NeuronImage[]>} [neuronImages]  per column id, one per neuron
 */

/**
 * @param {Column} column
 * @returns {number} how many neurons are drawn (the rest are summarised as "+N")
 */
const shown = (column) => Math.min(column.size, MAX_NEURONS);

/**
 * @param {HTMLElement} container
 * @param {(neuron: {layer: string, unit: number} | null) => void} [onPick]  a neuron was clicked (again: null)
 * @returns {{update: (picture: NetworkPicture) => void, select: (neuron: {layer: string, unit: number} | null) => void}}
 */
export function createNetworkDiagram(container, onPick) {
  /** @type {NetworkPicture} */
  let picture = {columns: [], weights: []};
  /** @type {{layer: string, unit: number, x: number, y: number, size: number}[]} where each neuron was drawn */
  let placed = [];
  /** @type {{layer: string, unit: number} | null} */
  let selected = null;
  const surface = createSurface(container, paint, {label: 'network diagram: weights as coloured lines; click a neuron to see it over the plane'});
  surface.canvas.addEventListener('click', (event) => {
    const box = surface.canvas.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const hit = placed.find((n) => Math.abs(n.x - x) <= n.size / 2 + 2 && Math.abs(n.y - y) <= n.size / 2 + 2);
    if (!hit || hit.layer === 'input') return;
    selected = selected && selected.layer === hit.layer && selected.unit === hit.unit ? null : {layer: hit.layer, unit: hit.unit};
    surface.redraw();
    onPick?.(selected);
  });

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {number} width
   * @param {number} height
   */
  function paint(ctx, width, height) {
    const columns = picture.columns;
    placed = [];
    if (!columns.length) return;
    const top = 22;
    // Room on the left for input names (x₁², sin x₂) when the input neurons carry them.
    const margin = columns[0]?.nodeLabels?.length ? 34 : 0;
    const gap = (width - margin) / columns.length;
    // Neurons fill 70% of their slot, so the tiles read as separate squares, not as one bar.
    const slot = (height - top - 6) / Math.max(...columns.map(shown), 1);
    const node = Math.max(8, Math.min(34, slot * 0.7, gap * 0.4));
    /** @param {number} c @param {number} i */
    const position = (c, i) => {
      const count = Math.max(1, shown(columns[c]));
      const span = (height - top - 6) / count;
      return {x: margin + gap * (c + 0.5), y: top + span * (i + 0.5)};
    };
    paintEdges(ctx, position, node);
    columns.forEach((column, c) => paintColumn(ctx, column, c, position, node));
  }

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {(c: number, i: number) => {x: number, y: number}} position
   * @param {number} node
   */
  function paintEdges(ctx, position, node) {
    picture.weights.forEach((matrix, c) => {
      if (!matrix) return;
      let extent = 1e-9;
      for (const v of matrix.values) extent = Math.max(extent, Math.abs(v));
      const outs = Math.min(matrix.rows, MAX_NEURONS);
      const ins = Math.min(matrix.cols, MAX_NEURONS);
      for (let o = 0; o < outs; o++) {
        for (let i = 0; i < ins; i++) {
          const w = matrix.values[o * matrix.cols + i] / extent;
          const from = position(c, i);
          const to = position(c + 1, o);
          ctx.strokeStyle = divergingCss(w, 0.35 + 0.65 * Math.abs(w));
          ctx.lineWidth = 0.4 + 3.6 * Math.abs(w);
          ctx.beginPath();
          ctx.moveTo(from.x + node / 2, from.y);
          ctx.bezierCurveTo((from.x + to.x) / 2, from.y, (from.x + to.x) / 2, to.y, to.x - node / 2, to.y);
          ctx.stroke();
        }
      }
    });
  }

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {Column} column
   * @param {number} c
   * @param {(c: number, i: number) => {x: number, y: number}} position
   * @param {number} node
   */
  function paintColumn(ctx, column, c, position, node) {
    const images = picture.neuronImages?.[column.id];
    ctx.fillStyle = '#1d2330';
    ctx.font = '600 13px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText(column.label ?? column.id, position(c, 0).x, 14);
    for (let i = 0; i < shown(column); i++) {
      const {x, y} = position(c, i);
      const image = images?.[i];
      if (image) {
        const tile = neuronTile(image);
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(tile, x - node / 2, y - node / 2, node, node);
      } else {
        ctx.fillStyle = '#fff';
        ctx.fillRect(x - node / 2, y - node / 2, node, node);
      }
      const isSelected = selected?.layer === column.id && selected.unit === i;
      ctx.strokeStyle = isSelected ? '#f0a020' : '#59606e';
      ctx.lineWidth = isSelected ? 3 : 1;
      ctx.strokeRect(x - node / 2, y - node / 2, node, node);
      placed.push({layer: column.id, unit: i, x, y, size: node});
      const name = column.nodeLabels?.[i];
      if (name) {
        ctx.fillStyle = '#1d2330';
        ctx.font = '12px system-ui, sans-serif';
        ctx.textAlign = 'right';
        ctx.fillText(name, x - node / 2 - 4, y + 4);
        ctx.textAlign = 'center';
      }
    }
    if (column.size > MAX_NEURONS) {
      const {x, y} = position(c, MAX_NEURONS - 1);
      ctx.fillStyle = '#59606e';
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText(`+${column.size - MAX_NEURONS}`, x, y + node / 2 + 13);
    }
  }

  return {
    update(next) {
      picture = next;
      surface.redraw();
    },
    select(neuron) {
      selected = neuron;
      surface.redraw();
    },
  };
}

/**
 * @param {NeuronImage} image
 * @returns {HTMLCanvasElement}
 */
function neuronTile(image) {
  let extent = 1e-9;
  for (const v of image.values) extent = Math.max(extent, Math.abs(v));
  return paintPixels(image.width, image.height, (x, y) => divergingRgb(image.values[y * image.width + x] / extent));
}
