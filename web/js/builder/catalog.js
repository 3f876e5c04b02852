/**
 * The catalog (GET /api/catalog) tells the UI every layer type, field, bound, activation, loss,
 * optimizer, data set and preset; nothing of it is hard-coded here. This module only reads it into
 * the shapes the UI uses and answers small questions about it.
 *
 * @example
 *   const catalog = normalizeCatalog(await (await fetch('/api/catalog')).json());
 *   catalog.layers.find((t) => t.type === 'dense')?.fields;
 */

/**
 * @typedef {Object} FieldInfo
 * @property {string} name
 * @property {string} kind        'int' | 'float' | 'bool' | 'choice' | 'multi' | 'str' | 'shape' | 'inputs' | 'union'
 * @property {'int' | 'float'} [numberKind]  a union's numeric form, when it has one (its bounds are min/max)
 * @property {any} [default]
 * @property {number} [min]
 * @property {number} [max]
 * @property {any[]} [choices]
 * @property {string} [help]
 * @property {boolean} [required]
 */

/**
 * @typedef {Object} LayerTypeInfo
 * @property {string} type
 * @property {string} label
 * @property {string} category
 * @property {string} help
 * @property {FieldInfo[]} fields
 */

/**
 * @typedef {Object} DatasetInfo
 * @property {string} name
 * @property {string} label
 * @property {string} group
 * @property {string} task
 * @property {number[]} inputShape
 * @property {number} numClasses
 * @property {string[]} classNames
 * @property {FieldInfo[]} options
 * @property {string} help
 * @property {boolean} available
 * @property {any} raw
 */

/**
 * @typedef {Object} Catalog
 * @property {LayerTypeInfo[]} layers
 * @property {string[]} activations
 * @property {string[]} losses
 * @property {{type: string, fields: FieldInfo[]}[]} optimizers
 * @property {string[]} regularizations
 * @property {DatasetInfo[]} datasets
 * @property {any[]} presets
 * @property {any} raw
 */

/**
 * @param {any} collection  a list of objects or a map from name to object
 * @param {string} key      the name field to fill in when it is a map
 * @returns {any[]}
 */
function asList(collection, key) {
  if (!collection) return [];
  if (Array.isArray(collection)) return collection.map((item) => (typeof item === 'string' ? {[key]: item} : item));
  return Object.entries(collection).map(([name, value]) => ({[key]: name, ...(typeof value === 'object' ? value : {})}));
}

/**
 * @param {string} name  'max_pool2d'
 * @returns {string} 'Max pool2d'
 */
export function humanize(name) {
  const words = name.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** JSON-schema type names (the engine's catalog) to the widget kinds of fields.js. */
const KIND_OF_TYPE = {integer: 'int', number: 'float', boolean: 'bool', string: 'str', array: 'list'};

/**
 * @param {any} raw  a field as the catalog declares it (JSON-schema style, or the data sets' form)
 * @returns {FieldInfo}
 */
function normalizeField(raw) {
  if (raw.type === 'union' && Array.isArray(raw.variants)) return normalizeUnion(raw);
  const declared = raw.kind ?? /** @type {Record<string, string>} */ (KIND_OF_TYPE)[raw.type] ?? raw.type ?? 'str';
  const choices = raw.choices ?? raw.enum;
  let kind = declared;
  if (choices?.length && declared !== 'multi') kind = 'choice';
  else if (declared === 'list' && raw.items?.type === 'integer') kind = 'shape';
  return {
    ...raw,
    name: raw.name,
    kind,
    choices,
    default: raw.default ?? undefined,
    help: raw.help ?? raw.description ?? '',
    min: raw.min ?? raw.minimum ?? raw.exclusiveMinimum ?? raw.low,
    max: raw.max ?? raw.maximum ?? raw.exclusiveMaximum ?? raw.high,
  };
}

/**
 * A field that takes values of several kinds (conv2d padding: a number or "same"/"valid"): the
 * choices of its string forms, plus the kind and bounds of its numeric form, so the editor can
 * offer both.
 * @param {any} raw
 * @returns {FieldInfo}
 */
function normalizeUnion(raw) {
  const numeric = raw.variants.find((/** @type {any} */ v) => v.type === 'integer' || v.type === 'number');
  const choices = raw.variants.flatMap((/** @type {any} */ v) => v.enum ?? []);
  return {
    ...raw,
    kind: 'union',
    choices,
    numberKind: numeric ? (numeric.type === 'integer' ? 'int' : 'float') : undefined,
    default: raw.default ?? undefined,
    help: raw.help ?? raw.description ?? '',
    min: numeric?.minimum ?? numeric?.exclusiveMinimum,
    max: numeric?.maximum ?? numeric?.exclusiveMaximum,
  };
}

/**
 * @param {any} raw
 * @returns {LayerTypeInfo}
 */
function normalizeLayerType(raw) {
  return {
    type: raw.type ?? raw.name,
    label: raw.label ?? humanize(raw.type ?? raw.name),
    category: raw.category ?? 'layers',
    help: raw.help ?? raw.description ?? raw.doc ?? '',
    fields: asList(raw.fields ?? raw.params ?? raw.parameters, 'name').map(normalizeField),
  };
}

/**
 * @param {any} raw
 * @returns {DatasetInfo}
 */
function normalizeDataset(raw) {
  return {
    name: raw.name,
    group: raw.group ?? 'data',
    label: raw.label ?? raw.title ?? humanize(raw.name),
    task: raw.task ?? 'classification',
    inputShape: raw.input_shape ?? raw.inputShape ?? [2],
    numClasses: raw.num_classes ?? raw.numClasses ?? (raw.class_names?.length ?? 0),
    classNames: raw.class_names ?? raw.classNames ?? [],
    options: asList(raw.options, 'name').map(normalizeField),
    help: raw.help ?? raw.description ?? '',
    available: raw.available !== false,
    raw,
  };
}

/**
 * @param {any} raw  the JSON body of /api/catalog
 * @returns {Catalog}
 */
export function normalizeCatalog(raw) {
  const names = (/** @type {any} */ list) => asList(list, 'name').map((item) => item.name ?? item.type);
  return {
    layers: asList(raw.layers, 'name').map(normalizeLayerType),
    activations: names(raw.activations),
    losses: names(raw.losses),
    optimizers: asList(raw.optimizers, 'name').map((o) => ({
      type: o.type ?? o.name,
      fields: asList(o.fields ?? o.params, 'name').map(normalizeField),
    })),
    regularizations: names(raw.regularizations ?? raw.regularization ?? ['l1', 'l2']),
    datasets: asList(raw.datasets, 'name').map(normalizeDataset),
    presets: asList(raw.presets, 'name'),
    raw,
  };
}

/**
 * @param {Catalog} catalog
 * @param {string} type
 * @returns {LayerTypeInfo | undefined}
 */
export function layerType(catalog, type) {
  return catalog.layers.find((info) => info.type === type);
}

/** A new layer's required sizes (units, channels) start here: big enough to learn, small enough to see. */
const STARTING_SIZE = 8;

/**
 * @param {number} value
 * @param {number} low
 * @param {number} high
 * @returns {number}
 */
const clamp = (value, low, high) => Math.min(high, Math.max(low, value));

/**
 * The fields a new layer starts with: only the required ones (their default, or a useful size),
 * so the spec stays short and every other field keeps the engine's default.
 * @param {LayerTypeInfo} info
 * @returns {Record<string, any>}
 */
export function initialFields(info) {
  /** @type {Record<string, any>} */
  const fields = {};
  for (const field of info.fields) {
    if (!field.required || field.name === 'id' || field.name === 'inputs') continue;
    if (field.default !== undefined && field.default !== null) fields[field.name] = structuredClone(field.default);
    else if (field.kind === 'int') fields[field.name] = clamp(STARTING_SIZE, field.min ?? 1, field.max ?? STARTING_SIZE);
    else if (field.min !== undefined) fields[field.name] = field.min;
    else if (field.choices?.length) fields[field.name] = field.choices[0];
  }
  return fields;
}
