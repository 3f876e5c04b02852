/**
 * The live link to the server's session: the socket plus the session rules of docs/protocol.md.
 * A fresh tab keeps the session `hello` gave it and must send its setup; a reloaded tab resumes its
 * old session (which keeps training meanwhile) and must NOT rebuild, or it would throw the run away.
 * Every server message is re-emitted on the bus under its own type.
 *
 * @example
 *   const live = createLive(bus);
 *   bus.on('needs-setup', () => live.send(build(spec)));
 */
import {connectSocket} from './socket.js';

/**
 * @typedef {Object} Live
 * @property {(message: object) => void} send
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
    onMessage(message) {
      if (message.type === 'hello') {
        offered = message.session;
        if (!resuming) adoptOffered();
      } else if (message.type === 'resumed') {
        resuming = false;
        bus.emit('resumed', message);
      } else if (message.type === 'error' && message.code === 'unknown_session') {
        resuming = false;
        adoptOffered();
        return;
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

  return {send: (message) => socket.send(message)};
}
