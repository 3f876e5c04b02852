/**
 * Labelled horizontal bars around a zero line: one row per named quantity (a measurement's
 * saliency, a time step's weight), blue to the right for positive values and orange to the left
 * for negative ones, all on one scale so rows compare at a glance. Rows with no negative value
 * (magnitudes) start at the left edge instead. Plain elements rather than a
 * canvas, so every label stays selectable text a screen reader can reach.
 *
 * @example
 *   const bars = createSignedBars(body, 'saliency-bars');
 *   bars.update([{label: 'mean radius', value: -0.4, title: 'input 1.27'}]);
 */
import {el} from '../builder/fields.js';
import {formatValue} from './curves.js';

/**
 * @typedef {Object} BarRow
 * @property {string} label
 * @property {number} value
 * @property {string} [title]  extra detail shown on hover
 */

/**
 * @returns {{line: HTMLElement, label: HTMLElement, fill: HTMLElement, value: HTMLElement}} one bar's
 *   elements, made once and refilled by every frame (no churn, a selected label stays selected)
 */
function barElements() {
  const label = el('span', {class: 'signed-label'});
  const fill = el('span', {class: 'signed-fill'});
  const track = el('span', {class: 'signed-track', 'aria-hidden': 'true'});
  track.append(fill);
  const value = el('span', {class: 'signed-value'});
  const line = el('div', {class: 'signed-bar', 'data-testid': 'signed-bar', role: 'listitem'});
  line.append(label, track, value);
  return {line, label, fill, value};
}

/**
 * @param {ReturnType<typeof barElements>} bar
 * @param {BarRow} row
 * @param {number} scale  the largest magnitude among the rows: its bar fills the track's side
 * @param {number} side     the share of the track one side has: 0.5 around a zero line, 1 with no negatives
 */
function fillBar(bar, row, scale, side) {
  const share = scale > 0 ? Math.min(1, Math.abs(row.value) / scale) : 0;
  bar.fill.className = `signed-fill ${row.value < 0 ? 'negative' : 'positive'}`;
  bar.fill.style.width = `${(share * side * 100).toFixed(2)}%`;
  setText(bar.label, row.label);
  setText(bar.value, formatValue(row.value));
  if (bar.line.title !== (row.title ?? '')) bar.line.title = row.title ?? '';
}

/**
 * @param {HTMLElement} element
 * @param {string} text
 */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;  // the same text kept: a selection in it survives
}

/**
 * @param {HTMLElement} parent
 * @param {string} testid
 * @returns {{element: HTMLElement, update: (rows: BarRow[]) => void}}
 */
export function createSignedBars(parent, testid) {
  const element = el('div', {class: 'signed-bars', 'data-testid': testid, role: 'list'});
  parent.append(element);
  /** @type {ReturnType<typeof barElements>[]} */
  const bars = [];
  return {
    element,
    update(rows) {
      const scale = rows.reduce((largest, row) => Math.max(largest, Math.abs(row.value) || 0), 0);
      // Magnitudes only (no negatives): the bars start at the left edge and use the whole track.
      const oneSided = rows.every((row) => row.value >= 0);
      element.classList.toggle('one-sided', oneSided);
      while (bars.length < rows.length) bars.push(barElements());
      rows.forEach((row, k) => fillBar(bars[k], row, scale, oneSided ? 1 : 0.5));
      while (element.children.length > rows.length) element.lastElementChild?.remove();
      for (let k = element.children.length; k < rows.length; k++) element.append(bars[k].line);
    },
  };
}
