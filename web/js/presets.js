/**
 * The lessons and presets menu, filled from the catalog. Choosing one replaces the network, the
 * data and the hyperparameters (undoably) and shows what the lesson is about.
 *
 * @example
 *   createPresetMenu(select, catalog.presets, (preset) => applyPreset(preset));
 */
import {stateFromFile} from './files.js';
import {control, keep, transfer} from './protocol.js';

/**
 * @param {any} preset  a catalog entry: {name, title, topic?, spec, dataset?, description?, try_this?}
 * @returns {Partial<import('./state.js').AppState>}
 */
export function stateFromPreset(preset) {
  const patch = stateFromFile({spec: preset.spec ?? preset, dataset: preset.dataset ?? preset.data});
  patch.preset = preset.name;
  return patch;
}

/**
 * A run's data set, merged as the headless runner merges it (engine/lessons/runner.py): its options
 * go into the lesson's, so a run that only trims the training part keeps the lesson's flatten,
 * validation split and seed.
 * @param {{name?: string, options?: Record<string, any>}} base
 * @param {{name?: string, options?: Record<string, any>}} change
 * @returns {{name?: string, options?: Record<string, any>}}
 */
export function runDataset(base, change) {
  return {...base, ...change, options: {...(base.options ?? {}), ...(change.options ?? {})}};
}

/**
 * One of a lesson's comparison runs ("too small", "just right", ...): the preset's spec with the
 * run's changes, where an optimizer change of the same type only adjusts its fields.
 * @param {any} preset
 * @param {{label: string, changes?: Record<string, any>, dataset?: Record<string, any>}} run
 * @returns {Partial<import('./state.js').AppState>}
 */
export function stateFromRun(preset, run) {
  const spec = {...preset.spec};
  for (const [key, value] of Object.entries(run.changes ?? {})) {
    const sameOptimizer = key === 'optimizer' && (!value.type || value.type === spec.optimizer?.type);
    spec[key] = sameOptimizer ? {...spec.optimizer, ...value} : value;
  }
  const dataset = runDataset(preset.dataset ?? {}, run.dataset ?? {});
  const patch = stateFromFile({spec, dataset});
  patch.preset = preset.name;
  return patch;
}

/**
 * @param {HTMLSelectElement} select
 * @param {any[]} presets
 * @param {(preset: any) => void} onChoose
 */
export function createPresetMenu(select, presets, onChoose) {
  /** @type {Map<string, HTMLOptGroupElement>} */
  const groups = new Map();
  for (const preset of presets) {
    const topic = preset.topic ?? preset.group ?? 'Presets';
    const groupLabel = typeof topic === 'number' ? `Topic ${topic}` : String(topic);
    if (!groups.has(groupLabel)) {
      const group = document.createElement('optgroup');
      group.label = groupLabel;
      groups.set(groupLabel, group);
      select.append(group);
    }
    const option = document.createElement('option');
    option.value = preset.name;
    option.textContent = preset.title ?? preset.name;
    groups.get(groupLabel)?.append(option);
  }
  select.disabled = presets.length === 0;
  select.addEventListener('change', () => {
    const preset = presets.find((p) => p.name === select.value);
    if (preset) onChoose(preset);
  });
  return {
    /** @param {string} name */
    show(name) { select.value = presets.some((p) => p.name === name) ? name : ''; },
  };
}

/**
 * A transfer lesson's first step: its pretraining network on its pretraining data set.
 * @param {any} preset  a lesson with `pretrain`: {spec, dataset, steps}
 * @returns {Partial<import('./state.js').AppState>}
 */
export function stateFromPretrain(preset) {
  const patch = stateFromFile({spec: preset.pretrain.spec, dataset: preset.pretrain.dataset});
  patch.preset = preset.name;
  return patch;
}

/**
 * The layers a lesson run starts from the kept weights: its `transfer` layers, [] for a run of a
 * transfer lesson without (it starts fresh), null for lessons that never transfer (nothing to send).
 * @param {any} preset
 * @param {{transfer?: {layers: string[]}}} run
 * @returns {string[] | null}
 */
export function transferPlanOf(preset, run) {
  if (run.transfer) return run.transfer.layers;
  return preset.pretrain ? [] : null;
}

/**
 * Runs an action once the network the page just asked for is built. A change of data set or
 * network sends its build only later (after the data loads, or after validation), so the action
 * waits for a `built` that comes after that build was sent (sync.js says `build-sent`): a `built`
 * answering an earlier request must not start it, or its messages (e.g. training steps) would reach
 * the server before the network they are meant for. A change that needs no build lets it run at once.
 * @param {import('./bus.js').Bus} bus
 */
export function createBuildWaiter(bus) {
  let building = false;
  let sent = false;
  /** @type {(() => void) | null} */
  let pending = null;
  bus.on('network-pending', () => { building = true; });
  bus.on('dataset-chosen', () => { building = true; });
  bus.on('build-sent', () => { if (pending) sent = true; });
  bus.on('built', () => {
    if (!sent) return;  // the answer to an earlier build: ours is still to be sent
    const action = pending;
    pending = null;
    sent = false;
    action?.();
  });
  // No build will come: an invalid network, or a data set the server refused.
  bus.on('validated', ({report}) => { if (!report.ok) pending = null; });
  bus.on('error', (error) => { if (error.code === 'invalid_dataset') pending = null; });
  return {
    /**
     * @param {() => void} change  updates the state (and sends what must precede the action)
     * @param {() => void} action  runs once the resulting network is built
     */
    afterBuild(change, action) {
      building = false;
      sent = false;
      pending = null;
      change();
      if (building) pending = action;
      else action();
    },
    cancel() { pending = null; },
  };
}

/**
 * @typedef {Object} LessonSessionDeps
 * @property {import('./bus.js').Bus} bus
 * @property {{send: (message: any) => void}} live
 * @property {(patch: Partial<import('./state.js').AppState>, label: string) => void} applyPatch  an undoable state change
 * @property {(name: string) => string} datasetLabel
 */

/**
 * The order of a lesson's messages to the session, in one place. A comparison run first says which
 * kept layers its network starts from (the plan applies at the next build), then sets its state,
 * then resets so every run starts at step 0. Pretraining clears the plan, sets the pretraining
 * network and data, resets, and trains only once that network is built.
 * @param {LessonSessionDeps} deps
 * @returns {{onRun: (preset: any, run: any) => void} & import('./views/lesson.js').LessonActions}
 */
export function wireLessonSession({bus, live, applyPatch, datasetLabel}) {
  const builds = createBuildWaiter(bus);
  return {
    onRun(preset, run) {
      builds.cancel();  // a pretraining still waiting for its network must not train this run's
      const plan = transferPlanOf(preset, run);
      if (plan) live.send(transfer(plan));
      applyPatch(stateFromRun(preset, run), `run ${run.label}`);
      live.send(control('reset'));
    },
    pretrain(preset) {
      builds.afterBuild(() => {
        live.send(transfer([]));  // the network to pretrain starts fresh
        applyPatch(stateFromPretrain(preset), `pretrain ${preset.name}`);
        live.send(control('reset'));
      }, () => live.send(control('step', preset.pretrain.steps)));
    },
    keep: () => live.send(keep()),
    datasetLabel,
  };
}
