"""l1/l2 penalties on weights only, and gradient clipping as torch.nn.utils does it."""

import numpy as np
import pytest
import reference

from engine import build_model
from engine.kernels.regularize import REG_L1, REG_L2, add_penalty_grads, clip_grads_by_norm, clip_grads_by_value, penalty


def test_penalty_gradients_match_finite_differences_on_weight_segments(rng):
    params = rng.standard_normal(10)
    starts, stops = np.array([0, 6]), np.array([4, 9])
    for kind in (REG_L1, REG_L2):
        grads = np.zeros(10)
        add_penalty_grads(params, grads, starts, stops, kind, 0.3)
        numeric = reference.numeric_gradient(lambda: penalty(params, starts, stops, kind, 0.3), params)
        np.testing.assert_allclose(grads, numeric, atol=1e-8)
        assert grads[4] == grads[5] == grads[9] == 0.0  # outside the segments: untouched


def test_model_regularizes_weights_but_not_biases_or_norm_parameters():
    spec = {"input": {"shape": [3]}, "layers": [{"id": "h", "type": "dense", "units": 4}, {"id": "bn", "type": "batch_norm"},
                                                {"id": "out", "type": "dense", "units": 1}]}
    model = build_model(spec)
    starts, stops = model.regularized_segments
    covered = {name for name, offset, _ in model.param_layout if any(s <= offset < e for s, e in zip(starts, stops))}
    assert covered == {"h.weight", "out.weight"}


def test_clip_by_norm_matches_torch(rng, torch):
    grads = rng.standard_normal(40).astype(np.float32) * 3
    tensor = torch.nn.Parameter(torch.zeros(40))
    tensor.grad = torch.tensor(grads.copy())
    expected_norm = torch.nn.utils.clip_grad_norm_([tensor], 1.5)
    norm = clip_grads_by_norm(grads, 1.5)
    assert norm == pytest.approx(expected_norm.item(), rel=1e-6)
    np.testing.assert_allclose(grads, tensor.grad.numpy(), rtol=1e-6)
    small = np.full(4, 0.1, np.float32)
    clip_grads_by_norm(small, 10.0)
    np.testing.assert_array_equal(small, np.float32(0.1))  # below the limit: unchanged


def test_clip_by_value_clamps_and_keeps_nan():
    grads = np.array([-3.0, -0.5, 0.2, 7.0, np.nan], np.float32)
    clip_grads_by_value(grads, 1.0)
    np.testing.assert_array_equal(grads[:4], np.array([-1.0, -0.5, 0.2, 1.0], np.float32))
    assert np.isnan(grads[4])
