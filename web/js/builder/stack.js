/**
 * The layer stack: the network drawn as a vertical list of cards between an input card and the
 * total. A mode with several networks (GAN) shows one of them at a time, chosen with a switch
 * above the stack; edits, drops and moves in the shown network are passed on with positions in
 * the state's whole tagged list (builder/networks.js), so main.js handles them as always. Cards are keyed by layer id and reused across renders, so typing into a field or dragging
 * a card never loses its place. SortableJS reorders cards and receives layers dragged from the
 * palette; both become callbacks, never direct edits.
 *
 * @example
 *   const stack = createStack(ul, catalog, handlers);
 *   stack.render(layers, state.specExtras);
 *   stack.showResults(resultsById, {inputShape: [2], totalParams: 113});
 */
import Sortable from 'sortablejs';
import {createCard, formatCount, formatShape} from './card.js';
import {layerType} from './catalog.js';
import {drawSkipArcs} from './skips.js';
import {el} from './fields.js';
import {createNetworkSwitch} from './network-switch.js';
import {NETWORK_KEY, globalIndex, networkOf, networksOfMode} from './networks.js';

/** @typedef {import('../state.js').LayerSpec} LayerSpec */
/** @typedef {import('./card.js').LayerResult} LayerResult */
/** @typedef {import('./card.js').Card} Card */

/**
 * @typedef {import('./card.js').CardHandlers & {
 *   onDropType: (type: string, index: number) => void,
 *   onReorder: (from: number, to: number) => void,
 * }} StackHandlers
 */

/**
 * @typedef {Object} Stack
 * @property {(layers: LayerSpec[], specExtras?: Record<string, any>) => void} render
 * @property {(results: Map<string, LayerResult>, summary: {inputShape: number[] | null, totalParams: number | null, error: string | null}) => void} showResults
 * @property {(id: string, field: string | null, message: string) => boolean} showError  a server error on one card
 * @property {() => Record<string, string>} placement  what a new layer needs to land in the network shown
 */

/**
 * @param {string | null} path  a server field path: "units", "generator.layers[1].units", "generator.layers"
 * @returns {string | null} the field inside the layer, or null for the layer (or network) as a whole
 */
function fieldInLayer(path) {
  if (!path) return null;
  const inside = path.replace(/^.*layers\[\d+\]\.?/, '');
  return inside && !/^\w+\.layers$/.test(inside) ? inside : null;
}

/**
 * @param {Map<string, LayerResult>} results
 * @returns {Map<string, LayerResult>} the same, each error's field named as the card names it
 */
function placeErrors(results) {
  return new Map([...results].map(([id, result]) => [id, {
    ...result, errors: result.errors.map((e) => ({...e, field: fieldInLayer(e.field)})),
  }]));
}

/**
 * @param {LayerSpec[]} before
 * @param {LayerSpec[]} after
 * @param {string[]} names
 * @returns {Set<string>} the networks whose layers differ (added, removed or edited)
 */
function changedNetworks(before, after, names) {
  const text = (/** @type {LayerSpec[]} */ layers) => new Map(layers.map((l) => [l.id, JSON.stringify(l)]));
  const old = text(before);
  const now = text(after);
  const changed = new Set();
  for (const layer of [...before, ...after]) {
    if (old.get(layer.id) !== now.get(layer.id)) changed.add(networkOf(layer, names));
  }
  const order = (/** @type {LayerSpec[]} */ layers, /** @type {string} */ name) => layers.filter((l) => networkOf(l, names) === name).map((l) => l.id).join();
  for (const name of names) if (order(before, name) !== order(after, name)) changed.add(name);
  return changed;
}

/**
 * @param {HTMLElement} root   the builder's stack section
 * @param {import('./catalog.js').Catalog} catalog
 * @param {StackHandlers} handlers
 * @returns {Stack}
 */
export function createStack(root, catalog, handlers) {
  const networkSwitch = createNetworkSwitch((name) => showNetwork(name));
  const inputCard = el('div', {class: 'io-card input-card', 'data-testid': 'layer-input'});
  const list = /** @type {HTMLUListElement} */ (el('ul', {class: 'layer-list', 'data-testid': 'layer-stack', 'aria-label': 'layers, input at the top'}));
  const arcs = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (document.createElementNS('http://www.w3.org/2000/svg', 'svg')));
  arcs.classList.add('skip-arcs');
  arcs.setAttribute('aria-hidden', 'true');
  const totals = el('div', {class: 'io-card totals', 'data-testid': 'total-params'});
  const wrap = el('div', {class: 'stack-wrap'});
  wrap.append(arcs, list);
  root.append(networkSwitch.element, inputCard, wrap, totals);

  /** @type {Map<string, Card>} */
  const cards = new Map();
  /** @type {LayerSpec[]} every layer of the state (all networks) */
  let all = [];
  /** @type {string[]} the mode's networks; [] for a single network */
  let names = [];
  let active = '';
  /** @type {Record<string, any>} */
  let extras = {};
  /** @type {Map<string, LayerResult>} errors with their fields as the cards name them */
  let lastResults = new Map();
  /** @type {Map<string, LayerResult>} errors with the server's field paths */
  let rawResults = new Map();
  /** @type {{inputShape: number[] | null, totalParams: number | null, error: string | null}} */
  let lastSummary = {inputShape: null, totalParams: null, error: null};

  const shown = () => (names.length ? all.filter((l) => networkOf(l, names) === active) : all);
  const toWhole = (/** @type {number} */ local) => (names.length ? globalIndex(all, names, active, local) : local);

  /** @type {StackHandlers} handlers of the shown network, in positions of the whole list */
  const viewHandlers = {
    ...handlers,
    onDropType: (type, index) => handlers.onDropType(type, toWhole(index)),
    onReorder: (from, to) => handlers.onReorder(toWhole(from), toWhole(to)),
    onMove(id, delta) {
      if (!names.length) { handlers.onMove(id, delta); return; }
      const from = shown().findIndex((l) => l.id === id);
      const to = from + delta;
      if (from >= 0 && to >= 0 && to < shown().length) handlers.onReorder(toWhole(from), toWhole(to));
    },
  };

  new Sortable(list, {
    group: {name: 'layers', pull: false, put: true},
    animation: 120,
    handle: '.card-head',
    filter: 'button, input, select',
    forceFallback: true,
    fallbackOnBody: true,
    ghostClass: 'drop-ghost',
    onAdd(event) {
      const type = event.item.dataset.type ?? '';
      event.item.remove();
      viewHandlers.onDropType(type, event.newIndex ?? shown().length);
    },
    onUpdate(event) {
      if (event.oldIndex === undefined || event.newIndex === undefined) return;
      viewHandlers.onReorder(event.oldIndex, event.newIndex);
    },
  });
  new ResizeObserver(() => drawSkipArcs(arcs, list, shown())).observe(list);

  /** @param {LayerSpec[]} layers */
  function drawCards(layers) {
    const focused = document.activeElement;
    const ids = new Set(layers.map((l) => l.id));
    for (const [id, card] of cards) {
      if (!ids.has(id)) { card.element.remove(); cards.delete(id); }
    }
    layers.forEach((layer, index) => {
      let card = cards.get(layer.id);
      const info = layerType(catalog, layer.type);
      if (card && card.type !== layer.type) { card.element.remove(); card = undefined; }
      if (!card && info) {
        card = createCard(layer, info, catalog, viewHandlers);
        cards.set(layer.id, card);
      }
      if (!card) return;
      card.update(layer, layers.slice(0, index).map((l) => l.id));
      if (list.children[index] !== card.element) list.insertBefore(card.element, list.children[index] ?? null);
    });
    if (focused instanceof HTMLElement && list.contains(focused) && document.activeElement !== focused) focused.focus();
    drawSkipArcs(arcs, list, layers);
  }

  /** @param {string} name */
  function showNetwork(name) {
    active = name;
    drawCards(shown());
    showSummary();
  }

  /** The input card, totals and network switch, from the last validation. */
  function showSummary() {
    const inputShape = names.length ? extras[active]?.input?.shape ?? null : lastSummary.inputShape;
    inputCard.replaceChildren(el('strong', {}, 'Input'), el('span', {class: 'card-shape'}, inputShape ? formatShape(inputShape) : ''));
    for (const [id, card] of cards) card.showResult(lastResults.get(id) ?? null);
    const total = lastSummary.totalParams == null ? '' : `${formatCount(lastSummary.totalParams)} params`;
    totals.replaceChildren(
      el('strong', {}, names.length ? 'Total, all networks' : 'Total'),
      el('span', {class: 'card-params'}, total),
      el('span', {class: 'totals-error', role: 'alert'}, lastSummary.error ?? ''));
    totals.classList.toggle('has-error', Boolean(lastSummary.error));
    networkSwitch.show(names, active, networkSummaries());
  }

  /** @returns {Record<string, import('./network-switch.js').NetworkSummary>} */
  function networkSummaries() {
    return Object.fromEntries(names.map((name) => {
      const own = all.filter((l) => networkOf(l, names) === name).map((l) => rawResults.get(l.id));
      const errors = own.flatMap((r) => r?.errors ?? []);
      const counts = own.map((r) => r?.params ?? null);
      return [name, {
        input: extras[name]?.input?.shape ?? null,
        output: own.at(-1)?.outputShape ?? null,
        params: counts.every((c) => c !== null) && counts.length ? counts.reduce((a, b) => a + b, 0) : null,
        hasError: errors.length > 0,
        contractError: errors.some((e) => e.field === `${name}.layers`),
      }];
    }));
  }

  return {
    render(layers, specExtras = {}) {
      const nextNames = networksOfMode(catalog, specExtras.mode);
      if (nextNames.join() !== names.join()) active = nextNames[0] ?? '';
      else if (names.length) {
        // An undo or redo in the network not shown brings it into view.
        const changed = changedNetworks(all, layers, names);
        if (changed.size === 1 && !changed.has(active)) active = [...changed][0];
      }
      all = layers;
      names = nextNames;
      extras = specExtras;
      drawCards(shown());
      if (names.length) showSummary();
    },
    showResults(results, summary) {
      lastResults = placeErrors(results);
      lastSummary = summary;
      rawResults = results;
      showSummary();
    },
    showError(id, field, message) {
      const card = cards.get(id);
      if (!card) return false;
      const known = lastResults.get(id) ?? {outputShape: null, params: null, errors: []};
      card.showResult({...known, errors: [...known.errors, {field: fieldInLayer(field), message}]});
      return true;
    },
    placement() {
      /** @type {Record<string, string>} */
      const tag = {};
      if (names.length) tag[NETWORK_KEY] = active;
      return tag;
    },
  };
}
