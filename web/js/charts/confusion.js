/**
 * A confusion matrix: rows are the true class, columns the predicted one; the diagonal is what
 * the model gets right. Cells show counts, shaded by the share of their row, so a class the model
 * keeps mistaking for another stands out even when classes differ in size.
 *
 * @example
 *   const matrix = createConfusion(container);
 *   matrix.update(new Float32Array([40, 2, 3, 55]), 2, ['neg', 'pos']);
 */
import {createSurface} from './canvas.js';

/**
 * @param {HTMLElement} container
 * @returns {{update: (counts: ArrayLike<number>, classes: number, names?: string[]) => void}}
 */
export function createConfusion(container) {
  /** @type {{counts: ArrayLike<number>, classes: number, names: string[]} | null} */
  let current = null;
  const surface = createSurface(container, paint, {aspect: 0.8, label: 'confusion matrix, rows true class, columns predicted'});

  /**
   * @param {CanvasRenderingContext2D} ctx
   * @param {number} width
   * @param {number} height
   */
  function paint(ctx, width, height) {
    if (!current) return;
    const {counts, classes, names} = current;
    const margin = classes > 4 ? 26 : 64;
    const side = Math.min(width, height, 320);
    const cell = (side - margin) / classes;
    ctx.font = `${Math.max(10, Math.min(15, cell / 3))}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let row = 0; row < classes; row++) {
      let total = 0;
      for (let col = 0; col < classes; col++) total += counts[row * classes + col];
      for (let col = 0; col < classes; col++) {
        const share = total ? counts[row * classes + col] / total : 0;
        const x = margin + col * cell;
        const y = margin + row * cell;
        ctx.fillStyle = row === col ? `rgba(33,102,172,${0.08 + 0.85 * share})` : `rgba(179,88,6,${0.08 + 0.85 * share})`;
        ctx.fillRect(x, y, cell - 1, cell - 1);
        ctx.fillStyle = share > 0.55 ? '#fff' : '#1d2330';
        if (cell > 18) ctx.fillText(String(Math.round(counts[row * classes + col])), x + cell / 2, y + cell / 2);
      }
      ctx.fillStyle = '#1d2330';
      const label = shortName(names[row] ?? String(row), classes > 4 ? 3 : 9);
      ctx.fillText(label, margin / 2, margin + row * cell + cell / 2);
      ctx.fillText(label, margin + row * cell + cell / 2, margin / 2);
    }
  }

  return {
    update(counts, classes, names = []) {
      current = {counts, classes, names};
      surface.redraw();
    },
  };
}

/**
 * @param {string} name
 * @param {number} most
 * @returns {string} at most `most` characters, so labels fit beside narrow rows
 */
function shortName(name, most) {
  return name.length > most ? `${name.slice(0, most - 1)}…` : name;
}
