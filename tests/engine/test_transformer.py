"""transformer_block: finite differences through the composed block and parity with a hand-written
torch pre-norm block (modules norm1, attn, norm2, ff1, ff2: weights copied by name)."""

import numpy as np
import pytest
from sequence_checks import assert_mse_gradients_match_torch, finite_difference_check

from engine import SpecError, Trainer, build_model


def block_spec(steps=5, width=8, **fields):
    block = {"id": "blk", "type": "transformer_block", "num_heads": 2, "ff_dim": 12, **fields}
    return {"input": {"shape": [steps, width]}, "layers": [block], "loss": "mse"}


def torch_block(torch, width, heads, ff_dim, activation, causal):
    class PreNormBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1 = torch.nn.LayerNorm(width)
            self.attn = torch.nn.MultiheadAttention(width, heads, batch_first=True)
            self.norm2 = torch.nn.LayerNorm(width)
            self.ff1 = torch.nn.Linear(width, ff_dim)
            self.ff2 = torch.nn.Linear(ff_dim, width)

        def forward(self, x):
            h = self.norm1(x)
            steps = x.shape[1]
            mask = torch.triu(torch.ones(steps, steps, dtype=torch.bool), 1) if causal else None
            x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
            act = torch.nn.functional.gelu if activation == "gelu" else torch.relu
            return x + self.ff2(act(self.ff1(self.norm2(x))))

    return PreNormBlock()


@pytest.mark.parametrize("activation, causal", [("gelu", False), ("relu", True)])
def test_matches_hand_written_torch_block(activation, causal, rng, torch):
    steps, width, heads, ff_dim = 6, 8, 2, 16
    spec = block_spec(steps, width, num_heads=heads, ff_dim=ff_dim, activation=activation, causal=causal)
    model = build_model(spec, seed=5)
    for name, value in model.params().items():  # move norms and biases off their trivial start
        if name.endswith("bias") or name.startswith("blk.norm"):
            value[...] += rng.uniform(-0.2, 0.2, value.shape)
    twin = torch_block(torch, width, heads, ff_dim, activation, causal)
    own = dict(twin.named_parameters())
    assert sorted(own) == sorted(name.split(".", 1)[1] for name in model.params())
    with torch.no_grad():
        for name, value in model.params().items():
            own[name.split(".", 1)[1]].copy_(torch.from_numpy(value))
    x = rng.standard_normal((4, steps, width)).astype(np.float32)
    out = twin(torch.from_numpy(x))
    np.testing.assert_allclose(model.forward(x), out.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert_mse_gradients_match_torch(torch, model, x, out, lambda name: own[name.split(".", 1)[1]], rng,
                                     rtol=2e-4, atol=2e-6)


@pytest.mark.parametrize("causal", [False, True])
def test_block_gradients_match_finite_differences(causal, rng):
    spec = block_spec(4, 4, causal=causal, ff_dim=6)
    spec["layers"].insert(0, {"id": "pre", "type": "dense", "units": 4})  # checks the block's input gradient
    spec["input"]["shape"] = [4, 3]
    finite_difference_check(spec, rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 4)), per_tensor=12)


def test_dropout_only_while_training(rng):
    spec = {**block_spec(dropout=0.5), "optimizer": {"type": "sgd", "lr": 0.01}, "batch_size": 4}
    spec["layers"] = [*spec["layers"], {"id": "out", "type": "dense", "units": 8}]  # no dropout on the output
    model = build_model(spec)
    x = rng.standard_normal((4, 5, 8)).astype(np.float32)
    np.testing.assert_array_equal(model.forward(x), model.forward(x))
    assert not np.allclose(model.run(x, training=True)["blk"], model.forward(x))
    before = model.flat_params.copy()
    Trainer(model, spec).step(x, np.zeros_like(x))
    assert not np.array_equal(before, model.flat_params)


def test_heads_must_divide_features():
    with pytest.raises(SpecError) as error:
        build_model(block_spec(width=8, num_heads=3))
    assert error.value.problems[0]["field"] == "layers[0].num_heads"


def test_probe_state_gives_attention_per_head(rng):
    model = build_model(block_spec(causal=True))
    model.forward(rng.standard_normal((2, 5, 8)).astype(np.float32))
    maps = model.layer_by_id["blk"].probe_state()["attention"]
    assert maps.shape == (2, 2, 5, 5)
    np.testing.assert_allclose(maps.sum(axis=-1), 1.0, rtol=1e-5)
    assert np.all(np.triu(maps[0, 0], 1) == 0.0)


@pytest.mark.parametrize("name", ["gelu", "relu"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_activation_with_slope_equals_the_composed_kernels(name, dtype, rng):
    """The fused feed-forward step (bias, value and slope in one pass; the backward's multiply
    with the bias gradient) against dense_fwd/dense_bwd's bias and activation_fwd/bwd."""
    from engine.kernels.activations import activation_bwd, activation_fwd
    from engine.kernels.codes import ACTIVATION_CODES
    from engine.kernels.dense import dense_bwd, dense_fwd
    from engine.kernels.feedforward import apply_slope, bias_activation_with_slope

    code = ACTIVATION_CODES[name]
    rows, width, ff_dim = 40, 6, 13
    x = rng.standard_normal((rows, width)).astype(dtype)
    weight = (rng.standard_normal((ff_dim, width)) * 2).astype(dtype)
    weight[0] = 0.0
    bias = np.concatenate([[-40.0, -8.0, 0.0, 8.0, 40.0], rng.standard_normal(ff_dim - 5)]).astype(dtype)
    grad_a = rng.standard_normal((rows, ff_dim)).astype(dtype)
    no_bias = np.empty(0, dtype)

    z_ref, a_ref, grad_ref = (np.empty((rows, ff_dim), dtype) for _ in range(3))
    dense_fwd(x, weight, bias, z_ref)
    activation_fwd(code, z_ref, a_ref)
    activation_bwd(code, z_ref, a_ref, grad_a, grad_ref)
    grad_x_ref, grad_w_ref, grad_bias_ref = np.empty_like(x), np.empty_like(weight), np.empty_like(bias)
    dense_bwd(x, weight, grad_ref, grad_x_ref, grad_w_ref, grad_bias_ref, True)

    z, a, slope, grad_z = (np.empty((rows, ff_dim), dtype) for _ in range(4))
    grad_bias = np.full_like(bias, np.nan)
    dense_fwd(x, weight, no_bias, z)
    bias_activation_with_slope(code, z, bias, a, slope)
    apply_slope(grad_a, slope, grad_z, grad_bias)
    np.testing.assert_array_equal(a, a_ref)
    np.testing.assert_allclose(grad_z, grad_ref, rtol=2e-7, atol=1e-12)
    np.testing.assert_allclose(grad_bias, grad_bias_ref, rtol=1e-6, atol=1e-6)


def test_large_inference_batches_run_in_chunks_with_the_same_result(rng):
    """Evaluating thousands of sequences keeps per-layer state bounded (engine/layers/sequence.py)."""
    from engine.layers.sequence import INFERENCE_CHUNK

    spec = {"input": {"shape": [4, 8]}, "loss": "mse",
            "layers": [{"id": "blk", "type": "transformer_block", "num_heads": 2, "ff_dim": 8},
                       {"id": "att", "type": "multi_head_attention", "num_heads": 4},
                       {"id": "rec", "type": "lstm", "hidden_size": 3}]}
    model = build_model(spec)
    x = rng.standard_normal((INFERENCE_CHUNK * 2 + 7, 4, 8)).astype(np.float32)
    whole = model.forward(x)
    assert model.layer_by_id["rec"]._hs.shape[1] == 7  # the last chunk's state
    pieces = np.concatenate([model.forward(x[i:i + 100]) for i in range(0, len(x), 100)])
    np.testing.assert_allclose(whole, pieces, rtol=1e-6, atol=1e-7)
    model.forward(x)
    with pytest.raises(ValueError, match="'rec'.*at most 256"):  # that pass kept only the last chunk
        model.backward(np.ones((len(x), 3), np.float32))
