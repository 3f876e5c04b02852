/**
 * Data-set thumbnails for the picker: a scatter of 2-D points coloured by class, or a strip of
 * the first images. Whatever the server's preview holds is drawn; nothing here knows a data set.
 */
import {classColor, divergingCss} from '../charts/colors.js';

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{points?: number[][], labels?: number[], targets?: number[], images?: number[][][], domain?: number[]}} preview
 */
export function drawThumbnail(canvas, preview) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (preview.points) drawPoints(ctx, canvas, preview);
  else if (preview.images) drawImages(ctx, canvas, preview.images);
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {HTMLCanvasElement} canvas
 * @param {{points?: number[][], labels?: number[], targets?: number[], domain?: number[]}} preview
 */
function drawPoints(ctx, canvas, preview) {
  const points = preview.points ?? [];
  const [low, high] = preview.domain ?? [-6, 6];
  const scale = canvas.width / (high - low);
  const targets = preview.targets ?? [];
  const extent = Math.max(1e-9, ...targets.map(Math.abs));
  points.forEach(([x, y], i) => {
    ctx.fillStyle = preview.labels ? classColor(preview.labels[i]) : divergingCss((targets[i] ?? 0) / extent);
    ctx.fillRect((x - low) * scale - 1, canvas.height - (y - low) * scale - 1, 2.5, 2.5);
  });
}

/**
 * @param {CanvasRenderingContext2D} ctx
 * @param {HTMLCanvasElement} canvas
 * @param {number[][][]} images  grey images, values 0..1
 */
function drawImages(ctx, canvas, images) {
  const grid = Math.ceil(Math.sqrt(Math.min(images.length, 4)));
  const cell = canvas.width / grid;
  images.slice(0, grid * grid).forEach((image, n) => {
    const h = image.length;
    const w = image[0]?.length ?? 0;
    const data = new ImageData(w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = 255 - Math.round(255 * Math.max(0, Math.min(1, image[y][x])));
        data.data.set([v, v, v, 255], (y * w + x) * 4);
      }
    }
    const tile = document.createElement('canvas');
    tile.width = w;
    tile.height = h;
    tile.getContext('2d')?.putImageData(data, 0, 0);
    ctx.drawImage(tile, (n % grid) * cell, Math.floor(n / grid) * cell, cell, cell);
  });
}
