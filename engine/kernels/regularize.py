"""Regularization and gradient clipping on flat 1-D buffers.

Shapes: ``params``, ``grads``: (P,) float arrays (the model's flat buffers);
``starts``, ``stops``: (S,) int64 segment bounds of the tensors that are regularized (weights
only: biases and normalization parameters are left alone, as Keras' kernel_regularizer does).

Convention (document once, used everywhere): the penalty added to the loss is
    l1: rate * sum(|w|)            gradient rate * sign(w)
    l2: rate / 2 * sum(w^2)        gradient rate * w  (so l2 == SGD weight_decay=rate on weights)
``penalty`` returns that value; ``add_penalty_grads`` adds its gradient to ``grads``.

Clipping follows torch.nn.utils: ``global_norm(grads)`` is the 2-norm over every gradient;
``clip_grads_by_norm`` scales by min(1, max_norm / (norm + 1e-6)); ``clip_grads_by_value`` clamps
to [-limit, limit]. NaN stays NaN.
"""

import math

from engine.config import njit
from engine.kernels.common import as_dtype_of

REG_NONE = 0
REG_L1 = 1
REG_L2 = 2


@njit
def penalty(params, starts, stops, kind, rate):
    total = 0.0
    for s in range(starts.shape[0]):
        segment = params[starts[s]:stops[s]]
        for i in range(segment.shape[0]):
            w = segment[i]
            total += abs(w) if kind == REG_L1 else 0.5 * w * w
    return rate * total if kind != REG_NONE else 0.0


@njit
def add_penalty_grads(params, grads, starts, stops, kind, rate):
    r = as_dtype_of(grads, rate)
    zero = as_dtype_of(grads, 0.0)
    for s in range(starts.shape[0]):
        w_seg = params[starts[s]:stops[s]]
        g_seg = grads[starts[s]:stops[s]]
        if kind == REG_L2:
            for i in range(w_seg.shape[0]):
                g_seg[i] += r * w_seg[i]
        elif kind == REG_L1:
            for i in range(w_seg.shape[0]):
                w = w_seg[i]
                g_seg[i] += r if w > zero else (-r if w < zero else w * zero)


@njit
def global_norm(grads):
    total = 0.0
    for i in range(grads.shape[0]):
        g = grads[i]
        total += g * g
    return math.sqrt(total)


@njit
def scale_inplace(grads, factor):
    f = as_dtype_of(grads, factor)
    for i in range(grads.shape[0]):
        grads[i] *= f


@njit
def clip_grads_by_norm(grads, max_norm):
    """Returns the norm before clipping (as torch.nn.utils.clip_grad_norm_ does)."""
    norm = global_norm(grads)
    coef = max_norm / (norm + 1e-6)
    if coef < 1.0:
        scale_inplace(grads, coef)
    return norm


@njit
def clip_grads_by_value(grads, limit):
    hi = as_dtype_of(grads, limit)
    lo = -hi
    for i in range(grads.shape[0]):
        g = grads[i]
        if g > hi:
            grads[i] = hi
        elif g < lo:
            grads[i] = lo
