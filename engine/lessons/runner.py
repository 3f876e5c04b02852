"""The headless lesson runner: trains a preset (every run of a comparison) and checks its point.

    >>> from engine.lessons import run_preset
    >>> result = run_preset("xor_hidden_layer")                     # doctest: +SKIP
    >>> result["passed"], result["runs"]["main"]["final"]["val_accuracy"]   # doctest: +SKIP
    (True, 1.0)

Plain numpy and the engine: no server, no files. A result is JSON-able:
{"name", "runs": {label: run result}, "checks": [...], "passed", "seconds"}; a run result holds
"final" and "best" metrics, "history" (one row per evaluation), "steps", "steps_to_target",
"diverged" (None or {"step", "tensor", "message"}), "stopped_early" and the measures asked for.
"""

import copy
import time

import numpy as np

from engine import Diverged, Trainer, build_model
from engine.lessons.checkpoint import BestCheckpoint
from engine.lessons.checks import check_all
from engine.lessons.datasets import load_lesson_data
from engine.lessons.measures import MEASURES
from engine.metrics import evaluate
from engine.modes import transfer_weights

TRAIN_EVAL_LIMIT = 2000  # samples of the training set scored at each evaluation
VAL_EVAL_LIMIT = 4000    # and of the validation set (names have 12,000 windows: time, not insight)


def merge(base, changes):
    """Deep merge of plain data: dicts merge key by key, anything else is replaced."""
    if not isinstance(base, dict) or not isinstance(changes, dict):
        return copy.deepcopy(changes)
    out = copy.deepcopy(base)
    for key, value in changes.items():
        out[key] = merge(out[key], value) if key in out else copy.deepcopy(value)
    return out


RUN_OVERRIDES = ("steps", "early_stopping", "target", "stop_at_target", "transfer")  # a run may set its own


def run_specs(preset: dict) -> list[tuple[str, dict, dict, dict]]:
    """(label, spec, dataset, lesson settings) of every run: the preset itself, or each of its
    comparison runs (``changes`` merged into the spec, ``dataset`` into the data set)."""
    runs = preset.get("runs") or [{"label": "main"}]
    return [(run["label"], merge(preset["spec"], run.get("changes", {})),
             merge(preset["dataset"], run.get("dataset", {})),
             {**preset, **{key: run[key] for key in RUN_OVERRIDES if key in run}}) for run in runs]


def _evaluate(model, data, x, y) -> dict:
    """The engine's metrics, plus accuracy for a yes/no task trained with a regression loss."""
    out = evaluate(model, None, x, y)
    if "accuracy" not in out and data.task == "binary_classification" and model.spec.mode != "perceptron":
        predicted = model.forward(x, training=False).reshape(len(x), -1) > 0.5
        out["accuracy"] = float(np.mean(predicted == (np.asarray(y).reshape(len(x), -1) > 0.5)))
    return out


def scores(model, data) -> dict:
    train = _evaluate(model, data, data.x_train[:TRAIN_EVAL_LIMIT], data.y_train[:TRAIN_EVAL_LIMIT])
    val = _evaluate(model, data, data.x_val[:VAL_EVAL_LIMIT], data.y_val[:VAL_EVAL_LIMIT])
    out = {key: float(value) for key, value in train.items()}
    out.update({f"val_{key}": float(value) for key, value in val.items()})
    return out


def _reached(target, metrics) -> bool:
    if not target or target["metric"] not in metrics:
        return False
    value = metrics[target["metric"]]
    return value >= target["at_least"] if "at_least" in target else value <= target["at_most"]


def pretrained_model(lesson: dict, cache: dict):
    """The lesson's ``pretrain`` network ({"spec", "dataset", "steps"}), trained once per preset."""
    if "model" not in cache:
        source = lesson["pretrain"]
        cache["model"] = build_model(source["spec"])
        cache["result"] = train_run(source["spec"], load_lesson_data(source["dataset"]),
                                    {"eval_every": source["steps"]}, source["steps"], model=cache["model"])
    return cache["model"]


def prepare_model(spec: dict, lesson: dict, cache: dict):
    """The run's model; a run with ``transfer`` ({"layers": [ids]}) starts from the pretrained
    network's layers of those ids (frozen if the spec marks them ``"trainable": false``)."""
    model = build_model(spec)
    if lesson.get("transfer"):
        report = transfer_weights(pretrained_model(lesson, cache), model, lesson["transfer"]["layers"])
        if report["skipped"]:
            raise ValueError(f"transfer could not copy {report['skipped']}")
    return model


def train_in_chunks(trainer, data, lesson: dict, steps: int, best: BestCheckpoint, progress=None) -> dict:
    """Train ``eval_every`` steps at a time, scoring after each chunk; stops early at the target
    (``stop_at_target``), on early stopping, or when training diverges."""
    every = max(1, min(lesson.get("eval_every", 100), steps))
    target, stopping = lesson.get("target"), lesson.get("early_stopping")
    out = {"history": [{"step": 0, **scores(trainer.model, data)}], "steps": 0, "diverged": None,
           "losses": [], "steps_to_target": None}
    while out["steps"] < steps:
        chunk = min(every, steps - out["steps"])
        try:
            out["losses"].extend(trainer.train(data.x_train, data.y_train, chunk).tolist())
        except Diverged as failure:
            out["losses"].extend([] if failure.losses is None else np.asarray(failure.losses).tolist())
            out["diverged"] = {"step": int(failure.step), "tensor": failure.tensor, "message": failure.message}
            out["steps"] = int(failure.step)
            break
        out["steps"] += chunk
        metrics = {"step": out["steps"], **scores(trainer.model, data)}
        out["history"].append(metrics)
        best.update(trainer.model, out["steps"], metrics)
        if out["steps_to_target"] is None and _reached(target, metrics):
            out["steps_to_target"] = out["steps"]
            if lesson.get("stop_at_target"):
                break
        if stopping and best.should_stop:
            break
        if progress:
            progress(out["steps"], steps)
    return out


def train_run(spec: dict, data, lesson: dict, steps: int, progress=None, model=None) -> dict:
    """Train one spec on one data set and measure it: the run result described above."""
    started, cpu_started = time.perf_counter(), time.process_time()
    model = build_model(spec) if model is None else model
    trainer = Trainer(model, spec)
    frozen = frozen_snapshot(model, spec)
    measures = lesson.get("measures", [])
    result = {"measures_at_start": {m: MEASURES[m](model, spec, data) for m in measures if m.endswith("_start")}}
    stopping = lesson.get("early_stopping")
    best = BestCheckpoint(**{k: v for k, v in stopping.items() if k != "restore_best"}) if stopping \
        else BestCheckpoint("val_loss")
    trained = train_in_chunks(trainer, data, lesson, steps, best, progress)
    history, diverged = trained["history"], trained["diverged"]
    restored = bool(stopping and stopping.get("restore_best", True)) and best.restore(model)
    final = {"step": trained["steps"], **scores(model, data)} if restored and diverged is None else history[-1]
    result.update({
        "steps": trained["steps"], "steps_to_target": trained["steps_to_target"], "diverged": diverged,
        "stopped_early": bool(stopping) and best.should_stop, "restored_best": bool(restored),
        "final": {k: v for k, v in final.items() if k != "step"},
        "best": {"step": best.step, **(best.metrics or {})},
        "last_trained": {k: v for k, v in history[-1].items() if k != "step"},
        "batch_loss_noise": _noise(trained["losses"]),
        "history": history, "params": int(model.num_params),
    })
    if diverged is None:
        result.update({m: MEASURES[m](model, spec, data) for m in measures if not m.endswith("_start")})
    if frozen:
        params = model.params()
        result["frozen_unchanged"] = {layer_id: all(np.array_equal(params[name], value) for name, value in saved.items())
                                      for layer_id, saved in frozen.items()}
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["cpu_seconds"] = round(time.process_time() - cpu_started, 3)  # what a quiet machine would take
    return result


def frozen_snapshot(model, spec) -> dict:
    """{layer id: copies of its parameters} for the layers the spec freezes (trainable: false)."""
    frozen = [layer["id"] for layer in spec.get("layers", []) if layer.get("trainable") is False]
    params = model.params() if frozen else {}
    return {layer_id: {name: value.copy() for name, value in params.items() if name.split(".", 1)[0] == layer_id}
            for layer_id in frozen}


def _noise(losses, window=100):
    """Spread of the last batch losses around their mean: how jumpy the loss curve is."""
    tail = np.asarray(losses[-window:], np.float64)
    tail = tail[np.isfinite(tail)]
    return float(tail.std() / max(abs(tail.mean()), 1e-12)) if tail.size > 1 else None


def run_preset(preset, steps: int | None = None, progress=None) -> dict:
    """Train every run of a preset (by name or as data) and evaluate its checks."""
    from engine.presets import PRESETS
    preset = PRESETS[preset] if isinstance(preset, str) else preset
    started, cpu_started = time.perf_counter(), time.process_time()
    runs, pretrained = {}, {}
    specs = run_specs(preset)
    for index, (label, spec, dataset, lesson) in enumerate(specs):
        data = load_lesson_data(dataset)
        total = steps or lesson["steps"]
        report = None if progress is None else (
            lambda done, all_, label=label, index=index: progress(done, all_, f"{label} ({index + 1}/{len(specs)})"))
        model = prepare_model(spec, lesson, pretrained)
        runs[label] = train_run(spec, data, lesson, total, report, model=model)
    result = {"name": preset["name"], "topics": preset["topics"], "runs": runs}
    if "result" in pretrained:
        result["pretrain"] = pretrained["result"]
    result["checks"] = check_all(preset.get("checks", []), result)
    result["passed"] = all(check["passed"] for check in result["checks"])
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["cpu_seconds"] = round(time.process_time() - cpu_started, 3)
    return result


def summary(result: dict) -> dict:
    """The result without per-evaluation history: what `layerlab train --json` prints."""
    def brief(run):
        return {k: v for k, v in run.items() if k != "history"}
    out = {**result, "runs": {label: brief(run) for label, run in result["runs"].items()}}
    if "pretrain" in result:
        out["pretrain"] = brief(result["pretrain"])
    return out

