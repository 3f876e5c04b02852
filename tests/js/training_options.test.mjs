// The training panel's folded settings (web/js/controls/training_options.js) and the hyper
// message they travel in (web/js/sync.js), held to the engine itself: the catalog comes from the
// server's catalog route, and the engine's own validation says which values it accepts.
// Run: node --test tests/js/
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {dirname, join} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

import {normalizeCatalog} from '../../web/js/builder/catalog.js';
import {advancedSummary, boundsError, clipForms, hasAdvancedSettings, onlyLiveExtrasChanged, optimizerOptionFields, scheduleForms,
  startingSetting, withExtra} from '../../web/js/controls/training_options.js';
import {stateFromRun} from '../../web/js/presets.js';
import {stateFromSpec} from '../../web/js/spec.js';
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
from engine.registry import fields_of
from engine.spec_models import ClipNormSpec, ClipValueSpec
from server.api.catalog import _engine_catalog
print(json.dumps({"catalog": _engine_catalog(), "race": PRESETS["optimizer_race"],
                  "clips": {"norm": fields_of(ClipNormSpec), "value": fields_of(ClipValueSpec)}}))`);
const CATALOG = normalizeCatalog(ENGINE.catalog);
const BASE_SPEC = {input: {shape: [2]}, layers: [{id: 'out', type: 'dense', units: 1}], loss: 'mse'};

/** For each spec, the engine's problems ([] when it accepts it), in one Python run. */
function engineProblems(specs) {
  return python(`
import json, sys
from engine.spec import SpecError, validate_spec
answers = []
for spec in json.load(sys.stdin):
    try:
        validate_spec(spec); answers.append([])
    except SpecError as error:
        answers.append(error.problems)
print(json.dumps(answers))`, JSON.stringify(specs));
}

/** Values around a field's bounds: on them, just inside, just outside, and its default. */
function probeValues(field) {
  if (field.kind === 'bool') return [true, false];
  if (field.kind === 'shape') return [[0.5, 0.5], [0, 0.99], [0.9, 1], [0.9, 1.2], [-0.1, 0.9], [0.9], [0.1, 0.2, 0.3]];
  const edges = [field.minimum, field.exclusiveMinimum, field.maximum, field.exclusiveMaximum].filter((v) => v !== undefined);
  const values = new Set([field.default]);
  for (const edge of edges) for (const delta of [-0.001, 0, 0.001]) values.add(edge + delta);
  return [...values];
}

test('every optimizer option the panel checks is accepted or refused exactly as the engine does', () => {
  const cases = [];
  for (const optimizer of CATALOG.optimizers) {
    for (const field of optimizerOptionFields(CATALOG, optimizer.type)) {
      assert.notEqual(field.name, 'lr', 'the learning rate has its own control');
      for (const value of probeValues(field)) cases.push({optimizer: optimizer.type, field, value});
    }
  }
  assert.ok(cases.some((c) => c.field.name === 'momentum') && cases.some((c) => c.field.name === 'betas'));
  // nesterov also needs momentum: a rule across fields, which the server names (see the browser test)
  const together = (c) => (c.field.name === 'nesterov' ? {momentum: 0.9} : {});
  const answers = engineProblems(cases.map((c) => ({...BASE_SPEC, optimizer: {type: c.optimizer, ...together(c), [c.field.name]: c.value}})));
  cases.forEach((c, index) => {
    const problem = boundsError(c.field, c.value);
    const refused = answers[index].length > 0;
    assert.equal(problem !== null, refused,
      `${c.optimizer}.${c.field.name} = ${JSON.stringify(c.value)}: panel says ${problem}, engine ${JSON.stringify(answers[index])}`);
    if (problem) assert.match(problem, new RegExp(`^${c.field.name}`), 'the message names the field');
  });
});

test('momentum out of range is named in the engine\'s words', () => {
  const momentum = optimizerOptionFields(CATALOG, 'sgd').find((f) => f.name === 'momentum');
  assert.equal(boundsError(momentum, 1.5), 'momentum must be less than 1, got 1.5');
  assert.equal(boundsError(momentum, -0.5), 'momentum must be at least 0, got -0.5');
  assert.equal(boundsError(momentum, 'fast'), 'momentum must be a number, got "fast"');
  assert.equal(boundsError(momentum, undefined), null, 'an emptied box means the default');
});

test('the clipping forms the panel offers are the engine\'s own fields and bounds', () => {
  const forms = clipForms(CATALOG);
  assert.deepEqual(forms.map((f) => f.type), ['norm', 'value']);
  for (const form of forms) {
    const engineFields = ENGINE.clips[form.type];
    assert.deepEqual(form.fields.map((f) => f.name), engineFields.map((f) => f.name));
    for (const [index, field] of form.fields.entries()) {
      for (const key of ['default', 'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum']) {
        assert.equal(/** @type {any} */ (field)[key], engineFields[index][key], `${form.type}.${field.name}.${key}`);
      }
    }
  }
});

test('a newly chosen schedule or clipping starts valid, and bad fields are refused like the engine', () => {
  const specs = [];
  const local = [];
  for (const form of scheduleForms(CATALOG)) {
    const setting = startingSetting(form);
    specs.push({...BASE_SPEC, lr_schedule: setting});
    local.push(null);
    for (const field of form.fields) {
      const bad = field.kind === 'int' ? 0 : -1;
      specs.push({...BASE_SPEC, lr_schedule: {...setting, [field.name]: bad}});
      local.push(boundsError(field, bad));
    }
  }
  for (const form of clipForms(CATALOG)) {
    specs.push({...BASE_SPEC, grad_clip: startingSetting(form)});
    local.push(null);
  }
  assert.deepEqual(scheduleForms(CATALOG).map((f) => f.type), ['step', 'cosine']);
  assert.equal(startingSetting(scheduleForms(CATALOG)[0]).step_size, 1000, 'a required step count gets a start');
  const answers = engineProblems(specs);
  answers.forEach((problems, index) => assert.equal(problems.length > 0, local[index] !== null,
    `${JSON.stringify(specs[index])}: panel ${local[index]}, engine ${JSON.stringify(problems)}`));
});

test('only clipping and schedule changes count as live changes of specExtras', () => {
  const clip = {type: 'norm', max_norm: 1};
  assert.equal(onlyLiveExtrasChanged({}, {grad_clip: clip}), true);
  assert.equal(onlyLiveExtrasChanged({grad_clip: clip, mode: 'autoencoder'}, {mode: 'autoencoder'}), true);
  assert.equal(onlyLiveExtrasChanged({}, {lr_schedule: {type: 'step', step_size: 5, gamma: 0.5}}), true);
  assert.equal(onlyLiveExtrasChanged({}, {grad_clip: clip, mode: 'autoencoder'}), false, 'a new mode needs a new model');
  assert.equal(onlyLiveExtrasChanged({grad_clip: clip}, {grad_clip: {...clip}}), false, 'nothing changed');
  assert.deepEqual(withExtra({mode: 'gan', grad_clip: clip}, 'grad_clip', null), {mode: 'gan'});
  assert.deepEqual(withExtra({}, 'lr_schedule', {type: 'cosine', T_max: 10}), {lr_schedule: {type: 'cosine', T_max: 10}});
});

test('the optimizer race\'s momentum run counts as a lesson setting; engine defaults do not', () => {
  const run = ENGINE.race.runs.find((r) => r.label === 'momentum');
  const state = {...defaultState(), ...stateFromRun(ENGINE.race, run)};
  assert.equal(state.optimizer, 'sgd');
  assert.equal(state.optimizerOptions.momentum, 0.9);
  assert.equal(hasAdvancedSettings(state, CATALOG), true);
  const defaults = stateFromSpec({...BASE_SPEC, optimizer: {type: 'adam', lr: 0.01, betas: [0.9, 0.999], eps: 1e-8,
    weight_decay: 0, amsgrad: false}});
  assert.equal(hasAdvancedSettings({...defaultState(), ...defaults}, CATALOG), false);
  assert.equal(advancedSummary({...defaultState(), ...defaults}, CATALOG), '');
  assert.equal(advancedSummary(state, CATALOG), 'momentum 0.9');
  const busy = {...state, optimizerOptions: {momentum: 0.5, nesterov: true, dampening: 0},
    specExtras: {grad_clip: {type: 'value', clip_value: 2}, lr_schedule: {type: 'cosine', T_max: 100}}};
  assert.equal(advancedSummary(busy, CATALOG), 'momentum 0.5, nesterov, clip by value, cosine schedule');
  assert.equal(hasAdvancedSettings({...defaultState(), specExtras: {lr_schedule: {type: 'step', step_size: 9}}}, CATALOG), true);
});

test('the hyper message carries options, clipping and schedule, and a running trainer takes it', () => {
  const state = {...defaultState(), optimizer: 'sgd', optimizerOptions: {momentum: 0.5, nesterov: true},
    specExtras: {grad_clip: {type: 'norm', max_norm: 0.5}, lr_schedule: {type: 'step', step_size: 50, gamma: 0.5}}};
  const changes = hyperChanges(state, CATALOG);
  assert.deepEqual(changes.grad_clip, {type: 'norm', max_norm: 0.5});
  assert.equal(changes.optimizer.momentum, 0.5);
  const off = hyperChanges({...state, specExtras: {}}, CATALOG);
  assert.equal(off.grad_clip, null, 'null switches clipping off on the server');
  assert.equal(off.lr_schedule, null);
  const applied = python(`
import json, sys
import numpy as np
from engine.model import build_model
from engine.train import Trainer
changes = json.load(sys.stdin)
trainer = Trainer(build_model({"input": {"shape": [2]}, "layers": [{"id": "out", "type": "dense", "units": 1}],
                               "loss": "mse", "optimizer": {"type": "adam", "lr": 0.01}}))
x, y = np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)
trainer.step(x, y)
trainer.set_hyper(changes["on"]); trainer.step(x, y)
on = trainer.spec.model_dump(mode="json")
trainer.set_hyper(changes["off"]); trainer.step(x, y)
off = trainer.spec.model_dump(mode="json")
print(json.dumps({"on": on, "off": off, "steps": trainer.step_count}))`, JSON.stringify({on: changes, off}));
  assert.equal(applied.on.optimizer.momentum, 0.5);
  assert.equal(applied.on.optimizer.nesterov, true);
  assert.deepEqual(applied.on.grad_clip, {type: 'norm', max_norm: 0.5});
  assert.deepEqual(applied.on.lr_schedule, {type: 'step', step_size: 50, gamma: 0.5});
  assert.equal(applied.off.grad_clip, null);
  assert.equal(applied.off.lr_schedule, null);
  assert.equal(applied.steps, 3, 'the same trainer kept stepping through both changes');
});
