/**
 * Hyperparameters: loss, optimizer, learning rate (with a log-scale slider: useful rates span
 * five orders of magnitude), batch size, regularization, epochs and seed; and, folded under
 * "more settings", the chosen optimizer's own fields (momentum, betas, ...), gradient clipping and
 * the learning-rate schedule. Choices, bounds and help come from the catalog. Changing any of them
 * while training runs is applied by the server mid-run, keeping the weights. A GAN shows its own
 * settings instead of the single network's loss, optimizer and regularization (gan_panel.js).
 *
 * @example
 *   const panel = createTrainingPanel(section, catalog, (patch) => store.update(patch));
 *   panel.show(store.get());
 */
import {createFieldWidget, el} from '../builder/fields.js';
import {networksOfMode} from '../builder/networks.js';
import {createGanPanel} from './gan_panel.js';
import {advancedSummary, boundsError, clipForms, hasAdvancedSettings, optimizerOptionFields, scheduleForms, startingSetting,
  withExtra} from './training_options.js';

/** @typedef {import('../state.js').AppState} AppState */
/** @typedef {import('../builder/catalog.js').Catalog} Catalog */
/** @typedef {import('../builder/catalog.js').FieldInfo} FieldInfo */
/** @typedef {import('../builder/fields.js').FieldWidget} FieldWidget */
/** @typedef {import('./training_options.js').SettingForm} SettingForm */

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

/** Everyday controls of one network that a GAN's two networks replace with their own. */
const SINGLE_NETWORK_CONTROLS = ['loss', 'optimizer', 'lr', 'regularization', 'regRate'];

/** Error fields of the everyday controls (a hyper message's errors name them under "changes."). */
const CONTROL_OF_FIELD = {lr: 'lr', 'optimizer.lr': 'lr', batch_size: 'batchSize', loss: 'loss', optimizer: 'optimizer',
  'optimizer.type': 'optimizer', 'regularization.rate': 'regRate', regularization: 'regularization'};

/**
 * @param {number} lr
 * @returns {string} slider position: log10 of the rate
 */
const toSlider = (lr) => String(Math.log10(Math.max(1e-6, lr)));

/**
 * A learning-rate slider on a log scale (useful rates span five orders of magnitude).
 * @param {string} label  what a screen reader calls it
 * @param {(lr: number) => void} onRate  a rate rounded to two figures
 * @returns {{element: HTMLInputElement, show: (lr: number) => void}}
 */
function createRateSlider(label, onRate) {
  const slider = /** @type {HTMLInputElement} */ (el('input', {type: 'range', min: '-5', max: '0', step: '0.05', 'aria-label': label,
    class: 'lr-slider'}));
  slider.addEventListener('input', () => onRate(Number((10 ** Number(slider.value)).toPrecision(2))));
  return {element: slider, show: (lr) => { if (document.activeElement !== slider) slider.value = toSlider(lr); }};
}

/**
 * A widget that checks its value against the catalog's bounds first: a bad value is named on the
 * field and not passed on. It stays in the box with its message until corrected, rather than
 * being replaced by the state's value beside a message about a number no longer shown; but when
 * the state's own value changes (a lesson, undo, a loaded file), that value is what the box shows.
 * @param {FieldInfo} field
 * @param {(value: any) => void} onValid
 * @param {string} [label]
 * @returns {FieldWidget}
 */
function checkedWidget(field, onValid, label) {
  /** @type {string | null} */
  let refusal = null;
  /** the state's value when the box last showed it, as JSON (betas are lists) */
  let shown = '';
  const widget = createFieldWidget(field, undefined, (value) => {
    refusal = boundsError(field, value);
    widget.setError(refusal);
    if (!refusal) onValid(value);
  }, {idPrefix: 'train', label});
  return {
    ...widget,
    set: (value) => {
      const incoming = JSON.stringify(value) ?? '';
      if (refusal && incoming === shown) return;  // the state has not moved: keep the learner's text
      if (refusal) widget.setError(null);
      refusal = null;
      shown = incoming;
      widget.set(value);
    },
    setError: (message) => widget.setError(message ?? refusal),
  };
}

/**
 * One setting with several forms (clipping: off, by norm, by value; schedule: none, step, cosine):
 * a select of the forms and the chosen form's fields. Held in the state as one spec object or none.
 * @param {{name: string, label: string, off: string, help: string, forms: SettingForm[]}} declared
 * @param {(setting: Record<string, any> | null) => void} onSetting
 */
function createFormSetting(declared, onSetting) {
  const element = el('div', {class: 'control-grid advanced-group', 'data-testid': `setting-${declared.name}`});
  const fieldsBox = el('div', {class: 'control-grid advanced-fields'});
  /** @type {Map<string, FieldWidget>} */
  const fieldWidgets = new Map();
  /** @type {Record<string, any> | null} */
  let current = null;
  let shownType = '';
  const select = createFieldWidget({name: declared.name, kind: 'choice', choices: [declared.off, ...declared.forms.map((f) => f.type)],
    help: declared.help}, declared.off, (type) => {
    const form = declared.forms.find((f) => f.type === type);
    if (!form) onSetting(null);
    else if (current?.type !== type) onSetting(startingSetting(form));
  }, {idPrefix: 'train', label: declared.label});
  element.append(select.element, fieldsBox);

  /** @param {string} type */
  function showFieldsOf(type) {
    shownType = type;
    fieldWidgets.clear();
    const form = declared.forms.find((f) => f.type === type);
    for (const field of form?.fields ?? []) {
      const widget = checkedWidget(field, (value) => {
        if (current) onSetting({...current, [field.name]: value ?? field.default});
      });
      fieldWidgets.set(field.name, widget);
    }
    fieldsBox.replaceChildren(...[...fieldWidgets.values()].map((w) => w.element));
    select.element.title = form?.help ?? '';
  }

  return {
    element,
    /** @param {Record<string, any> | null | undefined} setting */
    show(setting) {
      current = setting ?? null;
      const type = current?.type ?? declared.off;
      if (type !== shownType) showFieldsOf(type);
      select.set(type);
      for (const [name, widget] of fieldWidgets) widget.set(current?.[name]);
    },
    /** @returns {FieldWidget[]} */
    widgets: () => [select, ...fieldWidgets.values()],
    /** @param {string | undefined} field  a field of the chosen form, or undefined for the setting itself */
    widgetFor: (field) => (field && fieldWidgets.get(field)) || select,
  };
}

/**
 * The chosen optimizer's own fields, rebuilt when the optimizer changes (each has its own).
 * @param {Catalog} catalog
 * @param {(options: Record<string, any>) => void} onOptions
 */
function createOptimizerOptions(catalog, onOptions) {
  const element = el('div', {class: 'control-grid advanced-group', 'data-testid': 'optimizer-options'});
  /** @type {Map<string, FieldWidget>} */
  const widgets = new Map();
  /** @type {Record<string, any>} */
  let current = {};
  let shownOptimizer = '';

  /** @param {string} optimizer */
  function showFieldsOf(optimizer) {
    shownOptimizer = optimizer;
    widgets.clear();
    for (const field of optimizerOptionFields(catalog, optimizer)) {
      // An emptied box means the default, sent as such: the server keeps fields a change leaves out.
      widgets.set(field.name, checkedWidget(field, (value) => onOptions({...current, [field.name]: value ?? field.default}),
        `${field.name.replace(/_/g, ' ')}`));
    }
    const heading = el('div', {class: 'advanced-heading'}, `${optimizer} options`);
    element.replaceChildren(heading, ...[...widgets.values()].map((w) => w.element));
  }

  return {
    element,
    /**
     * @param {string} optimizer
     * @param {Record<string, any>} options  its own fields as set so far
     */
    show(optimizer, options) {
      current = options ?? {};
      if (optimizer !== shownOptimizer) showFieldsOf(optimizer);
      // Values the optimizer takes by default are shown as values, not hints: they are what it uses.
      const fields = optimizerOptionFields(catalog, optimizer);
      for (const field of fields) widgets.get(field.name)?.set(current[field.name] ?? field.default);
    },
    widgets: () => [...widgets.values()],
    /** @param {string} name */
    widgetFor: (name) => widgets.get(name),
  };
}

/**
 * The folded part of the panel: optimizer options, clipping and schedule.
 * @param {Catalog} catalog
 * @param {() => AppState} latest
 * @param {(patch: Partial<AppState>) => void} onChange
 */
function createAdvanced(catalog, latest, onChange) {
  const details = /** @type {HTMLDetailsElement} */ (el('details', {class: 'advanced-settings', 'data-testid': 'training-advanced'}));
  const summary = el('summary', {}, 'More settings');
  const summaryNote = el('span', {class: 'advanced-note', 'data-testid': 'advanced-note'});
  summary.append(summaryNote);
  details.append(summary);
  const options = createOptimizerOptions(catalog, (optimizerOptions) => onChange({optimizerOptions}));
  /** @param {string} key @returns {(setting: Record<string, any> | null) => void} */
  const extraSetter = (key) => (setting) => onChange({specExtras: withExtra(latest().specExtras, key, setting)});
  const clip = createFormSetting({name: 'grad_clip', label: 'gradient clipping', off: 'off', forms: clipForms(catalog),
    help: 'limits the gradient before each update, so one bad batch cannot throw the weights far'}, extraSetter('grad_clip'));
  const schedule = createFormSetting({name: 'lr_schedule', label: 'lr schedule', off: 'none', forms: scheduleForms(catalog),
    help: 'changes the learning rate as training goes on'}, extraSetter('lr_schedule'));
  details.append(options.element, clip.element, schedule.element);
  return {details, summaryNote, options, clip, schedule};
}

/**
 * @param {string} path  an error's field without "changes.": "optimizer.betas[1]", "grad_clip.max_norm"
 * @param {Map<string, FieldWidget>} everyday  the everyday controls by state key
 * @param {ReturnType<typeof createAdvanced>} advanced
 * @returns {FieldWidget | undefined} the control the error is about
 */
function widgetForPath(path, everyday, advanced) {
  const key = /** @type {Record<string, string>} */ (CONTROL_OF_FIELD)[path];
  if (key) return everyday.get(key);
  const [head, field] = path.replace(/\[\d+\]$/, '').split('.');
  if (head === 'optimizer') return advanced.options.widgetFor(field);
  if (head === 'grad_clip') return advanced.clip.widgetFor(field);
  if (head === 'lr_schedule') return advanced.schedule.widgetFor(field);
  return undefined;
}

/**
 * The everyday controls (loss, optimizer, learning rate with its slider, batch size, ...), in grid.
 * @param {HTMLElement} grid
 * @param {Catalog} catalog
 * @param {(patch: Partial<AppState>) => void} edit
 * @returns {{widgets: Map<string, FieldWidget>, slider: ReturnType<typeof createRateSlider>}}
 */
function createEverydayControls(grid, catalog, edit) {
  /** @type {Map<string, FieldWidget>} */
  const widgets = new Map();
  const lrWidget = createFieldWidget(learningRateField(catalog, 'sgd'), 0.01, (value) => {
    if (typeof value === 'number' && value > 0) edit({lr: value});
  }, {idPrefix: 'train', label: 'learning rate'});
  const slider = createRateSlider('learning rate (log scale)', (lr) => edit({lr}));
  lrWidget.element.append(slider.element);
  lrWidget.element.classList.add('wide');
  widgets.set('lr', lrWidget);

  for (const control of declaredControls(catalog)) {
    const widget = createFieldWidget(control.field, undefined, (value) => {
      if (value === undefined || value === '') return;
      // Another optimizer does not take this one's extra fields (momentum is SGD's, betas Adam's).
      edit(control.key === 'optimizer' ? {optimizer: value, optimizerOptions: {}} : {[control.key]: value});
    }, {idPrefix: 'train', label: control.label});
    widgets.set(String(control.key), widget);
  }
  for (const key of ['loss', 'optimizer']) grid.append(/** @type {HTMLElement} */ (widgets.get(key)?.element));
  grid.append(lrWidget.element);
  for (const key of ['batchSize', 'regularization', 'regRate', 'epochs', 'seed']) grid.append(/** @type {HTMLElement} */ (widgets.get(key)?.element));
  return {widgets, slider};
}

/**
 * @param {HTMLElement} root
 * @param {Catalog} catalog
 * @param {(patch: Partial<AppState>) => void} onChange
 * @returns {{show: (state: AppState) => void, setError: (field: string | null, message: string | null) => void}}
 */
export function createTrainingPanel(root, catalog, onChange) {
  const grid = el('div', {class: 'control-grid'});
  root.append(grid);
  /** @type {AppState | null} */
  let shown = null;
  let ownEdit = false;
  let seenAdvanced = '';
  /** @param {Partial<AppState>} patch */
  const edit = (patch) => {
    ownEdit = true;
    // The server's last refusal is about the value this edit replaces; a new one comes back if it still stands.
    clearErrors();
    try { onChange(patch); } finally { ownEdit = false; }
  };
  const {widgets, slider} = createEverydayControls(grid, catalog, edit);
  const advanced = createAdvanced(catalog, () => /** @type {AppState} */ (shown), edit);
  const gan = createGanPanel(catalog, {checkedWidget, createOptimizerOptions, createRateSlider}, () => /** @type {AppState} */ (shown), edit);
  root.append(gan.element, advanced.details);

  /** Clears the server's errors; a widget's own bounds check keeps its message (checkedWidget). */
  function clearErrors() {
    const everyWidget = [...widgets.values(), ...advanced.options.widgets(), ...advanced.clip.widgets(), ...advanced.schedule.widgets(),
      ...gan.widgets()];
    for (const widget of everyWidget) widget.setError(null);
  }

  /**
   * Opens the folded settings when something other than this panel (a lesson, one of its runs, a
   * file or a link) set one of them, so the learner sees what the lesson chose.
   * @param {AppState} state
   */
  function revealOutsideChoices(state) {
    const signature = JSON.stringify([state.optimizer, state.optimizerOptions, state.specExtras.grad_clip, state.specExtras.lr_schedule]);
    if (signature === seenAdvanced) return;
    seenAdvanced = signature;
    if (!ownEdit && hasAdvancedSettings(state, catalog)) advanced.details.open = true;
  }

  return {
    show(state) {
      shown = state;
      const record = /** @type {Record<string, any>} */ (state);
      for (const [key, widget] of widgets) widget.set(record[key]);
      slider.show(state.lr);
      widgets.get('regRate')?.element.classList.toggle('muted', state.regularization === 'none');
      // A GAN's two networks each have their own optimizer: the GAN part shows them instead.
      const networks = networksOfMode(catalog, state.specExtras.mode);
      for (const key of SINGLE_NETWORK_CONTROLS) {
        const widget = widgets.get(key);
        if (widget) widget.element.hidden = networks.length > 0;
      }
      advanced.details.hidden = networks.length > 0;
      gan.show(state, networks);
      advanced.options.show(state.optimizer, state.optimizerOptions);
      advanced.clip.show(state.specExtras.grad_clip);
      advanced.schedule.show(state.specExtras.lr_schedule);
      const note = advancedSummary(state, catalog);
      advanced.summaryNote.textContent = note ? ` (${note})` : ': optimizer options, clipping, schedule';  // seen while folded
      revealOutsideChoices(state);
    },
    setError(field, message) {
      clearErrors();
      const path = field?.replace(/^changes\./, '');
      const target = path ? (gan.element.hidden ? undefined : gan.widgetForPath(path)) ?? widgetForPath(path, widgets, advanced) : undefined;
      if (!target) return;
      target.setError(message);
      if (advanced.details.contains(target.element)) advanced.details.open = true;
    },
  };
}
