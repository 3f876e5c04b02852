/**
 * Share, save and load. The URL hash always holds the whole state (see state.js), so sharing is
 * copying the address; saving writes the network spec plus its data set as JSON; loading reads
 * such a file (or a bare spec) back.
 *
 * @example
 *   wireFiles({share, save, load}, {getState, onLoad, notify});
 */
import {specFromState, stateFromSpec} from './spec.js';

/**
 * @typedef {Object} FileDeps
 * @property {() => import('./state.js').AppState} getState
 * @property {() => import('./builder/catalog.js').Catalog} getCatalog
 * @property {(patch: Partial<import('./state.js').AppState>) => void} onLoad
 * @property {(kind: 'error' | 'info', text: string) => void} notify
 */

/**
 * @param {string} text
 * @returns {Promise<void>}
 */
async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

/**
 * @param {any} json  a saved file: {spec, dataset: {name, options}} or a bare spec
 * @returns {Partial<import('./state.js').AppState>}
 */
export function stateFromFile(json) {
  const spec = json.spec ?? json;
  if (!Array.isArray(spec.layers) && !spec.mode) throw new Error('this file has no "layers" list: is it a Layerlab network?');
  const patch = stateFromSpec(spec);
  if (json.dataset?.name) {
    patch.dataset = json.dataset.name;
    patch.data = json.dataset.options ?? {};
  }
  return patch;
}

/**
 * @param {{share: HTMLElement, save: HTMLElement, load: HTMLInputElement}} controls
 * @param {FileDeps} deps
 */
export function wireFiles(controls, deps) {
  controls.share.addEventListener('click', async () => {
    try {
      await copyText(location.href);
      deps.notify('info', 'Link copied: it opens this network, data and settings.');
    } catch {
      deps.notify('info', `Copy this link: ${location.href}`);
    }
  });

  controls.save.addEventListener('click', () => {
    const state = deps.getState();
    const file = {layerlab: 1, spec: specFromState(state, deps.getCatalog()), dataset: {name: state.dataset, options: state.data}};
    const url = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], {type: 'application/json'}));
    const link = document.createElement('a');
    link.href = url;
    link.download = `layerlab-${state.dataset}-network.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  controls.load.addEventListener('change', async () => {
    const file = controls.load.files?.[0];
    if (!file) return;
    try {
      deps.onLoad(stateFromFile(JSON.parse(await file.text())));
      deps.notify('info', `Loaded ${file.name}.`);
    } catch (failure) {
      deps.notify('error', `Could not load ${file.name}: ${/** @type {Error} */ (failure).message}`);
    }
    controls.load.value = '';
  });
}
