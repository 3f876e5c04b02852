/**
 * The training settings beyond the everyday ones, read from the catalog: the chosen optimizer's
 * own fields (momentum, betas, eps, ...), gradient clipping and learning-rate schedules. Pure
 * functions only (no DOM), so the panel stays thin and node tests can hold them to the engine.
 *
 * @example
 *   const fields = optimizerOptionFields(catalog, 'sgd');  // momentum, dampening, nesterov, weight_decay
 *   boundsError(fields[0], 1.5);                            // 'momentum must be less than 1, got 1.5'
 */
import {normalizeCatalog} from '../builder/catalog.js';

/** @typedef {import('../builder/catalog.js').Catalog} Catalog */
/** @typedef {import('../builder/catalog.js').FieldInfo} FieldInfo */
/** @typedef {{type: string, help: string, fields: FieldInfo[]}} SettingForm  one form of a setting (a schedule, a clipping) */

/** Spec fields a hyper message changes mid-run although the state keeps them in specExtras. */
export const LIVE_SPEC_EXTRAS = ['grad_clip', 'lr_schedule'];

/** A required step count without a default starts here: far enough apart to watch the rate change. */
const STARTING_STEPS = 1000;

/**
 * Catalog entries of the form {name, description, fields} (schedules, clippings) read through
 * the catalog's own normalizer, which already reads the optimizers' list of that same form.
 * @param {any[]} entries
 * @returns {SettingForm[]}
 */
function readForms(entries) {
  const read = normalizeCatalog({optimizers: entries}).optimizers;
  return read.map((form, index) => ({...form, help: entries[index].description ?? '', fields: form.fields.map(editable)}));
}

/**
 * A list of numbers (Adam's betas) is typed as "0.9, 0.999": the builder's 'shape' kind reads
 * such comma-separated text, and bounds still come from the list's items.
 * @param {FieldInfo} field
 * @returns {FieldInfo}
 */
function editable(field) {
  const raw = /** @type {any} */ (field);
  return field.kind === 'list' && ['number', 'integer'].includes(raw.items?.type) ? {...field, kind: 'shape'} : field;
}

/**
 * @param {Catalog} catalog
 * @param {string} optimizer
 * @returns {FieldInfo[]} the optimizer's fields other than the learning rate, which has its own control
 */
export function optimizerOptionFields(catalog, optimizer) {
  const entry = catalog.optimizers.find((o) => o.type === optimizer);
  return (entry?.fields ?? []).filter((f) => f.name !== 'lr').map(editable);
}

/**
 * @param {Catalog} catalog
 * @returns {SettingForm[]} the learning-rate schedules the engine offers (step, cosine, ...)
 */
export function scheduleForms(catalog) {
  return readForms(Array.isArray(catalog.raw?.schedules) ? catalog.raw.schedules : []);
}

/**
 * @param {Catalog} catalog
 * @returns {SettingForm[]} the forms of gradient clipping (by norm, by value)
 */
export function clipForms(catalog) {
  return readForms(Array.isArray(catalog.raw?.grad_clips) ? catalog.raw.grad_clips : []);
}

/**
 * @param {SettingForm} form
 * @returns {Record<string, any>} a new setting of this form: defaults, and a start for required counts
 */
export function startingSetting(form) {
  /** @type {Record<string, any>} */
  const setting = {type: form.type};
  for (const field of form.fields) {
    if (field.default !== undefined && field.default !== null) setting[field.name] = field.default;
    else if (field.kind === 'int') setting[field.name] = Math.min(field.max ?? STARTING_STEPS, Math.max(field.min ?? 1, STARTING_STEPS));
  }
  return setting;
}

/**
 * @param {string} name
 * @param {any} bounds   {minimum, exclusiveMinimum, maximum, exclusiveMaximum} as the catalog gives them
 * @param {any} value
 * @param {boolean} whole
 * @returns {string | null}
 */
function numberError(name, bounds, value, whole) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a number, got ${JSON.stringify(value)}`;
  if (whole && !Number.isInteger(value)) return `${name} must be a whole number, got ${value}`;
  if (bounds.minimum !== undefined && value < bounds.minimum) return `${name} must be at least ${bounds.minimum}, got ${value}`;
  if (bounds.exclusiveMinimum !== undefined && value <= bounds.exclusiveMinimum) {
    return `${name} must be greater than ${bounds.exclusiveMinimum}, got ${value}`;
  }
  if (bounds.maximum !== undefined && value > bounds.maximum) return `${name} must be at most ${bounds.maximum}, got ${value}`;
  if (bounds.exclusiveMaximum !== undefined && value >= bounds.exclusiveMaximum) {
    return `${name} must be less than ${bounds.exclusiveMaximum}, got ${value}`;
  }
  return null;
}

/**
 * Checks a value against the catalog's bounds before it is sent, so an out-of-range number is
 * named on its field and never enters the state (where every later hyper message would carry it).
 * @param {FieldInfo} field
 * @param {any} value  as the field's widget reports it (undefined: the box was emptied)
 * @returns {string | null} what is wrong, in the engine's words, or null
 */
export function boundsError(field, value) {
  const raw = /** @type {any} */ (field);
  if (value === undefined) return field.required ? `${field.name} is required` : null;
  if (field.kind === 'bool' || field.kind === 'choice') return null;
  if (field.kind === 'shape' || Array.isArray(value)) {
    const count = Array.isArray(value) ? value.length : 0;
    if ((raw.minItems !== undefined && count < raw.minItems) || (raw.maxItems !== undefined && count > raw.maxItems)) {
      return `${field.name} takes ${raw.minItems === raw.maxItems ? raw.minItems : `${raw.minItems ?? 0}+`} numbers, got ${count}`;
    }
    const items = raw.items ?? {};
    for (const [index, item] of value.entries()) {
      const problem = numberError(`${field.name}[${index}]`, items, item, items.type === 'integer');
      if (problem) return problem;
    }
    return null;
  }
  if (field.kind !== 'int' && field.kind !== 'float') return null;
  return numberError(field.name, raw, value, field.kind === 'int');
}

/**
 * @param {Record<string, any>} extras
 * @param {string} key
 * @param {any} value  null or undefined removes the key
 * @returns {Record<string, any>} a copy of extras with the key set or removed
 */
export function withExtra(extras, key, value) {
  const {[key]: _old, ...rest} = extras;
  return value === null || value === undefined ? rest : {...rest, [key]: value};
}

/**
 * @param {Record<string, any>} before
 * @param {Record<string, any>} after
 * @returns {boolean} the two differ, and only in fields the running trainer can take live
 */
export function onlyLiveExtrasChanged(before, after) {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const differing = [...keys].filter((key) => JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key]));
  return differing.length > 0 && differing.every((key) => LIVE_SPEC_EXTRAS.includes(key));
}

/**
 * @param {import('../state.js').AppState} state
 * @param {Catalog} catalog
 * @returns {string[]} the optimizer's options that differ from their defaults
 */
function changedOptions(state, catalog) {
  const fields = optimizerOptionFields(catalog, state.optimizer);
  return Object.entries(state.optimizerOptions ?? {}).filter(([name, value]) => {
    const field = fields.find((f) => f.name === name);
    return JSON.stringify(value) !== JSON.stringify(field?.default);
  }).map(([name]) => name);
}

/**
 * @param {import('../state.js').AppState} state
 * @param {Catalog} catalog
 * @returns {boolean} an optimizer option differs from its default, or clipping or a schedule is on
 */
export function hasAdvancedSettings(state, catalog) {
  return changedOptions(state, catalog).length > 0 || LIVE_SPEC_EXTRAS.some((key) => Boolean(state.specExtras?.[key]));
}

/**
 * @param {import('../state.js').AppState} state
 * @param {Catalog} catalog
 * @returns {string} what is set beyond the defaults, for the folded section's title: "momentum 0.9, clip by norm"
 */
export function advancedSummary(state, catalog) {
  const parts = changedOptions(state, catalog).map((name) => {
    const value = state.optimizerOptions[name];
    return typeof value === 'boolean' ? name : `${name} ${Array.isArray(value) ? value.join('/') : value}`;
  });
  const clip = state.specExtras?.grad_clip;
  const schedule = state.specExtras?.lr_schedule;
  if (clip) parts.push(`clip by ${clip.type}`);
  if (schedule) parts.push(`${schedule.type} schedule`);
  return parts.join(', ');
}
