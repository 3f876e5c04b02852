/**
 * Keeps the server's session in step with the page's state: a new data set or data options send
 * `dataset`; a changed network is validated over REST first (so shapes and errors show while you
 * type) and built only when valid; optimizer (with its own options), learning rate, batch size, loss,
 * regularization, gradient clipping and the learning-rate schedule go as `hyper`, which the server
 * applies mid-run without losing the training so far. A GAN's hyper holds what its trainer takes:
 * d_steps, batch size and each network's optimizer; its latent (distribution or size) rebuilds.
 *
 * @example
 *   const sync = createSync({store, catalog, live, bus, configureViews});
 *   bus.on('needs-setup', sync.sendSetup);
 */
import {build, control, dataset, hyper, subscribe} from './protocol.js';
import {validateSpec} from './api.js';
import {findDataset, hyperFromState, inputShape, singleNetworkLayers, specFromState} from './spec.js';
import {prettyFeature} from './controls/data.js';
import {layerType} from './builder/catalog.js';
import {networksOfMode} from './builder/networks.js';
import {LIVE_SPEC_EXTRAS, onlyLiveExtrasChanged} from './controls/training_options.js';
import {ganHyperChanges, onlyGanLiveChanged} from './controls/gan_options.js';

const HYPER_KEYS = ['loss', 'optimizer', 'optimizerOptions', 'lr', 'batchSize', 'regularization', 'regRate'];
const VALIDATE_DELAY_MS = 120;

/**
 * @param {import('./state.js').AppState} state
 * @param {import('./builder/catalog.js').Catalog} catalog
 * @returns {Record<string, any>} the hyper message's changes: the everyday fields, and for a single
 *   network its clipping and schedule too (null switches them off), which the state keeps in specExtras;
 *   for a GAN d_steps, batch_size and each network's optimizer, the form its trainer takes
 */
export function hyperChanges(state, catalog) {
  const networks = networksOfMode(catalog, state.specExtras.mode);
  if (networks.length) return ganHyperChanges(state, networks, catalog);
  const changes = hyperFromState(state);
  for (const key of LIVE_SPEC_EXTRAS) changes[key] = state.specExtras[key] ?? null;
  return changes;
}

/**
 * @typedef {Object} SyncDeps
 * @property {import('./state.js').Store} store
 * @property {import('./builder/catalog.js').Catalog} catalog
 * @property {import('./live.js').Live} live
 * @property {import('./bus.js').Bus} bus
 * @property {(context: import('./views/panel.js').ViewContext) => {views: string[], options: Record<string, Record<string, number>>}} configureViews
 */

/**
 * @param {SyncDeps} deps
 */
export function createSync({store, catalog, live, bus, configureViews}) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let validation = 0;
  /** @type {{name: string, info: any} | null} the last `dataset_loaded`: the true input shape and classes */
  let loaded = null;
  /** a data set was sent: build once the server says it is loaded, with its real input shape */
  let buildAfterLoad = false;
  /** between a new data set and the network built for it the old network meets the new data */
  let switching = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} ends `switching` a moment after the build */
  let switchTimer;
  /** specExtras as last seen, to tell a clipping or schedule change (live) from a mode change (rebuild) */
  let extrasBefore = store.get().specExtras;

  /**
   * @param {Record<string, any>} before
   * @param {Record<string, any>} after
   * @returns {boolean} specExtras changed only in what the running trainer takes live
   */
  function onlyLiveChanges(before, after) {
    const networks = networksOfMode(catalog, after.mode);
    return networks.length ? onlyGanLiveChanged(before, after, networks) : onlyLiveExtrasChanged(before, after);
  }

  /** @param {boolean} sendBuild */
  async function validateNow(sendBuild) {
    const ticket = ++validation;
    const spec = specFromState(store.get(), catalog, loaded);
    try {
      const report = await validateSpec(spec);
      if (ticket !== validation) return;  // a newer edit is already on its way
      bus.emit('validated', {report, inputShape: spec.input?.shape ?? null});
      // While a new data set loads, its `dataset_loaded` triggers the build, with the real input shape.
      if (report.ok && sendBuild && !buildAfterLoad) {
        live.send(build(spec));
        bus.emit('build-sent');  // whatever waits for this network's `built` may now count on it
        resubscribe();
      }
    } catch (failure) {
      bus.emit('notice', {kind: 'error', text: `Could not check the network: ${/** @type {Error} */ (failure).message}`});
    }
  }

  /** @param {boolean} [sendBuild] */
  function scheduleValidate(sendBuild = true) {
    if (sendBuild) bus.emit('network-pending');  // until `built`, Play would train the old network
    validation++;  // a check already in flight is for the network this edit replaced: it must not build it
    clearTimeout(timer);
    timer = setTimeout(() => validateNow(sendBuild), VALIDATE_DELAY_MS);
  }

  function resubscribe() {
    const state = store.get();
    const info = findDataset(catalog, state.dataset);
    const known = loaded?.name === state.dataset ? loaded.info : null;
    const context = {
      task: known?.task ?? info?.task ?? 'binary_classification',
      classNames: (known?.class_names ?? info?.classNames ?? []).map(String),
      inputShape: inputShape(state, catalog, loaded),
      plane: Boolean(info?.options.some((o) => o.name === 'features')),
      layers: singleNetworkLayers(state, catalog),  // a GAN's two networks: no one-network views
      loss: state.loss,
      imageShape: info?.inputShape.length === 3 ? info.inputShape : null,
      mode: state.specExtras.mode,
      featureNames: known?.extras?.feature_names ?? null,  // so views say "mean radius", not "feature 0"
      vocabulary: known?.extras?.vocabulary ?? null,      // and a review's words, not its token ids
      sequenceLayers: state.layers.some((l) => ['sequence', 'attention'].includes(layerType(catalog, l.type)?.category ?? '')),
      inputNames: (state.data.features ?? info?.options.find((o) => o.name === 'features')?.default ?? []).map(prettyFeature),
    };
    const wanted = configureViews(context);
    live.send(subscribe(wanted.views, 30, wanted.options));
    bus.emit('context', context);
  }

  function sendDataset() {
    const state = store.get();
    buildAfterLoad = true;
    switching = true;
    clearTimeout(switchTimer);  // a timer of the previous data set must not end this switch
    live.send(dataset(state.dataset, state.data));
    bus.emit('dataset-chosen', state);
  }

  store.subscribe((state, changed, source) => {
    const liveExtras = changed.has('specExtras') && onlyLiveChanges(extrasBefore, state.specExtras);
    extrasBefore = state.specExtras;
    if (source === 'server') return;
    if (changed.has('dataset') || changed.has('data')) {
      sendDataset();
    } else if (changed.has('layers') || changed.has('seed') || (changed.has('specExtras') && !liveExtras)) {
      scheduleValidate(true);
    } else if (liveExtras || HYPER_KEYS.some((key) => changed.has(key))) {
      live.send(hyper(hyperChanges(state, catalog)));
      if (changed.has('loss')) resubscribe();
    }
  });

  // Frames computed for the old network can still be on their way: allow them a moment.
  bus.on('built', () => {
    if (buildAfterLoad) return;
    clearTimeout(switchTimer);
    switchTimer = setTimeout(() => { if (!buildAfterLoad) switching = false; }, 1000);
  });
  bus.on('dataset_loaded', (message) => {
    loaded = {name: message.name, info: message.info ?? {}};
    clearTimeout(timer);  // an edit waiting to be checked is checked now, with the loaded shape
    if (buildAfterLoad) {
      buildAfterLoad = false;
      validateNow(true);
    } else {
      validateNow(false);
      resubscribe();
    }
  });
  // A data set the server refused: the network cannot be built for it, but the shapes can still show.
  bus.on('error', (error) => {
    if (buildAfterLoad && /dataset/.test(error.code)) {
      buildAfterLoad = false;
      switching = false;
      validateNow(false);
    }
  });

  /** Stops at the epoch limit the learner chose (0 = no limit). */
  bus.on('status', (status) => {
    const limit = store.get().epochs;
    if (limit > 0 && status.state === 'running' && status.epoch >= limit) live.send(control('pause'));
  });

  return {
    /** A fresh (empty) session: send the data; the network follows once it is loaded. */
    sendSetup() {
      sendDataset();
    },
    /** A resumed session already trains this network: `dataset_loaded` re-checks the shapes. */
    afterResume() {
      buildAfterLoad = false;
    },
    resubscribe,
    /** @returns {boolean} the old network and the new data meet for a moment: mismatch errors are expected */
    isSwitching: () => switching,
  };
}
