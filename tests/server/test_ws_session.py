"""A session through TestClient: views, step N, probe, save, reset, hyperparameter errors."""
import json

import numpy as np
import pytest

from server.live.codec import decode_tensor, unpack
from server.live.views import VIEWS

SAME_ORIGIN = {"origin": "http://testserver"}
SPEC = {"input": {"shape": [2]},
        "layers": [{"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
                   {"id": "h2", "type": "dense", "units": 8, "activation": "tanh"},
                   {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}],
        "loss": "binary_cross_entropy", "optimizer": {"type": "adam", "lr": 0.03}, "batch_size": 16}
CIRCLE = {"type": "dataset", "name": "circle", "options": {"samples": 300, "seed": 2}}


class Tab:
    """Reads a TestClient socket, keeping text and binary messages apart."""

    def __init__(self, ws):
        self.ws = ws

    def send(self, message):
        self.ws.send_text(json.dumps(message))

    def next(self, kind: str, limit: int = 500, **match) -> dict:
        for _ in range(limit):
            raw = self.ws.receive()
            message = json.loads(raw["text"]) if raw.get("text") is not None else unpack(raw["bytes"])
            if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                return message
            if message["type"] == "error":  # fail now rather than wait for a reply that never comes
                raise AssertionError(f"waiting for {kind}, got {message}")
        raise AssertionError(f"no {kind} {match}")

    def trained(self, steps: int, views=("metrics",)) -> dict:
        """Data set, build, subscribe, `step N`; returns the final frame."""
        self.send(CIRCLE)
        self.send({"type": "build", "spec": SPEC})
        self.send({"type": "subscribe", "views": list(views)})
        self.send({"type": "control", "action": "step", "steps": steps})
        status = self.next("status", state="paused")
        assert status["step"] == steps
        return self.next("frame", step=steps)


@pytest.fixture
def tab(client):
    with client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        yield Tab(ws)


def test_every_view_of_a_2d_classifier_arrives_decodable(tab):
    frame = tab.trained(60, views=list(VIEWS))
    views = frame["views"]
    assert set(views) == set(VIEWS) - {"metrics"}
    grid = views["neuron_grid"]
    assert decode_tensor(grid).shape == (17, 64, 64) and len(grid["neurons"]) == 17
    assert grid["neurons"][-1] == {"layer": "out", "unit": 0}
    assert decode_tensor(views["weights"]["h2.weight"]).shape == (8, 8)
    assert set(views["gradients"]["norms"]) == {"h1.weight", "h1.bias", "h2.weight", "h2.bias", "out.weight", "out.bias"}
    assert len(views["weight_histograms"]["h1.weight"]["bins"]) == 32
    assert set(views["activations"]["layers"]) == {"h1", "h2", "out"}
    confusion = decode_tensor(views["confusion"]["matrix"])
    assert confusion.shape == (2, 2) and confusion.sum() == 60  # the validation set
    predictions = views["predictions"]
    assert len(predictions["predicted"]) == len(predictions["labels"]) >= 16
    assert frame["metrics"]["val_accuracy"] >= 0 and frame["evals"]


def test_views_are_computed_only_when_subscribed(tab):
    frame = tab.trained(5, views=["metrics", "weights"])
    assert set(frame["views"]) == {"weights"}


def test_probe_answers_with_output_and_activations(tab):
    tab.trained(5)
    tab.send({"type": "probe", "input": [0.5, -1.0]})
    result = tab.next("probe_result")
    assert decode_tensor(result["output"]).shape == (1, 1)
    assert set(result["activations"]) == {"h1", "h2", "out"} and result["predicted"][0] in (0, 1)
    tab.send({"type": "probe", "input": [1, 2, 3]})
    error = tab.next("error")
    assert (error["code"], error["field"]) == ("invalid_input", "input")


def test_save_gives_every_parameter_with_pytorch_names(tab):
    tab.trained(5)
    tab.send({"type": "save"})
    saved = tab.next("saved")
    assert saved["step"] == 5 and saved["spec"]["layers"][0]["id"] == "h1"
    assert decode_tensor(saved["params"]["h1.weight"]).shape == (8, 2)  # (out, in) as in torch
    assert saved["dataset"]["name"] == "circle"


def test_reset_starts_from_step_zero_with_an_empty_history(tab):
    tab.trained(20)
    tab.send({"type": "control", "action": "reset"})
    tab.next("reset")
    assert tab.next("status")["step"] == 0
    assert tab.next("history")["steps"] == 0


def test_bad_hyperparameters_are_refused_and_nothing_changes(tab):
    tab.trained(5)
    tab.send({"type": "hyper", "changes": {"optimizer": {"lr": -1}}})
    error = tab.next("error")
    assert error["code"] == "invalid_spec" and error["field"].startswith("changes.optimizer")
    tab.send({"type": "hyper", "changes": {"layers": []}})
    assert tab.next("error")["field"] == "changes.layers"
    tab.send({"type": "hyper", "changes": {"batch_size": 10**6}})
    assert tab.next("error")["code"] == "quota_exceeded"
    tab.send({"type": "control", "action": "step", "steps": 3})
    assert tab.next("status", state="paused")["step"] == 8


def test_a_network_that_does_not_fit_the_data_is_explained(tab):
    tab.send(CIRCLE)
    tab.send({"type": "build", "spec": {**SPEC, "input": {"shape": [3]}}})
    error = tab.next("error")
    assert (error["code"], error["field"]) == ("incompatible_data", "input.shape")
    tab.send({"type": "control", "action": "play"})
    assert tab.next("error")["code"] == "incompatible_data"


def test_uploaded_data_can_be_trained_on(client):
    rows = "x1,x2,label\n" + "".join(f"{np.sin(i):.3f},{np.cos(i):.3f},{int(np.sin(i) > 0)}\n" for i in range(60))
    name = client.post("/api/datasets/upload", files={"file": ("p.csv", rows, "text/csv")}).json()["name"]
    with client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        tab = Tab(ws)
        tab.send({"type": "dataset", "name": name})
        info = tab.next("dataset_loaded")["info"]
        assert info["input_shape"] == [2]
        tab.send({"type": "build", "spec": {**SPEC, "loss": info["suggested_loss"]}})
        tab.send({"type": "control", "action": "step", "steps": 4})
        assert tab.next("status", state="paused")["step"] == 4
