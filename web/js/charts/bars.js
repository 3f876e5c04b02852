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

/**
 * @typedef {Object} BarRow
 * @property {string} label
 * @property {number} value
 * @property {string} [title]  extra detail shown on hover
 */

/**
 * @param {number} value
 * @returns {string} short enough for a narrow column, precise enough to compare
 */
export function shortNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (size !== 0 && (size < 0.001 || size >= 10000)) return value.toExponential(1);
  return value.toFixed(size < 1 ? 3 : 2);
}

/**
 * @param {BarRow} row
 * @param {number} scale  the largest magnitude among the rows: its bar fills the track's side
 * @param {number} side     the share of the track one side has: 0.5 around a zero line, 1 with no negatives
 * @returns {HTMLElement}
 */
function barElement(row, scale, side) {
  const share = scale > 0 ? Math.min(1, Math.abs(row.value) / scale) : 0;
  const fill = el('span', {class: `signed-fill ${row.value < 0 ? 'negative' : 'positive'}`});
  fill.style.width = `${(share * side * 100).toFixed(2)}%`;
  const track = el('span', {class: 'signed-track', 'aria-hidden': 'true'});
  track.append(fill);
  const line = el('div', {class: 'signed-bar', 'data-testid': 'signed-bar', title: row.title ?? ''});
  line.append(el('span', {class: 'signed-label'}, row.label), track, el('span', {class: 'signed-value'}, shortNumber(row.value)));
  return line;
}

/**
 * @param {HTMLElement} parent
 * @param {string} testid
 * @returns {{element: HTMLElement, update: (rows: BarRow[]) => void}}
 */
export function createSignedBars(parent, testid) {
  const element = el('div', {class: 'signed-bars', 'data-testid': testid, role: 'list'});
  parent.append(element);
  return {
    element,
    update(rows) {
      const scale = rows.reduce((largest, row) => Math.max(largest, Math.abs(row.value) || 0), 0);
      // Magnitudes only (no negatives): the bars start at the left edge and use the whole track.
      const oneSided = rows.every((row) => row.value >= 0);
      element.classList.toggle('one-sided', oneSided);
      element.replaceChildren(...rows.map((row) => {
        const line = barElement(row, scale, oneSided ? 1 : 0.5);
        line.setAttribute('role', 'listitem');
        return line;
      }));
    },
  };
}
