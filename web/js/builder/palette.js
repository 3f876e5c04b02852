/**
 * The palette: every layer type of the catalog, grouped by category. A type can be dragged into
 * the stack, clicked, or focused and added with Enter/Space (the button), so the builder works
 * with a mouse, a touch screen and a keyboard alike.
 *
 * @example
 *   createPalette(nav, catalog, (type) => addAtEnd(type));
 */
import Sortable from 'sortablejs';
import {el} from './fields.js';

/**
 * @param {HTMLElement} root
 * @param {import('./catalog.js').Catalog} catalog
 * @param {(type: string) => void} onAdd
 */
export function createPalette(root, catalog, onAdd) {
  /** @type {Map<string, import('./catalog.js').LayerTypeInfo[]>} */
  const groups = new Map();
  for (const info of catalog.layers) {
    if (!groups.has(info.category)) groups.set(info.category, []);
    groups.get(info.category)?.push(info);
  }
  for (const [category, infos] of groups) {
    const list = el('ul', {class: 'palette-group', 'aria-label': `${category} layers`});
    for (const info of infos) {
      const item = el('li', {class: `palette-item cat-${category}`, 'data-testid': `palette-${info.type}`, 'data-type': info.type});
      const button = el('button', {type: 'button', title: `${info.help ? info.help + ' — ' : ''}drag into the stack, or click to add at the end`}, info.label);
      button.setAttribute('aria-label', `add ${info.label} layer`);
      button.addEventListener('click', () => onAdd(info.type));
      item.append(button);
      list.append(item);
    }
    const section = el('section', {class: 'palette-section'});
    section.append(el('h3', {}, category), list);
    root.append(section);
    new Sortable(list, {group: {name: 'layers', pull: 'clone', put: false}, sort: false, forceFallback: true, fallbackOnBody: true, animation: 120});
  }
}
