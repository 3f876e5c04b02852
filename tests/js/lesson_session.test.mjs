// The lesson's messages to the session, in the order the server needs them, and what the lesson
// card believes is kept when the session changes under it. Run: node --test tests/js/
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {createBus} from '../../web/js/bus.js';
import {wireLessonSession} from '../../web/js/presets.js';
import {createLessonLink} from '../../web/js/views/lesson.js';

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

/** A session whose sent messages and applied patches land in one log, in order. */
function recordedSession() {
  const bus = createBus();
  const log = [];
  const session = wireLessonSession({
    bus,
    live: {send: (message) => log.push(message.type === 'control' ? `control ${message.action}` : message.type)},
    applyPatch: (patch, label) => {
      log.push(`patch ${label}`);
      if (patch.dataset) bus.emit('dataset-chosen', patch);  // as sync.js does: the network is built later
    },
    datasetLabel: (name) => name.toUpperCase(),
  });
  return {bus, log, session};
}

test('a transfer run plans its layers before its network is set, then resets', () => {
  const {log, session} = recordedSession();
  session.onRun(LESSON, LESSON.runs[1]);
  assert.deepEqual(log, ['transfer', 'patch run frozen_transfer', 'control reset']);
});

test('pretraining clears the plan, sets its network, resets, and steps only once that network is built', () => {
  const {bus, log, session} = recordedSession();
  session.pretrain(LESSON);
  assert.deepEqual(log, ['transfer', 'patch pretrain transfer_frozen_features', 'control reset']);
  bus.emit('build-sent');
  bus.emit('built', {});
  assert.deepEqual(log.slice(3), ['control step']);
  assert.equal(session.datasetLabel('mnist'), 'MNIST');
});

test('choosing a run drops a pretraining still waiting for its network', () => {
  const {bus, log, session} = recordedSession();
  session.pretrain(LESSON);
  session.onRun(LESSON, LESSON.runs[0]);
  bus.emit('build-sent');
  bus.emit('built', {});
  assert.ok(!log.includes('control step'), log.join(', '));
});

test('a new session (needs-setup) clears what the card believes is kept', () => {
  const bus = createBus();
  const link = createLessonLink(bus, {pretrain: () => {}, keep: () => {}, datasetLabel: (name) => name});
  const heard = [];
  link.listen((event) => heard.push(event.kind));
  bus.emit('kept', {type: 'kept', layers: ['conv1'], dataset: 'mnist', step: 600});
  assert.notEqual(link.kept(), null);
  bus.emit('needs-setup', 'new-token');
  assert.equal(link.kept(), null, 'the new session keeps nothing: its transfer runs must wait for step 2 again');
  assert.deepEqual(heard, ['kept', 'forgotten']);
});
