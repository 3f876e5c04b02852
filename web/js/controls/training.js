/**
 * Hyperparameters: loss, optimizer, learning rate (with a log-scale slider: useful rates span
 * five orders of magnitude), batch size, regularization, epochs and seed. Choices come from the
 * catalog. Changing any of them while training runs is applied by the server mid-run.
 *
 * @example
 *   const panel = createTrainingPanel(section, catalog, (patch) => store.update(patch));
 *   panel.show(store.get());
 */
import {createFieldWidget, el} from '../builder/fields.js';

/** @typedef {import('../state.js').AppState} AppState */
/** @typedef {import('../builder/catalog.js').Catalog} Catalog */
/** @typedef {import('../builder/catalog.js').FieldInfo} FieldInfo */

/**
 * @param {Catalog} catalog
 * @param {string} optimizer
 * @returns {FieldInfo} the learning-rate field with the optimizer's own bounds when the catalog has them
 */
function learningRateField(catalog, optimizer) {
  const declared = catalog.optimizers.find((o) => o.type === optimizer)?.fields.find((f) => f.name === 'lr');
  return {name: 'lr', kind: 'float', min: declared?.min ?? 1e-6, max: declared?.max ?? 10, help: 'step size of each update'};
}

/**
 * @param {Catalog} catalog
 * @returns {{key: keyof AppState, field: FieldInfo, label: string}[]}
 */
function declaredControls(catalog) {
  return [
    {key: 'loss', label: 'loss', field: {name: 'loss', kind: 'choice', choices: catalog.losses, help: 'what training minimises'}},
    {key: 'optimizer', label: 'optimizer', field: {name: 'optimizer', kind: 'choice', choices: catalog.optimizers.map((o) => o.type)}},
    {key: 'batchSize', label: 'batch size', field: {name: 'batch_size', kind: 'int', min: 1, max: 1024, help: 'samples per update'}},
    {key: 'regularization', label: 'regularization', field: {name: 'regularization', kind: 'choice', choices: ['none', ...catalog.regularizations]}},
    {key: 'regRate', label: 'reg. rate', field: {name: 'rate', kind: 'float', min: 0, max: 1, help: 'strength of the penalty'}},
    {key: 'epochs', label: 'stop after epochs', field: {name: 'epochs', kind: 'int', min: 0, max: 100000, help: '0 trains until you pause'}},
    {key: 'seed', label: 'seed', field: {name: 'seed', kind: 'int', min: 0, max: 2 ** 31 - 1, help: 'same seed, same initial weights'}},
  ];
}

/**
 * @param {number} lr
 * @returns {string} slider position: log10 of the rate
 */
const toSlider = (lr) => String(Math.log10(Math.max(1e-6, lr)));

/**
 * @param {HTMLElement} root
 * @param {Catalog} catalog
 * @param {(patch: Partial<AppState>) => void} onChange
 * @returns {{show: (state: AppState) => void, setError: (field: string | null, message: string | null) => void}}
 */
export function createTrainingPanel(root, catalog, onChange) {
  const grid = el('div', {class: 'control-grid'});
  root.append(grid);
  /** @type {Map<string, import('../builder/fields.js').FieldWidget>} */
  const widgets = new Map();

  const lrWidget = createFieldWidget(learningRateField(catalog, 'sgd'), 0.01, (value) => {
    if (typeof value === 'number' && value > 0) onChange({lr: value});
  }, {idPrefix: 'train', label: 'learning rate'});
  const slider = /** @type {HTMLInputElement} */ (el('input', {
    type: 'range', min: '-5', max: '0', step: '0.05', 'aria-label': 'learning rate (log scale)', class: 'lr-slider',
  }));
  slider.addEventListener('input', () => onChange({lr: Number((10 ** Number(slider.value)).toPrecision(2))}));
  lrWidget.element.append(slider);
  lrWidget.element.classList.add('wide');
  widgets.set('lr', lrWidget);

  for (const control of declaredControls(catalog)) {
    const widget = createFieldWidget(control.field, undefined, (value) => {
      if (value === undefined || value === '') return;
      // Another optimizer does not take this one's extra fields (momentum is SGD's, betas Adam's).
      onChange(control.key === 'optimizer' ? {optimizer: value, optimizerOptions: {}} : {[control.key]: value});
    }, {idPrefix: 'train', label: control.label});
    widgets.set(String(control.key), widget);
  }
  for (const key of ['loss', 'optimizer']) grid.append(/** @type {HTMLElement} */ (widgets.get(key)?.element));
  grid.append(lrWidget.element);
  for (const key of ['batchSize', 'regularization', 'regRate', 'epochs', 'seed']) grid.append(/** @type {HTMLElement} */ (widgets.get(key)?.element));

  return {
    show(state) {
      const record = /** @type {Record<string, any>} */ (state);
      for (const [key, widget] of widgets) widget.set(record[key]);
      if (document.activeElement !== slider) slider.value = toSlider(state.lr);
      widgets.get('regRate')?.element.classList.toggle('muted', state.regularization === 'none');
    },
    setError(field, message) {
      for (const widget of widgets.values()) widget.setError(null);
      const byField = {lr: 'lr', 'optimizer.lr': 'lr', batch_size: 'batchSize', loss: 'loss', optimizer: 'optimizer', 'optimizer.type': 'optimizer', 'regularization.rate': 'regRate', regularization: 'regularization'};
      const key = field ? /** @type {Record<string, string>} */ (byField)[field] : undefined;
      if (key) widgets.get(key)?.setError(message);
    },
  };
}
