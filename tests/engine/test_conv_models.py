"""Whole CNNs: parity with a torch twin (weights copied by name), training, probes, spec errors."""

import numpy as np
import pytest

from engine import SpecError, Trainer, build_model, probes

CNN_LAYERS = [
    {"id": "c1", "type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"id": "p1", "type": "max_pool2d", "kernel_size": 2},
    {"id": "c2", "type": "conv2d", "out_channels": 6, "kernel_size": 3, "activation": "tanh"},
    {"id": "p2", "type": "avg_pool2d", "kernel_size": 2},
    {"id": "flat", "type": "flatten"},
    {"id": "out", "type": "dense", "units": 3, "activation": "softmax"},
]


def cnn_spec(layers=CNN_LAYERS, shape=(1, 12, 12), **extra):
    return {"input": {"shape": list(shape)}, "layers": layers, "loss": "cross_entropy",
            "optimizer": {"type": "adam", "lr": 0.01}, "batch_size": 16, **extra}


def torch_cnn(torch, model):
    nn = torch.nn
    net = nn.ModuleDict({"c1": nn.Conv2d(1, 4, 3, padding="same"), "c2": nn.Conv2d(4, 6, 3),
                         "out": nn.Linear(6 * 2 * 2, 3)})
    with torch.no_grad():
        for name, value in model.params().items():
            net.get_parameter(name).copy_(torch.tensor(value))

    def logits(x):
        h = nn.functional.max_pool2d(torch.relu(net["c1"](x)), 2)
        h = nn.functional.avg_pool2d(torch.tanh(net["c2"](h)), 2)
        return net["out"](h.flatten(1))

    return net, logits


def stripes(rng, n=96):
    """Three classes of 12x12 images: horizontal stripes, vertical stripes, noise only."""
    labels = rng.integers(0, 3, n)
    x = 0.3 * rng.standard_normal((n, 1, 12, 12)).astype(np.float32)
    x[labels == 0, :, ::3, :] += 1.0
    x[labels == 1, :, :, ::3] += 1.0
    return x, labels


def test_cnn_loss_and_gradients_match_torch_twin(rng, torch):
    model = build_model(cnn_spec())
    net, logits = torch_cnn(torch, model)
    x, labels = stripes(rng, 8)
    loss, grads = model.grads(x, labels)
    torch_loss = torch.nn.functional.cross_entropy(logits(torch.tensor(x)), torch.tensor(labels))
    torch_loss.backward()
    assert loss == pytest.approx(torch_loss.item(), rel=1e-5)
    for name, parameter in net.named_parameters():
        np.testing.assert_allclose(grads[name], parameter.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)


def test_saliency_matches_torch_input_gradient_of_the_class_score(rng, torch):
    model = build_model(cnn_spec())
    _, logits = torch_cnn(torch, model)
    x, _ = stripes(rng, 4)
    tx = torch.tensor(x, requires_grad=True)
    scores = logits(tx)
    scores[torch.arange(4), scores.argmax(dim=1)].sum().backward()
    before = model.flat_grads.copy()
    np.testing.assert_allclose(probes.saliency(model, x), tx.grad.numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(model.flat_grads, before)  # looking leaves training untouched
    assert probes.saliency(model, x, output_index=1).shape == x.shape


def test_small_cnn_learns_stripes(rng):
    spec = cnn_spec()
    model = build_model(spec)
    x, labels = stripes(rng)
    losses = Trainer(model, spec).train(x, labels, steps=60)
    assert losses[-10:].mean() < 0.5 * losses[:5].mean()
    accuracy = (model.forward(x).argmax(axis=1) == labels).mean()
    assert accuracy > 0.9


def test_filters_and_feature_maps_are_image_shaped(rng):
    model = build_model(cnn_spec())
    assert probes.conv_layers(model) == ["c1", "c2"]
    assert probes.conv_filters(model, "c2").shape == (6, 4, 3, 3)
    maps = probes.activations(model, stripes(rng, 2)[0])
    assert maps["c1"].shape == (2, 4, 12, 12) and maps["p2"].shape == (2, 6, 2, 2)
    with pytest.raises(ValueError, match="has no filters"):
        probes.conv_filters(model, "p1")


def test_autoencoder_with_transpose_and_upsample_trains(rng):
    layers = [{"id": "enc", "type": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1,
               "activation": "relu"},
              {"id": "up", "type": "upsample2d"},
              {"id": "mix", "type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": "same", "activation": "relu"},
              {"id": "dec", "type": "conv2d_transpose", "out_channels": 1, "kernel_size": 2, "stride": 2,
               "activation": "sigmoid"},
              {"id": "pool", "type": "global_avg_pool2d"}]
    spec = {"input": {"shape": [1, 8, 8]}, "layers": layers, "loss": "mse", "batch_size": 8,
            "optimizer": {"type": "adam", "lr": 0.02}}
    model = build_model(spec)
    assert [row["output_shape"] for row in model.summary()] == [[4, 4, 4], [4, 8, 8], [4, 8, 8], [1, 16, 16], [1]]
    x = rng.random((32, 1, 8, 8)).astype(np.float32)
    losses = Trainer(model, spec).train(x, x.mean(axis=(1, 2, 3))[:, None], steps=80)
    assert losses[-10:].mean() < 0.5 * losses[:5].mean()


def spec_problems(layers, shape=(1, 12, 12)):
    with pytest.raises(SpecError) as error:
        build_model(cnn_spec(layers, shape))
    return [(p["layer"], p["field"], p["message"]) for p in error.value.problems]


@pytest.mark.parametrize("layer, field, words", [
    ({"type": "conv2d", "out_channels": 2, "kernel_size": 13}, "kernel_size", "larger than the input height 12"),
    ({"type": "conv2d", "out_channels": 2, "kernel_size": 5, "dilation": 3}, "kernel_size", "dilated to 13"),
    ({"type": "conv2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": "same"}, "padding", "needs stride 1"),
    ({"type": "conv2d", "out_channels": 2, "kernel_size": 3, "activation": "softmax"}, "activation", "softmax"),
    ({"type": "conv2d", "out_channels": 0, "kernel_size": 3}, "out_channels", "at least 1"),
    ({"type": "conv2d", "out_channels": 2, "kernel_size": 3, "padding": "full"}, "padding", "'same' or 'valid', got 'full'"),
    ({"type": "max_pool2d", "kernel_size": 4, "padding": 3}, "padding", "at most half the kernel"),
    ({"type": "avg_pool2d", "kernel_size": 16}, "kernel_size", "larger than the input"),
    ({"type": "conv2d_transpose", "out_channels": 2, "kernel_size": 3, "stride": 2, "output_padding": 2},
     "output_padding", "smaller than stride"),
    ({"type": "patch_embed", "patch_size": 16, "embed_dim": 8}, "patch_size", "larger than the image"),
])
def test_image_layer_errors_name_layer_and_field(layer, field, words):
    problems = spec_problems([{"id": "bad", **layer}, {"id": "flat", "type": "flatten"},
                              {"id": "out", "type": "dense", "units": 3}])
    assert any(lid == "bad" and where.startswith("layers[0].") and where.endswith(field) and words in message
               for lid, where, message in problems), problems


def test_conv_on_flat_input_asks_for_a_reshape():
    problems = spec_problems([{"id": "c", "type": "conv2d", "out_channels": 2, "kernel_size": 3},
                              {"id": "out", "type": "dense", "units": 3}], shape=(144,))
    assert ("c", "layers[0].inputs", problems[0][2]) in problems and "reshape" in problems[0][2]


def test_every_image_layer_in_one_graph_matches_finite_differences_in_float64(rng):
    import reference

    layers = [{"id": "c", "type": "conv2d", "out_channels": 3, "kernel_size": 3, "padding": "same", "activation": "tanh"},
              {"id": "mp", "type": "max_pool2d", "kernel_size": 2},
              {"id": "t", "type": "conv2d_transpose", "out_channels": 2, "kernel_size": 2, "stride": 2,
               "activation": "sigmoid"},
              {"id": "up", "type": "upsample2d"},
              {"id": "ap", "type": "avg_pool2d", "kernel_size": 3, "stride": 2, "padding": 1},
              {"id": "patch", "type": "patch_embed", "patch_size": 3, "embed_dim": 4},
              {"id": "flat", "type": "flatten"},
              {"id": "g", "type": "global_avg_pool2d", "inputs": ["c"]},
              {"id": "cat", "type": "concat", "inputs": ["flat", "g"]},
              {"id": "out", "type": "dense", "units": 3}]
    model = build_model(cnn_spec(layers, shape=(2, 6, 6)), seed=3, dtype=np.float64)
    x, y = rng.standard_normal((3, 2, 6, 6)), rng.integers(0, 3, 3)
    _, grads = model.grads(x, y)
    for name, value in model.params().items():
        numeric = reference.numeric_gradient(lambda: model.loss(x, y, training=True), value)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)
