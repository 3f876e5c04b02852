/**
 * The data-licences page: one entry per data source with its licence and citation, read from
 * the catalog's data sets (each names its source, licence and citation), so a new data set is
 * credited the moment it is registered.
 */
import {fetchCatalog} from './api.js';

/**
 * @param {string} tag
 * @param {string} text
 * @returns {HTMLElement}
 */
function node(tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

async function showCredits() {
  const root = /** @type {HTMLElement} */ (document.getElementById('credits'));
  const catalog = await fetchCatalog();
  /** @type {Map<string, {licence: string, citation: string, names: string[]}>} */
  const sources = new Map();
  for (const dataset of catalog.datasets ?? []) {
    const key = dataset.source ?? 'unknown';
    if (!sources.has(key)) sources.set(key, {licence: dataset.licence ?? '', citation: dataset.citation ?? '', names: []});
    sources.get(key)?.names.push(dataset.title ?? dataset.name);
  }
  root.replaceChildren(...[...sources].map(([source, credit]) => {
    const entry = document.createElement('section');
    entry.className = 'credit';
    entry.append(node('h3', source), node('p', `Licence: ${credit.licence || 'see the source'}`));
    if (credit.citation) entry.append(node('p', credit.citation));
    entry.append(node('p', `Used by: ${credit.names.join(', ')}`));
    return entry;
  }));
}

showCredits().catch((failure) => {
  const root = document.getElementById('credits');
  if (root) root.textContent = `The list could not be loaded: ${failure.message}`;
});
