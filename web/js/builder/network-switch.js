/**
 * The switch above the stack of a mode with several networks (GAN: "Generator | Discriminator"),
 * and the contract between them: each network feeds the next, so the first one's output shape
 * must equal the next one's input shape. Each tab sums up its network (input → output, params)
 * and is marked when one of its layers has an error, so a problem in the network not shown is
 * still seen.
 *
 * @example
 *   const tabs = createNetworkSwitch((name) => showNetwork(name));
 *   tabs.show(['generator', 'discriminator'], 'generator', summaries);
 */
import {humanize} from './catalog.js';
import {formatCount, formatShape} from './card.js';
import {el} from './fields.js';

/**
 * @typedef {Object} NetworkSummary
 * @property {number[] | null} input
 * @property {number[] | null} output   the last layer's shape (null while the spec is invalid)
 * @property {number | null} params
 * @property {boolean} hasError
 * @property {boolean} contractError  the server faults the network as a whole (e.g. its output size)
 */

/**
 * @param {number[] | null} a
 * @param {number[] | null} b
 * @returns {boolean | null} null when either is unknown
 */
function sameShape(a, b) {
  if (!a || !b) return null;
  return a.length === b.length && a.every((size, i) => size === b[i]);
}

/**
 * @param {(name: string) => void} onPick
 */
export function createNetworkSwitch(onPick) {
  const element = el('div', {class: 'network-switch', hidden: ''});
  const tabs = el('div', {class: 'network-tabs', role: 'tablist', 'aria-label': 'networks of this model'});
  const contract = el('p', {class: 'network-contract', 'data-testid': 'network-contract'});
  element.append(tabs, contract);
  /** @type {Map<string, HTMLButtonElement>} the tabs, kept across redraws so a focused one keeps focus */
  let buttons = new Map();

  return {
    element,
    /**
     * @param {string[]} names       [] hides the switch (one network)
     * @param {string} active
     * @param {Record<string, NetworkSummary>} summaries
     */
    show(names, active, summaries) {
      element.hidden = names.length === 0;
      if (!names.length) return;
      if (names.join() !== [...buttons.keys()].join()) {
        buttons = new Map(names.map((name) => [name, tab(name, onPick)]));
        tabs.replaceChildren(...buttons.values());
      }
      for (const [name, button] of buttons) fillTab(button, name, name === active, summaries[name]);
      contract.replaceChildren(...names.slice(1).map((name, i) => contractLine(names[i], name, summaries)));
    },
  };
}

/**
 * @param {string} name
 * @param {(name: string) => void} onPick
 * @returns {HTMLButtonElement}
 */
function tab(name, onPick) {
  const button = /** @type {HTMLButtonElement} */ (el('button', {
    type: 'button', role: 'tab', class: 'network-tab', 'data-testid': `network-${name}`,
  }));
  button.addEventListener('click', () => onPick(name));
  return button;
}

/**
 * @param {HTMLButtonElement} button
 * @param {string} name
 * @param {boolean} selected
 * @param {NetworkSummary | undefined} summary
 */
function fillTab(button, name, selected, summary) {
  button.setAttribute('aria-selected', String(selected));
  const shapes = summary ? `${formatShape(summary.input)} → ${formatShape(summary.output)}` : '';
  const params = summary?.params ? `${formatCount(summary.params)} params` : '';
  button.replaceChildren(el('strong', {}, humanize(name)), el('span', {class: 'network-shapes'}, shapes),
    el('span', {class: 'card-params'}, params));
  button.classList.toggle('has-error', Boolean(summary?.hasError));
  button.title = summary?.hasError ? `${humanize(name)} has a problem: open it to see which layer` : '';
}

/**
 * @param {string} from
 * @param {string} to
 * @param {Record<string, NetworkSummary>} summaries
 * @returns {HTMLElement} "Generator output (64) = Discriminator input (64) ✓"
 */
function contractLine(from, to, summaries) {
  const output = summaries[from]?.output ?? null;
  const input = summaries[to]?.input ?? null;
  const same = sameShape(output, input);
  const line = el('span', {class: 'contract-line'});
  const verdict = same === null ? '' : same ? ' ✓' : ' ✗';
  line.textContent = `${humanize(from)} output ${formatShape(output)} must equal ${humanize(to)} input ${formatShape(input)}${verdict}`;
  line.classList.toggle('broken', same === false || Boolean(summaries[from]?.contractError));
  line.classList.toggle('kept', same === true);
  return line;
}
