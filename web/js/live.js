/**
 * The live link to the server's session: the socket plus the session rules of docs/protocol.md.
 * A fresh tab keeps the session `hello` gave it and must send its setup; a reloaded tab resumes its
 * old session (which keeps training meanwhile) and must NOT rebuild, or it would throw the run away.
 * A duplicated tab carries the original's token too, but the server refuses to hand over a session
 * another tab still holds (`session_in_use`): the copy then keeps its own fresh session.
 * Every server message is re-emitted on the bus under its own type.
 *
 * @example
 *   const live = createLive(bus);
 *   bus.on('needs-setup', () => live.send(build(spec)));
 *   fetch(`/api/sessions/${live.token()}/load`, {method: 'POST', body: bytes});
 */
import {connectSocket} from './socket.js';

const DUPLICATE_TAB_NOTICE = 'This tab is a copy of another open tab, so it has started a training session of ' +
  'its own; the other tab keeps its run.';

/**
 * @typedef {Object} Live
 * @property {(message: object) => void} send
 * @property {() => string | null} token   this tab's session token (the session's secret)
 */

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
        bus.emit('resumed', message);
      } else if (message.type === 'error' && ['unknown_session', 'session_in_use'].includes(message.code)) {
        resuming = false;
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
    bus.emit('needs-setup', offered);
  }

  return {send: (message) => socket.send(message), token: () => socket.token()};
}
