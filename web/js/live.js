/**
 * The live link to the server's session: the socket plus the session rules of docs/protocol.md.
 * A fresh tab keeps the session `hello` gave it and must send its setup; a reloaded tab resumes its
 * old session (which keeps training meanwhile) and must NOT rebuild, or it would throw the run away.
 * A duplicated tab carries the original's token too, but the server refuses to hand over a session
 * another tab still holds (`session_in_use`): the copy then keeps its own fresh session. The same
 * answer to a tab that held the session on this page means its own previous socket died without
 * the server noticing yet (a network drop): it asks again, more slowly each time, until the server
 * lets go of the dead socket.
 * Every server message is re-emitted on the bus under its own type.
 *
 * @example
 *   const live = createLive(bus);
 *   bus.on('needs-setup', () => live.send(build(spec)));
 *   fetch(`/api/sessions/${live.token()}/load`, {method: 'POST', body: bytes});
 */
import {resume} from './protocol.js';
import {connectSocket} from './socket.js';

const DUPLICATE_TAB_NOTICE = 'This tab is a copy of another open tab, so it has started a training session of ' +
  'its own; the other tab keeps its run.';
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 8000;
const GIVE_UP_AFTER_MS = 90_000;  // the server drops a dead socket within its ping timeout (~40 s)

/**
 * @typedef {Object} Live
 * @property {(message: object) => void} send
 * @property {() => string | null} token   this tab's session token (the session's secret)
 */

/** @returns {boolean} this page load is a reload of the same tab */
function isReload() {
  const navigation = /** @type {PerformanceNavigationTiming | undefined} */ (performance.getEntriesByType?.('navigation')[0]);
  return navigation?.type === 'reload';
}

/**
 * @param {import('./bus.js').Bus} bus
 * @param {string} [url]
 * @returns {Live}
 */
export function createLive(bus, url = '/ws') {
  /** @type {string | null} token of the session `hello` offered on this connection */
  let offered = null;
  /** @type {boolean} this connection sent `resume` and waits for the answer */
  let resuming = false;
  /**
   * @type {boolean} this page (or the page it reloads) has been attached to the session of the stored
   * token: a reload whose old socket died unnoticed (sleep, a dropped network) must wait for the
   * server to let go of it, not take the duplicated-tab path and lose the run
   */
  let heldSession = isReload();
  /** @type {{delay: number, since: number, timer?: ReturnType<typeof setTimeout>} | null} */
  let retry = null;

  const socket = connectSocket({
    url,
    onLink: (state) => bus.emit('link', state),
    onOpen: (sentResume) => { resuming = sentResume; },
    onMessage(message, raw) {
      if (message.type === 'hello') {
        offered = message.session;
        if (!resuming) adoptOffered();
      } else if (message.type === 'resumed') {
        resuming = false;
        heldSession = true;
        stopRetrying();
        bus.emit('resumed', message);
      } else if (message.type === 'error' && message.code === 'session_in_use' && heldSession && retryLater()) {
        return;
      } else if (message.type === 'error' && ['unknown_session', 'session_in_use'].includes(message.code)) {
        resuming = false;
        stopRetrying();
        adoptOffered();
        if (message.code === 'session_in_use') bus.emit('notice', {kind: 'info', text: DUPLICATE_TAB_NOTICE});
        return;
      } else if (message.type === 'saved' && raw) {
        message.bytes = new Uint8Array(raw);  // the file to download, exactly as the server packed it
      }
      bus.emit(message.type, message);
    },
  });

  /** The session from `hello` becomes this tab's; it is empty, so the page sends its setup. */
  function adoptOffered() {
    if (!offered) return;
    socket.setToken(offered);
    heldSession = true;
    bus.emit('needs-setup', offered);
  }

  /** @returns {boolean} false once it has waited long enough: then the tab starts afresh */
  function retryLater() {
    const now = Date.now();
    retry ??= {delay: FIRST_RETRY_MS, since: now};
    if (now - retry.since > GIVE_UP_AFTER_MS) return false;
    const token = socket.token();
    clearTimeout(retry.timer);
    retry.timer = setTimeout(() => { if (token) socket.send(resume(token)); }, retry.delay);
    retry.delay = Math.min(MAX_RETRY_MS, retry.delay * 2);
    return true;
  }

  function stopRetrying() {
    clearTimeout(retry?.timer);
    retry = null;
  }

  return {send: (message) => socket.send(message), token: () => socket.token()};
}
