"""Every lesson preset trains headlessly to the point it claims (or to the failure it must show).

Each preset's run length is its own step cap, so the whole module stays within a fixed budget
(the measured CPU time per preset is in docs/lessons.md). A preset that stops showing its point
fails here with the claims that no longer hold.
"""

import json

import pytest

from engine import validate_spec
from engine.data import DATASETS
from engine.lessons import run_preset
from engine.lessons.runner import run_specs
from engine.presets import PRESETS, catalog
from engine.presets.registry import VIEW_NAMES

NOT_YET_COVERED = {20}  # deep reinforcement learning comes later (the scope is 1-19)


def test_every_curriculum_topic_up_to_19_has_a_preset():
    covered = {topic for preset in PRESETS.values() for topic in preset["topics"]}
    missing = set(range(1, 20)) - covered
    assert not missing, f"topics without a lesson: {sorted(missing)}"


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_is_plain_data_with_valid_specs_data_and_views(name):
    preset = PRESETS[name]
    assert json.loads(json.dumps(preset)) == preset  # plain JSON: shareable, servable
    assert set(preset["views"]) <= set(VIEW_NAMES)
    assert preset["checks"], "a lesson must claim something checkable"
    for label, spec, dataset, _ in run_specs(preset):
        validate_spec(spec)
        assert dataset["name"] in DATASETS, label


def test_catalog_entries_carry_what_the_lessons_menu_reads():
    for entry in catalog():
        assert {"name", "title", "topic", "description", "try_this", "spec", "dataset", "views"} <= set(entry)
        for condition in entry.get("challenge", {}).get("conditions", []):
            assert set(condition) == {"metric", "op", "value"}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_shows_its_point(name):
    result = run_preset(name)
    failed = [f"{c['why']}: {c['that']} = {c['value']} (needed {c['op']} {c['reference']})"
              for c in result["checks"] if not c["passed"]]
    assert not failed, failed


def test_preset_views_are_views_the_server_streams():
    from server.live.views import VIEWS
    assert set(VIEW_NAMES) <= set(VIEWS), set(VIEW_NAMES) - set(VIEWS)
