"""The lesson runner's pieces: checks as data, the best checkpoint, lesson data, the CLI and catalog."""

import json

import numpy as np

from engine import Trainer, build_model
from engine.lessons import BestCheckpoint, run_preset
from engine.lessons.checks import check_all
from engine.lessons.datasets import load_lesson_data

TINY = {"input": {"shape": [2]}, "loss": "binary_cross_entropy", "optimizer": {"type": "adam", "lr": 0.05},
        "layers": [{"id": "h", "type": "dense", "units": 4, "activation": "tanh"},
                   {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}]}


def test_checks_compare_numbers_paths_and_treat_never_as_infinite():
    result = {"runs": {"a": {"steps": 100, "never": None}, "b": {"steps": 300, "msg": "try a smaller learning rate"}}}
    checks = [{"that": "runs.a.steps", "op": "<", "than": "runs.b.steps"},
              {"that": "runs.a.steps", "op": "<", "than": {"path": "runs.b.steps", "times": 0.5}},
              {"that": "runs.a.steps", "op": "<", "than": "runs.a.never"},
              {"that": "runs.b.msg", "op": "contains", "than": "smaller learning rate"},
              {"that": "runs.a.typo", "op": "<", "than": 5}]
    assert [c["passed"] for c in check_all(checks, result)] == [True, True, True, True, False]


def test_best_checkpoint_restores_the_best_parameters_and_says_when_to_stop():
    model = build_model(TINY)
    best = BestCheckpoint("val_loss", patience=2)
    best.update(model, 10, {"val_loss": 0.3})
    saved = model.flat_params.copy()
    model.flat_params[...] += 1.0
    assert not best.update(model, 20, {"val_loss": 0.4}) and not best.should_stop
    assert not best.update(model, 30, {"val_loss": float("nan")}) and best.should_stop
    assert best.restore(model) and np.array_equal(model.flat_params, saved) and best.step == 10


def test_lesson_data_limits_and_unbalances_only_the_training_part():
    full = load_lesson_data({"name": "moons", "options": {"samples": 400}})
    rare = load_lesson_data({"name": "moons", "options": {"samples": 400}, "train_limit": 100,
                             "keep_fraction": {"class": 1, "fraction": 0.1}})
    assert len(rare.x_train) == 100 and np.array_equal(rare.x_val, full.x_val)
    assert 0 < np.sum(rare.y_train == 1) <= 0.1 * np.sum(full.y_train == 1) + 1
    # The older top-level spelling maps onto the data options the live server takes too.
    same = load_lesson_data({"name": "moons", "options": {"samples": 400, "train_limit": 100,
                                                          "rare_class": 1, "rare_fraction": 0.1}})
    assert np.array_equal(same.x_train, rare.x_train) and np.array_equal(same.y_train, rare.y_train)


def test_early_stopping_run_restores_its_best_checkpoint():
    preset = {"name": "tiny", "topics": [10], "spec": TINY, "steps": 2000, "eval_every": 20,
              "dataset": {"name": "circle", "options": {"samples": 200, "noise": 0.5}, "train_limit": 20},
              "early_stopping": {"metric": "val_loss", "patience": 3}, "checks": []}
    run = run_preset(preset)["runs"]["main"]
    assert run["stopped_early"] and run["restored_best"] and run["steps"] < 2000
    assert run["final"]["val_loss"] == run["best"]["val_loss"]


def test_diverged_run_reports_the_engines_message():
    spec = {**TINY, "loss": "mse", "optimizer": {"type": "sgd", "lr": 10.0},
            "layers": [{"id": "h", "type": "dense", "units": 16, "activation": "relu"}, {"id": "out", "type": "dense", "units": 1}]}
    preset = {"name": "boom", "topics": [6], "spec": spec, "steps": 200, "eval_every": 50,
              "dataset": {"name": "multi_gaussian", "options": {"samples": 200}}, "checks": []}
    run = run_preset(preset)["runs"]["main"]
    assert run["diverged"] and "learning rate" in run["diverged"]["message"]
    assert Trainer  # the engine's Diverged is what the runner caught


def test_cli_trains_a_preset_and_prints_json(capsys):
    from server.cli import main
    assert main(["train", "--preset", "perceptron_separable", "--steps", "200", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["passed"] and out["runs"]["main"]["final"]["val_accuracy"] >= 0.97
    assert "history" not in out["runs"]["main"]


def test_api_catalog_lists_the_presets():
    from fastapi.testclient import TestClient
    from server.app import create_app
    from server.settings import Settings
    with TestClient(create_app(Settings())) as client:
        presets = client.get("/api/catalog").json()["presets"]
    assert {"perceptron_separable", "optimizer_race", "mnist_cnn"} <= {p["name"] for p in presets}
