/**
 * Colour scales shared by every view, chosen to stay readable for colour-blind viewers and on a
 * washed-out classroom projector: an orange-to-blue diverging scale (no red/green pair) with a
 * near-white centre for "zero", and the Okabe–Ito qualitative colours for class labels. Class 0 is
 * the orange end and class 1 the blue end, so a binary decision boundary and its points agree.
 *
 * @example
 *   const [r, g, b] = divergingRgb(-0.4);   // a light orange
 *   ctx.fillStyle = classColor(2);
 */

/** Anchor colours of the diverging scale at -1, -0.5, 0, 0.5, 1. */
const DIVERGING_ANCHORS = [
  [179, 88, 6],
  [241, 163, 64],
  [247, 247, 247],
  [103, 169, 207],
  [33, 102, 172],
];

/** Okabe & Ito (2008) colours, ordered so neighbouring classes contrast. */
export const CLASS_COLORS = [
  '#E69F00', '#0072B2', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#999999', '#882255',
];

const LUT_SIZE = 256;

/** @returns {Uint8ClampedArray} 256 RGB triples covering -1..1 */
function buildDivergingLut() {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  const segments = DIVERGING_ANCHORS.length - 1;
  for (let i = 0; i < LUT_SIZE; i++) {
    const position = (i / (LUT_SIZE - 1)) * segments;
    const lower = Math.min(segments - 1, Math.floor(position));
    const t = position - lower;
    for (let c = 0; c < 3; c++) {
      lut[i * 3 + c] = DIVERGING_ANCHORS[lower][c] * (1 - t) + DIVERGING_ANCHORS[lower + 1][c] * t;
    }
  }
  return lut;
}

export const DIVERGING_LUT = buildDivergingLut();

/**
 * @param {number} value  -1..1 (clamped)
 * @returns {number} index of the value's colour triple in DIVERGING_LUT
 */
export function divergingIndex(value) {
  const clamped = Math.max(-1, Math.min(1, Number.isFinite(value) ? value : 0));
  return Math.round(((clamped + 1) / 2) * (LUT_SIZE - 1)) * 3;
}

/**
 * @param {number} value  -1..1
 * @returns {[number, number, number]}
 */
export function divergingRgb(value) {
  const i = divergingIndex(value);
  return [DIVERGING_LUT[i], DIVERGING_LUT[i + 1], DIVERGING_LUT[i + 2]];
}

/**
 * @param {number} value  -1..1
 * @param {number} [alpha]
 * @returns {string} CSS colour
 */
export function divergingCss(value, alpha = 1) {
  const [r, g, b] = divergingRgb(value);
  return `rgba(${r},${g},${b},${alpha})`;
}

/**
 * @param {number} label  class index
 * @returns {string} CSS colour
 */
export function classColor(label) {
  return CLASS_COLORS[label % CLASS_COLORS.length];
}

/**
 * @param {string} hex  '#RRGGBB'
 * @returns {[number, number, number]}
 */
export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
