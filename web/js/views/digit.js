/**
 * Draw a digit and ask the live model what it is. Strokes are drawn large, then the ink is
 * cropped, scaled to fit 20×20 and centred by its centre of mass in a 28×28 image, the way MNIST
 * digits were prepared; without that step a perfectly good model misreads a digit drawn small or
 * off-centre. Probabilities come back from the server and are drawn as bars.
 *
 * The pad works without a pointer too: it takes focus, arrow keys move a cursor over the 28×28
 * grid, Space or Enter paints, Shift+arrows paint while moving, Delete or Backspace clears and P
 * asks the model. A validation image (from the predictions gallery) can be put on the pad as it
 * is, so a learner can ask the model about a sample it got wrong.
 *
 * @example
 *   const pad = createDigitPad(container, (pixels) => socket.send({type: 'probe', input: pixels}));
 *   pad.showPrediction([0.01, 0.9, ...]);
 */
import {el} from '../builder/fields.js';
import {imageData, pixelLevels} from '../charts/canvas.js';

const SIDE = 28;
const BOX = 20;
const CANVAS = 224;
const CELL = CANVAS / SIDE;
/** the brush of a pointer stroke; keyboard painting uses the same one so both read alike */
const BRUSH = 18;

export const PAD_KEYS_HELP = 'Keyboard: Tab to the pad, arrow keys move the cursor, Space or Enter paints, '
  + 'Shift+arrows paint while moving, P asks the model, Delete clears.';

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
 * @typedef {{kind: 'move' | 'stroke', dx: number, dy: number} | {kind: 'paint' | 'clear' | 'probe'}} PadAction
 */

const ARROWS = /** @type {Record<string, [number, number]>} */ ({ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0]});

/**
 * @param {string} key      KeyboardEvent.key
 * @param {boolean} shift
 * @returns {PadAction | null}  what the key does on the pad; null leaves the key to the page
 */
export function padKeyAction(key, shift) {
  const arrow = ARROWS[key];
  if (arrow) return {kind: shift ? 'stroke' : 'move', dx: arrow[0], dy: arrow[1]};
  if (key === ' ' || key === 'Enter') return {kind: 'paint'};
  if (key === 'Delete' || key === 'Backspace') return {kind: 'clear'};
  if (key === 'p' || key === 'P') return {kind: 'probe'};
  return null;
}

/**
 * @param {{x: number, y: number}} cursor  a cell of the grid
 * @param {number} dx
 * @param {number} dy
 * @returns {{x: number, y: number}} the next cell, held inside the grid
 */
export function moveCursor(cursor, dx, dy) {
  const hold = (/** @type {number} */ v) => Math.min(SIDE - 1, Math.max(0, v));
  return {x: hold(cursor.x + dx), y: hold(cursor.y + dy)};
}

/**
 * @param {{x: number, y: number}} cursor
 * @param {boolean} inked  whether the cell under the cursor holds ink
 * @returns {string} where the cursor is, for someone who cannot see the pad
 */
export function describeCursor(cursor, inked) {
  return `row ${cursor.y + 1}, column ${cursor.x + 1} of ${SIDE}${inked ? ', painted' : ''}`;
}

/**
 * @param {ArrayLike<number>} probabilities
 * @param {string[]} names
 * @param {string} source   what was asked about, e.g. 'your drawing'
 * @returns {string} one sentence for a screen reader: the top class and the runner-up
 */
export function describePrediction(probabilities, names, source) {
  const ranked = Array.from(probabilities, (p, k) => ({p, name: names[k] ?? String(k)})).sort((a, b) => b.p - a.p);
  if (!ranked.length) return `${source}: no answer`;
  const pct = (/** @type {number} */ p) => `${Math.round(p * 100)}%`;
  const second = ranked[1] ? `, then ${ranked[1].name} (${pct(ranked[1].p)})` : '';
  return `${source}: the model says ${ranked[0].name} (${pct(ranked[0].p)})${second}.`;
}

/**
 * @param {ArrayLike<number>} values  one image as the data set holds it
 * @returns {Uint8ClampedArray} grey levels 0..255 (white ink on black): values in 0..1 as they
 *   are, anything else stretched min..max so a standardised image still shows
 */
export const greyLevels = (values) => pixelLevels(values, {unitRange: true});

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
 * @property {(values: Float32Array, source: string) => void} showImage  puts a 28×28 image (a
 *   validation sample) on the pad as it is and asks the model about it
 * @property {() => string} source  what the last probe was about ('your drawing', 'validation image 12')
 */

/**
 * @param {HTMLElement} container
 * @param {(pixels: Float32Array) => void} onDigit  called after each stroke (or P) with the 28×28 image
 * @param {() => void} [onClear]
 * @returns {DigitPad}
 */
export function createDigitPad(container, onDigit, onClear) {
  const help = el('p', {class: 'digit-keys', id: 'digit-keys-help'}, PAD_KEYS_HELP);
  const canvas = /** @type {HTMLCanvasElement} */ (el('canvas', {width: String(CANVAS), height: String(CANVAS), class: 'digit-canvas',
    'data-testid': 'digit-canvas', tabindex: '0', role: 'application', 'aria-roledescription': 'drawing pad',
    'aria-label': 'drawing area: draw a digit with the mouse, a finger or the arrow keys', 'aria-describedby': 'digit-keys-help'}));
  const cursorMark = el('div', {class: 'digit-cursor', 'data-testid': 'digit-cursor', 'aria-hidden': 'true'});
  const stage = el('div', {class: 'digit-stage'});
  stage.append(canvas, cursorMark);
  const askButton = el('button', {type: 'button', 'data-testid': 'digit-ask', title: 'ask the live model what the pad shows (P)'}, 'Ask (P)');
  const clearButton = el('button', {type: 'button', 'data-testid': 'digit-clear'}, 'Clear');
  const buttons = el('div', {class: 'digit-buttons'});
  buttons.append(askButton, clearButton);
  const bars = el('div', {class: 'digit-bars', 'data-testid': 'digit-prediction'});
  const announcer = el('p', {class: 'digit-said', role: 'status', 'aria-live': 'polite', 'data-testid': 'digit-announcer'});
  // Where the keyboard cursor is, said once the keys rest (a held arrow key would otherwise talk over itself).
  const position = el('p', {class: 'visually-hidden', 'aria-live': 'polite', 'data-testid': 'digit-position'});
  const side = el('div', {class: 'digit-side'});
  side.append(bars, announcer, buttons, position);
  container.append(stage, side, help);
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  let drawing = false;
  /** @type {{x: number, y: number} | null} */
  let last = null;
  let cursor = {x: SIDE / 2, y: SIDE / 2};
  let inked = false;
  /** a validation image on the pad is sent as it is (already centred); a drawing is read off the canvas */
  /** @type {{values: Float32Array, source: string} | null} */
  let shown = null;
  let source = 'your drawing';

  const placeCursor = () => {
    cursorMark.style.left = `${(cursor.x / SIDE) * 100}%`;
    cursorMark.style.top = `${(cursor.y / SIDE) * 100}%`;
  };
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    bars.replaceChildren();
    inked = false;
    shown = null;
  };
  /** Ink goes on the canvas in the same brush whether it comes from a pointer or the keys. */
  const stroke = (/** @type {{x: number, y: number}} */ from, /** @type {{x: number, y: number}} */ to) => {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = BRUSH;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    inked = true;
    shown = null;
  };
  const ask = () => {
    if (shown) {
      source = shown.source;
      onDigit(shown.values);
    } else if (inked) {
      source = 'your drawing';
      onDigit(readDigit(canvas));
    } else {
      announcer.textContent = 'The pad is empty: paint a digit first.';
    }
  };
  const cellCentre = (/** @type {{x: number, y: number}} */ cell) => ({x: (cell.x + 0.5) * CELL, y: (cell.y + 0.5) * CELL});
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let positionTimer;
  const sayPosition = () => {
    clearTimeout(positionTimer);
    positionTimer = setTimeout(() => {
      const centre = cellCentre(cursor);
      const inkHere = ctx.getImageData(Math.floor(centre.x), Math.floor(centre.y), 1, 1).data[0] > 127;
      position.textContent = describeCursor(cursor, inkHere);
    }, 300);
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
    stroke(last, point);
    last = point;
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    last = null;
    if (inked) ask();
  };
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);
  canvas.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const action = padKeyAction(event.key, event.shiftKey);
    if (!action) return;
    // The page's own shortcuts (Space plays) must not fire while the pad has the keys.
    event.preventDefault();
    event.stopPropagation();
    if (action.kind === 'move' || action.kind === 'stroke') {
      const next = moveCursor(cursor, action.dx, action.dy);
      if (action.kind === 'stroke') stroke(cellCentre(cursor), cellCentre(next));
      cursor = next;
      placeCursor();
      sayPosition();
    } else if (action.kind === 'paint') {
      stroke(cellCentre(cursor), cellCentre(cursor));
      sayPosition();
    } else if (action.kind === 'clear') {
      clear();
      onClear?.();
      announcer.textContent = 'Pad cleared.';
    } else {
      ask();
    }
  });
  askButton.addEventListener('click', ask);
  clearButton.addEventListener('click', () => { clear(); onClear?.(); });
  clear();
  placeCursor();

  return {
    clear,
    source: () => source,
    showPrediction(probabilities, names = []) {
      const best = probabilities.indexOf(Math.max(...probabilities));
      bars.replaceChildren(...probabilities.map((p, k) => {
        const row = el('div', {class: `digit-bar${k === best ? ' best' : ''}`});
        const fill = el('span', {class: 'fill'});
        fill.style.width = `${Math.round(p * 100)}%`;
        row.append(el('span', {class: 'name'}, names[k] ?? String(k)), fill, el('span', {class: 'pct'}, `${Math.round(p * 100)}%`));
        return row;
      }));
      announcer.textContent = describePrediction(probabilities, names, source);
    },
    showImage(values, imageSource) {
      const tile = document.createElement('canvas');  // the image at its own size, scaled up by drawImage
      tile.width = SIDE;
      tile.height = SIDE;
      tile.getContext('2d')?.putImageData(imageData(values, [SIDE, SIDE], {unitRange: true}), 0, 0);
      clear();
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tile, 0, 0, canvas.width, canvas.height);
      // Drawing on it afterwards edits it like any drawing (read off the canvas, recentred).
      inked = true;
      shown = {values: Float32Array.from(values), source: imageSource};
      ask();
    },
  };
}
