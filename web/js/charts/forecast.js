/**
 * Forecasts as small line charts, one per validation sample: the input window as a grey line,
 * then at the steps after it the true value (a filled blue dot) and the network's guess (an
 * orange ring joined to the window's end by a dashed line). A good forecaster puts the ring on
 * the dot; one that only repeats the last value draws the dashed line flat.
 *
 * @example
 *   const charts = createForecastCharts(body);
 *   charts.update([{index: 0, window: [0.1, 0.3], target: [0.5], predicted: [0.45]}]);
 */
import {el} from '../builder/fields.js';
import {createSurface} from './canvas.js';

/**
 * @typedef {Object} Forecast
 * @property {number} index                 the validation sample
 * @property {ArrayLike<number>} window     the input series
 * @property {ArrayLike<number>} target     the true next value(s)
 * @property {ArrayLike<number>} predicted  the network's next value(s)
 */

const MAX_CHARTS = 6;
const TARGET_COLOR = '#2166ac';
const PREDICTED_COLOR = '#b35806';
const WINDOW_COLOR = '#59606e';

/**
 * @param {Forecast} forecast
 * @returns {[number, number]} the value range of everything drawn, a little padded
 */
function valueRange(forecast) {
  let low = Infinity, high = -Infinity;
  for (const series of [forecast.window, forecast.target, forecast.predicted]) {
    for (const v of Array.from(series)) if (Number.isFinite(v)) { low = Math.min(low, v); high = Math.max(high, v); }
  }
  if (!Number.isFinite(low)) return [-1, 1];
  const pad = Math.max((high - low) * 0.08, 1e-6);
  return [low - pad, high + pad];
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {Forecast} forecast
 * @param {number} width
 * @param {number} height
 */
function paintForecast(ctx, forecast, width, height) {
  const steps = forecast.window.length + forecast.target.length;
  const [low, high] = valueRange(forecast);
  const x = (/** @type {number} */ t) => 4 + (t / Math.max(1, steps - 1)) * (width - 10);
  const y = (/** @type {number} */ v) => height - 4 - ((v - low) / (high - low)) * (height - 8);
  const last = forecast.window.length - 1;
  ctx.strokeStyle = '#d9dde4';
  ctx.beginPath();
  ctx.moveTo(x(last + 0.5), 2);
  ctx.lineTo(x(last + 0.5), height - 2);  // where the input ends and the forecast begins
  ctx.stroke();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = WINDOW_COLOR;
  ctx.beginPath();
  Array.from(forecast.window).forEach((v, t) => (t ? ctx.lineTo(x(t), y(v)) : ctx.moveTo(x(t), y(v))));
  ctx.stroke();
  ctx.setLineDash([3, 3]);
  ctx.strokeStyle = PREDICTED_COLOR;
  ctx.beginPath();
  ctx.moveTo(x(last), y(forecast.window[last]));
  Array.from(forecast.predicted).forEach((v, k) => ctx.lineTo(x(last + 1 + k), y(v)));
  ctx.stroke();
  ctx.setLineDash([]);
  Array.from(forecast.target).forEach((v, k) => {
    ctx.fillStyle = TARGET_COLOR;
    ctx.beginPath();
    ctx.arc(x(last + 1 + k), y(v), 3.5, 0, 2 * Math.PI);
    ctx.fill();
  });
  Array.from(forecast.predicted).forEach((v, k) => {
    ctx.strokeStyle = PREDICTED_COLOR;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x(last + 1 + k), y(v), 5, 0, 2 * Math.PI);
    ctx.stroke();
  });
}

/**
 * @param {HTMLElement} parent
 * @returns {{element: HTMLElement, update: (forecasts: Forecast[]) => void}}
 */
export function createForecastCharts(parent) {
  const element = el('div', {class: 'forecasts', 'data-testid': 'forecast-charts'});
  const legend = el('p', {class: 'forecast-legend'});
  legend.append(el('span', {class: 'key window'}, 'input window'), el('span', {class: 'key target'}, 'true next value'),
    el('span', {class: 'key predicted'}, 'predicted'));
  parent.append(legend, element);
  /** @type {{figure: HTMLElement, caption: HTMLElement, surface: import('./canvas.js').Surface, forecast: Forecast | null}[]} */
  const charts = [];

  /** @returns {(typeof charts)[number]} a chart kept from frame to frame (no canvas churn at 5 frames a second) */
  function addChart() {
    const figure = el('figure', {class: 'forecast', 'data-testid': 'forecast'});
    const box = el('div', {class: 'forecast-box'});
    const caption = el('figcaption');
    figure.append(box, caption);
    element.append(figure);
    /** @type {(typeof charts)[number]} */
    const chart = {figure, caption, forecast: null,
      surface: createSurface(box, (ctx, width, height) => { if (chart.forecast) paintForecast(ctx, chart.forecast, width, height); })};
    chart.surface.canvas.setAttribute('aria-label', 'input window with the true and the predicted next value');
    return chart;
  }

  return {
    element,
    update(forecasts) {
      const shown = forecasts.slice(0, MAX_CHARTS);
      while (charts.length < shown.length) charts.push(addChart());
      let points = 0;
      charts.forEach((chart, k) => {
        const forecast = shown[k] ?? null;
        chart.figure.hidden = !forecast;
        chart.forecast = forecast;
        if (!forecast) return;
        points += forecast.window.length + forecast.target.length + forecast.predicted.length;
        const miss = Array.from(forecast.predicted).reduce((sum, v, i) => sum + Math.abs(v - forecast.target[i]), 0) / forecast.predicted.length;
        chart.caption.textContent = `sample ${forecast.index}: off by ${miss.toFixed(3)}`;
        chart.surface.redraw();
      });
      element.dataset.points = String(points);
    },
  };
}
