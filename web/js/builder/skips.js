/**
 * Skip connections drawn as arcs in a gutter left of the stack: one arc from each layer named in
 * a merging layer's `inputs` to that layer. In a vertical stack a residual connection is otherwise
 * invisible; the arc makes "this adds the output of h1 back in" something you can see.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const GUTTER = 28;

/**
 * @param {SVGSVGElement} svg
 * @param {HTMLElement} list  the ul of cards, each li carrying data-id
 * @param {import('../state.js').LayerSpec[]} layers
 */
export function drawSkipArcs(svg, list, layers) {
  svg.replaceChildren();
  svg.setAttribute('width', String(GUTTER));
  svg.setAttribute('height', String(list.offsetHeight));
  /** @type {Map<string, number>} vertical middle of each card, and the input above the list */
  const middle = new Map([['input', -8]]);
  for (const child of /** @type {HTMLElement[]} */ ([...list.children])) {
    middle.set(child.dataset.id ?? '', child.offsetTop + Math.min(22, child.offsetHeight / 2));
  }
  let lane = 0;
  svg.parentElement?.classList.toggle('has-skips', layers.some((l) => (l.inputs ?? []).length > 0));
  for (const layer of layers) {
    for (const source of layer.inputs ?? []) {
      const from = middle.get(source);
      const to = middle.get(layer.id);
      if (from === undefined || to === undefined) continue;
      const reach = 6 + (lane++ % 3) * 7;
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('d', `M ${GUTTER} ${from} C ${GUTTER - reach * 2} ${from}, ${GUTTER - reach * 2} ${to}, ${GUTTER} ${to}`);
      path.setAttribute('class', 'skip-arc');
      svg.append(path);
    }
  }
}
