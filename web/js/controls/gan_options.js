/**
 * A GAN's own training settings, read from the catalog and the page's state: discriminator steps
 * per generator step, the latent distribution and size, and each network's optimizer. Pure
 * functions only (no DOM), so node tests can hold them to the engine. The state keeps all of it in
 * specExtras (spec.js): {d_steps, latent, generator: {input, optimizer}, discriminator: {...}}.
 *
 * @example
 *   const fields = ganSettingFields(catalog, 'gan');        // d_steps (1..20), latent, latent size
 *   ganHyperChanges(state, ['generator', 'discriminator']); // {d_steps, batch_size, generator: {optimizer}, ...}
 */
import {normalizeCatalog} from '../builder/catalog.js';

/** @typedef {import('../builder/catalog.js').Catalog} Catalog */
/** @typedef {import('../builder/catalog.js').FieldInfo} FieldInfo */
/** @typedef {import('../state.js').AppState} AppState */
/** @typedef {{setting: string} | {network: string, field: string}} ErrorTarget */

/** The optimizer a network spec gets when it names none (engine/spec.py NetworkSpec). */
export const DEFAULT_OPTIMIZER = 'adam';

/** Settings of the game itself a running trainer takes live; the others (latent) need a new model. */
const LIVE_GAME_KEYS = ['d_steps'];

/**
 * @param {Catalog} catalog
 * @param {string} mode
 * @returns {{dSteps: FieldInfo | undefined, latent: FieldInfo | undefined, latentSize: FieldInfo}}
 *   the mode's own fields as the catalog declares them, plus the generator's input size
 */
export function ganSettingFields(catalog, mode) {
  const modes = Array.isArray(catalog.raw?.modes) ? catalog.raw.modes : [];
  const entry = modes.find((/** @type {any} */ m) => m.name === mode);
  // The mode's fields have the optimizers' {name, fields} form: read them through the same normalizer.
  const fields = normalizeCatalog({optimizers: [{name: mode, fields: entry?.fields ?? []}]}).optimizers[0].fields;
  return {
    dSteps: fields.find((f) => f.name === 'd_steps'),
    latent: fields.find((f) => f.name === 'latent'),
    // minimum: the bound boundsError reads (the catalog's own word); min: the number box's.
    latentSize: /** @type {FieldInfo} */ ({name: 'latent_size', kind: 'int', min: 1, minimum: 1, required: true,
      help: "the generator's input size (how many random numbers make one image); changing it builds the GAN anew"}),
  };
}

/**
 * @param {Catalog} catalog
 * @param {string} optimizer
 * @returns {FieldInfo} the optimizer's learning-rate field with the catalog's bounds
 */
export function learningRateFieldOf(catalog, optimizer) {
  const declared = catalog.optimizers.find((o) => o.type === optimizer)?.fields.find((f) => f.name === 'lr');
  const help = 'step size of each update of this network';
  return declared ? {...declared, help} : {name: 'lr', kind: 'float', min: 1e-6, max: 10, help};
}

/**
 * @param {Record<string, any>} extras  the state's specExtras
 * @param {string} network
 * @param {Catalog} catalog
 * @returns {Record<string, any>} the network's optimizer as the engine would run it: type and lr always set
 */
export function networkOptimizer(extras, network, catalog) {
  const declared = extras?.[network]?.optimizer ?? {};
  const type = declared.type ?? DEFAULT_OPTIMIZER;
  const lr = declared.lr ?? learningRateFieldOf(catalog, type).default;
  return {...declared, type, ...(lr === undefined ? {} : {lr})};
}

/**
 * @param {Record<string, any>} extras
 * @param {string} network
 * @param {Record<string, any>} optimizer
 * @returns {Record<string, any>} a copy of extras with the network's optimizer replaced
 */
export function withNetworkOptimizer(extras, network, optimizer) {
  return {...extras, [network]: {...(extras[network] ?? {}), optimizer}};
}

/**
 * @param {Record<string, any>} extras
 * @returns {number | undefined} the generator's input size (the latent vector's length)
 */
export function latentSize(extras) {
  const shape = extras?.generator?.input?.shape;
  return Array.isArray(shape) ? shape[0] : undefined;
}

/**
 * @param {Record<string, any>} extras
 * @param {number} size
 * @returns {Record<string, any>} a copy of extras whose generator takes latents of this size
 */
export function withLatentSize(extras, size) {
  const generator = extras.generator ?? {};
  return {...extras, generator: {...generator, input: {...(generator.input ?? {}), shape: [size]}}};
}

/**
 * @param {AppState} state
 * @param {string[]} networks  the mode's networks
 * @param {Catalog} catalog
 * @returns {Record<string, any>} a `hyper` message's changes in the form the GAN trainer's
 *   set_hyper takes: d_steps, batch_size and each network's optimizer
 */
export function ganHyperChanges(state, networks, catalog) {
  /** @type {Record<string, any>} */
  const changes = {batch_size: state.batchSize};
  if (state.specExtras.d_steps !== undefined) changes.d_steps = state.specExtras.d_steps;
  for (const network of networks) changes[network] = {optimizer: networkOptimizer(state.specExtras, network, catalog)};
  return changes;
}

/**
 * @param {Record<string, any>} before  specExtras as they were
 * @param {Record<string, any>} after
 * @param {string[]} networks
 * @returns {boolean} the two differ, and only in what a running GAN takes live (d_steps, optimizers)
 */
export function onlyGanLiveChanged(before, after, networks) {
  const same = (/** @type {any} */ a, /** @type {any} */ b) => JSON.stringify(a) === JSON.stringify(b);
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const differing = [...keys].filter((key) => !same(before?.[key], after?.[key]));
  return differing.length > 0 && differing.every((key) => {
    if (LIVE_GAME_KEYS.includes(key)) return true;
    if (!networks.includes(key)) return false;
    const {optimizer: _old, ...restBefore} = before?.[key] ?? {};
    const {optimizer: _new, ...restAfter} = after?.[key] ?? {};
    return same(restBefore, restAfter);  // input and layers need a new model
  });
}

/**
 * @param {string} path  an error's field without "changes.": "generator.optimizer.betas[1]", "d_steps"
 * @param {string[]} networks
 * @returns {ErrorTarget | null} the GAN control the error is about
 */
export function ganErrorTarget(path, networks) {
  const parts = path.replace(/\[\d+\]$/, '').split('.');
  if (parts.length === 1 && ['d_steps', 'latent'].includes(parts[0])) return {setting: parts[0]};
  if (!networks.includes(parts[0])) return null;
  if (parts[0] === 'generator' && parts[1] === 'input') return {setting: 'latent_size'};
  if (parts[1] !== 'optimizer') return null;
  return {network: parts[0], field: parts[2] ?? 'type'};
}
