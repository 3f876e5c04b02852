"""Weight initializers: every one fills a (out, in, ...) weight and its bias from a Generator.

``fan_in`` = in * receptive field, ``fan_out`` = out * receptive field (torch's convention).

- ``default``: torch.nn.Linear/Conv's own init (kaiming_uniform with a=sqrt(5)), i.e. weight and
  bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Used when a layer says nothing.
- ``glorot`` / ``xavier``: U(-sqrt(6/(fan_in+fan_out)), +...), bias 0 (good for tanh/sigmoid).
- ``he`` / ``kaiming``: N(0, sqrt(2/fan_in)), bias 0 (good for ReLU).
- ``normal``: N(0, 0.05), bias 0 (Keras' RandomNormal default; small and arbitrary on purpose).
- ``zeros``: everything 0: every neuron of a layer then stays identical (the symmetry lesson).

Values are drawn in float64 and rounded to the parameter's dtype, so float32 and float64 models
built from one seed start from the same numbers.
"""

import math

import numpy as np


def _fans(shape):
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def init_default(rng, weight, bias):
    fan_in, _ = _fans(weight.shape)
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    weight[...] = rng.uniform(-bound, bound, weight.shape)
    if bias is not None:
        bias[...] = rng.uniform(-bound, bound, bias.shape)


def init_glorot(rng, weight, bias):
    fan_in, fan_out = _fans(weight.shape)
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    weight[...] = rng.uniform(-bound, bound, weight.shape)
    if bias is not None:
        bias[...] = 0.0


def init_he(rng, weight, bias):
    fan_in, _ = _fans(weight.shape)
    weight[...] = rng.normal(0.0, math.sqrt(2.0 / fan_in), weight.shape)
    if bias is not None:
        bias[...] = 0.0


def init_normal(rng, weight, bias):
    weight[...] = rng.normal(0.0, 0.05, weight.shape)
    if bias is not None:
        bias[...] = 0.0


def init_zeros(rng, weight, bias):
    weight[...] = 0.0
    if bias is not None:
        bias[...] = 0.0


INITIALIZER_FUNCTIONS = {
    "default": init_default,
    "glorot": init_glorot,
    "xavier": init_glorot,
    "he": init_he,
    "kaiming": init_he,
    "normal": init_normal,
    "zeros": init_zeros,
}
