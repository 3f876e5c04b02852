/**
 * The layer stack: the network drawn as a vertical list of cards between an input card and the
 * total. Cards are keyed by layer id and reused across renders, so typing into a field or dragging
 * a card never loses its place. SortableJS reorders cards and receives layers dragged from the
 * palette; both become callbacks, never direct edits.
 *
 * @example
 *   const stack = createStack(ul, catalog, handlers);
 *   stack.render(layers);
 *   stack.showResults(resultsById, {inputShape: [2], totalParams: 113});
 */
import Sortable from 'sortablejs';
import {createCard, formatCount, formatShape} from './card.js';
import {layerType} from './catalog.js';
import {drawSkipArcs} from './skips.js';
import {el} from './fields.js';

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
 * @property {(layers: LayerSpec[]) => void} render
 * @property {(results: Map<string, LayerResult>, summary: {inputShape: number[] | null, totalParams: number | null, error: string | null}) => void} showResults
 * @property {(id: string, field: string | null, message: string) => boolean} showError  a server error on one card
 */

/**
 * @param {HTMLElement} root   the builder's stack section
 * @param {import('./catalog.js').Catalog} catalog
 * @param {StackHandlers} handlers
 * @returns {Stack}
 */
export function createStack(root, catalog, handlers) {
  const inputCard = el('div', {class: 'io-card input-card', 'data-testid': 'layer-input'});
  const list = /** @type {HTMLUListElement} */ (el('ul', {class: 'layer-list', 'data-testid': 'layer-stack', 'aria-label': 'layers, input at the top'}));
  const arcs = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (document.createElementNS('http://www.w3.org/2000/svg', 'svg')));
  arcs.classList.add('skip-arcs');
  arcs.setAttribute('aria-hidden', 'true');
  const totals = el('div', {class: 'io-card totals', 'data-testid': 'total-params'});
  const wrap = el('div', {class: 'stack-wrap'});
  wrap.append(arcs, list);
  root.append(inputCard, wrap, totals);

  /** @type {Map<string, Card>} */
  const cards = new Map();
  /** @type {LayerSpec[]} */
  let current = [];
  /** @type {Map<string, LayerResult>} */
  let lastResults = new Map();

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
      handlers.onDropType(type, event.newIndex ?? current.length);
    },
    onUpdate(event) {
      if (event.oldIndex === undefined || event.newIndex === undefined) return;
      handlers.onReorder(event.oldIndex, event.newIndex);
    },
  });
  new ResizeObserver(() => drawSkipArcs(arcs, list, current)).observe(list);

  return {
    render(layers) {
      current = layers;
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
          card = createCard(layer, info, catalog, handlers);
          cards.set(layer.id, card);
        }
        if (!card) return;
        card.update(layer, layers.slice(0, index).map((l) => l.id));
        if (list.children[index] !== card.element) list.insertBefore(card.element, list.children[index] ?? null);
      });
      if (focused instanceof HTMLElement && list.contains(focused) && document.activeElement !== focused) focused.focus();
      drawSkipArcs(arcs, list, layers);
    },
    showResults(results, summary) {
      inputCard.replaceChildren(el('strong', {}, 'Input'), el('span', {class: 'card-shape'}, summary.inputShape ? formatShape(summary.inputShape) : ''));
      lastResults = results;
      for (const [id, card] of cards) card.showResult(results.get(id) ?? null);
      totals.replaceChildren(
        el('strong', {}, 'Total'),
        el('span', {class: 'card-params'}, summary.totalParams == null ? '' : `${formatCount(summary.totalParams)} params`),
        el('span', {class: 'totals-error', role: 'alert'}, summary.error ?? ''));
      totals.classList.toggle('has-error', Boolean(summary.error));
    },
    showError(id, field, message) {
      const card = cards.get(id);
      if (!card) return false;
      const known = lastResults.get(id) ?? {outputShape: null, params: null, errors: []};
      card.showResult({...known, errors: [...known.errors, {field, message}]});
      return true;
    },
  };
}
