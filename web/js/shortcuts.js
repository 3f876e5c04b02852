/**
 * Keyboard shortcuts that make a projector demo smooth: Space plays or pauses, "." steps,
 * Ctrl/Cmd+Z undoes and Ctrl/Cmd+Shift+Z (or Ctrl+Y) redoes. They never fire while typing in a field,
 * and Space is left to whatever control has focus (buttons, radios, the digit pad's canvas).
 */

/**
 * @param {{togglePlay: () => void, step: () => void, undo: () => void, redo: () => void}} actions
 */
export function wireShortcuts(actions) {
  document.addEventListener('keydown', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const typing = target.closest('input, select, textarea, [contenteditable]');
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === 'z' && !typing) {
      event.preventDefault();
      if (event.shiftKey) actions.redo(); else actions.undo();
    } else if (mod && event.key.toLowerCase() === 'y' && !typing) {
      event.preventDefault();
      actions.redo();
    } else if (event.key === ' ' && !typing && !target.closest('button, [role=button], [role=radio], [role=application], li')) {
      event.preventDefault();
      actions.togglePlay();
    } else if (event.key === '.' && !typing) {
      actions.step();
    }
  });
}
