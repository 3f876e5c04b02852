// The one helper that turns image values into pixels (gallery tiles, the drawing pad), against a
// reference written out pixel by pixel, for grey and RGB, inverted or not, 0..1 or min..max.
import assert from 'node:assert/strict';
import test from 'node:test';

import {imagePixels, pixelLevels} from '../../web/js/charts/canvas.js';

/** The reference: every channel of every pixel from the formula, one at a time. */
function referencePixels(values, [channels, height, width], {invert, unitRange}) {
  const low = Math.min(...values), high = Math.max(...values);
  const asIs = unitRange && low >= 0 && high <= 1;
  const level = (v) => Math.round(255 * (v - (asIs ? 0 : low)) / (asIs ? 1 : Math.max(high - low, 1e-9)));
  const out = [];
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const grey = level(values[Math.min(c, channels - 1) * width * height + p]);
      out.push(invert ? 255 - grey : grey);
    }
    out.push(255);
  }
  return out;
}

test('levels: 0..1 kept as they are only when asked, anything else stretched min..max', () => {
  assert.deepEqual(Array.from(pixelLevels([0, 0.2], {unitRange: true})), [0, 51]);
  assert.deepEqual(Array.from(pixelLevels([0, 0.2])), [0, 255]);
  assert.deepEqual(Array.from(pixelLevels([-1, 0, 3], {unitRange: true})), [0, 64, 255]);
  assert.deepEqual(Array.from(pixelLevels([2, 2])), [0, 0]);  // a flat image: no division by zero
});

test('grey and RGB images, inverted or not, match the pixel-by-pixel reference', () => {
  let seed = 7;
  const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  for (const shape of [[1, 3, 4], [3, 2, 5], [4, 6]]) {
    const full = shape.length === 3 ? shape : [1, ...shape];
    const values = Array.from({length: full.reduce((a, b) => a * b, 1)}, () => random() * 4 - 2);
    for (const invert of [false, true]) {
      for (const unitRange of [false, true]) {
        const {rgba, width, height} = imagePixels(Float32Array.from(values), shape, {invert, unitRange});
        assert.equal(width, full[2]);
        assert.equal(height, full[1]);
        assert.deepEqual(Array.from(rgba), referencePixels(Float32Array.from(values), full, {invert, unitRange}));
      }
    }
  }
});

test('a grey image drawn dark on white: the largest value is black, the smallest white', () => {
  const {rgba} = imagePixels([0, 1], [1, 1, 2], {invert: true});
  assert.deepEqual(Array.from(rgba), [255, 255, 255, 255, 0, 0, 0, 255]);
});
