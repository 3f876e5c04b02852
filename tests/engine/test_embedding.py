"""embedding, positional_encoding, sequence_pool and per-step cross-entropy: NumPy references,
finite differences, torch parity (nn.Embedding, a character model's loss) and input errors."""

import math

import numpy as np
import pytest
from sequence_checks import finite_difference_check

from engine import SpecError, Trainer, build_model
from engine.kernels.embedding import embedding_bwd, embedding_fwd
from engine.layers.embedding import sinusoidal_table


def test_embedding_kernels_match_reference(rng):
    weight, ids = rng.standard_normal((7, 3)), rng.integers(0, 7, 20)
    out = np.empty((20, 3))
    embedding_fwd(ids, weight, out)
    np.testing.assert_array_equal(out, weight[ids])
    grad_out, grad_weight = rng.standard_normal((20, 3)), np.full((7, 3), np.nan)
    embedding_bwd(ids, grad_out, grad_weight)
    expected = np.zeros((7, 3))
    np.add.at(expected, ids, grad_out)  # repeated ids sum
    np.testing.assert_allclose(grad_weight, expected, rtol=1e-12)


def token_spec(*layers, steps=6, vocab=5, loss="mse"):
    return {"input": {"shape": [steps]}, "loss": loss,
            "layers": [{"id": "emb", "type": "embedding", "num_embeddings": vocab, "embedding_dim": 4}, *layers]}


def test_embedding_matches_torch(rng, torch):
    model = build_model(token_spec())
    twin = torch.nn.Embedding(5, 4)
    with torch.no_grad():
        twin.weight.copy_(torch.from_numpy(model.params()["emb.weight"]))
    ids = rng.integers(0, 5, (3, 6))
    out = twin(torch.from_numpy(ids))
    np.testing.assert_allclose(model.forward(ids.astype(np.float32)), out.detach().numpy())
    y = rng.standard_normal((3, 6, 4)).astype(np.float32)
    loss, grads = model.grads(ids.astype(np.float32), y)
    torch.nn.functional.mse_loss(out, torch.from_numpy(y)).backward()
    np.testing.assert_allclose(grads["emb.weight"], twin.weight.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("bad", [5.0, -1.0, 2.5])
def test_bad_token_ids_name_the_layer(bad):
    model = build_model(token_spec())
    x = np.zeros((2, 6), np.float32)
    x[1, 3] = bad
    with pytest.raises(ValueError, match="'emb'.*0 to 4"):
        model.forward(x)


def test_embedding_needs_token_ids():
    spec = {"input": {"shape": [6, 2]}, "layers": [{"id": "emb", "type": "embedding", "num_embeddings": 3,
                                                    "embedding_dim": 2}]}
    with pytest.raises(SpecError) as error:
        build_model(spec)
    assert error.value.problems[0]["layer"] == "emb" and error.value.problems[0]["field"] == "layers[0].type"


def test_sinusoidal_table_follows_the_formula():
    table = sinusoidal_table(7, 6)
    for t in range(7):
        for i in range(3):
            angle = t / 10000 ** (2 * i / 6)
            assert table[t, 2 * i] == pytest.approx(math.sin(angle))
            assert table[t, 2 * i + 1] == pytest.approx(math.cos(angle))
    assert sinusoidal_table(3, 5).shape == (3, 5)  # odd widths keep their last sine column


def test_sinusoidal_encoding_adds_the_table(rng):
    model = build_model(token_spec({"id": "pos", "type": "positional_encoding", "max_len": 10}))
    ids = rng.integers(0, 5, (2, 6)).astype(np.float32)
    values = model.run(ids)
    np.testing.assert_allclose(values["pos"], values["emb"] + sinusoidal_table(6, 4)[None], rtol=1e-6, atol=1e-6)
    assert model.num_params == 20


def test_sequence_longer_than_max_len_is_reported():
    with pytest.raises(SpecError) as error:
        build_model(token_spec({"id": "pos", "type": "positional_encoding", "max_len": 4}))
    assert error.value.problems[0]["field"] == "layers[1].max_len"


@pytest.mark.parametrize("mode", ["mean", "last", "first"])
def test_learned_positions_and_pooling_match_finite_differences(mode, rng):
    spec = token_spec({"id": "pos", "type": "positional_encoding", "kind": "learned", "max_len": 9},
                      {"id": "pool", "type": "sequence_pool", "mode": mode},
                      {"id": "out", "type": "dense", "units": 3, "activation": "softmax"}, loss="cross_entropy")
    ids = rng.integers(0, 5, (4, 6)).astype(np.float64)
    finite_difference_check(spec, ids, np.array([0, 2, 1, 2]))


def test_per_step_cross_entropy_matches_torch(rng, torch):
    """A character model: labels (N, T), logits (N, T, C), mean over every step as torch."""
    spec = token_spec({"id": "rec", "type": "gru", "hidden_size": 6, "return_sequences": True},
                      {"id": "out", "type": "dense", "units": 5}, loss="cross_entropy")
    model = build_model(spec)
    ids = rng.integers(0, 5, (3, 6))
    labels = rng.integers(0, 5, (3, 6))
    loss, _ = model.grads(ids.astype(np.float32), labels)
    logits = torch.from_numpy(model.forward(ids.astype(np.float32)))
    expected = torch.nn.functional.cross_entropy(logits.reshape(-1, 5), torch.from_numpy(labels).reshape(-1))
    assert loss == pytest.approx(expected.item(), rel=1e-5)
    finite_difference_check(spec, ids.astype(np.float64), labels, per_tensor=8)


def test_character_model_learns_to_predict_the_next_letter():
    """The sequence 0 1 2 3 4 0 1 2 ... is deterministic: a per-step GRU learns it quickly."""
    spec = token_spec({"id": "rec", "type": "gru", "hidden_size": 16, "return_sequences": True},
                      {"id": "out", "type": "dense", "units": 5}, loss="cross_entropy")
    spec.update(optimizer={"type": "adam", "lr": 0.03}, batch_size=16)
    starts = np.arange(40) % 5
    ids = (starts[:, None] + np.arange(7)[None]) % 5
    trainer = Trainer(build_model(spec), spec)
    losses = trainer.train(ids[:, :6].astype(np.float32), ids[:, 1:], steps=120)
    assert losses[-1] < 0.1 < losses[0]
