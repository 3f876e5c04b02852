"""Every lesson challenge can be met (its stored solution meets it, as the UI checks it: all
conditions at once at some evaluation) and is a challenge (the preset as given never meets it)."""

import pytest

from engine.lessons import run_preset
from engine.lessons.checks import challenge_met
from engine.lessons.runner import merge, run_specs
from engine.presets import PRESETS

WITH_CHALLENGE = [name for name, preset in PRESETS.items() if "challenge" in preset]


def met_at_some_evaluation(run, conditions):
    return any(challenge_met(conditions, row, run["params"]) for row in run["history"])


def single_run(preset, spec_changes, steps):
    _, spec, dataset, _ = run_specs(preset)[0]
    return {**preset, "runs": None, "spec": merge(spec, spec_changes), "dataset": dataset, "steps": steps,
            "checks": []}


@pytest.mark.slow
@pytest.mark.parametrize("name", WITH_CHALLENGE)
def test_challenge_is_reachable_and_not_met_as_given(name):
    preset = PRESETS[name]
    challenge = preset["challenge"]
    conditions, solution = challenge["conditions"], challenge["solution"]
    solved = run_preset(single_run(preset, solution["changes"], solution["steps"]))["runs"]["main"]
    assert met_at_some_evaluation(solved, conditions), solved["history"][-1]
    given = run_preset(single_run(preset, {}, preset["steps"]))["runs"]["main"]
    assert not met_at_some_evaluation(given, conditions)
