/**
 * Validation samples that are not pictures, as a compact table: what went in (the words of a
 * review, the letters typed so far, a few measurements, a sequence's symbols), the true answer
 * and the network's, with mistakes marked as the image gallery marks them. For a regression the
 * columns are the target, the prediction and how far apart they are.
 *
 * @example
 *   const table = createSampleTable(body);
 *   table.showClasses(predictionsPayload, {classNames, tokenNames, featureNames});
 */
import {el} from '../builder/fields.js';
import {setText} from '../charts/bars.js';
import {formatValue} from '../charts/curves.js';
import {tensorValues} from '../protocol.js';

const MAX_ROWS = 24;
const SHOWN_FEATURES = 4;

/**
 * @typedef {Object} SampleNames  how to put a sample into words (each may be unknown)
 * @property {string[]} classNames
 * @property {boolean} tokenIds               the inputs are token ids (the network embeds them)
 * @property {string[] | null} tokenNames    id -> word or letter, when known
 * @property {string[] | null} featureNames  column -> measurement name, for tabular inputs
 */

/**
 * @param {ArrayLike<number>} ids
 * @param {string[] | null} names
 * @returns {string} the tokens in reading order, the leading padding (id 0) left out
 */
export function tokensText(ids, names) {
  const list = Array.from(ids).map((v) => Math.round(v));
  const start = list.findIndex((id) => id !== 0);
  const kept = start < 0 ? [] : list.slice(start);
  if (!names) return kept.map((id) => `#${id}`).join(' ');
  const words = kept.map((id) => names[id] ?? `#${id}`);
  return words.every((w) => w.length === 1) ? words.join('') : words.join(' ');
}

/**
 * @param {Float32Array} values  one sample
 * @param {number[]} shape       the sample's shape
 * @param {SampleNames} names
 * @returns {{text: string, detail: string}}  a short cell and the whole sample for the tooltip
 */
export function describeInput(values, shape, names) {
  const whole = Array.from(values);
  if (shape.length === 1 && (names.tokenIds || names.tokenNames) && whole.every(Number.isInteger)) {
    const text = tokensText(values, names.tokenNames);
    return {text: text || '(start)', detail: text};  // nothing read yet: only padding
  }
  if (shape.length === 1) {
    const named = whole.map((v, k) => `${names.featureNames?.[k] ?? `feature ${k + 1}`} ${formatValue(v)}`);
    const more = named.length > SHOWN_FEATURES ? `, … (${named.length} values)` : '';
    return {text: named.slice(0, SHOWN_FEATURES).join(', ') + more, detail: named.join('\n')};
  }
  const [steps, width] = [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)];
  const rows = Array.from({length: steps}, (_, t) => whole.slice(t * width, (t + 1) * width));
  if (rows.every((row) => row.filter((v) => v !== 0).length === 1 && row.includes(1))) {
    const symbols = rows.map((row) => row.indexOf(1)).join(' ');  // one-hot steps: the symbol each step carries
    return {text: symbols, detail: symbols};
  }
  return {text: `${steps} steps × ${width}`, detail: rows.map((row) => row.map(formatValue).join(' ')).join('\n')};
}

/**
 * @param {any} inputs  the payload's (N, ...) tensor
 * @returns {(i: number) => {values: Float32Array, shape: number[]}}
 */
function sampleReader(inputs) {
  const all = tensorValues(inputs);
  const shape = inputs.shape.slice(1);
  const per = shape.reduce((/** @type {number} */ a, /** @type {number} */ b) => a * b, 1);
  return (i) => ({values: all.subarray(i * per, (i + 1) * per), shape});
}

/**
 * @typedef {Object} SampleRow  one table row as text
 * @property {string} className  'wrong', 'right' or ''
 * @property {string[]} cells
 * @property {string} inputDetail  the whole sample, the input cell's tooltip
 */

/** the class of each column but the input's: numbers align right, classes get their colour */
const CELL_CLASSES = {classes: ['num', 'sample-input', 'true-class', 'predicted-class'], values: ['num', 'sample-input', 'num', 'num', 'num']};

/**
 * @param {HTMLElement} element
 * @param {string} name  an attribute
 * @param {string} value
 */
function setAttribute(element, name, value) {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}

/**
 * @param {HTMLElement} row  a <tr>
 * @param {string} tag       'td' or 'th'
 * @param {string[]} texts
 * @param {string[]} classes  per cell
 * @returns {HTMLElement[]}  the row's cells, as many as texts, kept from the last fill where they exist
 */
function fillCells(row, tag, texts, classes) {
  while (row.children.length > texts.length) row.lastElementChild?.remove();
  while (row.children.length < texts.length) row.append(el(tag, tag === 'th' ? {scope: 'col'} : {}));
  const cells = /** @type {HTMLElement[]} */ ([...row.children]);
  cells.forEach((cell, k) => {
    setAttribute(cell, 'class', classes[k] ?? '');
    setText(cell, texts[k]);
  });
  return cells;
}

/**
 * @param {HTMLElement} parent
 */
export function createSampleTable(parent) {
  const summary = el('p', {class: 'gallery-summary sample-summary'});
  const table = el('table', {class: 'sample-table', 'data-testid': 'sample-table'});
  const head = el('tr');
  table.append(head);
  parent.append(summary, table);
  /** @type {HTMLElement[]} rows kept from frame to frame: a hovered tooltip or a selection survives the next frame */
  const rows = [];

  /**
   * @param {string[]} headings
   * @param {SampleRow[]} samples
   * @param {string[]} classes  per column
   */
  function fillTable(headings, samples, classes) {
    fillCells(head, 'th', headings, []);
    samples.forEach((sample, i) => {
      rows[i] ??= el('tr', {'data-testid': 'sample-row'});
      setAttribute(rows[i], 'class', sample.className);
      const cells = fillCells(rows[i], 'td', sample.cells, classes);
      setAttribute(cells[1], 'title', sample.inputDetail);
    });
    while (table.children.length > samples.length + 1) table.lastElementChild?.remove();
    for (let i = table.children.length - 1; i < samples.length; i++) table.append(rows[i]);
  }

  /**
   * @param {any} payload
   * @param {SampleNames} names
   * @returns {(i: number) => {text: string, detail: string}} sample i's input in words
   */
  const inputsOf = (payload, names) => {
    const sample = sampleReader(payload.inputs);
    return (i) => { const {values, shape} = sample(i); return describeInput(values, shape, names); };
  };

  return {
    /**
     * @param {any} payload  a classifier's predictions view
     * @param {SampleNames} names
     */
    showClasses(payload, names) {
      const inputOf = inputsOf(payload, names);
      const confidence = tensorValues(payload.confidence);
      const name = (/** @type {number} */ k) => String(names.classNames[k] ?? k);
      setText(summary, `${payload.misclassified} of ${payload.total} validation samples misclassified; the first few, then mistakes`);
      const samples = payload.labels.slice(0, MAX_ROWS).map((/** @type {number} */ label, /** @type {number} */ i) => {
        const input = inputOf(i);
        const wrong = payload.predicted[i] !== label;
        return {className: wrong ? 'wrong' : 'right', inputDetail: input.detail, cells: [String(payload.index[i]), input.text, name(label),
          `${name(payload.predicted[i])} ${Math.round(confidence[i] * 100)}%${wrong ? ' ✗' : ''}`]};
      });
      fillTable(['#', 'input', 'true', 'predicted'], samples, CELL_CLASSES.classes);
    },
    /**
     * @param {any} payload  a regression's predictions view (task 'regression')
     * @param {SampleNames} names
     */
    showValues(payload, names) {
      const inputOf = inputsOf(payload, names);
      const targets = tensorValues(payload.labels);
      const predicted = tensorValues(payload.predicted);
      const per = payload.labels.shape[1] ?? 1;
      setText(summary, `mean absolute error ${formatValue(payload.mean_abs_error)} over these ${payload.index.length} validation samples`);
      const samples = payload.index.slice(0, MAX_ROWS).map((/** @type {number} */ index, /** @type {number} */ i) => {
        const input = inputOf(i);
        const wanted = Array.from(targets.subarray(i * per, (i + 1) * per));
        const got = Array.from(predicted.subarray(i * per, (i + 1) * per));
        const miss = got.reduce((sum, v, k) => sum + Math.abs(v - wanted[k]), 0) / per;
        return {className: '', inputDetail: input.detail,
          cells: [String(index), input.text, wanted.map(formatValue).join(', '), got.map(formatValue).join(', '), formatValue(miss)]};
      });
      fillTable(['#', 'input', 'target', 'predicted', 'off by'], samples, CELL_CLASSES.values);
    },
  };
}
