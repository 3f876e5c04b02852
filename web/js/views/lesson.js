/**
 * The lesson card: what the chosen preset teaches, what to watch, a "try this", and its challenge
 * checked live against the metrics and the parameter count (e.g. "reach 95% validation accuracy
 * with at most 50,000 parameters"). Hidden when no lesson is open.
 *
 * A lesson with `pretrain` (transfer learning) shows numbered steps: pretrain on one data set, keep
 * those weights, then the comparison runs; a run that starts from the kept weights waits for step 2.
 *
 * @example
 *   const lesson = createLessonCard(grid, onRun, createLessonLink(bus, {pretrain, keep, datasetLabel}));
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

/** @typedef {{type: 'kept', layers: string[], dataset: string | null, step: number}} KeptMessage */
/** @typedef {{type: 'transferred', copied: string[], skipped: Record<string, string>}} TransferredMessage */
/**
 * @typedef {Object} LessonActions
 * @property {(preset: any) => void} pretrain  set up the lesson's pretraining network and data, and train it
 * @property {() => void} keep                 keep the current weights (the `keep` message)
 * @property {(name: string) => string} datasetLabel
 */

/** @typedef {{kind: 'kept' | 'transferred' | 'forgotten', message: any}} LinkEvent */

/**
 * The lesson card's line to the live session: the actions it asks for, and the session's answers
 * heard on the bus (`kept`, `transferred`). A new session (`needs-setup`, e.g. after the server
 * forgot this tab's) keeps nothing, so what the card believes is kept is forgotten with it.
 * @param {import('../bus.js').Bus} bus
 * @param {LessonActions} actions
 */
export function createLessonLink(bus, actions) {
  /** @type {KeptMessage | null} what the session keeps (it outlives the card being shown) */
  let kept = null;
  /** @type {Set<(event: LinkEvent) => void>} */
  const listeners = new Set();
  /** @param {LinkEvent['kind']} kind @param {any} message */
  const tell = (kind, message) => { for (const listener of listeners) listener({kind, message}); };
  bus.on('kept', (/** @type {KeptMessage} */ message) => { kept = message; tell('kept', message); });
  bus.on('transferred', (/** @type {TransferredMessage} */ message) => tell('transferred', message));
  bus.on('needs-setup', () => { kept = null; tell('forgotten', null); });
  return {
    actions,
    kept: () => kept,
    /** @param {(event: LinkEvent) => void} listener */
    listen(listener) { listeners.add(listener); },
  };
}

/** @typedef {ReturnType<typeof createLessonLink>} LessonLink */

/**
 * @param {TransferredMessage} message
 * @returns {string} what the new network started from, in words
 */
export function describeTransfer(message) {
  const layers = [...new Set(message.copied.map((name) => name.split('.')[0]))];
  const copied = layers.length ? `Started from the kept weights of ${layers.join(', ')}`
    : 'Nothing was copied from the kept weights';
  const skipped = Object.entries(message.skipped).map(([name, why]) => `${name} (${why})`);
  return skipped.length ? `${copied}; not copied: ${skipped.join(', ')}.` : `${copied}.`;
}

/**
 * @param {KeptMessage} kept
 * @param {(name: string) => string} datasetLabel
 * @returns {string}
 */
export function describeKept(kept, datasetLabel) {
  const where = kept.dataset ? ` on ${datasetLabel(kept.dataset)}` : '';
  return `Kept: the weights after ${kept.step.toLocaleString('en')} steps${where} (${kept.layers.join(', ')}).`;
}

const NEEDS_KEPT = 'keep the pretrained weights first (step 2): this run starts from them';
const TRANSFER_NOTE_SECONDS = 12;

/**
 * Steps 1 and 2 of a transfer lesson, and the note that says what each new network started from.
 * @param {HTMLElement} steps  the list the steps go in
 * @param {HTMLElement} note   where `transferred` is shown for a while
 * @param {LessonLink} lessonLink
 */
function createTransferSteps(steps, note, lessonLink) {
  const keptText = el('span', {class: 'lesson-kept', 'data-testid': 'lesson-kept', 'aria-live': 'polite'});
  /** @type {HTMLElement[]} runs waiting for kept weights */
  let waiting = [];
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let noteTimer;

  const refresh = () => {
    const kept = lessonLink.kept();
    keptText.textContent = kept ? describeKept(kept, lessonLink.actions.datasetLabel) : 'Nothing kept yet.';
    for (const button of waiting) {
      button.setAttribute('aria-disabled', String(!kept));
      button.title = kept ? 'starts from the kept weights; then press Play' : NEEDS_KEPT;
    }
  };
  lessonLink.listen(({kind, message}) => {
    if (kind === 'kept' || kind === 'forgotten') refresh();
    if (kind !== 'transferred') return;
    note.textContent = describeTransfer(message);
    clearTimeout(noteTimer);
    noteTimer = setTimeout(() => { note.textContent = ''; }, TRANSFER_NOTE_SECONDS * 1000);
  });

  return {
    /** @param {any} preset  a lesson with `pretrain`: {spec, dataset: {name}, steps} */
    show(preset) {
      const {pretrain} = preset;
      const label = lessonLink.actions.datasetLabel(pretrain.dataset.name);
      const start = el('button', {type: 'button', 'data-testid': 'lesson-pretrain',
        title: `sets the network and data for pretraining and trains ${pretrain.steps} steps (pause whenever you like)`},
      `1. Pretrain on ${label}`);
      start.addEventListener('click', () => lessonLink.actions.pretrain(preset));
      const keep = el('button', {type: 'button', 'data-testid': 'lesson-keep',
        title: 'keeps a copy of the network as it is now, for the runs that start from it'}, '2. Keep these weights');
      keep.addEventListener('click', () => lessonLink.actions.keep());
      steps.replaceChildren(el('li', {}), el('li', {}));
      steps.children[0].append(start, el('span', {class: 'lesson-step-note'}, ` ${pretrain.steps} steps, then it pauses`));
      steps.children[1].append(keep, ' ', keptText);
      waiting = [];
      note.textContent = '';
      refresh();
    },
    /** @param {HTMLElement} button  a run with `transfer`: usable once weights are kept */
    waitForKept(button) {
      waiting.push(button);
      refresh();
    },
    clear() {
      steps.replaceChildren();
      waiting = [];
      note.textContent = '';
    },
  };
}

/**
 * @param {HTMLElement} parent
 * @param {(preset: any, run: any) => void} onRun  a comparison run was chosen
 * @param {LessonLink} lessonLink  the steps of a transfer lesson ask the session through it
 */
export function createLessonCard(parent, onRun, lessonLink) {
  const card = createViewCard(parent, {title: 'Lesson', testid: 'lesson-card', wide: true, hint: ''});
  parent.prepend(card.element);
  const explanation = el('p', {class: 'lesson-text'});
  const tryThis = el('p', {class: 'lesson-try'});
  const challenge = el('p', {class: 'lesson-challenge', 'data-testid': 'challenge', 'aria-live': 'polite'});
  const runs = el('div', {class: 'lesson-runs', role: 'group', 'aria-label': 'runs to compare'});
  const stepList = el('ol', {class: 'lesson-steps', 'data-testid': 'lesson-steps'});
  const transferNote = el('p', {class: 'lesson-transferred', 'data-testid': 'lesson-transferred', 'aria-live': 'polite'});
  const transferSteps = createTransferSteps(stepList, transferNote, lessonLink);
  const close = el('button', {type: 'button', class: 'icon', 'aria-label': 'close the lesson', title: 'close'}, '×');
  card.tools.append(close);
  card.body.append(explanation, tryThis, stepList, runs, transferNote, challenge);
  card.show(false);
  /** @type {{text: string, conditions: Condition[]} | null} */
  let current = null;
  let met = false;
  close.addEventListener('click', () => card.show(false));

  /** @param {any} preset @param {any} run */
  function runButton(preset, run) {
    const button = el('button', {type: 'button', 'data-testid': `run-${run.label}`, title: 'set this run up, then press Play; the finished runs stay overlaid on the loss chart, each in its colour'}, runName(run.label));
    button.addEventListener('click', () => {
      if (button.getAttribute('aria-disabled') === 'true') return;  // a transfer run before anything is kept
      for (const other of runs.querySelectorAll('button')) other.classList.toggle('chosen', other === button);
      onRun(preset, run);
    });
    if (run.transfer) transferSteps.waitForKept(button);
    return button;
  }

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
      if (preset.pretrain) transferSteps.show(preset);
      else transferSteps.clear();
      if (preset.runs?.length) {
        runs.append(el('span', {}, preset.pretrain ? '3. Compare:' : 'Compare:'));
        for (const run of preset.runs) runs.append(runButton(preset, run));
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
