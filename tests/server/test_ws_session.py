"""A session through TestClient: views, step N, probe, save, reset, hyperparameter errors."""
import json

import numpy as np
import pytest

from server.live.codec import decode_tensor, pack, unpack
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
        return self.until({kind: match}, limit)[kind]

    def until(self, wanted: dict[str, dict], limit: int = 500) -> dict[str, dict]:
        """Reads until one message of each wanted type (with the given fields) has come, in any
        order: a frame and a status sent together may arrive either way round."""
        found = {}
        for _ in range(limit):
            raw = self.ws.receive()
            message = json.loads(raw["text"]) if raw.get("text") is not None else unpack(raw["bytes"])
            kind = message["type"]
            if kind in wanted and kind not in found and all(message.get(k) == v for k, v in wanted[kind].items()):
                found[kind] = message
                if len(found) == len(wanted):
                    return found
            elif kind == "error" and "error" not in wanted:  # fail now, not after a reply never comes
                raise AssertionError(f"waiting for {wanted}, got {message}")
        raise AssertionError(f"no {wanted}")

    def trained(self, steps: int, views=("metrics",)) -> dict:
        """Data set, build, subscribe, `step N`; returns the final frame."""
        self.send(CIRCLE)
        self.send({"type": "build", "spec": SPEC})
        self.send({"type": "subscribe", "views": list(views)})
        self.send({"type": "control", "action": "step", "steps": steps})
        return self.until({"status": {"state": "paused", "step": steps}, "frame": {"step": steps}})["frame"]


@pytest.fixture
def tab(client):
    with client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        yield Tab(ws)


def test_every_view_of_a_2d_classifier_arrives_decodable(tab):
    frame = tab.trained(60, views=list(VIEWS))
    views = frame["views"]
    assert set(views) == {"neuron_grid", "weights", "weight_histograms", "gradients", "activations", "confusion",
                          "predictions", "saliency"}  # the others are for images, sequences, GANs, autoencoders
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


AUTOENCODER = {"mode": "autoencoder", "input": {"shape": [2]}, "loss": "mse",
               "layers": [{"id": "code", "type": "dense", "units": 2, "activation": "tanh"},
                          {"id": "out", "type": "dense", "units": 2}]}
GAN = {"mode": "gan", "batch_size": 16,
       "generator": {"input": {"shape": [4]}, "layers": [{"id": "g1", "type": "dense", "units": 16, "activation": "relu"},
                                                         {"id": "g_out", "type": "dense", "units": 2}]},
       "discriminator": {"input": {"shape": [2]},
                         "layers": [{"id": "d1", "type": "dense", "units": 16, "activation": "leaky_relu"},
                                    {"id": "d_out", "type": "dense", "units": 1}]}}


@pytest.mark.parametrize("spec, expected_view", [(AUTOENCODER, "reconstructions"), (GAN, "generated_samples")])
def test_autoencoders_and_gans_train_and_show_their_own_views(tab, spec, expected_view):
    tab.send(CIRCLE)
    tab.send({"type": "build", "spec": spec})
    built = tab.next("built")
    assert built["total_params"] > 0
    tab.send({"type": "subscribe", "views": list(VIEWS)})
    tab.send({"type": "control", "action": "step", "steps": 5})
    frame = tab.until({"status": {"state": "paused", "step": 5}, "frame": {"step": 5}})["frame"]
    assert expected_view in frame["views"] and "weights" in frame["views"]


CNN = {"input": {"shape": [1, 8, 8]}, "loss": "cross_entropy", "batch_size": 16,
       "layers": [{"id": "c1", "type": "conv2d", "out_channels": 4, "kernel_size": 3, "activation": "relu"},
                  {"id": "flat", "type": "flatten"}, {"id": "out", "type": "dense", "units": 10}]}
RNN = {"input": {"shape": [10, 1]}, "loss": "binary_cross_entropy", "batch_size": 16,
       "layers": [{"id": "lstm", "type": "lstm", "hidden_size": 8},
                  {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}]}


@pytest.mark.parametrize("spec, dataset, expected", [
    (CNN, "digits8", {"conv_filters", "feature_maps", "confusion"}),
    (RNN, "parity", {"sequence_state"}),
])
def test_conv_and_recurrent_networks_show_their_insides(tab, spec, dataset, expected):
    tab.send({"type": "dataset", "name": dataset, "options": {}})
    tab.send({"type": "build", "spec": spec})
    tab.send({"type": "subscribe", "views": list(VIEWS)})
    tab.send({"type": "control", "action": "step", "steps": 3})
    frame = tab.until({"status": {"state": "paused", "step": 3}, "frame": {"step": 3}})["frame"]
    assert expected <= set(frame["views"])
    if "feature_maps" in expected:
        assert decode_tensor(frame["views"]["feature_maps"]["layers"]["c1"]).shape == (4, 6, 6)
    if "sequence_state" in expected:
        assert decode_tensor(frame["views"]["sequence_state"]["layers"]["lstm"]["hidden"]).shape == (10, 8)


def test_a_saved_network_loads_back_with_its_weights(client):
    with client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        tab = Tab(ws)
        token = tab.next("hello")["session"]
        tab.trained(30)
        tab.send({"type": "save"})
        saved = tab.next("saved")
        raw = pack(saved)  # what a learner's downloaded file holds
        tab.send({"type": "control", "action": "reset"})
        tab.next("reset")
        assert client.post(f"/api/sessions/{token}/load", content=raw).status_code == 202
        tab.next("built")
        tab.send({"type": "save"})
        again = tab.next("saved")
        for name, tensor in saved["params"].items():
            np.testing.assert_array_equal(decode_tensor(again["params"][name]), decode_tensor(tensor))
        assert client.post(f"/api/sessions/{token}/load", content=b"junk").status_code == 422
        assert client.post("/api/sessions/nobody/load", content=raw).status_code == 404


def test_a_session_stops_at_its_step_quota_and_says_so():
    from fastapi.testclient import TestClient
    from server.app import create_app
    from server.settings import Quotas, Settings
    with TestClient(create_app(Settings(quotas=Quotas(max_steps_per_session=50)))) as client, \
            client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        tab = Tab(ws)
        tab.send(CIRCLE)
        tab.send({"type": "build", "spec": SPEC})
        tab.send({"type": "control", "action": "play"})
        status = tab.next("status", state="paused")
        assert status["step"] == 50 and "reset" in status["message"]


def test_a_loaded_network_gets_the_whole_step_quota_of_its_new_session():
    """A network saved at step 50 and loaded goes on counting from 50, but the steps it took before
    were another session's: this one may still take its full quota of 50 more."""
    from fastapi.testclient import TestClient
    from server.app import create_app
    from server.settings import Quotas, Settings
    with TestClient(create_app(Settings(quotas=Quotas(max_steps_per_session=50)))) as client, \
            client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        tab = Tab(ws)
        token = tab.next("hello")["session"]
        tab.send(CIRCLE)
        tab.send({"type": "build", "spec": SPEC})
        tab.send({"type": "control", "action": "play"})
        assert tab.next("status", state="paused")["step"] == 50
        tab.send({"type": "save"})
        raw = pack(tab.next("saved"))
        assert client.post(f"/api/sessions/{token}/load", content=raw).status_code == 202
        assert tab.next("status", message="loaded a saved network")["step"] == 50
        tab.send({"type": "control", "action": "play"})
        status = tab.next("status", state="paused")
        assert status["step"] == 100 and "reset" in status["message"]
