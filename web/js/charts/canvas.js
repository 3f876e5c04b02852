/**
 * A canvas that keeps its drawing buffer matched to its CSS size and the screen's pixel ratio,
 * so lines stay crisp on a laptop and on a projector. Views draw in CSS pixels.
 *
 * @example
 *   const surface = createSurface(container, (ctx, width, height) => draw(ctx, width, height));
 *   surface.redraw();
 */

/**
 * @typedef {Object} Surface
 * @property {HTMLCanvasElement} canvas
 * @property {() => void} redraw   draws on the next animation frame (many calls, one draw)
 */

/**
 * @param {HTMLElement} container
 * @param {(ctx: CanvasRenderingContext2D, width: number, height: number) => void} paint
 * @param {{aspect?: number, label?: string}} [options]  aspect = height / width, when fixed
 * @returns {Surface}
 */
export function createSurface(container, paint, options = {}) {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  if (options.label) canvas.setAttribute('aria-label', options.label);
  container.append(canvas);
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  let pending = false;

  function draw() {
    pending = false;
    const width = Math.max(1, container.clientWidth);
    const height = options.aspect ? Math.round(width * options.aspect) : Math.max(1, container.clientHeight);
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    paint(ctx, width, height);
  }

  const redraw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(draw);
  };
  new ResizeObserver(redraw).observe(container);
  return {canvas, redraw};
}

/**
 * @param {number} width
 * @param {number} height
 * @param {(x: number, y: number) => [number, number, number]} colorAt
 * @returns {HTMLCanvasElement} an offscreen canvas painted pixel by pixel (for drawImage scaling)
 */
export function paintPixels(width, height, colorAt) {
  const tile = document.createElement('canvas');
  tile.width = width;
  tile.height = height;
  const image = new ImageData(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colorAt(x, y);
      const i = (y * width + x) * 4;
      image.data[i] = r;
      image.data[i + 1] = g;
      image.data[i + 2] = b;
      image.data[i + 3] = 255;
    }
  }
  tile.getContext('2d')?.putImageData(image, 0, 0);
  return tile;
}

/**
 * @param {ArrayLike<number>} values  pixel values in any range
 * @param {{unitRange?: boolean}} [options]  unitRange: values already in 0..1 are drawn as they
 *   are (a faint digit stays faint); otherwise, and for values outside 0..1, min..max is stretched
 *   to 0..255 so a standardised image still shows
 * @returns {Uint8ClampedArray} one level 0..255 per value
 */
export function pixelLevels(values, {unitRange = false} = {}) {
  let low = Infinity, high = -Infinity;
  for (let i = 0; i < values.length; i++) { low = Math.min(low, values[i]); high = Math.max(high, values[i]); }
  const asIs = unitRange && low >= 0 && high <= 1;
  const from = asIs ? 0 : low;
  const span = asIs ? 1 : Math.max(high - low, 1e-9);
  return Uint8ClampedArray.from(values, (v) => Math.round(255 * (v - from) / span));
}

/**
 * @param {ArrayLike<number>} values  one image, channels first: (C, H, W), (H, W) or (H)
 * @param {number[]} shape
 * @param {{invert?: boolean, unitRange?: boolean}} [options]  invert: dark ink on white (grey images);
 *   unitRange: see pixelLevels
 * @returns {{rgba: Uint8ClampedArray<ArrayBuffer>, width: number, height: number}}  grey for one channel, RGB for three
 */
export function imagePixels(values, shape, {invert = false, unitRange = false} = {}) {
  const [channels, height, width] = shape.length === 3 ? shape : [1, shape[0], shape[1] ?? 1];
  const levels = pixelLevels(values, {unitRange});
  const area = width * height;
  const rgba = new Uint8ClampedArray(area * 4);
  for (let p = 0; p < area; p++) {
    for (let c = 0; c < 3; c++) {
      const level = levels[Math.min(c, channels - 1) * area + p];
      rgba[p * 4 + c] = invert ? 255 - level : level;
    }
    rgba[p * 4 + 3] = 255;
  }
  return {rgba, width, height};
}

/**
 * @param {ArrayLike<number>} values
 * @param {number[]} shape
 * @param {{invert?: boolean, unitRange?: boolean}} [options]
 * @returns {ImageData} the image ready for putImageData (see imagePixels)
 */
export function imageData(values, shape, options = {}) {
  const {rgba, width, height} = imagePixels(values, shape, options);
  return new ImageData(rgba, width, height);
}
