// A lesson's comparison runs set up in the page exactly as the headless runner trains them: every
// run of every real preset gets the data set and options engine/lessons/runner.py gives it.
// Run: node --test tests/js/
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {dirname, join} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

import {runDataset} from '../../web/js/presets.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = join(process.env.LAYERLAB_VENV ?? join(ROOT, '.venv'), 'bin', 'python');

/** [{preset, run, lesson dataset, run dataset, runner's dataset}] for every run that names data. */
const CASES = JSON.parse(execFileSync(PYTHON, ['-c', `
import json
from engine.lessons.runner import run_specs
from engine.presets import PRESETS
cases = []
for preset in PRESETS.values():
    runs = {run["label"]: run for run in preset.get("runs") or []}
    for label, _spec, dataset, _settings in run_specs(preset):
        if "dataset" in runs.get(label, {}):
            cases.append({"preset": preset["name"], "run": label, "lesson": preset["dataset"],
                          "change": runs[label]["dataset"], "runner": dataset})
print(json.dumps(cases))`], {cwd: ROOT, encoding: 'utf8'}));

test('runs that change the data keep the lesson\'s other options, as the headless runner does', () => {
  assert.ok(CASES.length >= 4, 'the presets have runs that change their data');
  for (const c of CASES) {
    assert.deepEqual(runDataset(c.lesson, c.change), c.runner, `${c.preset} / ${c.run}`);
  }
});

test('a run without data changes keeps the lesson\'s data set whole', () => {
  const lesson = {name: 'mnist', options: {flatten: true, seed: 0}};
  assert.deepEqual(runDataset(lesson, {}), lesson);
});
