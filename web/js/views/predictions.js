/**
 * The predictions card in the form that fits the data: a gallery for images, small line charts
 * for a forecast (the window, then the true and the predicted next value), and a table of samples
 * with their true and predicted answer for words, letters, measurements and other sequences.
 * The server sends one predictions view for all of them; its shape says which form to draw.
 *
 * @example
 *   const predictions = createPredictionsView(card);
 *   predictions.update(frame.views.predictions, context);
 */
import {createForecastCharts} from '../charts/forecast.js';
import {tensorValues} from '../protocol.js';
import {createGallery} from './gallery.js';
import {createSampleTable} from './samples.js';

const HINTS = {
  gallery: 'Validation images with the network’s answer underneath; mistakes are framed in orange and marked ✗.',
  forecast: 'Validation windows (grey), the true next value (blue dot) and the forecast (orange ring): the ring should sit on the dot.',
  classes: 'Validation samples with the true and the predicted answer; mistakes are marked ✗ in orange.',
  values: 'Validation samples with their target and the network’s prediction.',
};

const PICK_HINT = 'Click one (or press Enter on it) to put it on the drawing pad and see the probabilities.';

/**
 * @param {any} payload  a regression's predictions
 * @returns {boolean} one series per sample (a (T, 1) window): draw it as a forecast
 */
const isForecast = (payload) => payload.inputs.shape.length === 3 && payload.inputs.shape[2] === 1;

/**
 * @param {any} payload
 * @returns {import('../charts/forecast.js').Forecast[]}
 */
function forecastsOf(payload) {
  const inputs = tensorValues(payload.inputs);
  const targets = tensorValues(payload.labels);
  const predicted = tensorValues(payload.predicted);
  const steps = payload.inputs.shape[1];
  const ahead = payload.labels.shape[1] ?? 1;
  return payload.index.map((/** @type {number} */ index, /** @type {number} */ i) => ({
    index, window: inputs.subarray(i * steps, (i + 1) * steps),
    target: targets.subarray(i * ahead, (i + 1) * ahead), predicted: predicted.subarray(i * ahead, (i + 1) * ahead),
  }));
}

/**
 * @param {import('./card.js').ViewCard} card
 * @param {import('./gallery.js').GalleryPicking} [picking]  lets the gallery's images go to the drawing pad
 */
export function createPredictionsView(card, picking) {
  const galleryBox = document.createElement('div');
  const forecastBox = document.createElement('div');
  const tableBox = document.createElement('div');
  card.body.append(galleryBox, forecastBox, tableBox);
  const gallery = createGallery(galleryBox, picking);
  const forecasts = createForecastCharts(forecastBox);
  const table = createSampleTable(tableBox);

  /** the hint last shown: the gallery's depends on whether the pad fits the data, not only on the form */
  let shownHint = '';

  /** @param {'gallery' | 'forecast' | 'classes' | 'values'} form */
  function showForm(form) {
    const hint = form === 'gallery' && picking?.canPick() ? `${HINTS.gallery} ${PICK_HINT}` : HINTS[form];
    if (card.element.dataset.form === form && hint === shownHint) return;  // frames arrive several times a second
    galleryBox.hidden = form !== 'gallery';
    forecastBox.hidden = form !== 'forecast';
    tableBox.hidden = form !== 'classes' && form !== 'values';
    card.element.dataset.form = form;
    card.setHint(hint);
    shownHint = hint;
  }

  return {
    /**
     * @param {any} payload  the predictions view
     * @param {import('./panel.js').ViewContext | null} context
     */
    update(payload, context) {
      const names = {
        classNames: context?.classNames ?? [],
        tokenIds: Boolean(context?.layers.some((layer) => layer.type === 'embedding')),
        // A next-letter model reads and writes the same alphabet: its class names name its input ids.
        tokenNames: context?.vocabulary ?? (context?.task === 'generation' ? context.classNames : null),
        featureNames: context?.featureNames ?? null,
      };
      if (payload.task === 'regression' && isForecast(payload)) {
        showForm('forecast');
        forecasts.update(forecastsOf(payload));
      } else if (payload.task === 'regression') {
        showForm('values');
        table.showValues(payload, names);
      } else if (context?.imageShape) {
        showForm('gallery');
        gallery.update(payload, context.classNames, context.imageShape);
      } else {
        showForm('classes');
        table.showClasses(payload, names);
      }
    },
  };
}
