// The drawing pad's keyboard rules and what it says, and the gallery tiles' spoken names, as
// pure functions (the browser test in tests/browser/test_digit_pad.py drives the real pad).
// Run: node --test tests/js/
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {describeCursor, describePrediction, greyLevels, moveCursor, padKeyAction} from '../../web/js/views/digit.js';
import {tileLabel} from '../../web/js/views/gallery.js';

test('arrow keys move, shift+arrows paint while moving, and the other keys map to their actions', () => {
  assert.deepEqual(padKeyAction('ArrowUp', false), {kind: 'move', dx: 0, dy: -1});
  assert.deepEqual(padKeyAction('ArrowDown', true), {kind: 'stroke', dx: 0, dy: 1});
  assert.deepEqual(padKeyAction('ArrowLeft', true), {kind: 'stroke', dx: -1, dy: 0});
  assert.deepEqual(padKeyAction('ArrowRight', false), {kind: 'move', dx: 1, dy: 0});
  assert.deepEqual(padKeyAction(' ', false), {kind: 'paint'});
  assert.deepEqual(padKeyAction('Enter', false), {kind: 'paint'});
  assert.deepEqual(padKeyAction('Delete', false), {kind: 'clear'});
  assert.deepEqual(padKeyAction('Backspace', false), {kind: 'clear'});
  assert.deepEqual(padKeyAction('p', false), {kind: 'probe'});
  assert.deepEqual(padKeyAction('P', true), {kind: 'probe'});
  // Keys the pad does not use stay with the page (Tab must still leave the pad).
  assert.equal(padKeyAction('Tab', false), null);
  assert.equal(padKeyAction('.', false), null);
  assert.equal(padKeyAction('a', false), null);
});

test('the cursor moves one cell and stays inside the 28x28 grid', () => {
  assert.deepEqual(moveCursor({x: 14, y: 14}, 1, 0), {x: 15, y: 14});
  assert.deepEqual(moveCursor({x: 0, y: 5}, -1, 0), {x: 0, y: 5});
  assert.deepEqual(moveCursor({x: 27, y: 27}, 1, 1), {x: 27, y: 27});
  assert.deepEqual(moveCursor({x: 3, y: 0}, 0, -1), {x: 3, y: 0});
  let cursor = {x: 14, y: 14};
  for (let i = 0; i < 40; i++) cursor = moveCursor(cursor, 0, 1);
  assert.deepEqual(cursor, {x: 14, y: 27});
});

test('the cursor is told as a 1-based row and column, and whether its cell is painted', () => {
  assert.equal(describeCursor({x: 0, y: 0}, false), 'row 1, column 1 of 28');
  assert.equal(describeCursor({x: 14, y: 6}, true), 'row 7, column 15 of 28, painted');
});

test('the announcement names the top class and the runner-up with their probabilities', () => {
  const probabilities = [0.01, 0.82, 0.02, 0.01, 0.09, 0.01, 0.01, 0.01, 0.01, 0.01];
  assert.equal(describePrediction(probabilities, [], 'your drawing'),
    'your drawing: the model says 1 (82%), then 4 (9%).');
  assert.equal(describePrediction([0.3, 0.7], ['cat', 'dog'], 'validation image 12'),
    'validation image 12: the model says dog (70%), then cat (30%).');
  assert.equal(describePrediction([1], ['only'], 'x'), 'x: the model says only (100%).');
  assert.equal(describePrediction([], [], 'x'), 'x: no answer');
});

test('grey levels keep 0..1 pixels as they are and stretch anything else to 0..255', () => {
  assert.deepEqual(Array.from(greyLevels([0, 0.5, 1])), [0, 128, 255]);
  assert.deepEqual(Array.from(greyLevels([0, 0.2])), [0, 51]);  // a faint image stays faint
  assert.deepEqual(Array.from(greyLevels([-1, 0, 3])), [0, 64, 255]);  // standardised: min..max
});

test('a gallery tile is named by its validation index, true and predicted class', () => {
  assert.equal(tileLabel(12, '3', '5'), 'validation image 12, true 3, predicted 5');
});
