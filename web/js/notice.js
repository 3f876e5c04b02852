/**
 * Server errors put where they belong: on the layer field at fault, on the data or training
 * control named by the error's field, or else in the notice bar under the top bar. Every message
 * is the server's own words, written for a learner.
 */
import {splitFieldPath} from './api.js';

/**
 * @typedef {Object} ErrorTargets
 * @property {HTMLElement} noticeBar
 * @property {(id: string, field: string | null, message: string) => boolean} showOnLayer  false when no such card
 * @property {(field: string | null, message: string | null) => void} showOnData
 * @property {(field: string | null, message: string | null) => void} showOnTraining
 * @property {() => import('./state.js').LayerSpec[]} layers
 */

const DATA_CODES = new Set(['invalid_dataset', 'no_dataset']);
const QUIET_CODES = new Set(['rate_limited', 'unknown_session']);
/** Errors expected while a new data set meets the old network, before its own network is built. */
const SWITCHING_CODES = new Set(['incompatible_data', 'engine_error', 'invalid_input']);
/** Errors about keep and transfer: their field (`layers[i]`) names the message's list, not the network's. */
const TRANSFER_CODES = new Set(['nothing_kept', 'unknown_layer']);

/** @param {{code: string}} error @returns {boolean} */
export const isTransferError = (error) => TRANSFER_CODES.has(error.code);

/**
 * @param {ErrorTargets} targets
 */
export function createNotices(targets) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  /**
   * @param {'error' | 'info'} kind
   * @param {string} text
   * @param {number} [seconds]  hides itself after this long (0 = stays until the next notice)
   */
  function show(kind, text, seconds = 0) {
    targets.noticeBar.textContent = text;
    targets.noticeBar.className = `notice ${kind}`;
    targets.noticeBar.hidden = !text;
    clearTimeout(timer);
    if (seconds) timer = setTimeout(() => { targets.noticeBar.hidden = true; }, seconds * 1000);
  }

  return {
    show,
    clear: () => show('info', ''),
    /**
     * @param {{code: string, message: string, field: string | null}} error
     * @param {boolean} [switching]  a data-set change is under way
     */
    fromServer(error, switching = false) {
      if (QUIET_CODES.has(error.code) || (switching && SWITCHING_CODES.has(error.code))) return;
      if (isTransferError(error)) {  // no card of the network is at fault: say it in the bar
        show('error', error.message, 10);
        return;
      }
      const {index, field} = splitFieldPath(error.field);
      const layer = index !== null ? targets.layers()[index] : undefined;
      if (layer && targets.showOnLayer(layer.id, field, error.message)) {
        show('error', error.message, 8);
        return;
      }
      if (DATA_CODES.has(error.code)) targets.showOnData(error.field?.replace(/^options\./, '') ?? null, error.message);
      else if (error.field && !error.field.startsWith('layers')) targets.showOnTraining(error.field, error.message);
      show('error', error.message, 12);
    },
  };
}
