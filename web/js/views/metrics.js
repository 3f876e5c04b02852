/**
 * Training curves fed from the wire: frames carry every step's training loss since the previous
 * frame plus the evaluations taken meanwhile; a `history` message carries all of it at once after a
 * reload or reset. The loss chart shows train (mean of the steps since the last point) and
 * validation loss; the accuracy chart train and validation accuracy, for classifiers.
 *
 * @example
 *   const metrics = createMetricsView(grid, player);
 *   metrics.onFrame(frame);
 */
import {createCurves} from '../charts/curves.js';
import {tensorValues} from '../protocol.js';
import {createViewCard} from './card.js';
import {el} from '../builder/fields.js';

/**
 * @typedef {Object} MetricsView
 * @property {(frame: any) => void} onFrame
 * @property {(history: any) => void} onHistory
 * @property {() => void} reset
 * @property {(classifier: boolean) => void} setClassifier
 * @property {() => void} clearComparison
 * @property {(label: string) => void} nextRun  the run about to start is a lesson's comparison run
 *   of this label: once it is replaced it stays overlaid under that label
 */

/**
 * @param {any[]} evals
 * @param {import('../charts/curves.js').Curves} loss
 * @param {import('../charts/curves.js').Curves} accuracy
 */
function appendEvals(evals, loss, accuracy) {
  for (const record of evals ?? []) {
    if (record.val_loss != null) loss.append(record.step, [null, record.val_loss]);
    if (record.accuracy != null || record.val_accuracy != null) {
      accuracy.append(record.step, [record.accuracy ?? null, record.val_accuracy ?? null]);
    }
  }
}

/**
 * @param {HTMLElement} parent
 * @returns {MetricsView}
 */
export function createMetricsView(parent) {
  const card = createViewCard(parent, {
    title: 'Loss and accuracy', testid: 'curves', wide: true,
    hint: 'Training (solid) against validation (dashed). When validation rises while training falls, the network is memorising: overfitting.',
  });
  const logToggle = /** @type {HTMLInputElement} */ (el('input', {type: 'checkbox', id: 'log-scale', 'data-testid': 'log-scale'}));
  const logLabel = el('label', {for: 'log-scale'}, 'log scale');
  card.tools.append(logToggle, logLabel);
  const pair = el('div', {class: 'curves-pair'});
  const lossBox = el('div', {'data-testid': 'loss-chart', 'aria-label': 'loss curve'});
  const accuracyBox = el('div', {'data-testid': 'accuracy-chart', 'aria-label': 'accuracy curve'});
  pair.append(lossBox, accuracyBox);
  const waiting = el('p', {class: 'chart-empty'}, 'Press ▶ Play: the curves draw themselves as the network learns.');
  card.body.append(pair, waiting);
  const loss = createCurves(lossBox, {label: 'loss', series: ['train', 'validation'], height: 170, ghost: 'previous run'});
  const accuracy = createCurves(accuracyBox, {label: 'accuracy', series: ['train', 'validation'], height: 170});
  logToggle.addEventListener('change', () => loss.setLog(logToggle.checked));
  let comparable = true;
  /** @type {string | null} label of the run being drawn, null for a run outside a lesson's comparison */
  let runLabel = null;
  /** @type {string | null} label of the comparison run chosen but not started yet */
  let pendingLabel = null;
  let labelTaken = false;  // a reset since nextRun: the frames that follow are the chosen run's, not the old one's

  return {
    onFrame(frame) {
      if (frame.step > 0) {
        waiting.hidden = true;  // step-0 evaluations alone are not a curve yet
        if (labelTaken) pendingLabel = null;
        labelTaken = false;
      }
      if (frame.losses) {
        const values = tensorValues(frame.losses);
        if (values.length) {
          let sum = 0;
          for (const v of values) sum += v;
          loss.append(frame.losses.start + values.length, [sum / values.length, null]);
        }
      }
      appendEvals(frame.evals, loss, accuracy);
    },
    onHistory(history) {
      waiting.hidden = history.steps > 0;
      loss.reset();
      accuracy.reset();
      const display = history.display;
      if (display?.mean) {
        const means = tensorValues(display.mean);
        const bucket = display.bucket ?? 1;
        const first = history.first_step ?? 0;  // a loaded network's run goes on from its saved step
        const steps = Array.from(means, (_, i) => first + Math.min(history.steps, (i + 1) * bucket));
        loss.setAll(steps, [Array.from(means), steps.map(() => null)]);
      }
      appendEvals(history.evals, loss, accuracy);
    },
    reset() {
      if (loss.lastValue() != null) waiting.dataset.seenRun = 'yes';
      waiting.hidden = waiting.dataset.seenRun === 'yes';  // after a first run the kept curves explain themselves
      // The run that ends stays overlaid under its label, to compare the next ones against.
      loss.reset(comparable && (runLabel ?? true));
      comparable = true;
      runLabel = pendingLabel;  // a lesson's run keeps its label until it trains; later rebuilds are other runs
      labelTaken = pendingLabel != null;
      accuracy.reset();
    },
    clearComparison() {
      loss.clearGhosts();
      comparable = false;  // the run about to end belongs to other data or another lesson
      runLabel = pendingLabel = null;
    },
    nextRun(label) {
      pendingLabel = label;
      labelTaken = false;
    },
    setClassifier(classifier) {
      accuracyBox.hidden = !classifier;
      pair.style.gridTemplateColumns = classifier ? '' : '1fr';
    },
  };
}
