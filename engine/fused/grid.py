"""All-neuron grid probe: every neuron of a dense stack over n x n input points, one njit pass.

Behind ``engine.probes.neuron_grid`` for sequential dense float32 networks (other networks take
the layer-by-layer path). The result is neuron-major (neurons, n, n) float32, neurons in layer
order, the points ordered as ``probes.grid_points``.

Layouts (held flat, C order): ``inputs_t`` (F, M) float32, the M points' input features
transposed, so that every neuron's values over the points are one contiguous row; ``out``
(neurons, M) float32 is both the result and the activation storage: layer l reads the rows of
layer l-1. A neuron's row is built
by axpy over a tile of points (long, vectorizable loops), which is why this runs several times
faster than a batch-first forward pass plus transposes.

Why tanh and sigmoid have their own kernel here: the training kernels' float64 polynomials are
accurate to 1 ulp but cost ~1.2 ns per element, which alone would exceed the grid's time budget
(160k tanh per 100x100 probe). A picture does not need ulp parity: `fast_tanh_row` is a float32
rational approximation (Eigen's, max abs error ~4e-7, tested) running at vector speed, and
sigmoid(x) = 0.5 + 0.5 tanh(x / 2) (abs error ~2e-7). Every other activation reuses
the engine's activation kernels.

    >>> import numpy as np
    >>> from engine import build_model
    >>> model = build_model({"input": {"shape": [2]},
    ...                      "layers": [{"id": "h1", "type": "dense", "units": 3, "activation": "tanh"},
    ...                                 {"id": "out", "type": "dense", "units": 1}]})
    >>> fused_neuron_grid(model, n=5).shape
    (4, 5, 5)
"""

import threading
import weakref

import numpy as np

from engine.config import njit
from engine.fused.mlp import dense_stack_problem, layer_table
from engine.fused.mlp_kernels import F_ACTIVATION, F_FAN_IN, F_FAN_OUT, layer_tensors
from engine.kernels.activations import activation_row_fwd
from engine.kernels.codes import ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH

POINTS_PER_TILE = 2048  # 17 rows x 2048 points = 139 KB: a tile stays in L2 between layers

# Eigen's generic_fast_tanh_float: odd 13/even 6 rational on [-7.905, 7.905], then +-1.
_CLAMP = 7.90531110763549805
_A1, _A3, _A5 = 4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05
_A7, _A9 = 5.12229709037114e-08, -8.60467152213735e-11
_A11, _A13 = 2.00018790482477e-13, -2.76076847742355e-16
_B0, _B2, _B4, _B6 = 4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04, 1.19825839466702e-06


@njit
def fast_tanh_row(z, a, scale, shift):
    """a = shift + scale * tanh(scale * z): tanh with (1, 0), sigmoid with (0.5, 0.5)."""
    s = sc = np.float32(scale)
    sh = np.float32(shift)
    c = np.float32(_CLAMP)
    for i in range(z.shape[0]):
        x = z[i] * s
        x = c if x > c else (-c if x < -c else x)  # NaN passes through both tests
        x2 = x * x
        p = np.float32(_A13)
        p = p * x2 + np.float32(_A11)
        p = p * x2 + np.float32(_A9)
        p = p * x2 + np.float32(_A7)
        p = p * x2 + np.float32(_A5)
        p = p * x2 + np.float32(_A3)
        p = p * x2 + np.float32(_A1)
        q = np.float32(_B6)
        q = q * x2 + np.float32(_B4)
        q = q * x2 + np.float32(_B2)
        q = q * x2 + np.float32(_B0)
        a[i] = sh + sc * (x * p / q)


@njit
def activate_row(code, z, a):
    """One neuron's row over a tile of points. z and a must not overlap: an in-place call
    fails LLVM's runtime alias check and runs the scalar loop (measured 8x slower)."""
    if code == ACT_TANH:
        fast_tanh_row(z, a, 1.0, 0.0)
    elif code == ACT_SIGMOID:  # sigmoid(x) = 0.5 + 0.5 tanh(x / 2)
        fast_tanh_row(z, a, 0.5, 0.5)
    else:
        activation_row_fwd(code, z, a)


@njit
def row(flat, index, stride, start, stop):
    """Row `index` of a (rows, stride) C array held flat, columns start..stop: a unit-stride
    1-D view (slicing the 2-D array instead gives strided views that do not vectorize)."""
    base = index * stride
    return flat[base + start:base + stop]


@njit
def softmax_columns(out, first, width, stride, start, stop, scratch_in, scratch_out):
    """Softmax across a layer's neurons (rows first..first+width) at every point (column)."""
    for m in range(start, stop):
        for o in range(width):
            scratch_in[o] = out[(first + o) * stride + m]
        activation_row_fwd(ACT_SOFTMAX, scratch_in[:width], scratch_out[:width])
        for o in range(width):
            out[(first + o) * stride + m] = scratch_out[o]


@njit
def dense_row_fwd(w, b, source, source_first, stride, start, stop, z):
    """z (t,) = b + sum_i w[i] * source row (source_first + i), columns start..stop.

    Up to four inputs per pass over z, the first pass also adding the bias: each pass loads
    and stores z once, so fewer, fatter passes keep the loop compute-bound."""
    fan_in = w.shape[0]
    i = 0
    while i < fan_in or i == 0:
        group = min(4, fan_in - i)
        w0 = w[i] if group > 0 else np.float32(0.0)
        w1 = w[i + 1] if group > 1 else np.float32(0.0)
        w2 = w[i + 2] if group > 2 else np.float32(0.0)
        w3 = w[i + 3] if group > 3 else np.float32(0.0)
        # rows beyond the group repeat the group's first row with a zero weight
        s0 = row(source, source_first + i, stride, start, stop)
        s1 = row(source, source_first + i + (1 if group > 1 else 0), stride, start, stop)
        s2 = row(source, source_first + i + (2 if group > 2 else 0), stride, start, stop)
        s3 = row(source, source_first + i + (3 if group > 3 else 0), stride, start, stop)
        if i == 0:
            for m in range(z.shape[0]):
                z[m] = b + ((w0 * s0[m] + w1 * s1[m]) + (w2 * s2[m] + w3 * s3[m]))
        else:
            for m in range(z.shape[0]):
                z[m] += (w0 * s0[m] + w1 * s1[m]) + (w2 * s2[m] + w3 * s3[m])
        i += 4


@njit
def grid_forward(layers, params, inputs_t, out, points, tile):
    """Fill out (neurons * points, flat) with every layer's activations for the points whose
    input features are the rows of inputs_t (features * points, flat)."""
    widest = 1
    for l in range(layers.shape[0]):
        widest = max(widest, layers[l, F_FAN_OUT])
    scratch_in = np.empty(widest, np.float32)
    scratch_out = np.empty(widest, np.float32)
    scratch_row = np.empty(tile, np.float32)
    for start in range(0, points, tile):
        stop = min(start + tile, points)
        z = scratch_row[:stop - start]
        source, source_first, first = inputs_t, 0, 0
        for l in range(layers.shape[0]):
            fan_in, width, code = layers[l, F_FAN_IN], layers[l, F_FAN_OUT], layers[l, F_ACTIVATION]
            weight, bias = layer_tensors(layers, l, params)
            for o in range(width):
                b = bias[o] if bias.shape[0] > 0 else np.float32(0.0)
                dense_row_fwd(weight[o * fan_in:(o + 1) * fan_in], b, source, source_first, points,
                              start, stop, z)
                a = row(out, first + o, points, start, stop)
                if code == ACT_SOFTMAX:
                    a[:] = z  # normalized across the layer's rows below
                else:
                    activate_row(code, z, a)  # z is scratch: never in place (see activate_row)
            if code == ACT_SOFTMAX:
                softmax_columns(out, first, width, points, start, stop, scratch_in, scratch_out)
            source, source_first = out, first
            first += width


def grid_eligible(model) -> bool:
    """Sequential dense float32 stacks on flat inputs (dropout is off at inference anyway)."""
    return dense_stack_problem(model) is None


_INPUT_CACHE = {}  # (n, extent, features) -> inputs_t; the same grid is probed every frame
_INPUT_CACHE_SIZE = 8
_INPUT_CACHE_LOCK = threading.Lock()


def grid_inputs(n, extent, features, width):
    """The grid's input features, transposed and flat (F * n * n,), cached per grid."""
    key = (int(n), tuple(float(e) for e in extent), features)
    cached = _INPUT_CACHE.get(key)
    if cached is None:
        from engine.probes import grid_points  # engine.probes dispatches to this module

        points = grid_points(n, extent)
        inputs = features(points) if features is not None else points
        cached = np.ascontiguousarray(np.asarray(inputs, np.float32).T).reshape(-1)
        with _INPUT_CACHE_LOCK:  # sessions probe from their own threads: evict one key once
            while len(_INPUT_CACHE) >= _INPUT_CACHE_SIZE:
                _INPUT_CACHE.pop(next(iter(_INPUT_CACHE)))
            _INPUT_CACHE[key] = cached
    if cached.size != width * n * n:
        raise ValueError(f"the grid gives {cached.size // (n * n)} input features, the network takes {width}")
    return cached


_TABLES = weakref.WeakKeyDictionary()  # model -> layer table (a model's structure never changes)


def fused_neuron_grid(model, n=100, extent=(-6.0, 6.0, -6.0, 6.0), features=None):
    """Same contract as probes.neuron_grid, for grid_eligible models."""
    inputs_t = grid_inputs(n, extent, features, model.input_shape[0])
    table = _TABLES.get(model)
    if table is None:
        table = _TABLES[model] = layer_table(model)
    out = np.empty(int(table[:, F_FAN_OUT].sum()) * n * n, np.float32)
    grid_forward(table, model.flat_params, inputs_t, out, n * n, POINTS_PER_TILE)
    return out.reshape(-1, n, n)
