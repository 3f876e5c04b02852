/**
 * Every edit of the layer stack is a command object with `apply` and `revert`, both pure functions
 * from one layer list to the next. Undo and redo then need no special cases: the history just
 * replays commands in either direction.
 *
 * @example
 *   const history = createHistory(store.get().layers, (layers) => store.update({layers}));
 *   history.run(addLayer(0, {id: 'h1', type: 'dense', units: 4}));
 *   history.undo();
 */

/** @typedef {import('../state.js').LayerSpec} LayerSpec */
/**
 * @typedef {Object} Command
 * @property {string} label                          for the undo button's tooltip
 * @property {(layers: LayerSpec[]) => LayerSpec[]} apply
 * @property {(layers: LayerSpec[]) => LayerSpec[]} revert
 */

/**
 * @param {number} index
 * @param {LayerSpec} layer
 * @returns {Command}
 */
export function addLayer(index, layer) {
  return {
    label: `add ${layer.type}`,
    apply: (layers) => [...layers.slice(0, index), layer, ...layers.slice(index)],
    revert: (layers) => layers.filter((l) => l.id !== layer.id),
  };
}

/**
 * @param {LayerSpec[]} layers  the list as it is now (the removed layer is remembered for undo)
 * @param {string} id
 * @returns {Command}
 */
export function removeLayer(layers, id) {
  const index = layers.findIndex((l) => l.id === id);
  const removed = layers[index];
  return {
    label: `remove ${id}`,
    apply: (current) => current.filter((l) => l.id !== id),
    revert: (current) => [...current.slice(0, index), removed, ...current.slice(index)],
  };
}

/**
 * @param {number} from
 * @param {number} to
 * @returns {Command}
 */
export function moveLayer(from, to) {
  /** @param {LayerSpec[]} layers @param {number} a @param {number} b */
  const move = (layers, a, b) => {
    const copy = [...layers];
    const [item] = copy.splice(a, 1);
    copy.splice(b, 0, item);
    return copy;
  };
  return {
    label: 'move layer',
    apply: (layers) => move(layers, from, to),
    revert: (layers) => move(layers, to, from),
  };
}

/**
 * @param {string} id
 * @param {string} field
 * @param {any} before   undefined means "field absent" (the server default applies)
 * @param {any} after
 * @returns {Command}
 */
export function setField(id, field, before, after) {
  /** @param {LayerSpec[]} layers @param {any} value */
  const assign = (layers, value) => layers.map((layer) => {
    if (layer.id !== id) return layer;
    const copy = {...layer};
    if (value === undefined) delete copy[field];
    else copy[field] = value;
    return copy;
  });
  return {
    label: `set ${id}.${field}`,
    apply: (layers) => assign(layers, after),
    revert: (layers) => assign(layers, before),
  };
}

/**
 * @param {LayerSpec[]} before
 * @param {LayerSpec[]} after
 * @param {string} label
 * @returns {Command}  a whole new network (preset, loaded file)
 */
export function replaceLayers(before, after, label) {
  return {label, apply: () => after, revert: () => before};
}

/**
 * @typedef {Object} History
 * @property {(command: Command) => void} run
 * @property {() => void} undo
 * @property {() => void} redo
 * @property {() => {undo: string | null, redo: string | null}} labels  null when there is nothing
 * @property {(layers: LayerSpec[]) => void} sync  the layers changed outside the history (URL, resume)
 */

/**
 * @param {LayerSpec[]} initial
 * @param {(layers: LayerSpec[]) => void} commit  called with the new list after every change
 * @param {number} [limit]
 * @returns {History}
 */
export function createHistory(initial, commit, limit = 200) {
  let layers = initial;
  /** @type {Command[]} */
  const done = [];
  /** @type {Command[]} */
  const undone = [];
  return {
    run(command) {
      layers = command.apply(layers);
      done.push(command);
      if (done.length > limit) done.shift();
      undone.length = 0;
      commit(layers);
    },
    undo() {
      const command = done.pop();
      if (!command) return;
      layers = command.revert(layers);
      undone.push(command);
      commit(layers);
    },
    redo() {
      const command = undone.pop();
      if (!command) return;
      layers = command.apply(layers);
      done.push(command);
      commit(layers);
    },
    labels: () => ({undo: done.at(-1)?.label ?? null, redo: undone.at(-1)?.label ?? null}),
    sync(newLayers) { layers = newLayers; },
  };
}

/**
 * @param {LayerSpec[]} layers
 * @param {string} type
 * @returns {string} a short id not used yet: 'dense1', 'dense2', ...
 */
export function freshId(layers, type) {
  const prefix = type.replace(/[^a-z]/g, '').slice(0, 8) || 'layer';
  const used = new Set(layers.map((l) => l.id));
  for (let n = 1; ; n++) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}
