/**
 * Saliency in the form of the input: for an image the picture and a heat map of the pixels the
 * answer depends on; for measurements one labelled bar per feature, largest first (a bar to the
 * right pushes towards the predicted class, to the left away from it); for a sequence one bar per
 * time step, in time order, showing how much that step moves the answer.
 *
 * @example
 *   const saliency = createSaliencyView(card);
 *   saliency.update(frame.views.saliency, context);
 */
import {createSignedBars} from '../charts/bars.js';
import {formatValue} from '../charts/curves.js';
import {createTileRows} from '../charts/tiles.js';
import {tensorValues} from '../protocol.js';

const SHOWN_FEATURES = 12;

const HINTS = {
  image: 'Which input values move the answer most: bright pixels are the ones the model looked at.',
  features: 'How much each measurement moves the predicted class’s score for one validation sample, largest first: right pushes towards the prediction, left away from it.',
  steps: 'How much each time step moves the predicted class’s score for one validation sequence (summed over its values).',
};

/**
 * @param {Float32Array} saliency
 * @param {Float32Array} input
 * @param {(string | undefined)[]} featureNames
 * @returns {import('../charts/bars.js').BarRow[]} the strongest features, largest magnitude first
 */
export function featureBars(saliency, input, featureNames) {
  return Array.from(saliency, (value, k) => ({
    label: featureNames[k] ?? `feature ${k + 1}`, value, title: `input value ${formatValue(input[k])}`,
  })).sort((a, b) => Math.abs(b.value) - Math.abs(a.value)).slice(0, SHOWN_FEATURES);
}

/**
 * @param {Float32Array} saliency  (T, F) row-major
 * @param {number} steps
 * @returns {import('../charts/bars.js').BarRow[]} per step the summed magnitude over its values
 */
export function stepBars(saliency, steps) {
  const width = saliency.length / steps;
  return Array.from({length: steps}, (_, t) => {
    let sum = 0;
    for (let f = 0; f < width; f++) sum += Math.abs(saliency[t * width + f]);
    return {label: `step ${t + 1}`, value: sum};
  });
}

/**
 * @param {any} image  one sample's tensor, (C, H, W), (H, W) or flat
 * @param {number[] | null} imageShape
 * @param {string} label
 * @returns {import('../charts/tiles.js').Tile}
 */
function imageTile(image, imageShape, label) {
  const values = tensorValues(image);
  const [height, width] = imageShape ? imageShape.slice(-2) : [1, values.length];
  return {values: values.subarray(0, height * width), width, height, label};
}

/**
 * @param {import('./card.js').ViewCard} card
 */
export function createSaliencyView(card) {
  const tiles = createTileRows(card.body);
  const caption = document.createElement('p');
  caption.className = 'tile-title';
  card.body.append(caption);
  const bars = createSignedBars(card.body, 'saliency-bars');

  /** @param {'image' | 'features' | 'steps'} form */
  function showForm(form) {
    if (card.element.dataset.form === form) return;  // frames arrive several times a second: touch the page only on a change
    tiles.element.hidden = form !== 'image';
    bars.element.hidden = form === 'image';
    caption.hidden = form === 'image';
    card.element.dataset.form = form;
    card.setHint(HINTS[form]);
  }

  return {
    /**
     * @param {any} payload  {sample, input, saliency}
     * @param {import('./panel.js').ViewContext | null} context
     */
    update(payload, context) {
      const shape = payload.saliency.shape;
      if (context?.imageShape) {
        showForm('image');
        tiles.update([{title: `validation sample ${payload.sample}: input, then saliency`, size: 96, tiles: [
          imageTile(payload.input, context.imageShape, 'input'), imageTile(payload.saliency, context.imageShape, 'saliency'),
        ]}]);
      } else if (shape.length === 1) {
        showForm('features');
        const rows = featureBars(tensorValues(payload.saliency), tensorValues(payload.input), context?.featureNames ?? []);
        bars.update(rows);
        caption.textContent = `validation sample ${payload.sample}: the ${rows.length} strongest of ${shape[0]} measurements`;
      } else {
        showForm('steps');
        bars.update(stepBars(tensorValues(payload.saliency), shape[0]));
        caption.textContent = `validation sample ${payload.sample}: ${shape[0]} time steps, first at the top`;
      }
    },
  };
}
