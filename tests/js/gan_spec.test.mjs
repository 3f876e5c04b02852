// A GAN spec through the web app's state and back (web/js/spec.js, web/js/builder/networks.js),
// and the catalog's union fields as the builder reads them (web/js/builder/catalog.js). The
// catalog and the preset come from the engine itself, and the engine checks what comes out.
// Run: node --test tests/js/
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {dirname, join} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

import {normalizeCatalog} from '../../web/js/builder/catalog.js';
import {globalIndex, joinNetworks, splitNetworks} from '../../web/js/builder/networks.js';
import {pickDataset, singleNetworkLayers, specFromState, stateFromSpec} from '../../web/js/spec.js';
import {defaultState, fromHash, toHash} from '../../web/js/state.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = join(process.env.LAYERLAB_VENV ?? join(ROOT, '.venv'), 'bin', 'python');  // as scripts/setup.sh

/** Runs a few lines of Python in the project and returns what they print, parsed as JSON. */
function python(script, input = '') {
  return JSON.parse(execFileSync(PYTHON, ['-c', script], {cwd: ROOT, input, encoding: 'utf8'}));
}

const ENGINE = python(`
import json
from engine.presets import PRESETS
from server.api.catalog import _engine_catalog
print(json.dumps({"catalog": _engine_catalog(), "gan": PRESETS["gan_digits"]["spec"]}))`);
const CATALOG = normalizeCatalog(ENGINE.catalog);

/** Every problem the engine finds in a GAN spec ([] when it is valid). */
function ganProblems(spec) {
  return python(`
import json, sys
from engine.modes.gan_spec import validate_gan_spec
from engine.spec import SpecError
try:
    validate_gan_spec(json.load(sys.stdin)); print("[]")
except SpecError as error:
    print(json.dumps(error.problems))`, JSON.stringify(spec));
}

const stateOf = (spec) => ({...defaultState(), ...stateFromSpec(spec)});

test('a GAN becomes one list of layers tagged with their network', () => {
  const state = stateOf(ENGINE.gan);
  assert.deepEqual(state.layers.map((l) => `${l.network}:${l.id}`),
    ['generator:g1', 'generator:g_out', 'discriminator:d1', 'discriminator:d_out']);
  assert.equal(state.specExtras.generator.layers, undefined);  // the layers live in one place only
  assert.deepEqual(state.specExtras.discriminator.input, {shape: [64]});
});

test('state -> spec gives back the GAN exactly, and the engine accepts it', () => {
  const spec = specFromState(stateOf(ENGINE.gan), CATALOG);
  assert.deepEqual(spec, ENGINE.gan);
  assert.deepEqual(ganProblems(spec), []);
});

test('a share link carries both networks', () => {
  const state = stateOf(ENGINE.gan);
  const reopened = fromHash(toHash(state));
  assert.deepEqual(specFromState(reopened, CATALOG), ENGINE.gan);
});

test('an edit in the builder reaches the right network, and the engine sees the broken contract', () => {
  const state = stateOf(ENGINE.gan);
  state.layers = state.layers.map((l) => (l.id === 'g_out' ? {...l, units: 50} : l));
  const spec = specFromState(state, CATALOG);
  assert.equal(spec.generator.layers[1].units, 50);
  assert.equal(spec.discriminator.layers[0].units, 64);
  const problems = ganProblems(spec);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].layer, 'g_out');
  assert.match(problems[0].message, /shape \[50\] but the discriminator takes \[64\]/);
});

test('ids used by both networks are made unique, with the references to them', () => {
  const spec = {
    mode: 'gan',
    generator: {input: {shape: [4]}, layers: [{id: 'h', type: 'dense', units: 3}, {id: 'out', type: 'dense', units: 3}]},
    discriminator: {input: {shape: [3]}, layers: [
      {id: 'h', type: 'dense', units: 3}, {id: 'skip', type: 'add', inputs: ['h', 'input']},
      {id: 'out', type: 'dense', units: 1}]},
  };
  const {layers} = joinNetworks(spec);
  assert.deepEqual(layers.map((l) => l.id), ['h', 'out', 'h_2', 'skip', 'out_2']);
  assert.deepEqual(layers[3].inputs, ['h_2', 'input']);
  const halves = splitNetworks(layers, ['generator', 'discriminator']);
  assert.deepEqual(halves.discriminator.map((l) => Object.keys(l).includes('network')), [false, false, false]);
});

test('positions in one network map to positions in the whole list', () => {
  const layers = [
    {id: 'g1', type: 'dense', network: 'generator'}, {id: 'd1', type: 'dense', network: 'discriminator'},
    {id: 'g2', type: 'dense', network: 'generator'}, {id: 'd2', type: 'dense', network: 'discriminator'},
  ];
  const names = ['generator', 'discriminator'];
  assert.deepEqual([0, 1, 2].map((local) => globalIndex(layers, names, 'generator', local)), [0, 2, 3]);
  assert.deepEqual([0, 1, 2].map((local) => globalIndex(layers, names, 'discriminator', local)), [1, 3, 4]);
  assert.equal(globalIndex([], names, 'discriminator', 0), 0);  // an empty network starts at the end
});

test('a union field reads as its choices plus a bounded number', () => {
  const conv = CATALOG.layers.find((l) => l.type === 'conv2d');
  const padding = conv.fields.find((f) => f.name === 'padding');
  assert.equal(padding.kind, 'union');
  assert.deepEqual(padding.choices, ['same', 'valid']);
  assert.deepEqual([padding.numberKind, padding.min, padding.max, padding.default], ['int', 0, 32, 0]);
  const pool = CATALOG.layers.find((l) => l.type === 'max_pool2d');
  const stride = pool.fields.find((f) => f.name === 'stride');
  assert.deepEqual([stride.kind, stride.min, stride.max], ['int', 1, 31]);  // optional, still bounded
});

test('choosing data keeps a GAN whole: no head or loss of a classifier, images still flat', () => {
  const gan = stateOf(ENGINE.gan);
  const patch = pickDataset(gan, CATALOG, 'mnist');
  assert.deepEqual(patch, {dataset: 'mnist', data: {flatten: true}});
  const classifier = pickDataset(defaultState(), CATALOG, 'mnist');  // a single network is fitted as before
  assert.equal(classifier.layers.at(-1).units, 10);
  assert.equal(classifier.loss, 'cross_entropy');
});

test('the views of one network see no layers of a GAN', () => {
  assert.deepEqual(singleNetworkLayers(stateOf(ENGINE.gan), CATALOG), []);
  assert.equal(singleNetworkLayers(defaultState(), CATALOG).length, 3);
});

test('layers of a GAN brought back without its mode (an undo across lessons) reach the engine untagged', () => {
  const state = {...stateOf(ENGINE.gan), specExtras: {}};
  const spec = specFromState(state, CATALOG);
  assert.deepEqual(spec.layers.map((l) => l.id), ['g1', 'g_out', 'd1', 'd_out']);
  assert.ok(spec.layers.every((l) => !('network' in l)));
});
