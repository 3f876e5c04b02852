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
import {shortNumber} from '../charts/bars.js';
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
    const named = whole.map((v, k) => `${names.featureNames?.[k] ?? `feature ${k + 1}`} ${shortNumber(v)}`);
    const more = named.length > SHOWN_FEATURES ? `, … (${named.length} values)` : '';
    return {text: named.slice(0, SHOWN_FEATURES).join(', ') + more, detail: named.join('\n')};
  }
  const [steps, width] = [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)];
  const rows = Array.from({length: steps}, (_, t) => whole.slice(t * width, (t + 1) * width));
  if (rows.every((row) => row.filter((v) => v !== 0).length === 1 && row.includes(1))) {
    const symbols = rows.map((row) => row.indexOf(1)).join(' ');  // one-hot steps: the symbol each step carries
    return {text: symbols, detail: symbols};
  }
  return {text: `${steps} steps × ${width}`, detail: rows.map((row) => row.map(shortNumber).join(' ')).join('\n')};
}

/**
 * @param {HTMLElement} table
 * @param {string[]} headings
 */
function setHeadings(table, headings) {
  const head = el('tr');
  head.append(...headings.map((h) => el('th', {scope: 'col'}, h)));
  table.replaceChildren(head);
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
 * @param {HTMLElement} parent
 */
export function createSampleTable(parent) {
  const summary = el('p', {class: 'gallery-summary sample-summary'});
  const table = el('table', {class: 'sample-table', 'data-testid': 'sample-table'});
  parent.append(summary, table);
  return {
    /**
     * @param {any} payload  a classifier's predictions view
     * @param {SampleNames} names
     */
    showClasses(payload, names) {
      const sample = sampleReader(payload.inputs);
      const confidence = tensorValues(payload.confidence);
      const name = (/** @type {number} */ k) => String(names.classNames[k] ?? k);
      summary.textContent = `${payload.misclassified} of ${payload.total} validation samples misclassified; the first few, then mistakes`;
      setHeadings(table, ['#', 'input', 'true', 'predicted']);
      payload.labels.slice(0, MAX_ROWS).forEach((/** @type {number} */ label, /** @type {number} */ i) => {
        const {values, shape} = sample(i);
        const input = describeInput(values, shape, names);
        const wrong = payload.predicted[i] !== label;
        const row = el('tr', {class: wrong ? 'wrong' : 'right', 'data-testid': 'sample-row'});
        row.append(el('td', {class: 'num'}, String(payload.index[i])), el('td', {class: 'sample-input', title: input.detail}, input.text),
          el('td', {class: 'true-class'}, name(label)),
          el('td', {class: 'predicted-class'}, `${name(payload.predicted[i])} ${Math.round(confidence[i] * 100)}%${wrong ? ' ✗' : ''}`));
        table.append(row);
      });
    },
    /**
     * @param {any} payload  a regression's predictions view (task 'regression')
     * @param {SampleNames} names
     */
    showValues(payload, names) {
      const sample = sampleReader(payload.inputs);
      const targets = tensorValues(payload.labels);
      const predicted = tensorValues(payload.predicted);
      const per = payload.labels.shape[1] ?? 1;
      summary.textContent = `mean absolute error ${shortNumber(payload.mean_abs_error)} over these ${payload.index.length} validation samples`;
      setHeadings(table, ['#', 'input', 'target', 'predicted', 'off by']);
      payload.index.slice(0, MAX_ROWS).forEach((/** @type {number} */ index, /** @type {number} */ i) => {
        const {values, shape} = sample(i);
        const input = describeInput(values, shape, names);
        const wanted = Array.from(targets.subarray(i * per, (i + 1) * per));
        const got = Array.from(predicted.subarray(i * per, (i + 1) * per));
        const miss = got.reduce((sum, v, k) => sum + Math.abs(v - wanted[k]), 0) / per;
        const row = el('tr', {'data-testid': 'sample-row'});
        row.append(el('td', {class: 'num'}, String(index)), el('td', {class: 'sample-input', title: input.detail}, input.text),
          el('td', {class: 'num'}, wanted.map(shortNumber).join(', ')), el('td', {class: 'num'}, got.map(shortNumber).join(', ')),
          el('td', {class: 'num'}, shortNumber(miss)));
        table.append(row);
      });
    },
  };
}
