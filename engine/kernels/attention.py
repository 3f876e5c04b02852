"""Scaled dot-product attention over packed q, k, v (torch.nn.MultiheadAttention's layout).

Shapes (float32 or float64, C-contiguous):
    qkv        (N, T, 3E)   q | k | v side by side, as in_proj gives them before its bias (3E,);
                            head h owns columns h*D:(h+1)*D of each third (D = E / heads)
    split_qkv  (N, 3, heads, T, D)  the same numbers per (sample, part, head), contiguous: the
                            forward fills it and the backward reads it (no second gather)
    split_kvt  (N, 2, heads, D, T)  k^T and v^T of every head, so that S = Q K^T and dP = dO V^T
                            are plain products: BLAS's transposed-B variant took 2x as long on
                            (32, 16) blocks, more than the transposes cost (~70 us per layer less)
    probs      (N, heads, T, T)  softmax(q k^T / sqrt(D)) per head (row i: query i), kept for
                            backward and for the attention-map probe; causal rows are 0 after i
    ctx        (N, T, E)    probs @ v, heads side by side (the input of out_proj)
    grad_ctx   (N, T, E) -> grad_qkv (N, T, 3E) and the bias gradient (3E,)
    scratch    head_out, grad_head_out (T, D); grad_head (3, T, D): dq, dk, dv of one head;
               grad_scores (T, T)

Each (sample, head) runs its small matrix products through BLAS (np.dot) on contiguous blocks of
split_qkv: on the benchmark's shapes (T 32, D 16) a call takes ~0.35 us, ~95 GFLOP/s, the core's
peak; plain numba loops (short inner loops, a runtime alias check each) were 3-15x slower. q, k and v stay unscaled: the
1/sqrt(D) enters the softmax's exponent and the score gradient, so no pass rescales q or dq.
The softmax of a (sample, head) block shifts by the block's maximum so that its exp is one flat
loop over T*T entries that vectorizes (float32 uses fastmath.exp_neg_f32), then normalizes
row by row (softmax_scaled_rows says when a row is redone with its own maximum). Masked
(future) keys get probability 0, so the products need no mask; the result equals torch's -inf mask.
"""

import math

import numpy as np

from engine.config import njit
from engine.kernels.fastmath import exp_neg_f32, exp_nonpositive

EXPONENT_CAP = 87.0  # exp(-87) ~ 1.6e-38, the smallest normal float32: beyond it a weight is 0
# A row whose weights (shifted by the block's maximum) sum to less than ~exp(-39) is redone with
# its own maximum: below that the capped entries could matter next to the row's largest weight.
ROW_SUM_FLOOR = 1e-17


@njit
def split_heads(qkv, bias, split_qkv):
    """split_qkv[n, part, h] = qkv[n][:, c:c + D] + bias[c:c + D] (T, D), c = part*E + h*D."""
    heads, size = split_qkv.shape[2], split_qkv.shape[4]
    width = heads * size
    for n in range(qkv.shape[0]):
        block = qkv[n]
        for part in range(3):
            for h in range(heads):
                target, column = split_qkv[n, part, h], part * width + h * size
                shift = bias[column:column + size]
                for i in range(block.shape[0]):
                    source, row = block[i, column:column + size], target[i]
                    for d in range(size):  # a slice from 0, not column + d: that indexing does not vectorize (4x)
                        row[d] = source[d] + shift[d]


@njit
def transpose_keys_values(split_qkv, split_kvt):
    """split_kvt[n, 0, h] = k^T and split_kvt[n, 1, h] = v^T (D, T) of split_qkv's heads."""
    heads, steps, size = split_qkv.shape[2], split_qkv.shape[3], split_qkv.shape[4]
    for n in range(split_qkv.shape[0]):
        for part in range(2):
            for h in range(heads):
                source, target = split_qkv[n, part + 1, h], split_kvt[n, part, h]
                for i in range(steps):
                    row = source[i]
                    for d in range(size):
                        target[d, i] = row[d]


@njit
def _gather_head(block, column, out):
    """out (T, D) = block[:, column:column + D]."""
    size = out.shape[1]
    for i in range(block.shape[0]):
        source, target = block[i, column:column + size], out[i]
        for d in range(size):
            target[d] = source[d]


@njit
def _scatter_head(values, column, block):
    """block[:, column:column + D] = values (T, D)."""
    size = values.shape[1]
    for i in range(block.shape[0]):
        source, target = values[i], block[i, column:column + size]
        for d in range(size):
            target[d] = source[d]


@njit
def _scatter_head_and_sum(values, column, block, column_sums):
    """_scatter_head, and column_sums[column:column + D] += values summed over T."""
    size = values.shape[1]
    sums = column_sums[column:column + size]
    for i in range(block.shape[0]):
        source, target = values[i], block[i, column:column + size]
        for d in range(size):
            target[d] = source[d]
            sums[d] += source[d]


@njit
def _exp_scaled_gaps(flat, top, scale):
    """flat[i] = exp((flat[i] - top) * scale) for flat[i] <= top; gaps beyond EXPONENT_CAP give
    exp(-EXPONENT_CAP) (a weight of 0 next to a row's own maximum); NaN stays."""
    if flat.itemsize == 4:
        cap = np.float32(EXPONENT_CAP)
        top32, scale32 = np.float32(top), np.float32(scale)
        for i in range(flat.shape[0]):
            w = (top32 - flat[i]) * scale32
            flat[i] = exp_neg_f32(cap if w > cap else w)
    else:
        for i in range(flat.shape[0]):
            flat[i] = exp_nonpositive((np.float64(flat[i]) - top) * scale)


@njit
def _block_maximum(flat):
    """max(flat) with eight running maxima: one chain of max() does not vectorize (NaN rules),
    eight independent ones do (3x faster on 32 x 32 scores). A NaN may or may not win; the
    caller's row check catches NaN rows either way."""
    count = flat.shape[0]
    t0 = t1 = t2 = t3 = t4 = t5 = t6 = t7 = flat[0]
    stop = count - count % 8
    for i in range(0, stop, 8):
        t0, t1, t2, t3 = max(t0, flat[i]), max(t1, flat[i + 1]), max(t2, flat[i + 2]), max(t3, flat[i + 3])
        t4, t5, t6, t7 = max(t4, flat[i + 4]), max(t5, flat[i + 5]), max(t6, flat[i + 6]), max(t7, flat[i + 7])
    for i in range(stop, count):
        t0 = max(t0, flat[i])
    return max(max(max(t0, t1), max(t2, t3)), max(max(t4, t5), max(t6, t7)))


@njit
def _exp_row_again(q_row, k, row, length, scale):
    """Recompute row[:length] = q_row . k[j] and exponentiate it with the row's own maximum."""
    for j in range(length):
        total = 0.0
        for d in range(q_row.shape[0]):
            total += q_row[d] * k[j, d]
        row[j] = total
    top = row[0]
    for j in range(1, length):
        top = max(top, row[j])
    _exp_scaled_gaps(row[:length], top, scale)


@njit
def softmax_scaled_rows(scores, q, k, scale, causal):
    """scores (T, T) = q k^T -> softmax(scores * scale) row by row in place; with ``causal`` row i
    keeps keys 0..i and the rest become 0.

    The exponent shift is the block's maximum, not each row's, so the exp runs as one flat loop
    (the row maxima were half the softmax's time). A row that lies so far below the block's
    maximum that its weights would lose precision (sum below ROW_SUM_FLOOR) is recomputed from q
    and k with its own maximum; with any shift the result is the same softmax."""
    steps, flat = scores.shape[0], scores.reshape(-1)
    cast = scores.dtype.type  # row sums in float64, the elementwise passes in the scores' own type
    top = _block_maximum(flat)
    _exp_scaled_gaps(flat, top, scale)
    for i in range(steps):
        row, length = scores[i], i + 1 if causal else steps
        total = 0.0
        for j in range(length):
            total += row[j]
        if not total >= ROW_SUM_FLOOR:  # NaN goes this way too and stays NaN
            _exp_row_again(q[i], k, row, length, scale)
            total = 0.0
            for j in range(length):
                total += row[j]
        inverse = cast(1.0 / total)
        for j in range(length):
            row[j] = row[j] * inverse
        for j in range(length, steps):
            row[j] = 0.0


@njit
def attention_fwd(qkv, bias, heads, causal, probs, ctx, split_qkv, split_kvt, head_out):
    """qkv without in_proj's bias (3E,): the split adds it, saving a pass over qkv."""
    size = split_qkv.shape[4]
    scale = 1.0 / math.sqrt(size)
    for n in range(qkv.shape[0]):
        # split one sample at a time: its heads are still in L1 when the products read them
        split_heads(qkv[n:n + 1], bias, split_qkv[n:n + 1])
        transpose_keys_values(split_qkv[n:n + 1], split_kvt[n:n + 1])
        for h in range(heads):
            q, k, v = split_qkv[n, 0, h], split_qkv[n, 1, h], split_qkv[n, 2, h]
            scores = probs[n, h]
            np.dot(q, split_kvt[n, 0, h], scores)       # S = Q K^T
            softmax_scaled_rows(scores, q, k, scale, causal)
            np.dot(scores, v, head_out)
            _scatter_head(head_out, h * size, ctx[n])


@njit
def softmax_scaled_rows_bwd(probs, grad, scale):
    """grad (T, T): dL/dprobs in, dL/dscores (of the unscaled q k^T) out, row by row."""
    cast = grad.dtype.type  # dot products in float64, the elementwise pass in the arrays' own type
    scale = cast(scale)
    for i in range(probs.shape[0]):
        p_row, g_row = probs[i], grad[i]
        weighted = 0.0
        for j in range(p_row.shape[0]):
            weighted += g_row[j] * p_row[j]
        shift = cast(weighted)
        for j in range(p_row.shape[0]):
            g_row[j] = p_row[j] * (g_row[j] - shift) * scale


@njit
def attention_bwd(split_qkv, split_kvt, probs, grad_ctx, causal, grad_qkv, grad_bias, grad_head_out, grad_head,
                  grad_scores):
    """Writes every entry of grad_qkv and grad_bias (3E,): the gradient of the bias the forward
    added, the column sums of grad_qkv, taken while scattering (shapes in the module docstring).
    Masked entries of probs are 0, so causal needs nothing here; it keeps the forward's order."""
    heads, size = split_qkv.shape[2], split_qkv.shape[4]
    width, scale = heads * size, 1.0 / math.sqrt(size)
    grad_q, grad_k, grad_v = grad_head[0], grad_head[1], grad_head[2]
    grad_bias[:] = 0.0
    for n in range(split_qkv.shape[0]):
        for h in range(heads):
            q, k, v = split_qkv[n, 0, h], split_qkv[n, 1, h], split_qkv[n, 2, h]
            _gather_head(grad_ctx[n], h * size, grad_head_out)
            p = probs[n, h]
            np.dot(p.T, grad_head_out, grad_v)          # dV = P^T dO
            np.dot(grad_head_out, split_kvt[n, 1, h], grad_scores)  # dP = dO V^T
            softmax_scaled_rows_bwd(p, grad_scores, scale)
            np.dot(grad_scores, k, grad_q)              # dQ = dS K
            np.dot(grad_scores.T, q, grad_k)            # dK = dS^T Q
            for part in range(3):
                _scatter_head_and_sum(grad_head[part], part * width + h * size, grad_qkv[n], grad_bias)
