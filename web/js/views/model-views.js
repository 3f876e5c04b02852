/**
 * Views that exist only for some kinds of model: what recurrent and attention layers hold over a
 * sequence, which input values a classifier's answer depends on (saliency), a GAN's generated
 * samples, and an autoencoder's reconstructions with its code space. Each card appears only when
 * the network has what it shows, and only then is its view subscribed.
 *
 * @example
 *   const extra = createModelViews(grid);
 *   views.push(...extra.configure(context));
 *   extra.onFrame(frame.views);
 */
import {createScatter} from '../charts/scatter.js';
import {createTileRows} from '../charts/tiles.js';
import {tensorValues} from '../protocol.js';
import {createViewCard} from './card.js';
import {createSaliencyView} from './saliency.js';

/** @typedef {import('../charts/tiles.js').TileRow} TileRow */

/**
 * @param {string} title
 * @param {any} tensor  one sample: (T, H) states, (heads, T, T) attention, (C, H, W) maps, or a vector
 * @returns {TileRow}
 */
function tensorRow(title, tensor) {
  const values = tensorValues(tensor);
  const shape = tensor.shape;
  if (shape.length === 3) {
    const [count, height, width] = shape;
    const tiles = Array.from({length: Math.min(count, 16)}, (_, k) => ({
      values: values.subarray(k * height * width, (k + 1) * height * width), width, height, label: String(k),
    }));
    return {title: `${title} (${shape.join('×')})`, tiles, size: 64};
  }
  if (shape.length === 2) return {title: `${title}: time ↓, units →`, tiles: [{values, width: shape[1], height: shape[0]}], size: Math.min(260, shape[1] * 6)};
  return {title, tiles: [{values: values.subarray(0, 64), width: Math.min(values.length, 64), height: 1}], size: 16};
}

/**
 * @param {string} prefix
 * @param {any} node  a tensor or a nested {name: tensor | {...}}
 * @param {TileRow[]} rows
 */
function collectRows(prefix, node, rows) {
  if (node?.data instanceof Uint8Array) rows.push(tensorRow(prefix, node));
  else if (node && typeof node === 'object') for (const [key, child] of Object.entries(node)) collectRows(`${prefix} · ${key}`, child, rows);
}

/**
 * @param {any} batch  (N, C, H, W) or (N, H, W) images, or (N, F) vectors
 * @param {number[] | null} imageShape
 * @param {string} label
 * @returns {import('../charts/tiles.js').Tile[]}
 */
function imageTiles(batch, imageShape, label) {
  const values = tensorValues(batch);
  const [count, ...rest] = batch.shape;
  const per = rest.reduce((a, b) => a * b, 1);
  const [height, width] = imageShape && imageShape.reduce((a, b) => a * b, 1) === per ? imageShape.slice(-2) : [1, per];
  return Array.from({length: Math.min(count, 16)}, (_, n) => ({
    values: values.subarray(n * per, n * per + height * width), width, height, label: `${label}${n}`,
  }));
}

/**
 * @param {import('./panel.js').ViewContext} context
 * @returns {boolean} a classifier of images, measurements or number sequences: the server has a
 *   slope to send (not along word or letter ids, and a 2-D plane shows its whole answer already)
 */
function hasSaliency(context) {
  const classifier = /classification/.test(context.task) && !context.mode;
  const ids = context.layers.some((layer) => layer.type === 'embedding');
  return classifier && !ids && (Boolean(context.imageShape) || (!context.plane && context.inputShape.length <= 2));
}

/**
 * @param {HTMLElement} grid
 */
export function createModelViews(grid) {
  const sequenceCard = createViewCard(grid, {title: 'Inside the sequence layers', testid: 'sequence-card', wide: true,
    hint: 'Recurrent states and gates step by step, attention weights query by key: what each layer keeps and looks at.'});
  const sequence = createTileRows(sequenceCard.body);
  const saliencyCard = createViewCard(grid, {title: 'Saliency', testid: 'saliency-card',
    hint: 'Which input values move the answer most.'});
  const saliency = createSaliencyView(saliencyCard);
  const ganCard = createViewCard(grid, {title: 'Generated samples', testid: 'gan-card', wide: true,
    hint: 'The generator on the same random codes every frame: watch noise turn into digits (or collapse).'});
  const gan = createTileRows(ganCard.body);
  const aeCard = createViewCard(grid, {title: 'Reconstructions and codes', testid: 'autoencoder-card', wide: true,
    hint: 'Top: inputs, below: what comes back through the bottleneck. Right: the 2-unit codes, coloured by label.'});
  const aeRows = createTileRows(aeCard.body);
  const codes = createScatter(aeCard.body);
  /** @type {number[] | null} */
  let imageShape = null;
  /** @type {import('./panel.js').ViewContext | null} */
  let known = null;

  return {
    /** @type {Record<string, import('./card.js').ViewCard[]>} which of these cards shows each server view */
    cards: {sequence_state: [sequenceCard], saliency: [saliencyCard], generated_samples: [ganCard], reconstructions: [aeCard]},
    /**
     * @param {import('./panel.js').ViewContext & {mode?: string, sequenceLayers?: boolean}} context
     * @returns {string[]} views these cards need
     */
    configure(context) {
      imageShape = context.imageShape ?? null;
      known = context;
      const shown = {
        sequence_state: Boolean(context.sequenceLayers),
        saliency: hasSaliency(context),
        generated_samples: context.mode === 'gan',
        reconstructions: context.mode === 'autoencoder',
      };
      sequenceCard.show(shown.sequence_state);
      saliencyCard.show(shown.saliency);
      ganCard.show(shown.generated_samples);
      aeCard.show(shown.reconstructions);
      return Object.entries(shown).filter(([, on]) => on).map(([name]) => name);
    },
    /** @param {Record<string, any>} views */
    onFrame(views) {
      if (views.sequence_state?.layers) {
        /** @type {TileRow[]} */
        const rows = [];
        collectRows('', views.sequence_state.layers, rows);
        sequence.update(rows.map((row) => ({...row, title: row.title.replace(/^ · /, '')})));
      }
      if (views.saliency) saliency.update(views.saliency, known);
      if (views.generated_samples) gan.update([{title: 'samples', size: 56, tiles: imageTiles(views.generated_samples.samples, imageShape, '')}]);
      if (views.reconstructions) {
        const r = views.reconstructions;
        aeRows.update([
          {title: 'inputs', size: 48, tiles: imageTiles(r.inputs, imageShape, '')},
          {title: 'reconstructions', size: 48, tiles: imageTiles(r.outputs, imageShape, '')},
        ]);
        if (r.codes?.shape?.[1] === 2) codes.update(tensorValues(r.codes), tensorValues(r.labels));
      }
    },
  };
}
