"""Every lesson preset, live: a real `layerlab serve` and a real WebSocket client do what the web
page does when a learner opens a lesson (data set, build, subscribe to the lesson's views, train a
few steps) and check that each view the lesson names delivers real tensors.

The headless runner (tests/lessons) proves that the lessons make their point; this file proves
that the server can show them: the data options load, the network builds, frames stream with
finite losses, and no view the lesson highlights stays empty. Every comparison run's variant and
the transfer lesson's pretraining network must build too.
"""
import asyncio
import math
import time

import numpy as np
import pytest

from engine.lessons.datasets import lesson_options
from engine.lessons.runner import merge
from engine.presets import PRESETS
from conftest import start_server, stop_server
from live_client import LiveClient, frame_losses
from server.live.codec import decode_tensor
from server.live.views import VIEWS

STEPS = 30                # enough for several frames and an evaluation, quick even for the CNNs
VARIANT_STEPS = 3         # a comparison run only has to build and take a step
REPLY_SECONDS = 60        # the first MNIST load or kernel call of a busy machine can be slow


@pytest.fixture(scope="module")
def lesson_server():
    """A server of its own: every lesson opens in a tab of its own, far more tabs than one computer
    may keep by default (closed tabs' sessions linger a little before they are let go)."""
    server = start_server({"LAYERLAB_QUOTAS__MAX_SESSIONS_PER_CLIENT": "256", "LAYERLAB_RESUME_GRACE_SECONDS": "1"})
    yield server
    stop_server(server)


def run(coroutine, seconds: float = 120):
    return asyncio.run(asyncio.wait_for(coroutine, seconds))


def dataset_message(dataset: dict) -> dict:
    return {"type": "dataset", "name": dataset["name"], "options": lesson_options(dataset)}


async def reply(tab: LiveClient, kind: str, allowed_errors: tuple[str, ...] = (), **match) -> dict:
    """The next `kind` message; an error from the server fails the test with its own words."""
    deadline = time.monotonic() + REPLY_SECONDS
    while True:
        message = await asyncio.wait_for(tab.texts.get(), max(0.01, deadline - time.monotonic()))
        if message["type"] == "error" and message["code"] not in allowed_errors:
            pytest.fail(f"waiting for {kind}, the server said: {message}")
        if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
            return message


async def open_lesson(tab: LiveClient, spec: dict, dataset: dict) -> tuple[dict, dict]:
    """Data set, then network, as the web page sends them: (dataset_loaded, built)."""
    await tab.send(dataset_message(dataset))
    loaded = await reply(tab, "dataset_loaded")
    await tab.send({"type": "build", "spec": spec})
    built = await reply(tab, "built")
    return loaded, built


async def train_steps(tab: LiveClient, steps: int) -> dict:
    await tab.send({"type": "control", "action": "step", "steps": steps})
    status = await reply(tab, "status", state="paused")
    assert status["step"] == steps, status
    return status


async def final_frame(tab: LiveClient, step: int) -> dict:
    """The frame taken when the run stopped. Frames and replies travel apart (a frame may be
    replaced by a newer one, a reply never), so the `paused` status can arrive before it."""
    deadline = time.monotonic() + REPLY_SECONDS
    while not tab.frames or tab.frames[-1]["step"] != step:
        assert time.monotonic() < deadline, f"no frame of step {step}"
        await asyncio.sleep(0.02)
    return tab.frames[-1]


# ---- what "real data" means for each view -------------------------------------------------------

def tensors_in(payload) -> list[np.ndarray]:
    """Every encoded tensor inside a view's payload, decoded."""
    if isinstance(payload, dict) and {"dtype", "shape", "data"} <= set(payload):
        return [decode_tensor(payload)]
    if isinstance(payload, dict):
        return [t for value in payload.values() for t in tensors_in(value)]
    if isinstance(payload, list):
        return [t for value in payload for t in tensors_in(value)]
    return []


def numbers_in(payload) -> list[float]:
    """Every plain number inside a view's payload (histogram bins, norms, stats)."""
    if isinstance(payload, bool) or payload is None or isinstance(payload, str):
        return []
    if isinstance(payload, (int, float)):
        return [float(payload)]
    if isinstance(payload, dict) and {"dtype", "shape", "data"} <= set(payload):
        return []
    values = payload.values() if isinstance(payload, dict) else payload
    return [n for value in values for n in numbers_in(value)]


def decoded(payload: dict, key: str) -> np.ndarray:
    return decode_tensor(payload[key])


def check_neuron_grid(payload, built):
    grid = decode_tensor(payload)
    assert grid.ndim == 3 and grid.shape[0] == len(payload["neurons"]) >= 1 and grid.shape[1] == grid.shape[2] >= 16


def check_weights(payload, built):
    assert payload and all(decode_tensor(t).size for t in payload.values())


def check_histograms(payload, built):
    assert payload and all(len(entry["bins"]) >= 4 for entry in payload.values())


def check_gradients(payload, built):
    norms = payload["norms"]
    assert norms and all(math.isfinite(n) for n in norms.values())
    assert any(n > 0 for n in norms.values()), "no parameter got a gradient"


def check_activations(payload, built):
    layers = payload["layers"]
    assert layers and all(decode_tensor(t).size for t in layers.values())


def check_confusion(payload, built):
    matrix = decoded(payload, "matrix")
    assert matrix.ndim == 2 and matrix.shape[0] == matrix.shape[1] == len(payload["class_names"]) >= 2
    assert matrix.sum() > 0


def check_predictions(payload, built):
    if payload.get("task") == "regression":  # a forecast: targets and predicted values
        assert decoded(payload, "predicted").shape == decoded(payload, "labels").shape
        assert decoded(payload, "predicted").size >= 1
    else:
        assert len(payload["predicted"]) == len(payload["labels"]) >= 1
    assert decoded(payload, "inputs").shape[0] == len(payload["index"])


def check_conv_filters(payload, built):
    assert payload and all(decode_tensor(t).ndim == 4 for t in payload.values())


def check_feature_maps(payload, built):
    layers = payload["layers"]
    assert layers and all(decode_tensor(t).ndim == 3 for t in layers.values())


def check_sequence_state(payload, built):
    assert payload["layers"] and tensors_in(payload["layers"])


def check_saliency(payload, built):
    assert decoded(payload, "saliency").shape == decoded(payload, "input").shape


def check_generated(payload, built):
    samples = decoded(payload, "samples")
    assert samples.ndim == 2 and samples.shape[0] >= 1


def check_reconstructions(payload, built):
    assert decoded(payload, "inputs").shape == decoded(payload, "outputs").shape
    assert decoded(payload, "codes").shape[0] == decoded(payload, "labels").shape[0] >= 1


VIEW_CHECKS = {
    "neuron_grid": check_neuron_grid, "weights": check_weights, "weight_histograms": check_histograms,
    "gradients": check_gradients, "activations": check_activations, "confusion": check_confusion,
    "predictions": check_predictions, "conv_filters": check_conv_filters, "feature_maps": check_feature_maps,
    "sequence_state": check_sequence_state, "saliency": check_saliency, "generated_samples": check_generated,
    "reconstructions": check_reconstructions,
}


def check_frames(frames: list[dict], views: list[str], built: dict) -> None:
    losses = frame_losses(frames)
    assert len(losses) == STEPS and np.all(np.isfinite(losses)), losses
    assert any(frame.get("evals") for frame in frames), "no evaluation reached the client"
    assert math.isfinite(frames[-1]["metrics"]["loss"])
    for name in views:
        if name == "metrics":
            continue  # carried by every frame, checked above
        payloads = [frame["views"][name] for frame in frames if name in frame.get("views", {})]
        assert payloads, f"the {name} view never arrived"
        arrays, numbers = tensors_in(payloads[-1]), numbers_in(payloads[-1])
        assert arrays or numbers, f"{name}: no values in {payloads[-1]}"
        assert all(a.size and np.all(np.isfinite(a)) for a in arrays), f"{name}: an empty or non-finite tensor"
        assert all(math.isfinite(n) for n in numbers), f"{name}: a non-finite number"
        VIEW_CHECKS[name](payloads[-1], built)


# ---- the tests ------------------------------------------------------------------------------------

def variants() -> list[tuple[str, str, dict, dict]]:
    """(preset, run label, spec, data set) of every comparison run, merged as the runner merges them,
    and of every pretraining network."""
    cases = []
    for name, preset in PRESETS.items():
        for run_ in preset.get("runs") or []:
            cases.append((name, run_["label"], merge(preset["spec"], run_.get("changes", {})),
                          merge(preset["dataset"], run_.get("dataset", {}))))
        if "pretrain" in preset:
            cases.append((name, "pretrain", preset["pretrain"]["spec"], preset["pretrain"]["dataset"]))
    return cases


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_lesson_opens_trains_and_streams_its_views(lesson_server, name):
    preset = PRESETS[name]

    async def scenario():
        async with LiveClient(lesson_server) as tab:
            await reply(tab, "hello")
            _, built = await open_lesson(tab, preset["spec"], preset["dataset"])
            assert built["total_params"] > 0
            await tab.send({"type": "subscribe", "views": list(preset["views"]), "fps": 30})
            since = len(tab.frames)
            await train_steps(tab, STEPS)
            await final_frame(tab, STEPS)
            check_frames(tab.frames[since:], preset["views"], built)
    run(scenario())


@pytest.mark.parametrize("name, label, spec, dataset", variants(),
                         ids=[f"{name}-{label}" for name, label, _, _ in variants()])
def test_every_comparison_run_builds_and_steps(lesson_server, name, label, spec, dataset):
    async def scenario():
        async with LiveClient(lesson_server) as tab:
            await reply(tab, "hello")
            _, built = await open_lesson(tab, spec, dataset)
            assert built["total_params"] > 0
            since = len(tab.frames)
            await train_steps(tab, VARIANT_STEPS)
            await final_frame(tab, VARIANT_STEPS)
            losses = frame_losses(tab.frames[since:])
            assert len(losses) == VARIANT_STEPS
            # the too-large learning rate is meant to blow up, but not within three steps
            assert np.all(np.isfinite(losses)), losses
    run(scenario())


def test_lessons_opened_one_after_another_in_one_tab_never_break_a_view(lesson_server):
    """What the page does: a new lesson's data set comes first (the old network meets it: the
    server warns `incompatible_data`), then its network, while the subscription of the lesson
    before is still on, so every view meets every kind of network. None may fail."""
    async def scenario():
        async with LiveClient(lesson_server) as tab:
            await reply(tab, "hello")
            await tab.send({"type": "subscribe", "views": list(VIEWS), "fps": 60})
            for name, preset in PRESETS.items():
                await tab.send(dataset_message(preset["dataset"]))
                await reply(tab, "dataset_loaded", allowed_errors=("incompatible_data",))
                await tab.send({"type": "build", "spec": preset["spec"]})
                await reply(tab, "built", allowed_errors=("incompatible_data",))  # the warning may come late
                await tab.send({"type": "control", "action": "step", "steps": 2})
                await reply(tab, "status", state="paused")
    run(scenario(), seconds=300)
