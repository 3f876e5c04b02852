// Checks web/js/protocol.js against the shared fixtures in tests/fixtures/protocol/ (the Python
// side checks the same files in tests/server/test_protocol_fixtures.py).
// Run: node --test tests/js/
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

import * as protocol from '../../web/js/protocol.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'protocol');

function fixtures(folder, extension = '.json') {
  return readdirSync(join(FIXTURES, folder)).filter((name) => name.endsWith(extension)).sort();
}

function readJson(folder, name) {
  return JSON.parse(readFileSync(join(FIXTURES, folder, name), 'utf8'));
}

// Replaces every tensor by its readable form, as make_binary.py writes it.
function readable(value) {
  if (protocol.isTensor(value)) {
    const {data, ...rest} = value;
    return {...rest, values: Array.from(protocol.tensorValues(value))};
  }
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readable(v)]));
  return value;
}

function assertClose(actual, expected, path = 'message') {
  if (typeof expected === 'number') {
    assert.ok(Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `${path}: ${actual} != ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((item, i) => assertClose(actual[i], item, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const key of Object.keys(expected)) assertClose(actual[key], expected[key], `${path}.${key}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

const BUILDERS = {
  resume: (m) => protocol.resume(m.session),
  dataset: (m) => protocol.dataset(m.name, m.options),
  build: (m) => protocol.build(m.spec),
  hyper: (m) => protocol.hyper(m.changes),
  subscribe: (m) => protocol.subscribe(m.views, m.fps, m.options),
  control: (m) => protocol.control(m.action, m.steps),
  probe: (m) => protocol.probe(m.input),
  save: () => protocol.save(),
  ping: () => protocol.ping(),
  keep: () => protocol.keep(),
  transfer: (m) => protocol.transfer(m.layers),
};

for (const name of fixtures('client')) {
  test(`client message ${name} is built and encoded as the fixture`, () => {
    const {message} = readJson('client', name);
    const built = BUILDERS[message.type](message);
    assert.deepEqual(JSON.parse(protocol.encodeClientMessage(built)), message);
  });
}

for (const name of fixtures('server')) {
  test(`server message ${name} decodes to a known type`, () => {
    const text = readFileSync(join(FIXTURES, 'server', name), 'utf8');
    const expected = JSON.parse(text).message;
    const decoded = protocol.decodeText(JSON.stringify(expected));
    assert.equal(decoded.unknown, undefined);
    assert.deepEqual(decoded, expected);
  });
}

for (const name of fixtures('binary', '.msgpack')) {
  test(`binary frame ${name} decodes to its readable twin`, () => {
    const bytes = readFileSync(join(FIXTURES, 'binary', name));
    const decoded = protocol.decodeBinary(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    assert.ok(protocol.SERVER_BINARY_MESSAGES.includes(decoded.type));
    assertClose(readable(decoded), readJson('binary', name.replace('.msgpack', '.json')).message);
  });
}

test('messages with a missing field or an unknown type are refused before sending', () => {
  assert.throws(() => protocol.encodeClientMessage({type: 'launch'}), /unknown message type/);
  assert.throws(() => protocol.encodeClientMessage({type: 'build'}), /needs spec/);
  assert.throws(() => protocol.encodeClientMessage({type: 'control', action: 'fly'}), /action/);
  assert.throws(() => protocol.encodeClientMessage({type: 'transfer'}), /needs layers/);
  assert.throws(() => protocol.encodeClientMessage({type: 'transfer', layers: 'conv1'}), /list of layer ids/);
  assert.throws(() => protocol.encodeClientMessage({type: 'transfer', layers: ['conv1', 2]}), /list of layer ids/);
});

test('float16 bits decode like IEEE 754 half precision', () => {
  assert.equal(protocol.halfToFloat(0x3c00), 1);
  assert.equal(protocol.halfToFloat(0xc000), -2);
  assert.equal(protocol.halfToFloat(0x7c00), Infinity);
  assert.ok(Number.isNaN(protocol.halfToFloat(0x7e00)));
});

test('a truncated frame is an error, not a partial message', () => {
  const bytes = readFileSync(join(FIXTURES, 'binary', 'frame.msgpack'));
  assert.throws(() => protocol.decodeBinary(new Uint8Array(bytes).subarray(0, 100)), /truncated/);
});
