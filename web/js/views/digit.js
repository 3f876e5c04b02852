/**
 * Draw a digit and ask the live model what it is. Strokes are drawn large, then the ink is
 * cropped, scaled to fit 20×20 and centred by its centre of mass in a 28×28 image, the way MNIST
 * digits were prepared; without that step a perfectly good model misreads a digit drawn small or
 * off-centre. Probabilities come back from the server and are drawn as bars.
 *
 * @example
 *   const pad = createDigitPad(container, (pixels) => socket.send({type: 'probe', input: pixels}));
 *   pad.showPrediction([0.01, 0.9, ...]);
 */
import {el} from '../builder/fields.js';

const SIDE = 28;
const BOX = 20;

/**
 * @param {Float32Array} ink   SIDE*k squared grey values 0..1 of the big canvas, downsampled to `size`
 * @param {number} size
 * @returns {Float32Array}   SIDE×SIDE, digit fitted into BOX×BOX and centred by mass
 */
export function centreLikeMnist(ink, size) {
  let top = size, bottom = -1, left = size, right = -1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (ink[y * size + x] > 0.05) {
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  const out = new Float32Array(SIDE * SIDE);
  if (bottom < 0) return out;
  const scale = BOX / Math.max(bottom - top + 1, right - left + 1);
  const boxed = new Float32Array(SIDE * SIDE);
  let mass = 0, massX = 0, massY = 0;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const sourceX = Math.floor(left + (x - (SIDE - BOX) / 2) / scale);
      const sourceY = Math.floor(top + (y - (SIDE - BOX) / 2) / scale);
      if (sourceX < left || sourceX > right || sourceY < top || sourceY > bottom) continue;
      const v = ink[sourceY * size + sourceX];
      boxed[y * SIDE + x] = v;
      mass += v; massX += v * x; massY += v * y;
    }
  }
  const shiftX = Math.round(SIDE / 2 - massX / Math.max(mass, 1e-9));
  const shiftY = Math.round(SIDE / 2 - massY / Math.max(mass, 1e-9));
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const fromX = x - shiftX, fromY = y - shiftY;
      if (fromX >= 0 && fromX < SIDE && fromY >= 0 && fromY < SIDE) out[y * SIDE + x] = boxed[fromY * SIDE + fromX];
    }
  }
  return out;
}

/**
 * @param {HTMLCanvasElement} canvas  the drawing canvas (white ink on black)
 * @returns {Float32Array} 28×28 values 0..1
 */
function readDigit(canvas) {
  const size = 112;
  const small = document.createElement('canvas');
  small.width = size;
  small.height = size;
  const ctx = /** @type {CanvasRenderingContext2D} */ (small.getContext('2d', {willReadFrequently: true}));
  ctx.drawImage(canvas, 0, 0, size, size);
  const rgba = ctx.getImageData(0, 0, size, size).data;
  const ink = new Float32Array(size * size);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4] / 255;
  return centreLikeMnist(ink, size);
}

/**
 * @typedef {Object} DigitPad
 * @property {(probabilities: number[], names?: string[]) => void} showPrediction
 * @property {() => void} clear
 * @property {(pixels: number[][]) => void} drawPixels  shows a 28×28 image (e.g. a validation sample)
 */

/**
 * @param {HTMLElement} container
 * @param {(pixels: Float32Array) => void} onDigit  called after each stroke with the 28×28 image
 * @param {() => void} [onClear]
 * @returns {DigitPad}
 */
export function createDigitPad(container, onDigit, onClear) {
  const canvas = /** @type {HTMLCanvasElement} */ (el('canvas', {width: '224', height: '224', class: 'digit-canvas', 'data-testid': 'digit-canvas', 'aria-label': 'drawing area: draw a digit with the mouse or a finger'}));
  const clearButton = el('button', {type: 'button', 'data-testid': 'digit-clear'}, 'Clear');
  const bars = el('div', {class: 'digit-bars', 'data-testid': 'digit-prediction', 'aria-live': 'polite'});
  const side = el('div', {class: 'digit-side'});
  side.append(bars, clearButton);
  container.append(canvas, side);
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  let drawing = false;
  /** @type {{x: number, y: number} | null} */
  let last = null;

  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    bars.replaceChildren();
  };
  /** @param {PointerEvent} event */
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return {x: (event.clientX - box.left) * canvas.width / box.width, y: (event.clientY - box.top) * canvas.height / box.height};
  };
  canvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    last = at(event);
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing || !last) return;
    const point = at(event);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 18;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(point.x, point.y);
    ctx.stroke();
    last = point;
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    last = null;
    onDigit(readDigit(canvas));
  };
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);
  clearButton.addEventListener('click', () => { clear(); onClear?.(); });
  clear();

  return {
    clear,
    showPrediction(probabilities, names = []) {
      const best = probabilities.indexOf(Math.max(...probabilities));
      bars.replaceChildren(...probabilities.map((p, k) => {
        const row = el('div', {class: `digit-bar${k === best ? ' best' : ''}`});
        const fill = el('span', {class: 'fill'});
        fill.style.width = `${Math.round(p * 100)}%`;
        row.append(el('span', {class: 'name'}, names[k] ?? String(k)), fill, el('span', {class: 'pct'}, `${Math.round(p * 100)}%`));
        return row;
      }));
    },
    drawPixels(pixels) {
      const image = ctx.createImageData(SIDE, SIDE);
      pixels.flat().forEach((v, i) => image.data.set([v * 255, v * 255, v * 255, 255], i * 4));
      const tile = document.createElement('canvas');
      tile.width = SIDE;
      tile.height = SIDE;
      tile.getContext('2d')?.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tile, 0, 0, canvas.width, canvas.height);
    },
  };
}
