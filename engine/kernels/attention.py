"""Scaled dot-product attention over packed q, k, v (torch.nn.MultiheadAttention's layout).

Shapes (float32 or float64, C-contiguous):
    qkv       (N, T, 3E)   q | k | v side by side, as in_proj gives them; head h owns columns
                           h*D:(h+1)*D of each third (D = E / heads)
    probs     (N, heads, T, T)  softmax(q k^T / sqrt(D)) per head (row i: query i), kept for
                           backward and for the attention-map probe; causal rows are 0 after i
    ctx       (N, T, E)    probs @ v, heads side by side (the input of out_proj)
    grad_ctx  (N, T, E) -> grad_qkv (N, T, 3E)
    q, k, v, grad_q, grad_k, grad_v: (T, D) scratch; k_t (D, T) scratch

Each (sample, head) pair gathers its slices into contiguous scratch, so the inner loops run
over contiguous rows (keys for scores, head features for the weighted sums) and vectorize.
Masked (future) keys are skipped, not filled with -inf: the result equals torch's mask.
"""

import math

import numpy as np

from engine.config import njit
from engine.kernels.activations import exp_nonpositive


@njit
def _gather_head(qkv_row_block, head, size, scale, q, k, v, k_t):
    """Copy head ``head`` of one sample's (T, 3E) block into q (scaled), k, v and k transposed."""
    width = qkv_row_block.shape[1] // 3
    start = head * size
    for i in range(qkv_row_block.shape[0]):
        row = qkv_row_block[i]
        for d in range(size):
            q[i, d] = row[start + d] * scale
            k[i, d] = row[width + start + d]
            v[i, d] = row[2 * width + start + d]
            k_t[d, i] = row[width + start + d]


@njit
def _softmax_prefix(row, length):
    """Softmax over row[:length] in place; row[length:] = 0 (masked keys)."""
    top = row[0]
    for j in range(1, length):
        if row[j] > top:
            top = row[j]
    total = 0.0
    for j in range(length):
        e = exp_nonpositive(np.float64(row[j]) - top)
        row[j] = e
        total += e
    inverse = 1.0 / total
    for j in range(length):
        row[j] = row[j] * inverse
    for j in range(length, row.shape[0]):
        row[j] = 0.0


@njit
def attention_fwd(qkv, heads, causal, probs, ctx, q, k, v, k_t):
    steps, width = qkv.shape[1], qkv.shape[2] // 3
    size = width // heads
    scale = 1.0 / math.sqrt(size)
    for n in range(qkv.shape[0]):
        for h in range(heads):
            _gather_head(qkv[n], h, size, scale, q, k, v, k_t)
            for i in range(steps):
                length = i + 1 if causal else steps
                scores = probs[n, h, i]
                scores[:] = 0.0
                for d in range(size):
                    qd, key_row = q[i, d], k_t[d]
                    for j in range(length):
                        scores[j] += qd * key_row[j]
                _softmax_prefix(scores, length)
                out = ctx[n, i]
                for d in range(size):
                    out[h * size + d] = 0.0
                for j in range(length):
                    p, value_row = scores[j], v[j]
                    for d in range(size):
                        out[h * size + d] += p * value_row[d]


@njit
def attention_bwd(qkv, probs, grad_ctx, heads, causal, grad_qkv, q, k, v, k_t, grad_q, grad_k, grad_v, grad_scores):
    """grad_scores: (T,) scratch. Writes every entry of grad_qkv."""
    steps, width = qkv.shape[1], qkv.shape[2] // 3
    size = width // heads
    scale = 1.0 / math.sqrt(size)
    for n in range(qkv.shape[0]):
        for h in range(heads):
            _gather_head(qkv[n], h, size, scale, q, k, v, k_t)
            grad_q[:] = 0.0
            grad_k[:] = 0.0
            grad_v[:] = 0.0
            for i in range(steps):
                length = i + 1 if causal else steps
                p_row, g_out = probs[n, h, i], grad_ctx[n, i, h * size:(h + 1) * size]
                weighted = 0.0
                for j in range(length):  # d(probs) = grad_ctx . v, and dv += p grad_ctx
                    value_row, gv = v[j], grad_v[j]
                    dot = 0.0
                    for d in range(size):
                        dot += g_out[d] * value_row[d]
                        gv[d] += p_row[j] * g_out[d]
                    grad_scores[j] = dot
                    weighted += dot * p_row[j]
                for j in range(length):  # softmax backward, then through q k^T
                    ds = p_row[j] * (grad_scores[j] - weighted)
                    key_row, query_row, gq, gk = k[j], q[i], grad_q[i], grad_k[j]
                    for d in range(size):
                        gq[d] += ds * key_row[d]
                        gk[d] += ds * query_row[d]
            sample = grad_qkv[n]
            for i in range(steps):
                row = sample[i]
                for d in range(size):
                    row[h * size + d] = grad_q[i, d] * scale
                    row[width + h * size + d] = grad_k[i, d]
                    row[2 * width + h * size + d] = grad_v[i, d]
