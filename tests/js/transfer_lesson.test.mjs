// The transfer lesson's logic in the browser modules, without a page: which plan a run sends, the
// state of the pretraining step, waiting for a build before training, and the card's words.
// Run: node --test tests/js/
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {createBus} from '../../web/js/bus.js';
import {isTransferError} from '../../web/js/notice.js';
import {createBuildWaiter, stateFromPretrain, transferPlanOf, wireLessonSession} from '../../web/js/presets.js';
import {createLessonLink, describeKept, describeTransfer} from '../../web/js/views/lesson.js';

const NO_ACTIONS = {pretrain: () => {}, keep: () => {}, datasetLabel: (name) => name};

const CNN = {
  input: {shape: [1, 28, 28]}, loss: 'cross_entropy', optimizer: {type: 'adam', lr: 0.002}, batch_size: 32, seed: 0,
  layers: [
    {id: 'conv1', type: 'conv2d', out_channels: 8, kernel_size: 5, activation: 'relu'},
    {id: 'flat', type: 'flatten'},
    {id: 'head', type: 'dense', units: 10},
  ],
};
const LESSON = {
  name: 'transfer_frozen_features', spec: CNN, dataset: {name: 'fashion_mnist', options: {train_limit: 100}},
  pretrain: {spec: CNN, dataset: {name: 'mnist', options: {seed: 0}}, steps: 600},
  runs: [{label: 'from_scratch'}, {label: 'frozen_transfer', transfer: {layers: ['conv1']}}],
};

test('a transfer run sends its layers, another run of the lesson clears the plan, other lessons send nothing', () => {
  assert.deepEqual(transferPlanOf(LESSON, LESSON.runs[1]), ['conv1']);
  assert.deepEqual(transferPlanOf(LESSON, LESSON.runs[0]), []);
  assert.equal(transferPlanOf({name: 'optimizer_race', spec: CNN}, {label: 'adam'}), null);
});

test('the pretraining step sets the pretraining network and data set, under the lesson', () => {
  const patch = stateFromPretrain(LESSON);
  assert.equal(patch.dataset, 'mnist');
  assert.deepEqual(patch.data, {seed: 0});
  assert.deepEqual(patch.layers?.map((l) => l.id), ['conv1', 'flat', 'head']);
  assert.equal(patch.preset, 'transfer_frozen_features');
});

test('training waits for the network a change asks for, and runs at once when nothing is rebuilt', () => {
  const bus = createBus();
  const waiter = createBuildWaiter(bus);
  const ran = [];
  waiter.afterBuild(() => bus.emit('dataset-chosen', {}), () => ran.push('after switch'));
  assert.deepEqual(ran, []);
  bus.emit('built', {});  // answers a build sent before the switch (the lesson just opened)
  assert.deepEqual(ran, [], 'an earlier request\'s network is not the one asked for');
  bus.emit('build-sent');
  bus.emit('built', {});
  bus.emit('built', {});  // a later build does not run it twice
  assert.deepEqual(ran, ['after switch']);

  waiter.afterBuild(() => {}, () => ran.push('at once'));
  assert.deepEqual(ran, ['after switch', 'at once']);
});

test('a build that will not come (invalid network, refused data, another run chosen) drops the action', () => {
  const bus = createBus();
  const waiter = createBuildWaiter(bus);
  const ran = [];
  waiter.afterBuild(() => bus.emit('network-pending'), () => ran.push('invalid'));
  bus.emit('validated', {report: {ok: false}});
  waiter.afterBuild(() => bus.emit('dataset-chosen', {}), () => ran.push('refused'));
  bus.emit('error', {code: 'invalid_dataset'});
  waiter.afterBuild(() => bus.emit('network-pending'), () => ran.push('cancelled'));
  waiter.cancel();
  bus.emit('build-sent');
  bus.emit('built', {});
  assert.deepEqual(ran, []);
});

test('the lesson link hears what is kept on the bus and tells its listeners', () => {
  const bus = createBus();
  const link = createLessonLink(bus, NO_ACTIONS);
  const heard = [];
  link.listen((event) => heard.push(event.kind));
  assert.equal(link.kept(), null);
  const kept = {type: 'kept', layers: ['conv1', 'flat', 'head'], dataset: 'mnist', step: 600};
  bus.emit('kept', kept);
  bus.emit('transferred', {type: 'transferred', copied: [], skipped: {}});
  assert.equal(link.kept(), kept);
  assert.deepEqual(heard, ['kept', 'transferred']);
});

test('the card says what was kept and what each new network started from', () => {
  const kept = {type: 'kept', layers: ['conv1', 'head'], dataset: 'mnist', step: 1200};
  assert.equal(describeKept(kept, (name) => name.toUpperCase()), 'Kept: the weights after 1,200 steps on MNIST (conv1, head).');
  assert.equal(describeTransfer({type: 'transferred', copied: ['conv1.weight', 'conv1.bias', 'conv2.weight'], skipped: {}}),
    'Started from the kept weights of conv1, conv2.');
  assert.equal(describeTransfer({type: 'transferred', copied: [], skipped: {conv1: 'no layer with this id in this network'}}),
    'Nothing was copied from the kept weights; not copied: conv1 (no layer with this id in this network).');
});

test('keep and transfer errors are told apart from network errors', () => {
  assert.ok(isTransferError({code: 'unknown_layer'}) && isTransferError({code: 'nothing_kept'}));
  assert.ok(!isTransferError({code: 'invalid_spec'}));
});
