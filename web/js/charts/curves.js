/**
 * Training curves (loss or accuracy against step) drawn by uPlot: train and validation series,
 * a log-scale toggle for loss, and values under the cursor in the legend. Appends are cheap (the
 * chart redraws at most once per animation frame) and long runs are thinned by halving, so the
 * chart holds at most MAX_POINTS points however long training goes.
 *
 * @example
 *   const loss = createCurves(el, {label: 'loss', series: ['train', 'validation']});
 *   loss.append(812, [0.21, 0.25]);
 *   loss.setLog(true);
 */
import uPlot from 'uplot';
import {CLASS_COLORS} from './colors.js';

const MAX_POINTS = 2000;
const SERIES_COLORS = [CLASS_COLORS[1], CLASS_COLORS[0], CLASS_COLORS[2], CLASS_COLORS[3], CLASS_COLORS[5]];

/**
 * @typedef {Object} CurvesOptions
 * @property {string} label           y-axis name ('loss', 'accuracy')
 * @property {string[]} series        series names, e.g. ['train', 'validation']
 * @property {boolean} [log]          start on a log scale
 * @property {number} [height]
 * @property {string} [ghost]         name of an extra grey series that keeps the previous run's first series
 */

/**
 * @typedef {Object} Curves
 * @property {(step: number, values: (number | null)[]) => void} append
 * @property {(steps: number[], columns: (number | null)[][]) => void} setAll  replaces the history
 * @property {(keepGhost?: boolean) => void} reset  keepGhost: the run ending now stays as the grey "previous run" 
 * @property {() => void} clearGhost  forget the previous run (another lesson or data set is not comparable)
 * @property {(log: boolean) => void} setLog
 * @property {() => number | null} lastValue  last finite value of the first series
 */

/**
 * @param {HTMLElement} container
 * @param {CurvesOptions} options
 * @returns {Curves}
 */
export function createCurves(container, options) {
  /** @type {number[]} */
  let steps = [];
  const names = options.ghost ? [...options.series, options.ghost] : options.series;
  const ghostIndex = options.ghost ? names.length - 1 : -1;
  /** @type {(number | null)[][]} */
  let columns = names.map(() => []);
  let stride = 1;
  let skipped = 0;
  let log = Boolean(options.log);
  /** @type {uPlot | null} */
  let plot = null;
  let redrawPending = false;

  function makePlot() {
    plot?.destroy();
    const width = Math.max(200, container.clientWidth);
    plot = new uPlot({
      width,
      height: options.height ?? 180,
      legend: {live: true},
      cursor: {drag: {x: true, y: false}},
      scales: {x: {time: false}, y: log ? {distr: 3} : {auto: true}},
      axes: [
        {label: 'step', size: 36, labelSize: 18, font: '13px system-ui', labelFont: '13px system-ui'},
        {label: options.label, size: 56, labelSize: 18, font: '13px system-ui', labelFont: '13px system-ui'},
      ],
      series: [
        {label: 'step'},
        ...names.map((name, i) => ({
          label: i === ghostIndex ? name : `${name} ${options.label}`,
          stroke: i === ghostIndex ? '#a7adb8' : SERIES_COLORS[i % SERIES_COLORS.length],
          width: i === ghostIndex ? 1.5 : 2,
          spanGaps: true,
          dash: i === 1 ? [6, 4] : undefined,
          value: (/** @type {uPlot} */ _u, /** @type {number | null} */ v) => (v == null ? '–' : formatValue(v)),
        })),
      ],
    }, data(), container);
  }

  /** @returns {uPlot.AlignedData} */
  function data() {
    const safe = log ? columns.map((c) => c.map((v) => (v != null && v > 0 ? v : null))) : columns;
    return /** @type {uPlot.AlignedData} */ ([steps, ...safe]);
  }

  function scheduleRedraw() {
    if (redrawPending) return;
    redrawPending = true;
    requestAnimationFrame(() => {
      redrawPending = false;
      plot?.setData(data());
      container.dataset.points = String(steps.length);  // a stable hook for tests and tools
      if (ghostIndex >= 0) container.classList.toggle('no-ghost', columns[ghostIndex].every((v) => v == null));
    });
  }

  /** Halves the history so memory and drawing stay bounded; later appends keep every stride-th. */
  function thin() {
    steps = steps.filter((_, i) => i % 2 === 0);
    columns = columns.map((c) => c.filter((_, i) => i % 2 === 0));
    stride *= 2;
  }

  /**
   * Keeps steps ascending (evaluations can arrive for a step before the newest loss point) and
   * merges values that land on the same step.
   * @param {number} step
   * @param {(number | null)[]} values
   */
  function insertSorted(step, values) {
    let position = steps.length;
    while (position > 0 && steps[position - 1] > step) position--;
    if (position > 0 && steps[position - 1] === step) {
      values.forEach((v, i) => { if (v != null && columns[i]) columns[i][position - 1] = v; });
      return;
    }
    steps.splice(position, 0, step);
    columns.forEach((column, i) => column.splice(position, 0, values[i] ?? null));
  }

  /** @param {[number, number][]} points  the previous run, put back into the grey series */
  function restoreGhost(points) {
    for (const [step, value] of points) insertSorted(step, names.map((_, i) => (i === ghostIndex ? value : null)));
  }

  new ResizeObserver(() => plot?.setSize({width: Math.max(200, container.clientWidth), height: options.height ?? 180}))
    .observe(container);
  makePlot();

  return {
    append(step, values) {
      const hasExtra = values.slice(1).some((v) => v != null);
      if (++skipped < stride && !hasExtra) return;
      skipped = 0;
      insertSorted(step, values);
      if (steps.length > MAX_POINTS) thin();
      scheduleRedraw();
    },
    setAll(newSteps, newColumns) {
      const ghost = ghostIndex >= 0 ? runPoints(steps, columns[ghostIndex]) : [];
      steps = [...newSteps];
      columns = names.map((_, i) => [...(newColumns[i] ?? newSteps.map(() => null))]);
      stride = 1;
      restoreGhost(ghost);
      while (steps.length > MAX_POINTS) thin();
      scheduleRedraw();
    },
    reset(keepGhost = false) {
      // The run that ends becomes the ghost; an empty run (a reset right after a rebuild) keeps the old one.
      const ended = keepGhost && ghostIndex >= 0 ? runPoints(steps, columns[0]) : [];
      const ghost = ended.length || ghostIndex < 0 ? ended : runPoints(steps, columns[ghostIndex]);
      steps = [];
      columns = names.map(() => []);
      stride = 1;
      restoreGhost(ghost);
      scheduleRedraw();
    },
    clearGhost() {
      if (ghostIndex < 0) return;
      const keep = steps.map((_, i) => columns.some((column, c) => c !== ghostIndex && column[i] != null));
      steps = steps.filter((_, i) => keep[i]);
      columns = columns.map((column, c) => (c === ghostIndex ? [] : column).filter((_, i) => c === ghostIndex || keep[i]));
      columns[ghostIndex] = steps.map(() => null);
      scheduleRedraw();
    },
    setLog(value) {
      log = value;
      makePlot();
    },
    lastValue() {
      const first = columns[0] ?? [];
      for (let i = first.length - 1; i >= 0; i--) if (first[i] != null) return first[i];
      return null;
    },
  };
}

/**
 * @param {number[]} steps
 * @param {(number | null)[]} column
 * @returns {[number, number][]} the (step, value) pairs of a run, its gaps left out
 */
function runPoints(steps, column) {
  /** @type {[number, number][]} */
  const points = [];
  steps.forEach((step, i) => { if (column[i] != null) points.push([step, /** @type {number} */ (column[i])]); });
  return points;
}

/**
 * @param {number} value
 * @returns {string} 4 significant digits, exponent for tiny values
 */
export function formatValue(value) {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude < 1e-3 || magnitude >= 1e5 ? value.toExponential(2) : value.toPrecision(4);
}
