/**
 * One WebSocket per tab that survives drops: it reconnects with exponential backoff (plus jitter,
 * so a classroom of tabs does not reconnect in lock-step) and, on every (re)connect, asks the server
 * to resume the session whose token it keeps in sessionStorage. A reload of the tab keeps the token,
 * a new tab does not: that is exactly "one session per tab". (A duplicated tab does copy it: the
 * server then refuses the resume with `session_in_use` and live.js adopts the fresh session.)
 *
 * @example
 *   const socket = connectSocket({url: '/ws', onMessage: console.log});
 *   socket.send(control('play'));
 */
import {decodeBinary, decodeText, encodeClientMessage, resume} from './protocol.js';

const TOKEN_KEY = 'layerlab.session';
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 8000;
const MAX_QUEUED = 64;

/**
 * @typedef {'connecting' | 'open' | 'closed'} LinkState
 * @typedef {Object} SocketOptions
 * @property {string} url                   path or absolute ws:// URL
 * @property {(message: any, raw?: ArrayBuffer) => void} onMessage   every server message, text or binary,
 *   decoded; binary ones also come as their raw bytes (a `saved` network is downloaded as sent)
 * @property {(state: LinkState) => void} [onLink]  connection state, for the status line
 * @property {(resuming: boolean) => void} [onOpen]  after each connect; resuming = a token was sent
 * @property {Storage} [storage]
 */

/**
 * @typedef {Object} Socket
 * @property {(message: object) => void} send   sends now, or queues until the link is back
 * @property {() => string | null} token
 * @property {(token: string | null) => void} setToken
 * @property {() => void} close
 */

/**
 * @param {string} url
 * @returns {string} absolute ws:// or wss:// URL on this page's host
 */
function absoluteSocketUrl(url) {
  if (/^wss?:/.test(url)) return url;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${url}`;
}

/**
 * @param {number} attempt  0 for the first retry
 * @returns {number} milliseconds to wait
 */
export function backoffDelay(attempt) {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
  return base / 2 + Math.random() * base / 2;
}

/**
 * @param {SocketOptions} options
 * @returns {Socket}
 */
export function connectSocket(options) {
  const storage = options.storage ?? sessionStorage;
  /** @type {WebSocket | null} */
  let ws = null;
  /** @type {string[]} */
  let queue = [];
  let attempt = 0;
  let closedByUs = false;

  function open() {
    options.onLink?.('connecting');
    ws = new WebSocket(absoluteSocketUrl(options.url));
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      attempt = 0;
      options.onLink?.('open');
      const token = storage.getItem(TOKEN_KEY);
      if (token) ws?.send(encodeClientMessage(resume(token)));
      options.onOpen?.(Boolean(token));
      const pending = queue;
      queue = [];
      for (const text of pending) ws?.send(text);
    };
    ws.onmessage = (event) => {
      if (typeof event.data === 'string') options.onMessage(decodeText(event.data));
      else options.onMessage(decodeBinary(event.data), event.data);
    };
    ws.onclose = () => {
      options.onLink?.('closed');
      ws = null;
      if (!closedByUs) setTimeout(open, backoffDelay(attempt++));
    };
  }

  open();
  return {
    send(message) {
      const text = encodeClientMessage(message);
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(text);
      else if (queue.length < MAX_QUEUED) queue.push(text);
    },
    token: () => storage.getItem(TOKEN_KEY),
    setToken(token) {
      if (token) storage.setItem(TOKEN_KEY, token);
      else storage.removeItem(TOKEN_KEY);
    },
    close() {
      closedByUs = true;
      ws?.close();
    },
  };
}
