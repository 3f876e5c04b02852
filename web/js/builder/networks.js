/**
 * Modes with several networks (a GAN's generator and discriminator) keep the layers of all of
 * them in the state's one layer list, each layer tagged with the network it belongs to. So every
 * edit, undo and redo, the URL and the server's per-layer answers work on one list of unique ids,
 * exactly as for a single network; only the spec (spec.js) and the stack's view split it by tag.
 *
 * @example
 *   const {layers, rest} = joinNetworks(ganSpec);      // layers tagged 'generator' / 'discriminator'
 *   splitNetworks(layers, ['generator', 'discriminator']).generator;   // untagged again
 */

/** @typedef {import('../state.js').LayerSpec} LayerSpec */

/** The key of a layer's network tag; the engine never sees it (splitNetworks removes it). */
export const NETWORK_KEY = 'network';

/**
 * @param {import('./catalog.js').Catalog} catalog
 * @param {string | undefined} mode
 * @returns {string[]} the mode's networks in order ('generator', 'discriminator'); [] for one network
 */
export function networksOfMode(catalog, mode) {
  if (!mode) return [];
  const modes = catalog.raw?.modes ?? [];
  const entry = (Array.isArray(modes) ? modes : []).find((/** @type {any} */ m) => m.name === mode);
  return Array.isArray(entry?.networks) ? entry.networks : [];
}

/**
 * @param {Record<string, any>} spec
 * @returns {string[]} the spec's sub-networks, found by their shape: objects with a layer list
 */
export function networksInSpec(spec) {
  if (Array.isArray(spec.layers)) return [];
  return Object.keys(spec).filter((key) => Array.isArray(spec[key]?.layers));
}

/**
 * @param {LayerSpec} layer
 * @returns {LayerSpec} the layer as the engine knows it (no network tag)
 */
export function untagged(layer) {
  const {[NETWORK_KEY]: _network, ...rest} = layer;
  return /** @type {LayerSpec} */ (rest);
}

/**
 * @param {LayerSpec[]} layers  the state's list
 * @param {string[]} names      the mode's networks; an untagged layer belongs to the first
 * @returns {Record<string, LayerSpec[]>} each network's layers in order, without tags
 */
export function splitNetworks(layers, names) {
  /** @type {Record<string, LayerSpec[]>} */
  const out = Object.fromEntries(names.map((name) => [name, []]));
  for (const layer of layers) out[networkOf(layer, names)]?.push(untagged(layer));
  return out;
}

/**
 * @param {LayerSpec} layer
 * @param {string[]} names
 * @returns {string}
 */
export function networkOf(layer, names) {
  const tag = layer[NETWORK_KEY];
  return names.includes(tag) ? tag : names[0];
}

/**
 * A spec with several networks as one tagged list plus the rest of the spec. A later network's
 * id already used by an earlier one is renamed (and so are the references to it in `inputs`),
 * because the builder finds layers by id.
 * @param {Record<string, any>} spec
 * @returns {{layers: LayerSpec[], rest: Record<string, any>}}
 */
export function joinNetworks(spec) {
  /** @type {LayerSpec[]} */
  const layers = [];
  /** @type {Record<string, any>} */
  const rest = {...spec};
  const used = new Set();
  for (const name of networksInSpec(spec)) {
    const {layers: own, ...settings} = spec[name];
    rest[name] = settings;
    const renamed = uniqueIds(own, used);
    for (const layer of renamed) {
      used.add(layer.id);
      layers.push({...layer, [NETWORK_KEY]: name});
    }
  }
  return {layers, rest};
}

/**
 * @param {LayerSpec[]} own
 * @param {Set<string>} used  ids taken by earlier networks
 * @returns {LayerSpec[]}
 */
function uniqueIds(own, used) {
  /** @type {Map<string, string>} */
  const renames = new Map();
  const taken = new Set([...used, ...own.map((l) => l.id)]);
  for (const layer of own) {
    if (!used.has(layer.id)) continue;
    let n = 2;
    while (taken.has(`${layer.id}_${n}`)) n++;
    renames.set(layer.id, `${layer.id}_${n}`);
    taken.add(`${layer.id}_${n}`);
  }
  if (!renames.size) return own;
  return own.map((layer) => ({
    ...layer,
    id: renames.get(layer.id) ?? layer.id,
    ...(layer.inputs ? {inputs: layer.inputs.map((id) => renames.get(id) ?? id)} : {}),
  }));
}

/**
 * Where a layer shown at `local` in one network's view goes in the whole list: before the
 * network's layer now shown there, or right after its last layer (at the end when it has none).
 * @param {LayerSpec[]} layers
 * @param {string[]} names
 * @param {string} network
 * @param {number} local
 * @returns {number}
 */
export function globalIndex(layers, names, network, local) {
  const positions = layers.flatMap((layer, index) => (networkOf(layer, names) === network ? [index] : []));
  if (local < positions.length) return positions[local];
  return positions.length ? positions[positions.length - 1] + 1 : layers.length;
}
