/**
 * Data-set thumbnails for the picker, drawn from /api/datasets/<name>/preview: a scatter of 2-D
 * points coloured by class, a grid of the first images, a sparkline of a series or sequence, a
 * scatter of a table's first two columns, or a few words of text. Nothing here knows a data set;
 * it draws whatever kind of preview the server sends.
 */
import {classColor, divergingCss} from '../charts/colors.js';

/**
 * @typedef {{dtype: string, shape: number[], data: string}} Base64Tensor  preview arrays (base64 bytes)
 */

/**
 * @param {Base64Tensor} tensor
 * @returns {Float32Array} the values, whatever the dtype
 */
export function previewValues(tensor) {
  const binary = atob(tensor.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const size = {float32: 4, float64: 8, int64: 8, int32: 4, uint8: 1}[tensor.dtype] ?? 1;
  const out = new Float32Array(bytes.length / size);
  for (let i = 0; i < out.length; i++) {
    if (tensor.dtype === 'float32') out[i] = view.getFloat32(i * 4, true);
    else if (tensor.dtype === 'float64') out[i] = view.getFloat64(i * 8, true);
    else if (tensor.dtype === 'int64') out[i] = Number(view.getBigInt64(i * 8, true));
    else if (tensor.dtype === 'int32') out[i] = view.getInt32(i * 4, true);
    else out[i] = bytes[i];
  }
  return out;
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {any} preview
 */
export function drawThumbnail(canvas, preview) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (preview.kind === 'points') drawPoints(ctx, canvas, preview);
  else if (preview.kind === 'images') drawImages(ctx, canvas, preview.images);
  else if (preview.kind === 'series') drawLine(ctx, canvas, previewValues(preview.values));
  else if (preview.kind === 'sequences') drawLine(ctx, canvas, previewValues(preview.x).slice(0, 64));
  else if (preview.kind === 'table') drawTable(ctx, canvas, preview);
  else if (preview.kind === 'text') drawText(ctx, canvas, preview.examples ?? []);
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {HTMLCanvasElement} canvas
 * @param {any} preview  {points: (N, 2), labels: (N,), domain: [low, high], task}
 */
function drawPoints(ctx, canvas, preview) {
  const xy = previewValues(preview.points);
  const labels = previewValues(preview.labels);
  const [low, high] = preview.domain ?? [-6, 6];
  const scale = canvas.width / (high - low);
  const regression = preview.task === 'regression';
  let extent = 1e-9;
  if (regression) for (const v of labels) extent = Math.max(extent, Math.abs(v));
  for (let i = 0; i < labels.length; i++) {
    ctx.fillStyle = regression ? divergingCss(labels[i] / extent) : classColor(labels[i]);
    ctx.fillRect((xy[2 * i] - low) * scale - 1, canvas.height - (xy[2 * i + 1] - low) * scale - 1, 2.5, 2.5);
  }
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {HTMLCanvasElement} canvas
 * @param {Base64Tensor} images  (N, C, H, W) uint8
 */
function drawImages(ctx, canvas, images) {
  const [count, channels, height, width] = images.shape;
  const pixels = previewValues(images);
  const grid = Math.min(3, Math.ceil(Math.sqrt(count)));
  const cell = canvas.width / grid;
  for (let n = 0; n < Math.min(count, grid * grid); n++) {
    const image = new ImageData(width, height);
    for (let p = 0; p < width * height; p++) {
      const at = (c) => pixels[((n * channels + Math.min(c, channels - 1)) * height * width) + p];
      const grey = channels === 1;
      image.data.set(grey ? [255 - at(0), 255 - at(0), 255 - at(0), 255] : [at(0), at(1), at(2), 255], p * 4);
    }
    const tile = document.createElement('canvas');
    tile.width = width;
    tile.height = height;
    tile.getContext('2d')?.putImageData(image, 0, 0);
    ctx.drawImage(tile, (n % grid) * cell, Math.floor(n / grid) * cell, cell, cell);
  }
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {HTMLCanvasElement} canvas
 * @param {Float32Array} values
 */
function drawLine(ctx, canvas, values) {
  let low = Infinity, high = -Infinity;
  for (const v of values) { low = Math.min(low, v); high = Math.max(high, v); }
  const span = Math.max(high - low, 1e-9);
  ctx.strokeStyle = '#2166ac';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  values.forEach((v, i) => {
    const x = (i / Math.max(1, values.length - 1)) * canvas.width;
    const y = canvas.height - 4 - ((v - low) / span) * (canvas.height - 8);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {HTMLCanvasElement} canvas
 * @param {{rows: number[][], labels: number[]}} preview
 */
function drawTable(ctx, canvas, preview) {
  const rows = preview.rows ?? [];
  const xs = rows.map((r) => r[0]);
  const ys = rows.map((r) => r[1] ?? 0);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  rows.forEach((_, i) => {
    ctx.fillStyle = classColor(preview.labels?.[i] ?? 0);
    const x = 6 + ((xs[i] - x0) / Math.max(x1 - x0, 1e-9)) * (canvas.width - 12);
    const y = canvas.height - 6 - ((ys[i] - y0) / Math.max(y1 - y0, 1e-9)) * (canvas.height - 12);
    ctx.beginPath();
    ctx.arc(x, y, 3, 0, 2 * Math.PI);
    ctx.fill();
  });
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {HTMLCanvasElement} canvas
 * @param {{text: string, label: number | null}[]} examples
 */
function drawText(ctx, canvas, examples) {
  ctx.font = '9px system-ui, sans-serif';
  examples.slice(0, 5).forEach((example, i) => {
    ctx.fillStyle = example.label == null ? '#1d2330' : classColor(example.label);
    ctx.fillText(example.text.slice(0, 14), 2, 11 + i * 11);
  });
}
