/**
 * Share, save and load. The URL hash always holds the whole state (see state.js), so sharing is
 * copying the address. Saving downloads the trained network with its weights, its data set and
 * its step count, exactly as the server packs it (a binary `.layerlab` file); before any network
 * is built it writes the spec and data set as JSON instead. Loading takes either: a JSON spec
 * goes into the builder as an edit, a saved network is sent to the session, which restores it
 * weights and all, and the page then shows its spec and data set.
 *
 * @example
 *   wireFiles({share, save, load}, {getState, getCatalog, onLoad, showLoaded, notify, live, bus});
 */
import {loadSavedNetwork as postSavedNetwork} from './api.js';
import {decodeBinary, save} from './protocol.js';
import {specFromState, stateFromSpec} from './spec.js';

const SAVE_TIMEOUT_MS = 15_000;
const LOAD_TIMEOUT_MS = 60_000;  // a saved MNIST network loads its data set first
const OPEN_BRACE = 0x7b;

/**
 * @typedef {Object} FileDeps
 * @property {() => import('./state.js').AppState} getState
 * @property {() => import('./builder/catalog.js').Catalog} getCatalog
 * @property {(patch: Partial<import('./state.js').AppState>) => void} onLoad  a spec to edit: rebuilt fresh
 * @property {(patch: Partial<import('./state.js').AppState>) => void} showLoaded  the network the server
 *   just restored: shown, never rebuilt (that would throw its weights away)
 * @property {(kind: 'error' | 'info', text: string) => void} notify
 * @property {import('./live.js').Live} live
 * @property {import('./bus.js').Bus} bus
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
 * A saved network's bytes, checked the way the server will check them, so a damaged file is
 * refused before anything is sent.
 * @param {Uint8Array} bytes
 * @returns {{spec: any, dataset: {name: string, options?: object} | null, step: number}}
 */
export function readSavedNetwork(bytes) {
  let saved;
  try {
    saved = decodeBinary(bytes);
  } catch (failure) {
    throw new Error(`the file is damaged or is not a Layerlab network (${/** @type {Error} */ (failure).message})`);
  }
  if (saved.type !== 'saved') throw new Error(`this is a "${saved.type}" message, not a saved network`);
  if (typeof saved.spec !== 'object' || saved.spec === null) throw new Error('the saved network has no "spec"');
  if (typeof saved.params !== 'object' || saved.params === null) throw new Error('the saved network has no "params" (weights)');
  return {spec: saved.spec, dataset: saved.dataset ?? null, step: Number(saved.step ?? 0)};
}

/**
 * @param {{dataset?: {name?: string} | null, step?: number}} saved
 * @returns {string} e.g. "layerlab-spiral-step1200.layerlab"
 */
export function savedFileName(saved) {
  const name = String(saved.dataset?.name ?? 'network').replace(/[^A-Za-z0-9_-]+/g, '-');
  return `layerlab-${name}-step${saved.step ?? 0}.layerlab`;
}

/**
 * @param {Blob} blob
 * @param {string} name
 */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The first bus message among `wanted` that passes its test, or null after `ms`.
 * @param {import('./bus.js').Bus} bus
 * @param {Record<string, (payload: any) => boolean>} wanted  message type -> does this one answer us?
 * @param {number} ms
 * @returns {Promise<{type: string, payload: any} | null>}
 */
function nextMessage(bus, wanted, ms) {
  return new Promise((resolve) => {
    /** @type {(() => void)[]} */
    const stops = [];
    /** @param {{type: string, payload: any} | null} answer */
    const finish = (answer) => {
      for (const stop of stops) stop();
      clearTimeout(timer);
      resolve(answer);
    };
    const timer = setTimeout(() => finish(null), ms);
    for (const [type, answers] of Object.entries(wanted)) {
      stops.push(bus.on(type, (payload) => { if (answers(payload)) finish({type, payload}); }));
    }
  });
}

/**
 * @param {FileDeps} deps
 */
function saveSpecAsJson(deps) {
  const state = deps.getState();
  const file = {layerlab: 1, spec: specFromState(state, deps.getCatalog()), dataset: {name: state.dataset, options: state.data}};
  download(new Blob([JSON.stringify(file, null, 2)], {type: 'application/json'}), `layerlab-${state.dataset}-network.json`);
}

/**
 * Asks the session for its network with weights and downloads the bytes it sends.
 * @param {FileDeps} deps
 */
async function saveTrainedNetwork(deps) {
  const answer = nextMessage(deps.bus, {saved: () => true, error: (error) => error.code === 'no_model'}, SAVE_TIMEOUT_MS);
  deps.live.send(save());
  const reply = await answer;
  if (reply?.type === 'saved' && reply.payload.bytes) {
    download(new Blob([reply.payload.bytes], {type: 'application/octet-stream'}), savedFileName(reply.payload));
    deps.notify('info', `Saved the network with its weights after ${reply.payload.step} steps.`);
    return;
  }
  saveSpecAsJson(deps);
  deps.notify('info', 'The server sent no trained weights (is it connected?): saved the network spec and data set as JSON.');
}

/**
 * The layer ids of a spec (both halves of a GAN), sorted: what a `built` for it lists.
 * @param {any} spec
 * @returns {string}
 */
function layerIdsOf(spec) {
  const halves = Array.isArray(spec.layers) ? [spec] : Object.values(spec).filter((half) => Array.isArray(half?.layers));
  return halves.flatMap((half) => half.layers.map((/** @type {{id: string}} */ layer) => layer.id)).sort().join();
}

/** Codes of what the session's load can fail with (the data set, the network's checks, the weights). */
const LOAD_ERROR_CODES = new Set(['invalid_dataset', 'quota_exceeded', 'invalid_spec', 'invalid_message', 'engine_error']);

/**
 * Which socket messages answer a load of `saved`. The session runs commands in order, so messages
 * for requests sent earlier can still arrive while it loads: a `built` answers the load only if it
 * lists the saved network's layers, and an error only if the load can raise it (not `rate_limited`,
 * nor a hyperparameter change's, whose field starts with `changes.`).
 * @param {{spec: any}} saved
 * @returns {Record<string, (payload: any) => boolean>}
 */
export function loadAnswers(saved) {
  const ids = layerIdsOf(saved.spec);
  return {
    built: (built) => (built.layers ?? []).map((/** @type {{id: string}} */ layer) => layer.id).sort().join() === ids,
    error: (error) => LOAD_ERROR_CODES.has(error.code) && !String(error.field ?? '').startsWith('changes.'),
  };
}

/**
 * Sends a saved network to this tab's session; the session answers on the socket.
 * @param {Uint8Array} bytes  the file's contents, read
 * @param {File} file  the same, sent as it is
 * @param {FileDeps} deps
 */
async function loadSavedNetwork(bytes, file, deps) {
  const saved = readSavedNetwork(bytes);
  const patch = stateFromFile(saved);
  const token = deps.live.token();
  if (!token) throw new Error('not connected to the server yet: try again in a moment');
  // The session first loads the data set (errors name it), then builds the network: listen before
  // posting, so an answer that comes quickly is not missed.
  const answer = nextMessage(deps.bus, loadAnswers(saved), LOAD_TIMEOUT_MS);
  await postSavedNetwork(token, file);
  const reply = await answer;
  if (!reply) throw new Error('the server did not answer in time');
  if (reply.type === 'error') return;  // the server's error shows as a notice on its own
  deps.showLoaded(patch);
  const where = saved.dataset?.name ? ` on ${saved.dataset.name}` : '';
  deps.notify('info', `Loaded ${file.name}: the network as saved after ${saved.step} steps${where}, weights and all.`);
}

/**
 * @param {{share: HTMLElement, save: HTMLElement, load: HTMLInputElement}} controls
 * @param {FileDeps} deps
 */
export function wireFiles(controls, deps) {
  let networkBuilt = false;  // the server keeps a network once it has built one
  deps.bus.on('built', () => { networkBuilt = true; });

  controls.share.addEventListener('click', async () => {
    try {
      await copyText(location.href);
      deps.notify('info', 'Link copied: it opens this network, data and settings.');
    } catch {
      deps.notify('info', `Copy this link: ${location.href}`);
    }
  });

  controls.save.addEventListener('click', () => {
    if (networkBuilt) saveTrainedNetwork(deps);
    else saveSpecAsJson(deps);
  });

  controls.load.addEventListener('change', async () => {
    const file = controls.load.files?.[0];
    if (!file) return;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const firstSign = bytes.find((byte) => ![0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf].includes(byte));
      if (firstSign === OPEN_BRACE) {
        deps.onLoad(stateFromFile(JSON.parse(new TextDecoder().decode(bytes))));
        deps.notify('info', `Loaded ${file.name}.`);
      } else {
        await loadSavedNetwork(bytes, file, deps);
      }
    } catch (failure) {
      deps.notify('error', `Could not load ${file.name}: ${/** @type {Error} */ (failure).message}`);
    }
    controls.load.value = '';
  });
}
