/**
 * One small input widget per field kind, built from the catalog's field description (bounds,
 * choices, help). Every widget reports a value already converted to the field's kind, or
 * `undefined` for "empty: use the default", and never fires while the user is mid-typing.
 *
 * @example
 *   const widget = createFieldWidget(field, 8, (value) => console.log(value), {idPrefix: 'h1'});
 *   form.append(widget.element);
 */

/** @typedef {import('./catalog.js').FieldInfo} FieldInfo */

/**
 * @typedef {Object} FieldWidget
 * @property {HTMLElement} element       label + control + error line
 * @property {(value: any) => void} set  shows a value (skipped while the control has focus)
 * @property {(message: string | null) => void} setError
 * @property {HTMLElement} control
 */

let widgetCounter = 0;

/**
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
export function el(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * @param {FieldInfo} field
 * @param {string} text
 * @returns {any} the parsed value, undefined for empty, NaN-free
 */
function parseText(field, text) {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (field.kind === 'int') return Number.isInteger(Number(trimmed)) ? Number(trimmed) : trimmed;
  if (field.kind === 'float') return Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
  if (field.kind === 'shape' || field.kind === 'multi') {
    const parts = trimmed.split(/[\s,x×]+/).filter(Boolean);
    return field.kind === 'shape' ? parts.map(Number) : parts;
  }
  if (/^-?\d+(\.\d+)?$/.test(trimmed) && field.kind !== 'str') return Number(trimmed);
  return trimmed;
}

/**
 * @param {FieldInfo} field
 * @returns {HTMLInputElement | HTMLSelectElement}
 */
function makeControl(field) {
  if (field.kind === 'bool') {
    const box = /** @type {HTMLInputElement} */ (el('input', {type: 'checkbox'}));
    return box;
  }
  if (field.choices?.length && field.kind !== 'multi') {
    const select = /** @type {HTMLSelectElement} */ (el('select'));
    for (const choice of field.choices) select.append(el('option', {value: String(choice)}, String(choice)));
    return select;
  }
  const numeric = field.kind === 'int' || field.kind === 'float';
  const input = /** @type {HTMLInputElement} */ (el('input', {type: numeric ? 'number' : 'text'}));
  if (numeric) {
    input.step = field.kind === 'int' ? '1' : 'any';
    if (field.min !== undefined) input.min = String(field.min);
    if (field.max !== undefined) input.max = String(field.max);
    input.inputMode = field.kind === 'int' ? 'numeric' : 'decimal';
  }
  if (field.default !== undefined && field.default !== null) input.placeholder = String(field.default);
  return input;
}

/**
 * @param {FieldInfo} field
 * @returns {string} "1 – 1024" style hint, shown as the tooltip with the field's help
 */
function boundsHint(field) {
  const parts = [];
  if (field.help) parts.push(field.help);
  if (field.min !== undefined || field.max !== undefined) parts.push(`range ${field.min ?? '−∞'} – ${field.max ?? '∞'}`);
  if (field.default !== undefined && field.default !== null) parts.push(`default ${JSON.stringify(field.default)}`);
  return parts.join(' · ');
}

/**
 * @param {FieldInfo} field
 * @param {any} value
 * @param {(value: any) => void} onChange
 * @param {{idPrefix: string, label?: string}} options
 * @returns {FieldWidget}
 */
export function createFieldWidget(field, value, onChange, options) {
  if (field.kind === 'union') return createUnionWidget(field, value, onChange, options);
  const controlId = `${options.idPrefix}-${field.name}-${++widgetCounter}`;
  const wrapper = el('div', {class: 'field', 'data-field': field.name});
  const label = el('label', {for: controlId}, options.label ?? field.name.replace(/_/g, ' '));
  const control = makeControl(field);
  const error = el('div', {class: 'field-error', id: `${controlId}-error`, role: 'alert'});
  control.id = controlId;
  control.title = boundsHint(field);
  control.setAttribute('aria-describedby', error.id);
  wrapper.append(label, control, error);

  const read = () => (control instanceof HTMLInputElement && control.type === 'checkbox'
    ? control.checked
    : control instanceof HTMLSelectElement
      ? parseChoice(field, control.value)
      : parseText(field, control.value));
  control.addEventListener('change', () => onChange(read()));

  const widget = {
    element: wrapper,
    control,
    /** @param {any} next */
    set(next) {
      if (document.activeElement === control) return;
      const shown = next ?? field.default;
      if (control instanceof HTMLInputElement && control.type === 'checkbox') control.checked = Boolean(shown);
      else if (control instanceof HTMLSelectElement) control.value = String(shown ?? '');
      else control.value = next === undefined || next === null ? '' : Array.isArray(next) ? next.join(',') : String(next);
    },
    /** @param {string | null} message */
    setError(message) {
      error.textContent = message ?? '';
      wrapper.classList.toggle('invalid', Boolean(message));
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    },
  };
  widget.set(value);
  return widget;
}

/**
 * @param {FieldInfo} field
 * @param {string} text
 * @returns {any} the choice with its original type (numbers stay numbers)
 */
function parseChoice(field, text) {
  return field.choices?.find((choice) => String(choice) === text) ?? text;
}

/** The select's entry that means "a number, typed in the box beside it". */
const NUMBER_CHOICE = '#';

/**
 * A field of several kinds (conv2d padding: a number of pixels, or "same"/"valid"): a select with
 * the named choices and "number", and a number box shown while "number" is chosen.
 * @param {FieldInfo} field
 * @param {any} value
 * @param {(value: any) => void} onChange
 * @param {{idPrefix: string, label?: string}} options
 * @returns {FieldWidget}
 */
function createUnionWidget(field, value, onChange, options) {
  const controlId = `${options.idPrefix}-${field.name}-${++widgetCounter}`;
  const wrapper = el('div', {class: 'field union-field', 'data-field': field.name});
  const select = /** @type {HTMLSelectElement} */ (el('select', {id: controlId}));
  for (const choice of field.choices ?? []) select.append(el('option', {value: String(choice)}, String(choice)));
  if (field.numberKind) select.append(el('option', {value: NUMBER_CHOICE}, 'number'));
  const number = makeControl({...field, kind: field.numberKind ?? 'float', choices: undefined, default: undefined});
  number.setAttribute('aria-label', `${field.name.replace(/_/g, ' ')}: number`);
  const error = el('div', {class: 'field-error', id: `${controlId}-error`, role: 'alert'});
  select.title = number.title = boundsHint(field);
  for (const control of [select, number]) control.setAttribute('aria-describedby', error.id);
  const row = el('div', {class: 'union-row'});
  row.append(select, number);
  wrapper.append(el('label', {for: controlId}, options.label ?? field.name.replace(/_/g, ' ')), row, error);

  const numberField = {...field, kind: field.numberKind ?? 'float'};
  const read = () => (select.value === NUMBER_CHOICE ? parseText(numberField, number.value) : parseChoice(field, select.value));
  select.addEventListener('change', () => {
    number.hidden = select.value !== NUMBER_CHOICE;
    if (!number.hidden && number.value === '') number.value = String(field.min ?? 0);
    onChange(read());
  });
  number.addEventListener('change', () => onChange(read()));

  const widget = {
    element: wrapper,
    control: select,
    /** @param {any} next */
    set(next) {
      if (document.activeElement === select || document.activeElement === number) return;
      const shown = next ?? field.default;
      const named = (field.choices ?? []).some((choice) => String(choice) === String(shown));
      select.value = named ? String(shown) : NUMBER_CHOICE;
      number.hidden = named;
      number.value = named || shown === undefined || shown === null ? '' : String(shown);
    },
    /** @param {string | null} message */
    setError(message) {
      error.textContent = message ?? '';
      wrapper.classList.toggle('invalid', Boolean(message));
      for (const control of [select, number]) {
        if (message) control.setAttribute('aria-invalid', 'true');
        else control.removeAttribute('aria-invalid');
      }
    },
  };
  widget.set(value);
  return widget;
}
