"""Image layers against torch.nn, forward and gradients, weights copied in by name.

Each layer runs alone (built from its spec through the registry, bound to its own arrays) on
the same input and output gradient as its torch twin; input, weight and bias gradients must agree.
"""

import numpy as np
import pytest

from engine.registry import LAYERS


def engine_layer(raw_spec, input_shape):
    entry = LAYERS[raw_spec["type"]]
    layer = entry.impl(entry.model.model_validate({"id": "layer", **raw_spec}), [input_shape])
    params = {name: np.zeros(shape, np.float32) for name, shape in layer.param_shapes()}
    layer.bind(params, {name: np.zeros_like(value) for name, value in params.items()}, {})
    return layer


def compare_with_torch(torch, raw_spec, module, x, rng, activation=None, atol=2e-4):
    """Copy module's parameters into the engine layer by name; compare outputs and gradients."""
    layer = engine_layer(raw_spec, x.shape[1:])
    for name, value in module.named_parameters():
        layer.params[name][...] = value.detach().numpy()
    tx = torch.tensor(x, requires_grad=True)
    ty = module(tx)
    if activation is not None:
        ty = activation(ty)
    y = layer.forward([x], True, None)
    assert y.shape == tuple(ty.shape) and y.shape[1:] == layer.output_shape
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-4, atol=atol)
    grad_y = rng.standard_normal(y.shape).astype(np.float32)
    ty.backward(torch.tensor(grad_y))
    (grad_x,) = layer.backward(grad_y)
    np.testing.assert_allclose(grad_x, tx.grad.numpy(), rtol=1e-4, atol=atol)
    for name, value in module.named_parameters():
        np.testing.assert_allclose(layer.grads[name], value.grad.numpy(), rtol=1e-4, atol=atol * 10, err_msg=name)


def images(rng, shape):
    return rng.standard_normal(shape).astype(np.float32)


CONV2D_CASES = [  # spec fields beyond out_channels and kernel_size (torch takes the same names)
    dict(),
    dict(stride=2),
    dict(padding=1),
    dict(padding="same"),
    dict(padding="valid", stride=3),
    dict(padding=2, dilation=2),
    dict(padding="same", dilation=3),
    dict(stride=2, padding=3, dilation=2),
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("fields", CONV2D_CASES)
@pytest.mark.parametrize("kernel_size", [3, 4])
def test_conv2d_matches_torch(fields, kernel_size, rng, torch):
    module = torch.nn.Conv2d(3, 5, kernel_size, **fields)
    compare_with_torch(torch, {"type": "conv2d", "out_channels": 5, "kernel_size": kernel_size, **fields},
                       module, images(rng, (4, 3, 11, 10)), rng)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu"])
def test_conv2d_activation_and_no_bias_match_torch(activation, rng, torch):
    module = torch.nn.Conv2d(2, 4, 3, padding=1, bias=False)
    from torch_bridge import torch_activation

    compare_with_torch(torch, {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1,
                               "use_bias": False, "activation": activation},
                       module, images(rng, (3, 2, 6, 7)), rng, activation=torch_activation(torch, activation))


@pytest.mark.parametrize("stride, padding, output_padding, kernel_size", [
    (1, 0, 0, 3), (2, 0, 0, 2), (2, 1, 1, 3), (3, 2, 1, 5), (2, 1, 0, 4),
])
def test_conv2d_transpose_matches_torch(stride, padding, output_padding, kernel_size, rng, torch):
    module = torch.nn.ConvTranspose2d(3, 4, kernel_size, stride=stride, padding=padding, output_padding=output_padding)
    compare_with_torch(torch, {"type": "conv2d_transpose", "out_channels": 4, "kernel_size": kernel_size,
                               "stride": stride, "padding": padding, "output_padding": output_padding},
                       module, images(rng, (2, 3, 5, 6)), rng)


@pytest.mark.parametrize("kernel_size, stride, padding", [(2, None, 0), (3, 2, 1), (3, 1, 0), (2, 3, 1)])
def test_pools_match_torch(kernel_size, stride, padding, rng, torch):
    x = rng.permutation(4 * 3 * 9 * 8).reshape(4, 3, 9, 8).astype(np.float32) / 10  # no ties
    fields = {"kernel_size": kernel_size, "stride": stride, "padding": padding}
    compare_with_torch(torch, {"type": "max_pool2d", **fields}, torch.nn.MaxPool2d(kernel_size, stride, padding), x, rng)
    compare_with_torch(torch, {"type": "avg_pool2d", **fields}, torch.nn.AvgPool2d(kernel_size, stride, padding), x, rng)


def test_global_avg_pool_matches_adaptive_avg_pool_and_flatten(rng, torch):
    module = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    compare_with_torch(torch, {"type": "global_avg_pool2d"}, module, images(rng, (3, 4, 5, 6)), rng)


@pytest.mark.parametrize("scale", [2, 3])
def test_upsample_matches_torch(scale, rng, torch):
    compare_with_torch(torch, {"type": "upsample2d", "scale_factor": scale},
                       torch.nn.Upsample(scale_factor=scale, mode="nearest"), images(rng, (2, 3, 4, 5)), rng)


def test_flatten_matches_torch(rng, torch):
    compare_with_torch(torch, {"type": "flatten"}, torch.nn.Flatten(), images(rng, (3, 2, 4, 5)), rng)


@pytest.mark.parametrize("size, patch", [(8, 4), (9, 3), (10, 4)])
def test_patch_embed_matches_torch_conv_as_sequence(size, patch, rng, torch):
    class PatchEmbed(torch.nn.Module):  # the usual ViT stem, with the engine's parameter names
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.randn(6, 3, patch, patch) * 0.1)
            self.bias = torch.nn.Parameter(torch.randn(6) * 0.1)

        def forward(self, x):
            return torch.nn.functional.conv2d(x, self.weight, self.bias, stride=patch).flatten(2).transpose(1, 2)

    compare_with_torch(torch, {"type": "patch_embed", "patch_size": patch, "embed_dim": 6}, PatchEmbed(),
                       images(rng, (2, 3, size, size)), rng)


@pytest.mark.parametrize("batch", [1, 2])
def test_conv2d_small_batches_recompute_or_keep_patches_alike(batch, rng, torch):
    module = torch.nn.Conv2d(2, 3, 3, stride=2, padding=1)
    compare_with_torch(torch, {"type": "conv2d", "out_channels": 3, "kernel_size": 3, "stride": 2, "padding": 1},
                       module, images(rng, (batch, 2, 7, 7)), rng)
