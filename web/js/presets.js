/**
 * The lessons and presets menu, filled from the catalog. Choosing one replaces the network, the
 * data and the hyperparameters (undoably) and shows what the lesson is about.
 *
 * @example
 *   createPresetMenu(select, catalog.presets, (preset) => applyPreset(preset));
 */
import {stateFromFile} from './files.js';

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
  const dataset = {...preset.dataset, ...(run.dataset ?? {})};
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
