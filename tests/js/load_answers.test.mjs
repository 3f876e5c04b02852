// Which socket messages answer a saved network's load, and the server's reasons for refusing a
// request, read from its `detail`. Run: node --test tests/js/
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {refusalOf} from '../../web/js/api.js';
import {loadAnswers} from '../../web/js/files.js';

const SAVED = {spec: {input: {shape: [2]}, layers: [{id: 'h1', type: 'dense', units: 8}, {id: 'out', type: 'dense', units: 1}]}};
const builtOf = (...ids) => ({type: 'built', layers: ids.map((id) => ({id, type: 'dense'})), total_params: 33});

test("a built answers the load only if it lists the saved network's layers", () => {
  const answers = loadAnswers(SAVED);
  assert.ok(answers.built(builtOf('h1', 'out')));
  assert.ok(!answers.built(builtOf('h1', 'h2', 'out')), 'an earlier build of the network on screen is not the load');
  assert.ok(!answers.built({type: 'built'}));
});

test('only errors the load can raise end it: not a rate limit, nor a late hyperparameter change', () => {
  const answers = loadAnswers(SAVED);
  assert.ok(answers.error({code: 'invalid_spec', field: 'params', message: 'the saved weights do not fit this network'}));
  assert.ok(answers.error({code: 'invalid_dataset', field: 'name', message: 'no such data set'}));
  assert.ok(answers.error({code: 'quota_exceeded', field: 'layers[0].units', message: 'at most 1024 units'}));
  assert.ok(!answers.error({code: 'rate_limited', field: null, message: 'slow down'}));
  assert.ok(!answers.error({code: 'invalid_spec', field: 'changes.lr', message: 'lr must be positive'}));
});

test("a GAN's built lists both of its networks' layers", () => {
  const gan = {spec: {mode: 'gan', generator: {layers: [{id: 'g1'}]}, discriminator: {layers: [{id: 'd1'}]}}};
  assert.ok(loadAnswers(gan).built(builtOf('g1', 'd1')));
});

test("a refusal says the server's reason and the field to fix, or what HTTP said", () => {
  assert.equal(refusalOf({detail: {code: 'invalid_message', field: 'step', message: 'the saved step count must be whole'}}, 'HTTP 422'),
    'the saved step count must be whole (step)');
  assert.equal(refusalOf({detail: 'Not Found'}, 'HTTP 404'), 'Not Found');
  assert.equal(refusalOf({}, 'the server refused it (HTTP 500)'), 'the server refused it (HTTP 500)');
});
