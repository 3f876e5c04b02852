/**
 * App state as a declared property table. Every property the user can set lives here once, with
 * its kind and default; the URL hash, share links and saved sessions are all derived from the table,
 * so adding a control means adding one row.
 *
 * @example
 *   const store = createStore(fromHash(location.hash));
 *   store.subscribe((state, changed) => console.log(changed));
 *   store.update({lr: 0.003});
 *   location.hash = toHash(store.get());
 */

/** @typedef {'number' | 'string' | 'boolean' | 'list' | 'json'} PropKind */
/** @typedef {{name: string, kind: PropKind, fallback: any}} Prop */

/** @typedef {{id: string, type: string, inputs?: string[], [field: string]: any}} LayerSpec  one layer of the spec (DESIGN §2) */

/**
 * @typedef {Object} AppState
 * @property {string} dataset
 * @property {Record<string, any>} data   the data set's options that differ from its defaults
 * @property {LayerSpec[]} layers
 * @property {string} loss
 * @property {string} optimizer
 * @property {Record<string, any>} optimizerOptions  the optimizer's other fields (momentum, betas, ...)
 * @property {Record<string, any>} specExtras        other top-level spec fields a preset or file set (mode, schedule, ...)
 * @property {number} lr
 * @property {number} batchSize
 * @property {string} regularization
 * @property {number} regRate
 * @property {number} epochs
 * @property {number} seed
 * @property {string} preset
 */

/** @type {LayerSpec[]} */
const STARTER_LAYERS = [
  {id: 'h1', type: 'dense', units: 8, activation: 'tanh'},
  {id: 'h2', type: 'dense', units: 8, activation: 'tanh'},
  {id: 'out', type: 'dense', units: 1, activation: 'sigmoid'},
];

/** @type {Prop[]} */
export const PROPS = [
  {name: 'dataset', kind: 'string', fallback: 'spiral'},
  {name: 'data', kind: 'json', fallback: {}},
  {name: 'layers', kind: 'json', fallback: STARTER_LAYERS},
  {name: 'loss', kind: 'string', fallback: 'binary_cross_entropy'},
  {name: 'optimizer', kind: 'string', fallback: 'adam'},
  {name: 'optimizerOptions', kind: 'json', fallback: {}},
  {name: 'specExtras', kind: 'json', fallback: {}},
  {name: 'lr', kind: 'number', fallback: 0.01},
  {name: 'batchSize', kind: 'number', fallback: 16},
  {name: 'regularization', kind: 'string', fallback: 'none'},
  {name: 'regRate', kind: 'number', fallback: 0},
  {name: 'epochs', kind: 'number', fallback: 0},
  {name: 'seed', kind: 'number', fallback: 0},
  {name: 'preset', kind: 'string', fallback: ''},
];

/** @returns {AppState} a fresh copy of every default (deep, so nobody mutates the table) */
export function defaultState() {
  /** @type {any} */
  const state = {};
  for (const prop of PROPS) state[prop.name] = structuredClone(prop.fallback);
  return state;
}

/**
 * @param {Prop} prop
 * @param {any} value
 * @returns {string}
 */
function encodeValue(prop, value) {
  if (prop.kind === 'list') return value.join(',');
  if (prop.kind === 'json') return JSON.stringify(value);
  return String(value);
}

/**
 * Parses one hash value; returns undefined when it does not fit the property's kind, so a
 * hand-edited or truncated link falls back to the default instead of breaking the page.
 * @param {Prop} prop
 * @param {string} text
 * @returns {any}
 */
function decodeValue(prop, text) {
  switch (prop.kind) {
    case 'number': {
      const number = Number(text);
      return text !== '' && Number.isFinite(number) ? number : undefined;
    }
    case 'boolean': return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'list': return text === '' ? [] : text.split(',');
    case 'json':
      try { return JSON.parse(text); } catch { return undefined; }
    default: return text;
  }
}

/**
 * @param {AppState} state
 * @returns {string} "#key=value&..." holding only what differs from the defaults (short links)
 */
export function toHash(state) {
  const params = new URLSearchParams();
  const record = /** @type {Record<string, any>} */ (state);
  for (const prop of PROPS) {
    const text = encodeValue(prop, record[prop.name]);
    if (text !== encodeValue(prop, prop.fallback)) params.set(prop.name, text);
  }
  const query = params.toString();
  return query ? `#${query}` : '';
}

/**
 * @param {string} hash  location.hash, with or without the leading '#'
 * @returns {AppState}
 */
export function fromHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const state = /** @type {Record<string, any>} */ (defaultState());
  for (const prop of PROPS) {
    const text = params.get(prop.name);
    if (text === null) continue;
    const value = decodeValue(prop, text);
    if (value !== undefined) state[prop.name] = value;
  }
  return /** @type {AppState} */ (/** @type {unknown} */ (state));
}

/**
 * @typedef {Object} Store
 * @property {() => AppState} get
 * @property {(patch: Partial<AppState>, source?: string) => void} update
 * @property {(listener: (state: AppState, changed: Set<string>, source: string) => void) => () => void} subscribe
 */

/**
 * @param {AppState} initial
 * @returns {Store} holds the state; tells listeners which properties changed and who changed them
 */
export function createStore(initial) {
  let state = initial;
  /** @type {Set<(state: AppState, changed: Set<string>, source: string) => void>} */
  const listeners = new Set();
  return {
    get: () => state,
    update(patch, source = 'user') {
      const changed = new Set();
      for (const [key, value] of Object.entries(patch)) {
        const current = /** @type {Record<string, any>} */ (state)[key];
        if (JSON.stringify(current) !== JSON.stringify(value)) changed.add(key);
      }
      if (changed.size === 0) return;
      state = {...state, ...patch};
      for (const listener of listeners) listener(state, changed, source);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
