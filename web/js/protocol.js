/**
 * The wire protocol, browser side: the one place that knows how messages look (docs/protocol.md).
 * Control messages are JSON text both ways; frames with tensors arrive as binary msgpack, decoded
 * here without a library. Tensors stay as bytes until a view asks for numbers.
 *
 * @example
 *   socket.send(control('play'));
 *   const message = decodeBinary(event.data);          // {type: 'frame', step, views, ...}
 *   const grid = message.views.neuron_grid;            // {dtype: 'uint8', shape, data, scale, offset}
 *   const values = tensorValues(grid);                 // Float32Array, de-quantized
 */

export const PROTOCOL_VERSION = 1;

/** Client message types and the fields each must carry. */
export const CLIENT_MESSAGES = {
  resume: ['session'],
  dataset: ['name'],
  build: ['spec'],
  hyper: ['changes'],
  subscribe: ['views'],
  control: ['action'],
  probe: ['input'],
  save: [],
  ping: [],
  keep: [],
  transfer: ['layers'],
};

/** Server message types: JSON text ones and binary (msgpack) ones. */
export const SERVER_TEXT_MESSAGES = [
  'hello', 'resumed', 'built', 'status', 'error', 'dataset_loaded', 'hyper_applied', 'reset', 'pong',
  'kept', 'transfer_planned', 'transferred',
];
export const SERVER_BINARY_MESSAGES = ['frame', 'history', 'probe_result', 'saved'];
export const CONTROL_ACTIONS = ['play', 'pause', 'step', 'reset'];

/**
 * @typedef {Object} Tensor
 * @property {'float32' | 'float16' | 'uint8'} dtype
 * @property {number[]} shape
 * @property {Uint8Array} data              little-endian bytes
 * @property {number | number[]} [scale]    uint8 only: value = offset + scale * byte (per first-axis slice when lists)
 * @property {number | number[]} [offset]
 */

// ---- client → server ----------------------------------------------------------------------------

/** @param {string} session */
export const resume = (session) => ({type: 'resume', session});
/** @param {string} name @param {Record<string, any>} [options] */
export const dataset = (name, options = {}) => ({type: 'dataset', name, options});
/** @param {object} spec  the network spec (DESIGN §2) */
export const build = (spec) => ({type: 'build', spec});
/** @param {Record<string, any>} changes  e.g. {optimizer: {type: 'adam', lr: 0.003}, batch_size: 32} */
export const hyper = (changes) => ({type: 'hyper', changes});
/**
 * @param {string[]} views
 * @param {number} [fps]
 * @param {Record<string, Record<string, any>>} [options]  per view, e.g. {neuron_grid: {resolution: 48}}
 */
export const subscribe = (views, fps, options = {}) => (fps === undefined ? {type: 'subscribe', views, options} : {type: 'subscribe', views, fps, options});
/** @param {'play' | 'pause' | 'step' | 'reset'} action @param {number} [steps] */
export const control = (action, steps) => (steps === undefined ? {type: 'control', action} : {type: 'control', action, steps});
/** @param {any[]} input  one sample (or a batch) as nested arrays of numbers */
export const probe = (input) => ({type: 'probe', input});
export const save = () => ({type: 'save'});
export const ping = () => ({type: 'ping'});
/** Keep a copy of the current network's weights (answered with `kept`). */
export const keep = () => ({type: 'keep'});
/**
 * Networks built from now on start with these layers copied from the kept weights; [] clears it.
 * @param {string[]} layers  layer ids, e.g. ['conv1', 'conv2']
 */
export const transfer = (layers) => ({type: 'transfer', layers});

/**
 * Checks a message before it is sent, so a typo fails here and not as a server error.
 * @param {any} message
 * @returns {string}  the JSON text to send
 */
export function encodeClientMessage(message) {
  const required = CLIENT_MESSAGES[/** @type {keyof typeof CLIENT_MESSAGES} */ (message?.type)];
  if (!required) throw new Error(`unknown message type ${JSON.stringify(message?.type)}`);
  for (const field of required) {
    if (message[field] === undefined) throw new Error(`a ${message.type} message needs ${field}`);
  }
  if (message.type === 'control' && !CONTROL_ACTIONS.includes(message.action)) {
    throw new Error(`control action must be one of ${CONTROL_ACTIONS.join(', ')}`);
  }
  if (message.type === 'transfer' && !(Array.isArray(message.layers) && message.layers.every((id) => typeof id === 'string'))) {
    throw new Error('transfer layers must be a list of layer ids');
  }
  return JSON.stringify(message);
}

// ---- server → client ----------------------------------------------------------------------------

/**
 * @param {string} text  a text frame
 * @returns {any} the message; unknown types are kept (fields may grow) but flagged
 */
export function decodeText(text) {
  const message = JSON.parse(text);
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
    throw new Error('a server message must be an object with a type');
  }
  if (!SERVER_TEXT_MESSAGES.includes(message.type)) message.unknown = true;
  return message;
}

/**
 * @param {ArrayBuffer | Uint8Array} buffer  a binary frame
 * @returns {any} the decoded msgpack map; tensors inside keep their bytes as Uint8Array views
 */
export function decodeBinary(buffer) {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  const reader = new MsgpackReader(bytes);
  const message = reader.read();
  if (reader.offset !== bytes.length) throw new Error('trailing bytes after the msgpack message');
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
    throw new Error('a binary frame must be a map with a type');
  }
  return message;
}

/**
 * @param {any} value
 * @returns {value is Tensor}
 */
export function isTensor(value) {
  return typeof value === 'object' && value !== null && value.data instanceof Uint8Array &&
    typeof value.dtype === 'string' && Array.isArray(value.shape);
}

/**
 * The numbers of a tensor (uint8 de-quantized with its scale and offset).
 * @param {Tensor} tensor
 * @returns {Float32Array}
 */
export function tensorValues(tensor) {
  const {data} = tensor;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (tensor.dtype === 'float32') {
    const out = new Float32Array(data.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  if (tensor.dtype === 'float16') {
    const out = new Float32Array(data.byteLength / 2);
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
    return out;
  }
  if (tensor.dtype === 'uint8') return dequantize(tensor);
  throw new Error(`unknown tensor dtype ${tensor.dtype}`);
}

/** @param {Tensor} tensor @returns {Float32Array} */
function dequantize(tensor) {
  const scales = [tensor.scale ?? 1].flat();
  const offsets = [tensor.offset ?? 0].flat();
  const out = new Float32Array(tensor.data.length);
  const perSlice = out.length / scales.length;
  for (let i = 0; i < out.length; i++) {
    const slice = Math.floor(i / perSlice);
    out[i] = offsets[slice] + scales[slice] * tensor.data[i];
  }
  return out;
}

/** @param {number} half  IEEE 754 binary16 bits @returns {number} */
export function halfToFloat(half) {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * A minimal msgpack decoder: the types the server sends (nil, booleans, numbers, strings, binary,
 * arrays, maps). Binary values are views into the frame, not copies.
 */
class MsgpackReader {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = 0;
    this.decoder = new TextDecoder();
  }

  /** @param {number} size @returns {number} where the value starts */
  take(size) {
    const start = this.offset;
    if (start + size > this.bytes.length) throw new Error('msgpack message is truncated');
    this.offset += size;
    return start;
  }

  /** @returns {any} */
  read() {
    const head = this.view.getUint8(this.take(1));
    if (head <= 0x7f) return head;
    if (head >= 0xe0) return head - 0x100;
    if ((head & 0xf0) === 0x80) return this.map(head & 0x0f);
    if ((head & 0xf0) === 0x90) return this.array(head & 0x0f);
    if ((head & 0xe0) === 0xa0) return this.string(head & 0x1f);
    return this.readTagged(head);
  }

  /** @param {number} head @returns {any} */
  readTagged(head) {
    const v = this.view;
    switch (head) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return this.binary(v.getUint8(this.take(1)));
      case 0xc5: return this.binary(v.getUint16(this.take(2)));
      case 0xc6: return this.binary(v.getUint32(this.take(4)));
      case 0xca: return v.getFloat32(this.take(4));
      case 0xcb: return v.getFloat64(this.take(8));
      case 0xcc: return v.getUint8(this.take(1));
      case 0xcd: return v.getUint16(this.take(2));
      case 0xce: return v.getUint32(this.take(4));
      case 0xcf: return Number(v.getBigUint64(this.take(8)));
      case 0xd0: return v.getInt8(this.take(1));
      case 0xd1: return v.getInt16(this.take(2));
      case 0xd2: return v.getInt32(this.take(4));
      case 0xd3: return Number(v.getBigInt64(this.take(8)));
      case 0xd9: return this.string(v.getUint8(this.take(1)));
      case 0xda: return this.string(v.getUint16(this.take(2)));
      case 0xdb: return this.string(v.getUint32(this.take(4)));
      case 0xdc: return this.array(v.getUint16(this.take(2)));
      case 0xdd: return this.array(v.getUint32(this.take(4)));
      case 0xde: return this.map(v.getUint16(this.take(2)));
      case 0xdf: return this.map(v.getUint32(this.take(4)));
      default: throw new Error(`msgpack type 0x${head.toString(16)} is not part of the protocol`);
    }
  }

  /** @param {number} length */
  binary(length) {
    const start = this.take(length);
    return this.bytes.subarray(start, start + length);
  }

  /** @param {number} length */
  string(length) {
    return this.decoder.decode(this.binary(length));
  }

  /** @param {number} length */
  array(length) {
    const out = new Array(length);
    for (let i = 0; i < length; i++) out[i] = this.read();
    return out;
  }

  /** @param {number} length */
  map(length) {
    /** @type {Record<string, any>} */
    const out = {};
    for (let i = 0; i < length; i++) {
      const key = this.read();
      out[String(key)] = this.read();
    }
    return out;
  }
}
