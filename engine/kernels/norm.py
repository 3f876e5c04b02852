"""Normalization kernels: batch norm and layer norm, as torch.nn.BatchNorm1d/2d and LayerNorm.

Batch norm shapes (float32 or float64, C-contiguous):
    x, y, x_hat, grad_y, grad_x    (N, C, L)   L = 1 for dense features (N, F) -> (N, F, 1),
                                               L = H*W for images
    weight, bias, running_mean, running_var, mean, inv_std, grad_weight, grad_bias    (C,)

Dense features (L = 1) take a row-wise path: per-channel sums accumulate across rows, so the
inner loop runs over C contiguous channels and vectorizes (a strided channel-by-channel walk over
(N, C, 1) does not).

Training normalizes with the biased batch variance and updates the running statistics with the
unbiased one (var * n / (n - 1), n = N * L), as torch does; momentum weights the new batch:
running = (1 - momentum) * running + momentum * batch. Evaluation uses the running statistics.

Layer norm shapes: x, y, x_hat, grad_y, grad_x (R, F); weight, bias (F,); mean, inv_std (R,).
It normalizes every row over its F features (biased variance) and applies a per-feature affine.
Parameter gradients are written, not accumulated. Row sums run in float64; the elementwise
passes in the arrays' own type (float32 data with float64 row statistics made every element a
round trip through double: 2x slower on the transformer benchmark's (1024, 64)).
"""

import math

import numpy as np

from engine.config import njit


@njit
def _row_stats(x2, mean, inv_std, eps):
    """Per-column mean and 1/sqrt(biased var + eps) of (N, C) rows; returns the biased var."""
    rows, channels = x2.shape
    total = np.zeros(channels)
    for n in range(rows):
        row = x2[n]
        for c in range(channels):
            total[c] += row[c]
    mu = total / rows
    sq = np.zeros(channels)
    for n in range(rows):
        row = x2[n]
        for c in range(channels):
            d = row[c] - mu[c]
            sq[c] += d * d
    var = sq / rows
    for c in range(channels):
        mean[c] = mu[c]
        inv_std[c] = 1.0 / math.sqrt(var[c] + eps)
    return var


@njit
def _rows_affine(x2, shift, scale, weight, bias, x_hat2, y2):
    """x_hat = (x - shift) * scale and y = x_hat * weight + bias, row by row."""
    for n in range(x2.shape[0]):
        src, nrm, dst = x2[n], x_hat2[n], y2[n]
        for c in range(src.shape[0]):
            h = (src[c] - shift[c]) * scale[c]
            nrm[c] = h
            dst[c] = h * weight[c] + bias[c]


@njit
def batch_norm_fwd_train(x, weight, bias, running_mean, running_var, momentum, eps, x_hat, mean, inv_std, y):
    n_batch, channels, length = x.shape
    count = n_batch * length
    if length == 1:
        var = _row_stats(x.reshape(n_batch, channels), mean, inv_std, eps)
        for c in range(channels):
            unbiased = var[c] * count / (count - 1) if count > 1 else var[c]
            running_mean[c] = (1.0 - momentum) * running_mean[c] + momentum * mean[c]
            running_var[c] = (1.0 - momentum) * running_var[c] + momentum * unbiased
        _rows_affine(x.reshape(n_batch, channels), mean, inv_std, weight, bias,
                     x_hat.reshape(n_batch, channels), y.reshape(n_batch, channels))
        return
    for c in range(channels):
        total = 0.0
        for n in range(n_batch):
            row = x[n, c]
            for i in range(length):
                total += row[i]
        mu = total / count
        sq = 0.0
        for n in range(n_batch):
            row = x[n, c]
            for i in range(length):
                d = row[i] - mu
                sq += d * d
        var = sq / count
        istd = 1.0 / math.sqrt(var + eps)
        mean[c] = mu
        inv_std[c] = istd
        unbiased = var * count / (count - 1) if count > 1 else var
        running_mean[c] = (1.0 - momentum) * running_mean[c] + momentum * mu
        running_var[c] = (1.0 - momentum) * running_var[c] + momentum * unbiased
        w, b = weight[c], bias[c]
        for n in range(n_batch):
            src, nrm, dst = x[n, c], x_hat[n, c], y[n, c]
            for i in range(length):
                h = (src[i] - mu) * istd
                nrm[i] = h
                dst[i] = h * w + b


@njit
def batch_norm_fwd_eval(x, weight, bias, running_mean, running_var, eps, y):
    n_batch, channels, length = x.shape
    scale = np.empty(channels)
    shift = np.empty(channels)
    for c in range(channels):
        scale[c] = weight[c] / math.sqrt(running_var[c] + eps)
        shift[c] = bias[c] - running_mean[c] * scale[c]
    if length == 1:
        x2, y2 = x.reshape(n_batch, channels), y.reshape(n_batch, channels)
        for n in range(n_batch):
            src, dst = x2[n], y2[n]
            for c in range(channels):
                dst[c] = src[c] * scale[c] + shift[c]
        return
    for c in range(channels):
        for n in range(n_batch):
            src, dst = x[n, c], y[n, c]
            for i in range(length):
                dst[i] = src[i] * scale[c] + shift[c]


@njit
def batch_norm_bwd(grad_y, x_hat, weight, inv_std, grad_x, grad_weight, grad_bias):
    """Backward of the training-mode forward (batch statistics)."""
    n_batch, channels, length = grad_y.shape
    count = n_batch * length
    if length == 1:
        _batch_norm_rows_bwd(grad_y.reshape(n_batch, channels), x_hat.reshape(n_batch, channels), weight,
                             inv_std, grad_x.reshape(n_batch, channels), grad_weight, grad_bias)
        return
    for c in range(channels):
        sum_g = 0.0
        sum_g_xhat = 0.0
        for n in range(n_batch):
            g, h = grad_y[n, c], x_hat[n, c]
            for i in range(length):
                sum_g += g[i]
                sum_g_xhat += g[i] * h[i]
        grad_weight[c] = sum_g_xhat
        grad_bias[c] = sum_g
        scale = weight[c] * inv_std[c] / count
        for n in range(n_batch):
            g, h, dst = grad_y[n, c], x_hat[n, c], grad_x[n, c]
            for i in range(length):
                dst[i] = scale * (count * g[i] - sum_g - h[i] * sum_g_xhat)


@njit
def _batch_norm_rows_bwd(g2, h2, weight, inv_std, gx2, grad_weight, grad_bias):
    rows, channels = g2.shape
    sum_g = np.zeros(channels)
    sum_gh = np.zeros(channels)
    for n in range(rows):
        g, h = g2[n], h2[n]
        for c in range(channels):
            sum_g[c] += g[c]
            sum_gh[c] += g[c] * h[c]
    scale = np.empty(channels)
    for c in range(channels):
        grad_weight[c] = sum_gh[c]
        grad_bias[c] = sum_g[c]
        scale[c] = weight[c] * inv_std[c] / rows
    for n in range(rows):
        g, h, dst = g2[n], h2[n], gx2[n]
        for c in range(channels):
            dst[c] = scale[c] * (rows * g[c] - sum_g[c] - h[c] * sum_gh[c])


@njit
def layer_norm_fwd(x, weight, bias, eps, x_hat, mean, inv_std, y):
    rows, features = x.shape
    cast = x.dtype.type  # sums in float64; the elementwise passes in the array's own type
    for r in range(rows):
        src, nrm, dst = x[r], x_hat[r], y[r]
        total = 0.0
        for j in range(features):
            total += src[j]
        mu = cast(total / features)
        sq = 0.0
        for j in range(features):
            d = src[j] - mu
            sq += d * d
        istd = cast(1.0 / math.sqrt(sq / features + eps))
        mean[r] = mu
        inv_std[r] = istd
        for j in range(features):
            h = (src[j] - mu) * istd
            nrm[j] = h
            dst[j] = h * weight[j] + bias[j]


@njit
def layer_norm_bwd(grad_y, x_hat, weight, inv_std, grad_x, grad_weight, grad_bias):
    rows, features = grad_y.shape
    cast = grad_y.dtype.type
    grad_weight[:] = 0.0
    grad_bias[:] = 0.0
    for r in range(rows):
        g, h, dst = grad_y[r], x_hat[r], grad_x[r]
        mean_gh = 0.0
        mean_ghh = 0.0
        for j in range(features):
            gh = g[j] * weight[j]
            mean_gh += gh
            mean_ghh += gh * h[j]
            grad_weight[j] += g[j] * h[j]
            grad_bias[j] += g[j]
        shift, slope = cast(mean_gh / features), cast(mean_ghh / features)
        istd = inv_std[r]
        for j in range(features):
            dst[j] = istd * (g[j] * weight[j] - shift - h[j] * slope)
