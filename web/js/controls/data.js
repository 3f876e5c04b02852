/**
 * The data panel: a picker of every data set in the catalog (with a thumbnail of its points or
 * first images, grouped like the catalog groups them) and the chosen set's own options, rendered
 * from its declared option table: noise, samples, validation split, input features, seed, ...
 *
 * @example
 *   const panel = createDataPanel(section, catalog, {onPick, onOption, fetchPreview});
 *   panel.show('spiral', {noise: 0.2});
 */
import {createFieldWidget, el} from '../builder/fields.js';
import {humanize} from '../builder/catalog.js';
import {drawThumbnail} from './thumbnail.js';

/** @typedef {import('../builder/catalog.js').DatasetInfo} DatasetInfo */
/** @typedef {import('../builder/catalog.js').FieldInfo} FieldInfo */

/**
 * @typedef {Object} DataHandlers
 * @property {(name: string) => void} onPick
 * @property {(option: string, value: any) => void} onOption
 * @property {(name: string) => Promise<any>} fetchPreview  resolves to the server's preview JSON
 */

/**
 * @param {FieldInfo} option
 * @param {string[]} chosen
 * @param {(value: string[]) => void} onChange
 * @returns {HTMLElement}  one toggle chip per choice (input features: x₁, x₂, x₁², ...)
 */
function createChipSet(option, chosen, onChange) {
  const set = el('fieldset', {class: 'chip-set', 'data-field': option.name});
  set.append(el('legend', {title: option.help ?? ''}, option.name.replace(/_/g, ' ')));
  for (const choice of option.choices ?? []) {
    const box = /** @type {HTMLInputElement} */ (el('input', {type: 'checkbox', value: String(choice), 'data-testid': `${option.name}-${choice}`}));
    box.checked = chosen.includes(choice);
    box.addEventListener('change', () => {
      const boxes = /** @type {HTMLInputElement[]} */ ([...set.querySelectorAll('input')]);
      onChange(boxes.filter((b) => b.checked).map((b) => b.value));
    });
    const label = el('label', {class: 'chip-check'});
    label.append(box, document.createTextNode(prettyFeature(String(choice))));
    set.append(label);
  }
  return set;
}

/**
 * @param {string} name  'x1_sq'
 * @returns {string} 'x₁²'
 */
export function prettyFeature(name) {
  return name.replace(/sin_/g, 'sin ').replace(/x1/g, 'x₁').replace(/x2/g, 'x₂').replace(/_sq/g, '²').replace(/_x/g, '·x');
}

/** Friendlier names for the catalog's data-set groups; unknown groups are shown as they are. */
const GROUP_LABELS = {toy2d: '2-D points', images: 'Images', classics: 'Tables', text: 'Text', sequences: 'Sequences', series: 'Time series'};

/**
 * @param {string} group
 * @returns {string}
 */
const groupLabel = (group) => /** @type {Record<string, string>} */ (GROUP_LABELS)[group] ?? humanize(group);

/**
 * @param {HTMLElement} root
 * @param {DatasetInfo[]} datasets
 * @param {DataHandlers} handlers
 * @returns {{show: (name: string, options: Record<string, any>) => void, setError: (field: string | null, message: string | null) => void}}
 */
export function createDataPanel(root, datasets, handlers) {
  const picker = el('div', {class: 'dataset-picker', role: 'group', 'aria-label': 'data set'});
  const about = el('p', {class: 'dataset-about'});
  const optionsBox = el('div', {class: 'dataset-options'});
  const errorLine = el('div', {class: 'field-error', role: 'alert'});
  root.append(picker, about, optionsBox, errorLine);
  /** @type {Map<string, HTMLButtonElement>} */
  const buttons = new Map();
  /** @type {Map<string, {setError: (m: string | null) => void}>} */
  let widgets = new Map();

  /** @type {Map<string, HTMLDetailsElement>} */
  const groups = new Map();
  for (const dataset of datasets) {
    if (!groups.has(dataset.group)) {
      const details = /** @type {HTMLDetailsElement} */ (el('details', {class: 'dataset-group'}));
      details.append(el('summary', {'data-testid': `dataset-group-${dataset.group}`}, groupLabel(dataset.group)), el('div', {class: 'dataset-grid'}));
      groups.set(dataset.group, details);
      picker.append(details);
    }
    const button = /** @type {HTMLButtonElement} */ (el('button', {
      type: 'button', class: 'dataset-choice', 'aria-pressed': 'false',
      'data-testid': `dataset-${dataset.name}`, title: `${dataset.label}: ${dataset.help}`,
    }));
    const canvas = /** @type {HTMLCanvasElement} */ (el('canvas', {width: '56', height: '56', 'aria-hidden': 'true'}));
    button.append(canvas, el('span', {}, dataset.label));
    button.disabled = !dataset.available;
    button.addEventListener('click', () => handlers.onPick(dataset.name));
    buttons.set(dataset.name, button);
    groups.get(dataset.group)?.lastElementChild?.append(button);
    if (dataset.available) {
      handlers.fetchPreview(dataset.name).then((preview) => drawThumbnail(canvas, preview)).catch(() => {});
    }
  }

  return {
    show(name, options) {
      for (const [key, button] of buttons) {
        button.setAttribute('aria-pressed', String(key === name));
      }
      const dataset = datasets.find((d) => d.name === name);
      const openGroup = groups.get(dataset?.group ?? '');
      if (openGroup && !openGroup.open) openGroup.open = true;
      about.textContent = dataset ? `${dataset.label}: ${dataset.help} (${humanize(dataset.task)})` : '';
      optionsBox.replaceChildren();
      widgets = new Map();
      for (const option of dataset?.options ?? []) {
        const value = options[option.name] ?? option.default;
        if (option.kind === 'multi') {
          optionsBox.append(createChipSet(option, value ?? [], (chosen) => handlers.onOption(option.name, chosen)));
          continue;
        }
        const label = option.name === 'val_split' ? 'validation split' : undefined;
        const widget = createFieldWidget(option, value, (next) => handlers.onOption(option.name, next), {idPrefix: `data-${name}`, label});
        widgets.set(option.name, widget);
        optionsBox.append(widget.element);
      }
    },
    setError(field, message) {
      for (const widget of widgets.values()) widget.setError(null);
      const widget = field ? widgets.get(field.replace(/^options\./, '')) : null;
      if (widget) widget.setError(message);
      errorLine.textContent = widget ? '' : (message ?? '');
    },
  };
}
