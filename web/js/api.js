/**
 * The REST side of the server: catalog, spec validation, data-set previews, credits and loading a
 * saved network. Small functions that return plain data; the shapes of /api/validate answers are
 * read into one form here, so the builder does not care how the server spells a field path.
 *
 * @example
 *   const report = await validateSpec(spec);
 *   report.layers.get('h1')?.outputShape;   // [8]
 */

/** @typedef {import('./builder/card.js').LayerResult} LayerResult */

/**
 * @typedef {Object} ValidationReport
 * @property {Map<string, LayerResult>} layers   by layer id
 * @property {number | null} totalParams
 * @property {{field: string | null, message: string}[]} general  errors not tied to a layer
 * @property {boolean} ok
 */

/**
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
async function getJson(path, init) {
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok && response.status !== 422) throw new Error(refusalOf(body, `${path}: HTTP ${response.status}`));
  return body;
}

/**
 * The server's reason for refusing a request, in words. FastAPI puts it in `detail`: a string, or
 * our {code, field, message}, where the field says what to fix.
 * @param {any} body  the refused answer, read as JSON ({} when it was not JSON)
 * @param {string} fallback  what to say when the server gave no reason
 * @returns {string}
 */
export function refusalOf(body, fallback) {
  const detail = body?.detail;
  if (typeof detail === 'string') return detail;
  if (detail?.message) return detail.field ? `${detail.message} (${detail.field})` : detail.message;
  return fallback;
}

/**
 * Sends a saved network (the bytes of a `.layerlab` file) to a live session. The server only
 * accepts it here; the session answers on its socket once the network is restored.
 * @param {string} token  the session's secret
 * @param {Blob} file  the saved network as it is (its bytes unchanged)
 * @returns {Promise<void>}  rejects with the server's reason when it refuses the file
 */
export async function loadSavedNetwork(token, file) {
  const response = await fetch(`/api/sessions/${encodeURIComponent(token)}/load`, {
    method: 'POST', body: file, headers: {'content-type': 'application/octet-stream'},
  });
  if (response.ok) return;
  const body = await response.json().catch(() => ({}));
  throw new Error(refusalOf(body, `the server refused it (HTTP ${response.status})`));
}

/** @returns {Promise<any>} the raw catalog */
export const fetchCatalog = () => getJson('/api/catalog');

/**
 * @param {string} name
 * @param {Record<string, any>} [options]
 * @returns {Promise<any>}
 */
export function fetchPreview(name, options = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) query.set(key, Array.isArray(value) ? value.join(',') : String(value));
  const suffix = query.toString() ? `?${query}` : '';
  return getJson(`/api/datasets/${encodeURIComponent(name)}/preview${suffix}`);
}

/**
 * Splits a field path such as "layers[1].units" into the layer index and the field inside it.
 * @param {string | null | undefined} path
 * @returns {{index: number | null, field: string | null}}
 */
export function splitFieldPath(path) {
  const match = /^layers\[(\d+)\]\.?(.*)$/.exec(path ?? '');
  if (!match) return {index: null, field: path ?? null};
  return {index: Number(match[1]), field: match[2] || null};
}

/**
 * @param {Record<string, any>} spec
 * @returns {Promise<ValidationReport>}
 */
export async function validateSpec(spec) {
  const body = await getJson('/api/validate', {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(spec),
  });
  return readValidation(body, spec.layers ?? []);
}

/**
 * @param {any} body  the /api/validate answer
 * @param {{id: string}[]} specLayers
 * @returns {ValidationReport}
 */
export function readValidation(body, specLayers) {
  /** @type {Map<string, LayerResult>} */
  const layers = new Map();
  for (const layer of body.layers ?? []) {
    layers.set(layer.id, {outputShape: layer.output_shape ?? null, params: layer.params ?? null, errors: []});
  }
  const general = [];
  for (const error of body.errors ?? []) {
    const {index, field} = splitFieldPath(error.field);
    const id = error.layer ?? error.layer_id ?? (index !== null ? specLayers[index]?.id : null);
    const fieldName = error.layer && error.field && !error.field.startsWith('layers[') ? error.field : field;
    if (id) {
      if (!layers.has(id)) layers.set(id, {outputShape: null, params: null, errors: []});
      layers.get(id)?.errors.push({field: fieldName, message: error.message});
    } else {
      general.push({field: error.field ?? null, message: error.message});
    }
  }
  const ok = body.ok ?? body.valid ?? (body.errors ?? []).length === 0;
  return {layers, totalParams: body.total_params ?? null, general, ok};
}

/** @returns {Promise<any[]>} credits of every data source */
export async function fetchCredits() {
  const catalog = await fetchCatalog();
  return catalog.credits ?? catalog.data_credits ?? [];
}
