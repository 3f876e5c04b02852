/**
 * The data points drawn over the decision boundary, fetched from the data-set preview with the
 * same options the session trains with (so the dots are exactly the training points).
 */
import {fetchPreview} from '../api.js';
import {previewValues} from '../controls/thumbnail.js';
import {findDataset} from '../spec.js';

/**
 * @param {import('../state.js').AppState} state
 * @param {import('../builder/catalog.js').Catalog} catalog
 * @returns {Promise<import('../charts/boundary.js').Points | null>} null when the data are not 2-D points
 */
export async function boundaryPoints(state, catalog) {
  const info = findDataset(catalog, state.dataset);
  if (!info?.options.some((o) => o.name === 'features')) return null;
  try {
    const preview = await fetchPreview(state.dataset, state.data);
    if (preview.kind !== 'points') return null;
    const values = previewValues(preview.labels);
    const regression = /regression/.test(info.task);
    return {
      train: {xy: previewValues(preview.points), labels: regression ? null : values, targets: regression ? values : null},
      val: null,
      domain: /** @type {[number, number]} */ (preview.domain?.slice(0, 2) ?? [-6, 6]),
    };
  } catch {
    return null;
  }
}
