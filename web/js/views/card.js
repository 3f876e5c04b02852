/**
 * The frame every live view sits in: a titled card with a one-line "how to read this" hint and
 * an optional tool area. Views decide what to draw; the card decides how it looks on the page.
 *
 * @example
 *   const card = createViewCard(grid, {title: 'Loss', hint: 'lower is better', testid: 'loss-card'});
 *   createCurves(card.body, {...});
 */
import {el} from '../builder/fields.js';

/**
 * @typedef {Object} ViewCard
 * @property {HTMLElement} element
 * @property {HTMLElement} body
 * @property {HTMLElement} tools
 * @property {(visible: boolean) => void} show
 * @property {(text: string) => void} setHint
 */

/**
 * @param {HTMLElement} parent
 * @param {{title: string, hint: string, testid: string, wide?: boolean}} options
 * @returns {ViewCard}
 */
export function createViewCard(parent, options) {
  const headingId = `${options.testid}-title`;
  const element = el('section', {class: `view-card${options.wide ? ' wide' : ''}`, 'data-testid': options.testid, 'aria-labelledby': headingId});
  const header = el('header');
  const tools = el('div', {class: 'view-tools'});
  header.append(el('h2', {id: headingId}, options.title), tools);
  const hint = el('p', {class: 'hint'}, options.hint);
  const body = el('div', {class: 'view-body'});
  element.append(header, hint, body);
  parent.append(element);
  return {
    element,
    body,
    tools,
    show: (visible) => { element.hidden = !visible; },
    setHint: (text) => { hint.textContent = text; },
  };
}
