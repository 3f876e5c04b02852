/**
 * The one place the app state becomes the network spec of DESIGN §2 and the messages that carry
 * it. Builder, share links and saved files all go through here, so they can never disagree.
 *
 * @example
 *   const spec = specFromState(store.get(), catalog);
 *   socket.send({type: 'build', spec});
 */

import {layerType} from './builder/catalog.js';
import {freshId} from './builder/commands.js';
import {NETWORK_KEY, joinNetworks, networksOfMode, splitNetworks, untagged} from './builder/networks.js';

/** @typedef {import('./state.js').AppState} AppState */
/** @typedef {import('./builder/catalog.js').Catalog} Catalog */
/** @typedef {import('./builder/catalog.js').DatasetInfo} DatasetInfo */

/**
 * @param {Catalog} catalog
 * @param {string} name
 * @returns {DatasetInfo | undefined}
 */
export function findDataset(catalog, name) {
  return catalog.datasets.find((d) => d.name === name);
}

/**
 * @param {AppState} state
 * @param {Catalog} catalog
 * @param {{name: string, info: any} | null} [loaded]  the server's `dataset_loaded`, which knows best
 * @returns {number[]} the input shape the network will see: 2-D data sets grow with the chosen features
 */
export function inputShape(state, catalog, loaded = null) {
  if (loaded && loaded.name === state.dataset && loaded.info?.input_shape) return loaded.info.input_shape;
  const dataset = findDataset(catalog, state.dataset);
  const features = state.data.features ?? dataset?.options.find((o) => o.name === 'features')?.default;
  if (Array.isArray(features) && dataset?.options.some((o) => o.name === 'features')) return [features.length];
  return dataset?.inputShape ?? [2];
}

/**
 * @param {AppState} state
 * @returns {Record<string, any>}  the optimizer, regularization, loss and batch part of a spec
 */
export function hyperFromState(state) {
  return {
    loss: state.loss,
    optimizer: {...state.optimizerOptions, type: state.optimizer, lr: state.lr},
    regularization: {type: state.regularization, rate: state.regularization === 'none' ? 0 : state.regRate},
    batch_size: state.batchSize,
  };
}

/**
 * @param {AppState} state
 * @param {Catalog} catalog
 * @param {{name: string, info: any} | null} [loaded]
 * @returns {Record<string, any>} a full network spec
 */
export function specFromState(state, catalog, loaded = null) {
  const networks = networksOfMode(catalog, state.specExtras.mode);
  if (networks.length) return severalNetworksSpec(state, networks);
  return {
    ...state.specExtras,
    input: {shape: inputShape(state, catalog, loaded)},
    // Tags are left over only when an undo brought back a GAN's layers without its mode.
    layers: state.layers.some((l) => NETWORK_KEY in l) ? state.layers.map(untagged) : state.layers,
    ...hyperFromState(state),
    seed: state.seed,
  };
}

/**
 * A mode with several networks (GAN) gives each its own input and optimizer, kept in specExtras;
 * their layers come from the state's tagged list (see builder/networks.js).
 * @param {AppState} state
 * @param {string[]} networks
 * @returns {Record<string, any>}
 */
function severalNetworksSpec(state, networks) {
  const layersOf = splitNetworks(state.layers, networks);
  /** @type {Record<string, any>} */
  const spec = {...state.specExtras, batch_size: state.batchSize, seed: state.seed};
  for (const name of networks) spec[name] = {...(state.specExtras[name] ?? {}), layers: layersOf[name]};
  return spec;
}

/**
 * @param {AppState} state
 * @returns {{type: 'dataset', name: string, options: Record<string, any>}}
 */
export function datasetMessage(state) {
  return {type: 'dataset', name: state.dataset, options: state.data};
}

/** Spec fields the state holds in its own properties; any other field travels in specExtras. */
const SPEC_KEYS_IN_STATE = new Set(['input', 'layers', 'loss', 'optimizer', 'batch_size', 'regularization', 'seed']);

/**
 * @param {AppState} state
 * @param {Catalog} catalog
 * @returns {import('./state.js').LayerSpec[]} the layers of a single network; [] for a GAN, whose
 *   two networks the views of one network's insides (diagram, histograms) do not describe
 */
export function singleNetworkLayers(state, catalog) {
  return networksOfMode(catalog, state.specExtras.mode).length ? [] : state.layers;
}

/**
 * Reads a spec back into state (loading a saved file, a preset, or a resumed session).
 * @param {Record<string, any>} spec
 * @returns {Partial<AppState>}
 */
export function stateFromSpec(spec) {
  /** @type {Partial<AppState>} */
  const patch = {};
  // A GAN's two networks become one list of layers tagged with their network; the rest of each
  // network (input, optimizer) travels in specExtras.
  const single = Array.isArray(spec.layers);
  const joined = single ? {layers: spec.layers, rest: spec} : joinNetworks(spec);
  patch.layers = joined.layers;
  if (typeof spec.loss === 'string') patch.loss = spec.loss;
  if (spec.optimizer?.type) patch.optimizer = spec.optimizer.type;
  if (typeof spec.optimizer?.lr === 'number') patch.lr = spec.optimizer.lr;
  if (typeof spec.batch_size === 'number') patch.batchSize = spec.batch_size;
  if (spec.regularization?.type) {
    patch.regularization = spec.regularization.type;
    patch.regRate = spec.regularization.rate ?? 0;
  } else {
    patch.regularization = 'none';
  }
  if (typeof spec.seed === 'number') patch.seed = spec.seed;
  const {type: _type, lr: _lr, ...optimizerOptions} = spec.optimizer ?? {};
  patch.optimizerOptions = optimizerOptions;
  patch.specExtras = Object.fromEntries(Object.entries(joined.rest).filter(([key]) => !SPEC_KEYS_IN_STATE.has(key)));
  return patch;
}

/**
 * Choosing a data set also fits the network's ends to it, as a teacher would: the last dense layer
 * gets the data set's output size and suggested activation, the loss its suggested loss, and a
 * network without convolutions asks for images as flat vectors. Returned as one patch, so a single
 * undo restores the previous network.
 * @param {AppState} state
 * @param {Catalog} catalog
 * @param {string} name
 * @returns {Partial<AppState>}
 */
export function pickDataset(state, catalog, name) {
  const info = findDataset(catalog, name);
  /** @type {Partial<AppState>} */
  const patch = {dataset: name, data: {}};
  if (!info) return patch;
  // A GAN's ends are fixed by its game (latent in, one logit out), not by the data's labels.
  const severalNetworks = networksOfMode(catalog, state.specExtras.mode).length > 0;
  const raw = info.raw ?? {};
  const last = state.layers.at(-1);
  const outputSize = raw.output_shape?.length === 1 ? raw.output_shape[0] : null;
  if (!severalNetworks && last && typeof last.units === 'number' && outputSize) {
    /** @type {import('./state.js').LayerSpec} */
    const head = {...last, units: outputSize};
    if (raw.suggested_output_activation) head.activation = raw.suggested_output_activation;
    patch.layers = [...state.layers.slice(0, -1), head];
  }
  if (raw.suggested_loss && !severalNetworks) patch.loss = raw.suggested_loss;
  const layers = patch.layers ?? state.layers;
  const denseOnly = layers.every((l) => typeof l.units === 'number' || !/conv|pool|rnn|lstm|gru|attention|transformer|embed/.test(l.type));
  const multiDimensional = (raw.input_shape ?? []).length > 1;
  if (denseOnly && multiDimensional) {
    // Dense layers want vectors: the data set flattens its samples when it can, else a Flatten layer leads.
    if (info.options.some((o) => o.name === 'flatten' && o.kind === 'bool')) patch.data = {flatten: true};
    else if (!severalNetworks && layerType(catalog, 'flatten') && layers[0]?.type !== 'flatten') {
      patch.layers = [{id: freshId(layers, 'flatten'), type: 'flatten'}, ...layers];
    }
  }
  return patch;
}
