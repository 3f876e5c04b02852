/**
 * The lesson card: what the chosen preset teaches, what to watch, a "try this", and its challenge
 * checked live against the metrics and the parameter count (e.g. "reach 95% validation accuracy
 * with at most 50,000 parameters"). Hidden when no lesson is open.
 *
 * @example
 *   const lesson = createLessonCard(grid);
 *   lesson.show(preset);
 *   lesson.check({val_accuracy: 0.96}, 41000);
 */
import {el} from '../builder/fields.js';
import {createViewCard} from './card.js';

/** @typedef {{metric: string, op: string, value: number}} Condition */

const OPERATORS = {
  '>=': (/** @type {number} */ a, /** @type {number} */ b) => a >= b,
  '<=': (/** @type {number} */ a, /** @type {number} */ b) => a <= b,
  '>': (/** @type {number} */ a, /** @type {number} */ b) => a > b,
  '<': (/** @type {number} */ a, /** @type {number} */ b) => a < b,
};

/**
 * @param {Condition[]} conditions
 * @param {Record<string, number>} values  live metrics plus total_params
 * @returns {boolean}
 */
export function challengeMet(conditions, values) {
  return conditions.every((c) => {
    const compare = /** @type {Record<string, (a: number, b: number) => boolean>} */ (OPERATORS)[c.op];
    const value = values[c.metric];
    return Boolean(compare) && typeof value === 'number' && compare(value, c.value);
  });
}

/**
 * @param {string} label  'too_small'
 * @returns {string} 'too small'
 */
const runName = (label) => label.replace(/_/g, ' ');

/**
 * @param {HTMLElement} parent
 * @param {(preset: any, run: any) => void} onRun  a comparison run was chosen
 */
export function createLessonCard(parent, onRun) {
  const card = createViewCard(parent, {title: 'Lesson', testid: 'lesson-card', wide: true, hint: ''});
  parent.prepend(card.element);
  const explanation = el('p', {class: 'lesson-text'});
  const tryThis = el('p', {class: 'lesson-try'});
  const challenge = el('p', {class: 'lesson-challenge', 'data-testid': 'challenge', 'aria-live': 'polite'});
  const runs = el('div', {class: 'lesson-runs', role: 'group', 'aria-label': 'runs to compare'});
  const close = el('button', {type: 'button', class: 'icon', 'aria-label': 'close the lesson', title: 'close'}, '×');
  card.tools.append(close);
  card.body.append(explanation, tryThis, runs, challenge);
  card.show(false);
  /** @type {{text: string, conditions: Condition[]} | null} */
  let current = null;
  let met = false;
  close.addEventListener('click', () => card.show(false));

  return {
    /** @param {any} preset */
    show(preset) {
      card.element.querySelector('h2')?.replaceChildren(`Lesson: ${preset.title ?? preset.name}`);
      card.setHint('');
      explanation.textContent = preset.explanation ?? preset.description ?? '';
      tryThis.textContent = preset.try_this ? `Try this: ${preset.try_this}` : '';
      current = preset.challenge?.conditions ? preset.challenge : null;
      met = false;
      challenge.textContent = current ? `Challenge: ${current.text}` : '';
      challenge.className = 'lesson-challenge';
      runs.replaceChildren();
      if (preset.runs?.length) {
        runs.append(el('span', {}, 'Compare:'));
        for (const run of preset.runs) {
          const button = el('button', {type: 'button', 'data-testid': `run-${run.label}`, title: 'set this run up, then press Play; the finished runs stay overlaid on the loss chart, each in its colour'}, runName(run.label));
          button.addEventListener('click', () => {
            for (const other of runs.querySelectorAll('button')) other.classList.toggle('chosen', other === button);
            onRun(preset, run);
          });
          runs.append(button);
        }
      }
      card.show(true);
    },
    hide() { card.show(false); },
    runName,
    /**
     * @param {Record<string, number>} metrics
     * @param {number | null} totalParams
     */
    check(metrics, totalParams) {
      if (!current || met) return;
      met = challengeMet(current.conditions, {...metrics, total_params: totalParams ?? NaN});
      if (met) {
        challenge.textContent = `✓ Challenge met: ${current.text}`;
        challenge.className = 'lesson-challenge met';
      }
    },
  };
}
