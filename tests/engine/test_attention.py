"""multi_head_attention: the attention kernels against a NumPy reference and finite differences,
the layer through time-free finite differences, and parity with torch.nn.MultiheadAttention."""

import numpy as np
import pytest
import reference
from sequence_checks import assert_mse_gradients_match_torch, finite_difference_check

from engine import SpecError, build_model
from engine.kernels.attention import attention_bwd, attention_fwd


def reference_attention(qkv, heads, causal):
    """softmax(q k^T / sqrt(D) + mask) v per head, heads side by side; returns (ctx, probs)."""
    batch, steps, width3 = qkv.shape
    width = width3 // 3
    size = width // heads
    q, k, v = np.split(qkv, 3, axis=2)
    split = lambda a: a.reshape(batch, steps, heads, size).transpose(0, 2, 1, 3)  # noqa: E731
    scores = split(q) @ split(k).transpose(0, 1, 3, 2) / np.sqrt(size)
    if causal:
        scores = np.where(np.triu(np.ones((steps, steps), bool), 1), -np.inf, scores)
    probs = np.exp(scores - scores.max(axis=-1, keepdims=True))
    probs /= probs.sum(axis=-1, keepdims=True)
    ctx = (probs @ split(v)).transpose(0, 2, 1, 3).reshape(batch, steps, width)
    return ctx, probs


def run_forward(qkv, heads, causal, dtype=np.float64):
    batch, steps, width = qkv.shape[0], qkv.shape[1], qkv.shape[2] // 3
    size = width // heads
    probs, ctx = np.empty((batch, heads, steps, steps), dtype), np.empty((batch, steps, width), dtype)
    split_qkv = np.empty((batch, 3, heads, steps, size), dtype)
    split_kvt = np.empty((batch, 2, heads, size, steps), dtype)
    bias = np.linspace(-0.5, 0.5, 3 * width).astype(dtype)  # the kernel adds in_proj's bias itself
    attention_fwd(qkv - bias, bias, heads, causal, probs, ctx, split_qkv, split_kvt, np.empty((steps, size), dtype))
    return ctx, probs, (split_qkv, split_kvt)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_kernel_matches_reference(causal, rng):
    qkv = rng.standard_normal((2, 5, 3 * 6))
    ctx, probs, _ = run_forward(qkv, 2, causal)
    expected_ctx, expected_probs = reference_attention(qkv, 2, causal)
    np.testing.assert_allclose(ctx, expected_ctx, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(probs, expected_probs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("causal", [False, True])
def test_float32_attention_matches_reference_on_the_benchmark_shapes(causal, rng):
    qkv = (rng.standard_normal((3, 32, 3 * 64)) * 2).astype(np.float32)
    ctx, probs, _ = run_forward(qkv, 4, causal, np.float32)
    expected_ctx, expected_probs = reference_attention(qkv.astype(np.float64), 4, causal)
    # float32 scores (|s| ~ 4 after scaling) carry ~1e-6 of rounding into every exp
    np.testing.assert_allclose(probs, expected_probs, rtol=2e-5, atol=1e-8)
    np.testing.assert_allclose(ctx, expected_ctx, rtol=2e-5, atol=2e-6)
    assert ctx.dtype == probs.dtype == np.float32


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rows_far_below_the_block_maximum_keep_their_precision(dtype, causal, rng):
    """The softmax shifts a block by its largest score; a row hundreds below it would underflow
    and is recomputed with its own maximum (kernels/attention.py, softmax_scaled_rows)."""
    qkv = rng.standard_normal((1, 4, 3 * 4))
    qkv[0, 0, :4] *= 300.0  # query 0 scores ~ +-300 ...
    qkv[0, 1, :4] = -qkv[0, 0, :4] - 3.0 * np.sign(qkv[0, 0, :4])  # ... query 1 the mirror image, further out
    ctx, probs, _ = run_forward(qkv.astype(dtype), 2, causal, dtype)
    expected_ctx, expected_probs = reference_attention(qkv, 2, causal)
    tolerance = 1e-9 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(probs, expected_probs, rtol=tolerance, atol=tolerance * 1e-3)
    np.testing.assert_allclose(ctx, expected_ctx, rtol=tolerance, atol=tolerance * 1e-3)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_backward_matches_finite_differences(causal, rng):
    heads, qkv = 2, rng.standard_normal((2, 4, 3 * 4))
    weight = rng.standard_normal((2, 4, 4))
    ctx, probs, (split_qkv, split_kvt) = run_forward(qkv, heads, causal)
    np.testing.assert_allclose(split_qkv[1, 2, 1], qkv[1, :, 2 * 4 + 2:], rtol=1e-15)  # v of head 1: (T, D) block
    np.testing.assert_array_equal(split_kvt[1, 1, 1], split_qkv[1, 2, 1].T)  # and transposed
    np.testing.assert_array_equal(split_kvt[0, 0], split_qkv[0, 1].transpose(0, 2, 1))  # k^T of every head
    grad_qkv, grad_bias = np.full_like(qkv, np.nan), np.full(3 * 4, np.nan)  # every entry must be written
    attention_bwd(split_qkv, split_kvt, probs, weight, causal, grad_qkv, grad_bias, np.empty((4, 2)),
                  np.empty((3, 4, 2)), np.empty((4, 4)))
    np.testing.assert_allclose(grad_bias, grad_qkv.sum(axis=(0, 1)), rtol=1e-12)
    numeric = reference.numeric_gradient(lambda: np.sum(run_forward(qkv, heads, causal)[0] * weight), qkv)
    np.testing.assert_allclose(grad_qkv, numeric, rtol=1e-6, atol=1e-8)


def attention_spec(causal, heads=2, steps=4, width=6):
    return {"input": {"shape": [steps, 3]}, "loss": "mse",
            "layers": [{"id": "pre", "type": "dense", "units": width},
                       {"id": "mha", "type": "multi_head_attention", "num_heads": heads, "causal": causal}]}


@pytest.mark.parametrize("causal", [False, True])
def test_layer_gradients_match_finite_differences(causal, rng):
    finite_difference_check(attention_spec(causal), rng.standard_normal((3, 4, 3)), rng.standard_normal((3, 4, 6)))


@pytest.mark.parametrize("causal", [False, True])
def test_matches_torch_multihead_attention(causal, rng, torch):
    batch, steps, width, heads = 3, 6, 8, 4
    spec = {"input": {"shape": [steps, width]}, "loss": "mse",
            "layers": [{"id": "mha", "type": "multi_head_attention", "num_heads": heads, "causal": causal}]}
    model = build_model(spec, seed=2)
    params = model.params()
    params["mha.in_proj_bias"][...] = rng.uniform(-0.2, 0.2, 3 * width)  # torch starts both at zero
    params["mha.out_proj.bias"][...] = rng.uniform(-0.2, 0.2, width)
    twin = torch.nn.MultiheadAttention(width, heads, batch_first=True)
    own = dict(twin.named_parameters())
    with torch.no_grad():
        for name, value in params.items():
            own[name.split(".", 1)[1]].copy_(torch.from_numpy(value))
    x = rng.standard_normal((batch, steps, width)).astype(np.float32)
    xt = torch.from_numpy(x)
    mask = torch.triu(torch.ones(steps, steps, dtype=torch.bool), 1) if causal else None
    out, weights = twin(xt, xt, xt, attn_mask=mask, need_weights=True, average_attn_weights=False)
    np.testing.assert_allclose(model.forward(x), out.detach().numpy(), rtol=1e-5, atol=2e-6)
    probs = model.layer_by_id["mha"].probe_state()["attention"]
    np.testing.assert_allclose(probs, weights.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert_mse_gradients_match_torch(torch, model, x, out, lambda name: own[name.split(".", 1)[1]], rng)


def test_heads_must_divide_features():
    spec = attention_spec(False, heads=4, width=6)
    with pytest.raises(SpecError) as error:
        build_model(spec)
    problem = error.value.problems[0]
    assert problem["layer"] == "mha" and problem["field"] == "layers[1].num_heads" and "divide" in problem["message"]


def test_parameter_names_follow_torch():
    shapes = {name: value.shape for name, value in build_model(attention_spec(True)).params().items()
              if name.startswith("mha.")}
    assert shapes == {"mha.in_proj_weight": (18, 6), "mha.in_proj_bias": (18,),
                      "mha.out_proj.weight": (6, 6), "mha.out_proj.bias": (6,)}
