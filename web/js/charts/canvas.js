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
