// A GAN's own training settings (web/js/controls/gan_options.js) and the hyper message they
// travel in (web/js/sync.js), held to the engine and the server: the catalog is the server's own,
// the GAN lesson's spec is the engine's preset, and the changes go through the server's
// apply_hyper into a real GAN trainer, whose refusals name the fields the panel routes errors by.
// Run: node --test tests/js/
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {dirname, join} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

import {normalizeCatalog} from '../../web/js/builder/catalog.js';
import {networksOfMode} from '../../web/js/builder/networks.js';
import {ganErrorTarget, ganHyperChanges, ganSettingFields, latentSize, learningRateFieldOf, networkOptimizer,
  onlyGanLiveChanged, withLatentSize, withNetworkOptimizer} from '../../web/js/controls/gan_options.js';
import {boundsError} from '../../web/js/controls/training_options.js';
import {specFromState, stateFromSpec} from '../../web/js/spec.js';
import {defaultState} from '../../web/js/state.js';
import {hyperChanges} from '../../web/js/sync.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = join(process.env.LAYERLAB_VENV ?? join(ROOT, '.venv'), 'bin', 'python');

function python(script, input = '') {
  return JSON.parse(execFileSync(PYTHON, ['-c', script], {cwd: ROOT, input, encoding: 'utf8'}));
}

const ENGINE = python(`
import json
from engine.presets import PRESETS
from server.api.catalog import _engine_catalog
print(json.dumps({"catalog": _engine_catalog(), "gan": PRESETS["gan_digits"]["spec"]}))`);
const CATALOG = normalizeCatalog(ENGINE.catalog);
const NETWORKS = networksOfMode(CATALOG, 'gan');
const LESSON = {...defaultState(), ...stateFromSpec(ENGINE.gan)};

/**
 * Each change list goes through the server's apply_hyper into a fresh GAN trainer of the lesson,
 * which then takes one step: {spec} (the hyper_applied spec) or {error: {field, message}}.
 */
function applyOnServer(changeLists) {
  return python(`
import json, sys
import numpy as np
from engine import Trainer, build_model
from engine.presets import PRESETS
from server.live.engine_ops import apply_hyper
from server.protocol import ProtocolError
from server.settings import Quotas
spec = PRESETS["gan_digits"]["spec"]
answers = []
for changes in json.load(sys.stdin):
    trainer = Trainer(build_model(spec), spec)
    try:
        applied = apply_hyper(spec, trainer, changes, Quotas())
        trainer.step(np.random.default_rng(0).random((64, 64), dtype=np.float32), None)
        answers.append({"spec": applied, "d_steps": trainer.spec.d_steps})
    except ProtocolError as error:
        answers.append({"error": {"field": error.field, "message": str(error)}})
print(json.dumps(answers))`, JSON.stringify(changeLists));
}

test('the GAN settings the panel offers are the engine\'s own fields and bounds', () => {
  assert.deepEqual(NETWORKS, ['generator', 'discriminator']);
  const fields = ganSettingFields(CATALOG, 'gan');
  assert.equal(fields.dSteps?.kind, 'int');
  assert.equal(fields.dSteps?.default, 1);
  assert.deepEqual([fields.dSteps?.min, fields.dSteps?.max], [1, 20]);
  assert.deepEqual(fields.latent?.choices, ['normal', 'uniform']);
  assert.equal(boundsError(fields.dSteps, 50), 'd_steps must be at most 20, got 50');
  assert.equal(boundsError(fields.dSteps, 0), 'd_steps must be at least 1, got 0');
  assert.equal(boundsError(fields.dSteps, 5), null);
  assert.equal(boundsError(fields.latentSize, 0), 'latent_size must be at least 1, got 0');
  assert.match(fields.latentSize.help ?? '', /anew/, 'its help says a change rebuilds');
});

test('d_steps around its bounds: refused by the panel exactly when the server refuses it', () => {
  const field = ganSettingFields(CATALOG, 'gan').dSteps;
  const values = [0, 1, 5, 20, 21, 50];
  const answers = applyOnServer(values.map((d_steps) => ({d_steps})));
  values.forEach((value, index) => {
    const problem = boundsError(field, value);
    assert.equal(problem !== null, 'error' in answers[index], `d_steps ${value}: panel ${problem}, server ${JSON.stringify(answers[index])}`);
    if (problem) assert.equal(answers[index].error.field, 'changes.d_steps');
    else assert.equal(answers[index].d_steps, value);
  });
});

test('the lesson\'s state reads each network\'s optimizer and the latent as the spec sets them', () => {
  assert.equal(latentSize(LESSON.specExtras), 16);
  for (const network of NETWORKS) {
    assert.deepEqual(networkOptimizer(LESSON.specExtras, network, CATALOG), {type: 'adam', lr: 0.002, betas: [0.5, 0.999]});
  }
  // A network without an optimizer runs the engine's default: Adam at its default rate.
  assert.deepEqual(networkOptimizer({generator: {}}, 'generator', CATALOG), {type: 'adam', lr: 0.001});
  assert.equal(learningRateFieldOf(CATALOG, 'adam').default, 0.001);
  assert.equal(boundsError(learningRateFieldOf(CATALOG, 'adam'), 0), 'lr must be greater than 0, got 0');
  const bigger = withLatentSize(LESSON.specExtras, 32);
  assert.deepEqual(bigger.generator.input, {shape: [32]});
  assert.deepEqual(bigger.generator.optimizer, LESSON.specExtras.generator.optimizer, 'the rest of the generator stays');
  assert.deepEqual(specFromState({...LESSON, specExtras: bigger}, CATALOG).generator.input.shape, [32]);
});

test('a GAN\'s hyper has the form set_hyper takes, and the server applies it to a real GAN trainer', () => {
  const faster = withNetworkOptimizer(LESSON.specExtras, 'discriminator',
    {...networkOptimizer(LESSON.specExtras, 'discriminator', CATALOG), lr: 0.01});
  const state = {...LESSON, batchSize: 32, specExtras: {...faster, d_steps: 5}};
  const changes = hyperChanges(state, CATALOG);
  assert.deepEqual(Object.keys(changes).sort(), ['batch_size', 'd_steps', 'discriminator', 'generator']);
  assert.deepEqual(changes, ganHyperChanges(state, NETWORKS, CATALOG));
  assert.deepEqual(changes.discriminator, {optimizer: {type: 'adam', lr: 0.01, betas: [0.5, 0.999]}});
  const sgd = withNetworkOptimizer(state.specExtras, 'generator', {type: 'sgd', lr: 0.05, momentum: 0.9});
  const [applied, switched] = applyOnServer([changes, hyperChanges({...state, specExtras: sgd}, CATALOG)]);
  assert.ok(applied.spec, JSON.stringify(applied));
  assert.equal(applied.spec.d_steps, 5);
  assert.equal(applied.spec.batch_size, 32);
  assert.equal(applied.spec.discriminator.optimizer.lr, 0.01);
  assert.equal(applied.spec.generator.optimizer.lr, 0.002);
  const sizes = (layers) => layers.map((l) => [l.id, l.units, l.activation]);
  assert.deepEqual(sizes(applied.spec.generator.layers), sizes(ENGINE.gan.generator.layers), 'the networks themselves are kept');
  assert.equal(switched.spec.generator.optimizer.type, 'sgd');
  assert.equal(switched.spec.generator.optimizer.momentum, 0.9);
});

test('the server\'s error fields for a GAN land on the panel\'s controls', () => {
  const bad = (network, optimizer) => ({...ganHyperChanges(LESSON, NETWORKS, CATALOG), [network]: {optimizer}});
  const cases = [
    {changes: bad('discriminator', {type: 'adam', lr: 50}), target: {network: 'discriminator', field: 'lr'}},
    {changes: bad('generator', {type: 'adam', lr: 0.001, betas: [0.5, 1.5]}), target: {network: 'generator', field: 'betas'}},
    {changes: bad('generator', {type: 'sgd', lr: 0.01, momentum: 2}), target: {network: 'generator', field: 'momentum'}},
    {changes: bad('generator', {type: 'nadam', lr: 0.01}), target: {network: 'generator', field: 'type'}},
    {changes: {d_steps: 99}, target: {setting: 'd_steps'}},
    {changes: {latent: 'uniform'}, target: {setting: 'latent'}},
  ];
  const answers = applyOnServer(cases.map((c) => c.changes));
  cases.forEach((c, index) => {
    const field = answers[index].error?.field;
    assert.ok(field?.startsWith('changes.'), `${JSON.stringify(c.changes)}: ${JSON.stringify(answers[index])}`);
    assert.deepEqual(ganErrorTarget(field.replace(/^changes\./, ''), NETWORKS), c.target, field);
  });
  assert.deepEqual(ganErrorTarget('generator.input.shape', NETWORKS), {setting: 'latent_size'});
  assert.equal(ganErrorTarget('generator.layers[1].units', NETWORKS), null, 'layer errors belong to the builder');
  assert.equal(ganErrorTarget('loss', NETWORKS), null);
});

test('only d_steps and the networks\' optimizers are live; the latent and the layers rebuild', () => {
  const extras = LESSON.specExtras;
  const newLr = withNetworkOptimizer(extras, 'generator', {type: 'adam', lr: 0.01});
  assert.equal(onlyGanLiveChanged(extras, {...extras, d_steps: 5}, NETWORKS), true);
  assert.equal(onlyGanLiveChanged(extras, newLr, NETWORKS), true);
  assert.equal(onlyGanLiveChanged(extras, {...newLr, d_steps: 3}, NETWORKS), true);
  assert.equal(onlyGanLiveChanged(extras, {...extras}, NETWORKS), false, 'nothing changed');
  assert.equal(onlyGanLiveChanged(extras, withLatentSize(extras, 8), NETWORKS), false, 'a new input needs a new model');
  assert.equal(onlyGanLiveChanged(extras, {...extras, latent: 'uniform'}, NETWORKS), false);
  assert.equal(onlyGanLiveChanged(extras, {...extras, mode: 'supervised'}, NETWORKS), false);
  // And the server agrees: the latent is not a hyperparameter of a running GAN.
  const [latent] = applyOnServer([{latent: 'uniform'}]);
  assert.match(latent.error.message, /cannot be changed while training/);
});
