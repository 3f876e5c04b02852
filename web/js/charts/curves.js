/**
 * Training curves (loss or accuracy against step) drawn by uPlot: train and validation series,
 * a log-scale toggle for loss, and values under the cursor in the legend. Appends are cheap (the
 * chart redraws at most once per animation frame) and long runs are thinned by halving, so the
 * chart holds at most MAX_POINTS points however long training goes. With a `ghost` label, finished
 * runs stay overlaid as thin labelled curves (a bounded list, oldest dropped) to compare the
 * current run against, e.g. the optimizers of a lesson.
 *
 * @example
 *   const loss = createCurves(el, {label: 'loss', series: ['train', 'validation'], ghost: 'previous run'});
 *   loss.append(812, [0.21, 0.25]);
 *   loss.reset('sgd');   // the SGD run stays overlaid, labelled "sgd"; the next run starts empty
 *   loss.setLog(true);
 */
import uPlot from 'uplot';
import {CLASS_COLORS} from './colors.js';

const MAX_POINTS = 2000;
const SERIES_COLORS = [CLASS_COLORS[1], CLASS_COLORS[0], CLASS_COLORS[2], CLASS_COLORS[3], CLASS_COLORS[5]];
/** Okabe–Ito colours for kept runs, none of them the blue and orange of the current train/validation pair. */
const GHOST_COLORS = [CLASS_COLORS[2], CLASS_COLORS[3], CLASS_COLORS[4], CLASS_COLORS[5], CLASS_COLORS[7], CLASS_COLORS[8]];

/**
 * @typedef {Object} CurvesOptions
 * @property {string} label           y-axis name ('loss', 'accuracy')
 * @property {string[]} series        series names, e.g. ['train', 'validation']
 * @property {boolean} [log]          start on a log scale
 * @property {number} [height]
 * @property {string} [ghost]         label of a finished run kept for comparison when reset names none ('previous run');
 *                                    without it no run is kept
 * @property {number} [maxGhosts]     how many finished runs stay overlaid, oldest dropped first (default 6)
 */

/**
 * @typedef {Object} Curves
 * @property {(step: number, values: (number | null)[]) => void} append
 * @property {(steps: number[], columns: (number | null)[][]) => void} setAll  replaces the history
 * @property {(keepAs?: boolean | string) => void} reset  keepAs: the run ending now stays overlaid as a
 *   thin labelled curve (true: under the `ghost` label); a kept run with the same label is replaced
 * @property {() => void} clearGhosts  forget the kept runs (another lesson or data set is not comparable)
 * @property {() => string[]} ghostLabels  labels of the kept runs, oldest first
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
  const base = options.series.length;
  const maxGhosts = options.ghost ? Math.max(1, options.maxGhosts ?? 6) : 0;
  /** @type {{label: string, color: string}[]} kept runs, oldest first; their columns follow the series' */
  let ghosts = [];
  /** @type {(number | null)[][]} */
  let columns = options.series.map(() => []);
  let stride = 1;
  let skipped = 0;
  let log = Boolean(options.log);
  /** @type {uPlot | null} */
  let plot = null;
  let redrawPending = false;

  function makePlot() {
    plot?.destroy();
    const width = Math.max(200, container.clientWidth);
    const value = (/** @type {uPlot} */ _u, /** @type {number | null} */ v) => (v == null ? '–' : formatValue(v));
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
        ...options.series.map((name, i) => ({
          label: `${name} ${options.label}`,
          stroke: SERIES_COLORS[i % SERIES_COLORS.length],
          width: 2,
          spanGaps: true,
          dash: i === 1 ? [6, 4] : undefined,
          value,
        })),
        ...ghosts.map((ghost) => ({label: ghost.label, stroke: ghost.color, width: 1.5, spanGaps: true, value})),
      ],
    }, data(), container);
    container.dataset.ghosts = ghosts.map((g) => g.label).join('|');  // a stable hook for tests and tools
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

  /** @returns {[number, number][][]} each kept run's points */
  const ghostPoints = () => ghosts.map((_, g) => runPoints(steps, columns[base + g]));

  /**
   * Starts an empty history that holds only the kept runs.
   * @param {[number, number][][]} kept  each kept run's points, in the order of `ghosts`
   */
  function restart(kept) {
    steps = [];
    columns = [...options.series.map(() => []), ...ghosts.map(() => [])];
    stride = 1;
    kept.forEach((points, g) => {
      for (const [step, v] of points) insertSorted(step, columns.map((_, i) => (i === base + g ? v : null)));
    });
    while (steps.length > MAX_POINTS) thin();
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
      restart(ghostPoints());
      newSteps.forEach((step, j) => insertSorted(step, options.series.map((_, i) => newColumns[i]?.[j] ?? null)));
      while (steps.length > MAX_POINTS) thin();
      scheduleRedraw();
    },
    reset(keepAs = false) {
      const kept = ghostPoints();
      const ended = runPoints(steps, columns[0] ?? []);
      const label = keepAs === true ? options.ghost : keepAs || null;
      // An empty run (a reset right after a rebuild) keeps nothing; a run of the same label replaces its older curve.
      const keep = Boolean(label && maxGhosts && ended.length);
      if (keep) {
        const same = ghosts.findIndex((g) => g.label === label);
        const color = same >= 0 ? ghosts[same].color
          : GHOST_COLORS.find((c) => !ghosts.some((g) => g.color === c)) ?? GHOST_COLORS[ghosts.length % GHOST_COLORS.length];
        if (same >= 0) { ghosts.splice(same, 1); kept.splice(same, 1); }
        while (ghosts.length >= maxGhosts) { ghosts.shift(); kept.shift(); }
        ghosts.push({label: /** @type {string} */ (label), color});
        kept.push(ended);
      }
      restart(kept);
      if (keep) makePlot();
      scheduleRedraw();
    },
    clearGhosts() {
      if (!ghosts.length) return;
      const current = options.series.map((_, i) => runPoints(steps, columns[i]));
      ghosts = [];
      restart([]);
      for (const [i, points] of current.entries()) {
        for (const [step, v] of points) insertSorted(step, options.series.map((_, c) => (c === i ? v : null)));
      }
      makePlot();
      scheduleRedraw();
    },
    ghostLabels() {
      return ghosts.map((g) => g.label);
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
