/**
 * Play / pause / step / reset and the status line. The buttons only send control messages; what
 * they show (which is enabled, the state word, step, epoch and loss) comes from the server's status
 * and frames, so the page never claims something the server is not doing.
 *
 * @example
 *   const player = createPlayer(bar, (action) => socket.send({type: 'control', action}));
 *   player.showStatus({state: 'running', step: 812, epoch: 3, message: ''});
 *   player.showLoss(0.21);
 */
import {el} from '../builder/fields.js';
import {formatValue} from '../charts/curves.js';

/**
 * @typedef {Object} Status
 * @property {string} state     'idle' | 'running' | 'paused' | 'diverged'
 * @property {number} step
 * @property {number} epoch
 * @property {string} [message]
 * @property {number} [steps_per_second]
 */

/**
 * @typedef {Object} Player
 * @property {(status: Status) => void} showStatus
 * @property {(step: number, epoch: number, loss: number | null, valLoss?: number | null) => void} showProgress
 * @property {(state: 'connecting' | 'open' | 'closed') => void} showLink
 * @property {(message: string) => void} showNote
 * @property {(ready: boolean) => void} setReady  false while the server has no network for this data
 * @property {() => void} clearNumbers  a new network or run: the old loss no longer applies
 */

/**
 * @param {HTMLElement} root
 * @param {(action: 'play' | 'pause' | 'step' | 'reset') => void} onAction
 * @returns {Player}
 */
export function createPlayer(root, onAction) {
  const buttons = {
    play: el('button', {type: 'button', class: 'primary', 'data-testid': 'play', title: 'train (Space)'}, '▶ Play'),
    pause: el('button', {type: 'button', class: 'primary', 'data-testid': 'pause', title: 'pause (Space)'}, '❚❚ Pause'),
    step: el('button', {type: 'button', 'data-testid': 'step', title: 'one training step (.)'}, 'Step'),
    reset: el('button', {type: 'button', 'data-testid': 'reset', title: 'new initial weights, step 0'}, 'Reset'),
  };
  const status = el('div', {class: 'status', 'data-testid': 'status', role: 'status', 'aria-live': 'polite'}, 'connecting…');
  const link = el('span', {class: 'link-dot', title: 'connection to the server'});
  root.append(buttons.play, buttons.pause, buttons.step, buttons.reset, link, status);
  for (const action of /** @type {const} */ (['play', 'pause', 'step', 'reset'])) {
    buttons[action].addEventListener('click', () => onAction(action));
  }
  let state = 'idle';
  let step = 0;
  let epoch = 0;
  /** @type {number | null} */
  let loss = null;
  /** @type {number | null | undefined} */
  let valLoss = null;
  let note = '';
  let rate = 0;
  let ready = false;

  function render() {
    buttons.play.hidden = state === 'running';
    buttons.pause.hidden = state !== 'running';
    buttons.step.toggleAttribute('disabled', state === 'running' || !ready);
    buttons.play.toggleAttribute('disabled', !ready);
    buttons.play.title = ready ? 'train (Space)' : 'waiting for the network to be built';
    // Two short lines fit a projector's top bar: progress above, the numbers that matter below.
    const progress = [state, `step ${step}`, `epoch ${epoch}`];
    if (state === 'running' && rate) progress.push(`${formatRate(rate)} steps/s`);
    const numbers = [`loss ${loss == null ? '–' : formatValue(loss)}`];
    if (valLoss != null) numbers.push(`val ${formatValue(valLoss)}`);
    if (note) numbers.push(note);
    status.replaceChildren(el('span', {class: 'status-progress'}, `${progress.join(' · ')} · `),
      el('span', {class: 'status-numbers'}, numbers.join(' · ')));
    status.title = status.textContent ?? '';
    status.className = `status state-${state}`;
  }

  render();
  return {
    showStatus(s) {
      state = s.state;
      step = s.step ?? step;
      epoch = s.epoch ?? epoch;
      rate = s.steps_per_second ?? rate;
      note = s.message ?? '';
      render();
    },
    showProgress(newStep, newEpoch, newLoss, newValLoss) {
      step = newStep;
      epoch = newEpoch;
      if (newLoss != null) loss = newLoss;
      if (newValLoss != null) valLoss = newValLoss;
      render();
    },
    showLink(linkState) {
      link.className = `link-dot link-${linkState}`;
      link.title = `server connection: ${linkState}`;
    },
    showNote(message) {
      note = message;
      render();
    },
    setReady(value) {
      ready = value;
      render();
    },
    clearNumbers() {
      loss = null;
      valLoss = null;
      render();
    },
  };
}

/**
 * @param {number} rate  steps per second
 * @returns {string} "830", "12k", "1.2M"
 */
function formatRate(rate) {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(1)}M`;
  if (rate >= 1e4) return `${Math.round(rate / 1e3)}k`;
  return String(Math.round(rate));
}
