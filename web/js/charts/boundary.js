/**
 * The output of the network over the whole 2-D input plane, with the data points on top: the
 * decision boundary. Binary outputs use the diverging scale (orange = class 0, blue = class 1,
 * white = undecided); several classes use their class colour, paler where the model is unsure;
 * regression uses the diverging scale around zero. Training points are filled, validation points
 * hollow, so overfitting shows as hollow points on the wrong side.
 *
 * @example
 *   const view = createBoundary(container);
 *   view.setPoints({train: {xy, labels}, val: {xy, labels}, domain: [-6, 6]});
 *   view.setGrid({values, classes: 1, width: 64, height: 64});
 */
import {createSurface, paintPixels} from './canvas.js';
import {CLASS_COLORS, classColor, divergingCss, divergingRgb, hexToRgb} from './colors.js';

/**
 * @typedef {Object} PointSet
 * @property {Float32Array | number[]} xy       interleaved x1, x2
 * @property {ArrayLike<number> | null} labels  class per point, or null for regression
 * @property {ArrayLike<number> | null} [targets]  regression targets
 */

/**
 * @typedef {Object} Points
 * @property {PointSet} train
 * @property {PointSet | null} val
 * @property {[number, number]} domain
 */

/**
 * @typedef {Object} Grid
 * @property {Float32Array} values  (classes, height, width) row-major, row 0 at the top (largest x2)
 * @property {number} classes
 * @property {number} width
 * @property {number} height
 * @property {'probability' | 'logit' | 'value'} [kind]
 */

const WHITE = [255, 255, 255];

/**
 * @param {Grid} grid
 * @returns {(x: number, y: number) => [number, number, number]}
 */
function gridColor(grid) {
  const {values, classes, width, height} = grid;
  const plane = width * height;
  if (classes === 1) {
    let extent = 1e-9;
    for (const v of values) extent = Math.max(extent, Math.abs(v));
    const centre = grid.kind === 'probability' ? (v) => (v - 0.5) * 2 : (v) => v / extent;
    return (x, y) => divergingRgb(0.6 * centre(values[y * width + x]));
  }
  const palette = CLASS_COLORS.map(hexToRgb);
  return (x, y) => {
    const cell = y * width + x;
    let best = 0;
    let total = 0;
    for (let c = 0; c < classes; c++) {
      const score = grid.kind === 'logit' ? Math.exp(values[c * plane + cell]) : values[c * plane + cell];
      total += score;
      if (values[c * plane + cell] > values[best * plane + cell]) best = c;
    }
    const first = grid.kind === 'logit' ? Math.exp(values[best * plane + cell]) : values[best * plane + cell];
    const confidence = Math.max(0, Math.min(1, (first / Math.max(total, 1e-9) - 1 / classes) / (1 - 1 / classes)));
    const tint = 0.1 + 0.45 * confidence;
    const colour = palette[best % palette.length];
    return /** @type {[number, number, number]} */ (colour.map((v, k) => WHITE[k] * (1 - tint) + v * tint));
  };
}

/**
 * @param {HTMLElement} container
 * @returns {{setGrid: (grid: Grid | null) => void, setPoints: (points: Points | null) => void}}
 */
export function createBoundary(container) {
  /** @type {HTMLCanvasElement | null} */
  let background = null;
  /** @type {Points | null} */
  let points = null;
  const surface = createSurface(container, paint, {aspect: 1, label: 'decision boundary with the data points'});

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {number} width
   * @param {number} height
   */
  function paint(ctx, width, height) {
    ctx.fillStyle = '#f4f5f7';
    ctx.fillRect(0, 0, width, height);
    if (background) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(background, 0, 0, width, height);
    }
    if (!points) return;
    paintPointSet(ctx, points.train, points.domain, width, height, true);
    if (points.val) paintPointSet(ctx, points.val, points.domain, width, height, false);
  }

  return {
    setGrid(grid) {
      background = grid ? paintPixels(grid.width, grid.height, gridColor(grid)) : null;
      surface.redraw();
    },
    setPoints(next) {
      points = next;
      surface.redraw();
    },
  };
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {PointSet} set
 * @param {[number, number]} domain
 * @param {number} width
 * @param {number} height
 * @param {boolean} filled
 */
function paintPointSet(ctx, set, domain, width, height, filled) {
  const [low, high] = domain;
  const scaleX = width / (high - low);
  const scaleY = height / (high - low);
  const radius = Math.max(2.5, width / 110);
  let extent = 1e-9;
  if (!set.labels && set.targets) for (let i = 0; i < set.targets.length; i++) extent = Math.max(extent, Math.abs(set.targets[i]));
  ctx.lineWidth = filled ? 1 : 1.8;
  for (let i = 0; i < set.xy.length / 2; i++) {
    const x = (set.xy[2 * i] - low) * scaleX;
    const y = height - (set.xy[2 * i + 1] - low) * scaleY;
    const colour = set.labels ? classColor(set.labels[i]) : divergingCss((set.targets?.[i] ?? 0) / extent);
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, 2 * Math.PI);
    if (filled) {
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.strokeStyle = '#ffffff';
    } else {
      ctx.strokeStyle = colour;
    }
    ctx.stroke();
  }
}
