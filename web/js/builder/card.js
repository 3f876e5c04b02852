/**
 * One layer card in the stack: header (type, id, output shape, parameter count, move and remove
 * buttons), an inline editor per field, and the errors of /api/validate shown on the field at fault.
 * The card never changes the network itself: it reports edits through callbacks, which main.js
 * turns into undoable commands.
 *
 * @example
 *   const card = createCard(layer, info, catalog, handlers);
 *   card.showResult({outputShape: [8], params: 24, errors: []});
 */
import {createFieldWidget, el} from './fields.js';

/** @typedef {import('../state.js').LayerSpec} LayerSpec */
/** @typedef {import('./catalog.js').LayerTypeInfo} LayerTypeInfo */
/** @typedef {import('./catalog.js').Catalog} Catalog */
/** @typedef {import('./catalog.js').FieldInfo} FieldInfo */

/**
 * @typedef {Object} CardHandlers
 * @property {(id: string, field: string, value: any) => void} onEdit
 * @property {(id: string) => void} onRemove
 * @property {(id: string, delta: number) => void} onMove
 */

/**
 * @typedef {Object} LayerResult  what /api/validate says about one layer
 * @property {number[] | null} outputShape
 * @property {number | null} params
 * @property {{field: string | null, message: string}[]} errors
 */

/**
 * @typedef {Object} Card
 * @property {HTMLLIElement} element
 * @property {string} type
 * @property {(layer: LayerSpec, earlierIds: string[]) => void} update
 * @property {(result: LayerResult | null) => void} showResult
 */

/**
 * @param {number[] | null} shape
 * @returns {string} "(8)", "(16, 14, 14)"
 */
export function formatShape(shape) {
  return shape ? `(${shape.join(', ')})` : '?';
}

/**
 * @param {number} count
 * @returns {string} "24", "1.2k", "3.4M"
 */
export function formatCount(count) {
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)}M`;
  if (count >= 1e4) return `${(count / 1e3).toFixed(1)}k`;
  return String(count);
}

/**
 * @param {FieldInfo} field
 * @param {Catalog} catalog
 * @returns {FieldInfo}  activation fields get the catalog's activation list when they carry none
 */
function withChoices(field, catalog) {
  if (field.name === 'activation' && !field.choices?.length) return {...field, kind: 'choice', choices: catalog.activations};
  return field;
}

/**
 * @param {LayerTypeInfo} info
 * @returns {boolean} the layer joins several earlier layers (the catalog's "merge" category: add, concat)
 */
export function takesSeveralInputs(info) {
  return info.category === 'merge';
}

/**
 * Checkboxes choosing which earlier layers feed a merging layer: this is how a skip connection
 * is drawn in the stack (the arcs beside the stack then show it).
 * @param {string} id
 * @param {(ids: string[]) => void} onChange
 * @returns {{element: HTMLElement, update: (chosen: string[], earlier: string[]) => void}}
 */
function createInputsPicker(id, onChange) {
  const element = el('fieldset', {class: 'inputs-picker'});
  return {
    element,
    update(chosen, earlier) {
      element.replaceChildren(el('legend', {}, 'inputs'));
      for (const candidate of ['input', ...earlier]) {
        const box = /** @type {HTMLInputElement} */ (el('input', {type: 'checkbox', value: candidate}));
        box.checked = chosen.includes(candidate);
        box.addEventListener('change', () => {
          const boxes = /** @type {HTMLInputElement[]} */ ([...element.querySelectorAll('input')]);
          onChange(boxes.filter((b) => b.checked).map((b) => b.value));
        });
        const label = el('label', {class: 'chip-check'});
        label.append(box, document.createTextNode(candidate));
        element.append(label);
      }
      element.setAttribute('aria-label', `layers feeding ${id}`);
    },
  };
}

/**
 * @param {LayerSpec} layer
 * @param {LayerTypeInfo} info
 * @param {Catalog} catalog
 * @param {CardHandlers} handlers
 * @returns {Card}
 */
export function createCard(layer, info, catalog, handlers) {
  const id = layer.id;
  const element = /** @type {HTMLLIElement} */ (el('li', {
    class: `layer-card cat-${info.category}`, 'data-testid': `layer-${id}`, 'data-id': id, tabindex: '0',
    'aria-label': `${info.label} layer ${id}; Alt+arrow keys move it, Delete removes it`,
  }));
  const head = el('div', {class: 'card-head'});
  const shape = el('span', {class: 'card-shape', 'data-testid': `shape-${id}`, title: 'output shape'}, '…');
  const params = el('span', {class: 'card-params', title: 'trainable parameters'}, '');
  const up = el('button', {type: 'button', class: 'icon move', 'aria-label': `move ${id} up`, title: 'move up'}, '↑');
  const down = el('button', {type: 'button', class: 'icon move', 'aria-label': `move ${id} down`, title: 'move down'}, '↓');
  const remove = el('button', {type: 'button', class: 'icon remove', 'aria-label': `remove ${id}`, title: 'remove', 'data-testid': `remove-${id}`}, '×');
  head.append(el('span', {class: 'grip', 'aria-hidden': 'true', title: 'drag to reorder'}, '⠿'),
    el('strong', {class: 'card-type', title: info.help}, info.label), el('code', {class: 'card-id'}, id),
    shape, params, up, down, remove);
  const body = el('div', {class: 'card-fields'});
  const general = el('div', {class: 'card-error', role: 'alert'});
  element.append(head, body, general);

  up.addEventListener('click', () => handlers.onMove(id, -1));
  down.addEventListener('click', () => handlers.onMove(id, 1));
  remove.addEventListener('click', () => handlers.onRemove(id));
  element.addEventListener('keydown', (event) => {
    if (event.target !== element) return;
    if (event.altKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
      event.preventDefault();
      handlers.onMove(id, event.key === 'ArrowUp' ? -1 : 1);
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      handlers.onRemove(id);
    }
  });

  const widgets = new Map();
  const more = el('div', {class: 'card-more', hidden: ''});
  const moreToggle = /** @type {HTMLButtonElement} */ (el('button', {type: 'button', class: 'more-toggle', 'aria-expanded': 'false'}));
  const editable = info.fields.filter((f) => f.name !== 'id' && f.name !== 'inputs');
  for (const raw of editable) {
    const field = withChoices(raw, catalog);
    const widget = createFieldWidget(field, layer[field.name], (value) => handlers.onEdit(id, field.name, value), {idPrefix: id});
    widgets.set(field.name, widget);
    // Required fields, fields already set and the activation are in view; the rest one click away.
    const primary = raw.required || raw.name in layer || raw.name === 'activation';
    (primary ? body : more).append(widget.element);
  }
  const hiddenCount = more.childElementCount;
  moreToggle.textContent = `${hiddenCount} more`;
  moreToggle.title = [...more.querySelectorAll('[data-field]')].map((f) => /** @type {HTMLElement} */ (f).dataset.field).join(', ');
  moreToggle.addEventListener('click', () => {
    more.hidden = !more.hidden;
    moreToggle.setAttribute('aria-expanded', String(!more.hidden));
    moreToggle.textContent = more.hidden ? `${hiddenCount} more` : 'fewer';
  });
  if (hiddenCount) body.append(moreToggle);
  element.insertBefore(more, general);
  const picker = takesSeveralInputs(info) ? createInputsPicker(id, (ids) => handlers.onEdit(id, 'inputs', ids)) : null;
  if (picker) body.append(picker.element);

  return {
    element,
    type: layer.type,
    update(next, earlierIds) {
      for (const [name, widget] of widgets) widget.set(next[name]);
      picker?.update(next.inputs ?? [], earlierIds);
    },
    showResult(result) {
      shape.textContent = result?.outputShape ? `→ ${formatShape(result.outputShape)}` : '→ ?';
      params.textContent = result?.params ? `${formatCount(result.params)} params` : '';
      const unplaced = [];
      for (const widget of widgets.values()) widget.setError(null);
      for (const error of result?.errors ?? []) {
        const widget = error.field ? widgets.get(error.field) : null;
        if (widget) widget.setError(error.message);
        else unplaced.push(error.message);
      }
      general.textContent = unplaced.join(' ');
      element.classList.toggle('has-error', Boolean(result?.errors.length));
    },
  };
}
