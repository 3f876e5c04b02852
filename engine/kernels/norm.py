"""Normalization kernels: batch norm and layer norm, as torch.nn.BatchNorm1d/2d and LayerNorm.

Batch norm shapes (float32 or float64, C-contiguous):
    x, y, x_hat, grad_y, grad_x    (N, C, L)   L = 1 for dense features (N, F) -> (N, F, 1),
                                               L = H*W for images
    weight, bias, running_mean, running_var, mean, inv_std, grad_weight, grad_bias    (C,)

Training normalizes with the biased batch variance and updates the running statistics with the
unbiased one (var * n / (n - 1), n = N * L), as torch does; momentum weights the new batch:
running = (1 - momentum) * running + momentum * batch. Evaluation uses the running statistics.

Layer norm shapes: x, y, x_hat, grad_y, grad_x (R, F); weight, bias (F,); mean, inv_std (R,).
It normalizes every row over its F features (biased variance) and applies a per-feature affine.
Parameter gradients are written, not accumulated.
"""

import math

from engine.config import njit


@njit
def batch_norm_fwd_train(x, weight, bias, running_mean, running_var, momentum, eps, x_hat, mean, inv_std, y):
    n_batch, channels, length = x.shape
    count = n_batch * length
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
    for c in range(channels):
        scale = weight[c] / math.sqrt(running_var[c] + eps)
        shift = bias[c] - running_mean[c] * scale
        for n in range(n_batch):
            src, dst = x[n, c], y[n, c]
            for i in range(length):
                dst[i] = src[i] * scale + shift


@njit
def batch_norm_bwd(grad_y, x_hat, weight, inv_std, grad_x, grad_weight, grad_bias):
    """Backward of the training-mode forward (batch statistics)."""
    n_batch, channels, length = grad_y.shape
    count = n_batch * length
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
def layer_norm_fwd(x, weight, bias, eps, x_hat, mean, inv_std, y):
    rows, features = x.shape
    for r in range(rows):
        src, nrm, dst = x[r], x_hat[r], y[r]
        total = 0.0
        for j in range(features):
            total += src[j]
        mu = total / features
        sq = 0.0
        for j in range(features):
            d = src[j] - mu
            sq += d * d
        istd = 1.0 / math.sqrt(sq / features + eps)
        mean[r] = mu
        inv_std[r] = istd
        for j in range(features):
            h = (src[j] - mu) * istd
            nrm[j] = h
            dst[j] = h * weight[j] + bias[j]


@njit
def layer_norm_bwd(grad_y, x_hat, weight, inv_std, grad_x, grad_weight, grad_bias):
    rows, features = grad_y.shape
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
        mean_gh /= features
        mean_ghh /= features
        istd = inv_std[r]
        for j in range(features):
            dst[j] = istd * (g[j] * weight[j] - mean_gh - h[j] * mean_ghh)
