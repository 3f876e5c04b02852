"""Dropout: inverted scaling, seeded masks, backward through the same mask, torch parity."""

import numpy as np
import pytest

from engine import build_model
from engine.kernels.dropout import dropout_bwd, dropout_fwd


def spec(rate=0.4, seed=0):
    return {"input": {"shape": [50]}, "seed": seed,
            "layers": [{"id": "h", "type": "dense", "units": 40, "activation": "relu"},
                       {"id": "drop", "type": "dropout", "rate": rate},
                       {"id": "out", "type": "dense", "units": 3}]}


def test_kernels_scale_kept_values_and_zero_dropped_ones():
    x = np.arange(1, 7, dtype=np.float32)
    mask = np.array([1, 0, 1, 1, 0, 1], np.uint8)
    y, gx = np.empty_like(x), np.empty_like(x)
    dropout_fwd(x, mask, 2.0, y)
    dropout_bwd(np.ones_like(x), mask, 2.0, gx)
    np.testing.assert_array_equal(y, [2, 0, 6, 8, 0, 12])
    np.testing.assert_array_equal(gx, [2, 0, 2, 2, 0, 2])


def test_dropout_is_identity_in_eval_and_seeded_in_training(rng):
    x = rng.standard_normal((64, 50)).astype(np.float32)
    a, b = build_model(spec()), build_model(spec())
    np.testing.assert_array_equal(a.run(x)["drop"], a.run(x)["h"])
    np.testing.assert_array_equal(a.forward(x, training=True), b.forward(x, training=True))
    kept = a.run(x, training=True)["drop"] != 0
    assert kept[a.run(x)["h"] != 0].mean() == pytest.approx(0.6, abs=0.03)


def test_dropout_matches_torch_with_the_same_mask(rng, torch):
    model = build_model(spec(rate=0.3))
    x = rng.standard_normal((16, 50)).astype(np.float32)
    values = model.run(x, training=True)
    mask = model.layer_by_id["drop"].workspace("dropout_mask", (16, 40), np.uint8).astype(np.float32)
    hidden = torch.tensor(values["h"].copy(), requires_grad=True)
    dropped = hidden * torch.tensor(mask) / (1 - 0.3)  # what torch.nn.Dropout computes for this mask
    np.testing.assert_allclose(values["drop"], dropped.detach().numpy(), rtol=1e-6)
    grad = rng.standard_normal((16, 40)).astype(np.float32)
    dropped.backward(torch.tensor(grad))
    ours = model.layer_by_id["drop"].backward(grad)[0]
    np.testing.assert_allclose(ours, hidden.grad.numpy(), rtol=1e-6)


def test_dense_layer_dropout_uses_the_same_mask_forward_and_backward(rng):
    spec_with_dense_dropout = {"input": {"shape": [5]}, "loss": "mse",
                               "layers": [{"id": "h", "type": "dense", "units": 30, "activation": "tanh", "dropout": 0.5},
                                          {"id": "out", "type": "dense", "units": 1}]}
    model = build_model(spec_with_dense_dropout)
    x, y = rng.standard_normal((1, 5)).astype(np.float32), rng.standard_normal((1, 1)).astype(np.float32)
    _, grads = model.grads(x, y)
    dropped = model.layer_by_id["h"].workspace("dropout_mask", (1, 30), np.uint8)[0] == 0
    assert 0 < dropped.sum() < 30
    assert not grads["h.weight"][dropped].any() and grads["h.weight"][~dropped].all()
