/**
 * The live views, composed: which cards appear depends on the data and the network (a decision
 * boundary only for 2-D inputs, a drawing pad only for 28×28 images, a confusion matrix only for
 * classifiers), and the panel subscribes only to the views its visible cards draw, so the server
 * computes nothing nobody looks at.
 *
 * @example
 *   const views = createViewsPanel(section, {onProbe: (input) => live.send(probe(input))});
 *   live.send(subscribe(views.configure(context)));
 *   bus.on('frame', views.onFrame);
 */
import {createBoundary} from '../charts/boundary.js';
import {createConfusion} from '../charts/confusion.js';
import {createGradientFlow} from '../charts/gradflow.js';
import {createNetworkDiagram} from '../charts/network.js';
import {el} from '../builder/fields.js';
import {tensorValues} from '../protocol.js';
import {createViewCard} from './card.js';
import {createDigitPad} from './digit.js';
import {createHistogramPanel} from './histograms.js';
import {createInsideView} from './inside.js';
import {createLessonCard, createLessonLink} from './lesson.js';
import {createModelViews} from './model-views.js';
import {createMetricsView} from './metrics.js';
import {createPredictionsView} from './predictions.js';
import {outputProbabilities, readNeuronGrid} from './readers.js';

/**
 * @typedef {Object} ViewContext  what the views need to know about the data and the network
 * @property {string} task               'binary_classification', 'regression', ...
 * @property {string[]} classNames
 * @property {number[]} inputShape
 * @property {boolean} plane             2-D points: neuron grid and decision boundary exist
 * @property {import('../state.js').LayerSpec[]} layers
 * @property {string} loss
 * @property {string[]} [inputNames]   names of the input columns (2-D features), when known
 * @property {number[] | null} [imageShape]  [C, H, W] when the samples are images (maybe fed flattened)
 * @property {string} [mode]               'gan' or 'autoencoder' for those kinds of model
 * @property {boolean} [sequenceLayers]    the network has recurrent or attention layers
 * @property {string[] | null} [featureNames]  the data set's names of its measurements (tabular data), when known
 * @property {string[] | null} [vocabulary]    the data set's words or letters by token id, when known
 */

const BOUNDARY_HINT = 'The answer at every point of the plane (pale: unsure); dots are the data. Click a neuron in the diagram to see it alone.';

/**
 * @param {HTMLElement} parent
 * @returns {{element: HTMLElement, setNames: (names: string[]) => void}}  the colour key of a binary boundary
 */
function boundaryLegend(parent) {
  const element = el('div', {class: 'legend-scale'});
  const low = el('span', {}, 'class 0');
  const high = el('span', {}, 'class 1');
  element.append(low, el('span', {class: 'bar', 'aria-hidden': 'true'}), high);
  parent.append(element);
  return {
    element,
    setNames(names) {
      low.textContent = names[0] ?? 'class 0';
      high.textContent = names[1] ?? 'class 1';
    },
  };
}

/**
 * @param {number[]} shape
 * @returns {boolean} one 28×28 grey image per sample (MNIST-like): the drawing pad fits
 */
const isDigitShape = (shape) => shape.join() === '1,28,28' || shape.join() === '784' || shape.join() === '28,28';

/**
 * @param {Float32Array} pixels  28×28
 * @param {number[]} shape
 * @returns {any[]} one sample nested like the network's input
 */
function shapeSample(pixels, shape) {
  const rows = Array.from({length: 28}, (_, y) => Array.from(pixels.subarray(y * 28, y * 28 + 28)));
  if (shape.length === 1) return Array.from(pixels);
  return shape.length === 2 ? rows : [rows];
}

/**
 * @typedef {Object} ViewHandlers
 * @property {(input: any[]) => void} onProbe
 * @property {(preset: any, run: any) => void} onRun  a lesson's comparison run was chosen
 * @property {import('./lesson.js').LessonActions} lesson  what a transfer lesson's steps ask of the session
 * @property {import('../bus.js').Bus} bus  the session's answers to them (`kept`, `transferred`) come on it
 */

/**
 * @param {HTMLElement} root
 * @param {ViewHandlers} handlers
 */
export function createViewsPanel(root, handlers) {
  const grid = el('div', {class: 'views-grid'});
  root.append(grid);
  const metrics = createMetricsView(grid);

  const boundaryCard = createViewCard(grid, {title: 'Decision boundary', testid: 'boundary-card', hint: BOUNDARY_HINT});
  const boundary = createBoundary(boundaryCard.body);
  const legend = boundaryLegend(boundaryCard.body);

  const networkCard = createViewCard(grid, {title: 'Network', testid: 'network-card',
    hint: 'Blue lines are positive weights, orange negative; thicker is stronger. Each square shows what that neuron responds to.'});
  networkCard.body.classList.add('network-body');
  /** @type {{layer: string, unit: number} | null} a neuron chosen on the diagram, drawn in place of the output */
  let pickedNeuron = null;
  /** @type {ReturnType<typeof readNeuronGrid> | null} the newest neuron grid, redrawn when a neuron is picked */
  let lastGrid = null;
  const drawBoundary = () => {
    if (!lastGrid) return;
    const neuron = pickedNeuron ? lastGrid.neuron(pickedNeuron.layer, pickedNeuron.unit) : null;
    boundary.setGrid(neuron ? {values: neuron.values, classes: 1, width: neuron.width, height: neuron.height, kind: 'value'} : lastGrid.output);
  };
  const diagram = createNetworkDiagram(networkCard.body, (neuron) => {
    pickedNeuron = neuron;
    drawBoundary();
    boundaryCard.setHint(neuron
      ? `Showing neuron ${neuron.layer} #${neuron.unit}: what it responds to over the plane. Click it again for the output.`
      : BOUNDARY_HINT);
  });

  const digitCard = createViewCard(grid, {title: 'Draw a digit', testid: 'digit-card',
    hint: 'Draw with the mouse, a finger or the keys (below); the live model says what it sees, while it trains.'});
  digitCard.body.classList.add('digit-wrap');
  /** @type {ViewContext | null} */
  let context = null;
  /** while a drawn digit is on the pad, the inside view shows it instead of a validation sample */
  let probing = false;
  const pad = createDigitPad(digitCard.body, (pixels) => {
    if (context) handlers.onProbe(shapeSample(pixels, context.inputShape));
  }, () => { probing = false; });

  const flowCard = createViewCard(grid, {title: 'Gradient flow', testid: 'gradients-card',
    hint: 'Size of each layer’s weight gradient (log scale). First layers far below the last: vanishing gradients.'});
  const flow = createGradientFlow(flowCard.body);

  const confusionCard = createViewCard(grid, {title: 'Confusion matrix', testid: 'confusion-card',
    hint: 'Rows: true class. Columns: predicted. The diagonal is right; bright cells off it are the mix-ups.'});
  const confusion = createConfusion(confusionCard.body);

  const galleryCard = createViewCard(grid, {title: 'Predictions', testid: 'gallery-card', wide: true,
    hint: 'Validation samples with the network’s answer; mistakes are marked ✗ in orange.'});
  let padShown = false;
  const predictions = createPredictionsView(galleryCard, {
    canPick: () => padShown,
    onPick: (pick) => {
      pad.showImage(pick.values, `validation image ${pick.index} (true ${context?.classNames[pick.label] ?? pick.label})`);
      digitCard.element.scrollIntoView({block: 'nearest'});  // the answer shows on the pad, above the gallery
    },
  });

  const insideCard = createViewCard(grid, {title: 'Inside the network', testid: 'inside-card', wide: true,
    hint: 'What the layers compute for one input. Draw a digit to see your own.'});
  const inside = createInsideView(insideCard.body);

  const histogramCard = createViewCard(grid, {title: 'Weights and gradients over time', testid: 'histograms-card', wide: true,
    hint: 'Each column is a histogram at one moment, newest on the right: watch weights spread and gradients shrink.'});
  const histograms = createHistogramPanel(histogramCard.body);

  const modelViews = createModelViews(grid);
  const lesson = createLessonCard(grid, (preset, run) => {
    metrics.nextRun(lesson.runName(run.label));  // the run that starts now is overlaid under its label once replaced
    handlers.onRun(preset, run);
  }, createLessonLink(handlers.bus, handlers.lesson));
  /** @type {Record<string, import('./card.js').ViewCard[]>} which cards show each server view */
  const cardsOfView = {
    metrics: [], neuron_grid: [boundaryCard, networkCard], weights: [networkCard, insideCard],
    gradients: [flowCard], activations: [insideCard], weight_histograms: [histogramCard],
    confusion: [confusionCard], predictions: [galleryCard], conv_filters: [insideCard], feature_maps: [insideCard],
    ...modelViews.cards,
  };
  let totalParams = /** @type {number | null} */ (null);

  /** @returns {boolean} */
  const isClassifier = () => Boolean(context && /classification/.test(context.task) && context.mode !== 'gan' && context.mode !== 'autoencoder');

  return {
    /**
     * @param {ViewContext} next
     * @returns {{views: string[], options: Record<string, Record<string, number>>}} what to subscribe to
     */
    configure(next) {
      context = next;
      if (pickedNeuron && !next.layers.some((l) => l.id === pickedNeuron?.layer)) {
        pickedNeuron = null;
        diagram.select(null);
        boundaryCard.setHint(BOUNDARY_HINT);
      }
      const denseOnly = next.inputShape.length === 1 && next.layers.some((l) => typeof l.units === 'number');
      const digits = isDigitShape(next.inputShape) && isClassifier();
      boundaryCard.show(next.plane);
      legend.element.hidden = next.task !== 'binary_classification';
      legend.setNames(next.classNames);
      networkCard.show(denseOnly);
      digitCard.show(digits);
      padShown = digits;
      confusionCard.show(isClassifier());
      // Any single network off the 2-D plane (whose boundary already shows every answer) gets its samples shown.
      const predictable = !next.plane && !next.mode && next.layers.length > 0;
      galleryCard.show(predictable);
      const inspectable = (Boolean(next.imageShape) || next.inputShape.length >= 2) && next.mode !== 'gan';
      insideCard.show(inspectable);
      inside.clearWeights();
      metrics.setClassifier(isClassifier());
      const weightNames = next.layers.filter((l) => typeof l.units === 'number' || l.out_channels).map((l) => `${l.id}.weight`);
      flow.setLayers(weightNames);
      histograms.setParams(weightNames.slice(0, 4));
      const views = ['metrics', 'gradients', 'weight_histograms'];
      if (next.plane) views.push('neuron_grid');
      if (denseOnly) views.push('weights');
      if (isClassifier()) views.push('confusion');
      if (predictable) views.push('predictions');
      if (inspectable) views.push('activations');
      if (inspectable && !denseOnly) views.push('weights');
      views.push(...modelViews.configure(next));
      // A finer grid than the default keeps the boundary smooth on a projector; the engine draws it fast.
      return {views, options: next.plane ? {neuron_grid: {resolution: 96}} : {}};
    },
    /** @param {any} preset  a lesson: its card opens and the views it is about are outlined */
    showLesson(preset) {
      lesson.show(preset);
      metrics.clearComparison();
      for (const cards of Object.values(cardsOfView)) for (const c of cards) c.element.classList.remove('highlight');
      for (const name of preset.views ?? []) for (const c of cardsOfView[name] ?? []) c.element.classList.add('highlight');
    },
    /** @param {number | null} count */
    setTotalParams(count) { totalParams = count; },
    /** @param {any} frame */
    onFrame(frame) {
      metrics.onFrame(frame);
      if (frame.metrics) lesson.check(frame.metrics, totalParams);
      const views = frame.views ?? {};
      if (views.neuron_grid && context) {
        const read = readNeuronGrid(views.neuron_grid, context.layers, context.loss);
        lastGrid = read;
        drawBoundary();
        diagram.update({...read.diagramBase(context.inputShape[0] ?? 2, context.inputNames), weights: read.weightsFrom(views.weights ?? null)});
      } else if (views.weights && context) {
        const read = readNeuronGrid(null, context.layers, context.loss);
        diagram.update({...read.diagramBase(context.inputShape[0] ?? 2, context.inputNames), weights: read.weightsFrom(views.weights)});
      }
      if (views.gradients && context) {
        flow.append(frame.step, weightNorms(views.gradients.norms ?? {}, context));
        histograms.pushGradients(views.gradients.histograms ?? views.gradients.stats ?? {});
      }
      if (views.weight_histograms) histograms.pushWeights(views.weight_histograms);
      if (views.confusion) {
        const matrix = views.confusion.matrix;
        confusion.update(tensorValues(matrix), matrix.shape[0], views.confusion.class_names.map(String));
      }
      modelViews.onFrame(views);
      if (views.predictions) predictions.update(views.predictions, context);
      if (views.activations?.layers && !probing) inside.showActivations(views.activations.layers, `validation sample ${views.activations.sample}`);
      if (views.weights && context && !context.layers.every((l) => typeof l.units === 'number')) inside.showFilters(views.weights);
      const first = context?.layers[0];
      if (views.weights && context?.imageShape && first && typeof first.units === 'number') {
        const tensor = views.weights[`${first.id}.weight`];
        if (tensor?.shape?.[1] === context.imageShape.reduce((a, b) => a * b, 1)) inside.showFirstWeights(tensor, context.imageShape, first.id);
      }
    },
    /** @param {any} history */
    onHistory(history) { metrics.onHistory(history); },
    /** Another data set: the last run is no longer a fair comparison. */
    clearComparison() { metrics.clearComparison(); },
    onReset() {
      metrics.reset();
      flow.reset();
      histograms.reset();
    },
    /** @param {any} result */
    onProbeResult(result) {
      if (!context) return;
      pad.showPrediction(outputProbabilities(result, context.layers, context.loss), context.classNames);
      if (result.activations) {
        probing = true;
        inside.showActivations(result.activations, pad.source());
      }
    },
    /** @param {import('../charts/boundary.js').Points | null} points */
    setPoints(points) { boundary.setPoints(points); },
  };
}

/**
 * @param {Record<string, number>} norms
 * @param {ViewContext} context
 * @returns {(number | null)[]}
 */
function weightNorms(norms, context) {
  return context.layers.filter((l) => typeof l.units === 'number' || l.out_channels).map((l) => norms[`${l.id}.weight`] ?? null);
}
