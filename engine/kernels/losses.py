"""Loss kernels: ``<loss>_fwd`` returns the mean loss, ``<loss>_bwd`` writes dL/d(output).

Shapes (float32 or float64, C-contiguous):
    pred, target, grad   (N, F)   regression and binary losses; the mean is over all N*F elements
    logits, grad         (N, C)   cross_entropy; the mean is over the N rows
    labels               (N,)     int64 class indices for cross_entropy

Reductions follow torch's ``reduction="mean"``. Losses return float64 (accumulated in float64).
- mse: (p - t)^2;  mae: |p - t| (gradient sign(p - t), 0 at 0, as torch);
- huber (delta = 1): 0.5 d^2 if |d| <= delta else delta (|d| - 0.5 delta);
- binary_cross_entropy takes *logits* (torch's BCEWithLogitsLoss): the stable form
  max(z, 0) - z t + log1p(exp(-|z|)); its gradient is (sigmoid(z) - t) / (N F);
- cross_entropy fuses log-softmax: logsumexp(z) - z[label]; gradient (softmax(z) - onehot) / N.

``loss_fwd(code, out, target, labels)`` / ``loss_bwd(code, out, target, labels, grad)`` dispatch
on a ``LOSS_*`` code (``target`` is ignored by cross_entropy, ``labels`` by the others).
"""

import math

import numpy as np

from engine.config import njit
from engine.kernels.fastmath import exp_nonpositive, sigmoid_scalar
from engine.kernels.codes import (
    HUBER_DELTA,
    LOSS_BINARY_CROSS_ENTROPY,
    LOSS_CROSS_ENTROPY,
    LOSS_HUBER,
    LOSS_MAE,
    LOSS_MSE,
)


@njit
def mse_fwd(pred, target):
    p, t = pred.reshape(-1), target.reshape(-1)
    total = 0.0
    for i in range(p.shape[0]):
        d = np.float64(p[i]) - t[i]
        total += d * d
    return total / p.shape[0]


@njit
def mse_bwd(pred, target, grad):
    p, t, g = pred.reshape(-1), target.reshape(-1), grad.reshape(-1)
    scale = 2.0 / p.shape[0]
    for i in range(p.shape[0]):
        g[i] = scale * (p[i] - t[i])


@njit
def mae_fwd(pred, target):
    p, t = pred.reshape(-1), target.reshape(-1)
    total = 0.0
    for i in range(p.shape[0]):
        total += abs(np.float64(p[i]) - t[i])
    return total / p.shape[0]


@njit
def mae_bwd(pred, target, grad):
    p, t, g = pred.reshape(-1), target.reshape(-1), grad.reshape(-1)
    scale = 1.0 / p.shape[0]
    for i in range(p.shape[0]):
        d = p[i] - t[i]
        g[i] = scale if d > 0 else (-scale if d < 0 else d * 0.0)  # d * 0 keeps NaN visible


@njit
def huber_fwd(pred, target):
    p, t = pred.reshape(-1), target.reshape(-1)
    total = 0.0
    for i in range(p.shape[0]):
        a = abs(np.float64(p[i]) - t[i])
        total += 0.5 * a * a if a <= HUBER_DELTA else HUBER_DELTA * (a - 0.5 * HUBER_DELTA)
    return total / p.shape[0]


@njit
def huber_bwd(pred, target, grad):
    p, t, g = pred.reshape(-1), target.reshape(-1), grad.reshape(-1)
    scale = 1.0 / p.shape[0]
    for i in range(p.shape[0]):
        d = np.float64(p[i]) - t[i]
        if d > HUBER_DELTA:
            d = HUBER_DELTA
        elif d < -HUBER_DELTA:
            d = -HUBER_DELTA
        g[i] = scale * d


@njit
def binary_cross_entropy_fwd(logits, target):
    z, t = logits.reshape(-1), target.reshape(-1)
    total = 0.0
    for i in range(z.shape[0]):
        x = np.float64(z[i])
        total += max(x, 0.0) - x * t[i] + math.log1p(exp_nonpositive(-abs(x)))
    return total / z.shape[0]


@njit
def binary_cross_entropy_bwd(logits, target, grad):
    z, t, g = logits.reshape(-1), target.reshape(-1), grad.reshape(-1)
    scale = 1.0 / z.shape[0]
    for i in range(z.shape[0]):
        g[i] = scale * (sigmoid_scalar(np.float64(z[i])) - t[i])


@njit
def _row_logsumexp(row):
    m = row[0]
    for j in range(1, row.shape[0]):
        if row[j] > m:
            m = row[j]
    total = 0.0
    for j in range(row.shape[0]):
        total += exp_nonpositive(np.float64(row[j]) - m)
    return m + math.log(total)


@njit
def cross_entropy_fwd(logits, labels):
    total = 0.0
    for r in range(logits.shape[0]):
        row = logits[r]
        total += _row_logsumexp(row) - row[labels[r]]
    return total / logits.shape[0]


@njit
def cross_entropy_bwd(logits, labels, grad):
    scale = 1.0 / logits.shape[0]
    for r in range(logits.shape[0]):
        row, g = logits[r], grad[r]
        lse = _row_logsumexp(row)
        for j in range(row.shape[0]):
            g[j] = scale * exp_nonpositive(np.float64(row[j]) - lse)
        g[labels[r]] -= scale


@njit
def loss_fwd(code, out, target, labels):
    if code == LOSS_MSE:
        return mse_fwd(out, target)
    if code == LOSS_MAE:
        return mae_fwd(out, target)
    if code == LOSS_HUBER:
        return huber_fwd(out, target)
    if code == LOSS_BINARY_CROSS_ENTROPY:
        return binary_cross_entropy_fwd(out, target)
    if code == LOSS_CROSS_ENTROPY:
        return cross_entropy_fwd(out, labels)
    return math.nan


@njit
def loss_bwd(code, out, target, labels, grad):
    if code == LOSS_MSE:
        mse_bwd(out, target, grad)
    elif code == LOSS_MAE:
        mae_bwd(out, target, grad)
    elif code == LOSS_HUBER:
        huber_bwd(out, target, grad)
    elif code == LOSS_BINARY_CROSS_ENTROPY:
        binary_cross_entropy_bwd(out, target, grad)
    elif code == LOSS_CROSS_ENTROPY:
        cross_entropy_bwd(out, labels, grad)
