"""Recurrent kernels: one-timestep cells (rnn, lstm, gru) and the time loops that chain them.

Layouts (float32 or float64, C-contiguous), PyTorch's gate order and names:
    xw       (T, N, G*H)  input projections x_t W_ih^T + b_ih of every step (one GEMM, by the driver;
                          rnn and lstm fold b_hh in there too and pass an empty b_hh below)
    w_hh     (G*H, H)     recurrent weight (backward); b_hh (G*H,) or (0,)
    w_hh_t   (H, G*H)     its transpose, C-contiguous (forward: each step's product is a plain
                          NN GEMM, measured 9.3 vs 15.5 us at N=32, H=64 against x @ w_hh.T)
    hw       (T, N, G*H)  recurrent projections h_{t-1} W_hh^T + b_hh, kept for gru's backward;
             (1, N, G*H)  for rnn and lstm, which never read them again: one block reused every
                          step stays in L1 (the forward loop measured 8-15% faster with cold caches)
    gates    (T, N, G*H)  activated gates: rnn (h), lstm (i, f, g, o), gru (r, z, n)
    hs, cs   (T+1, N, H)  hidden and cell states, hs[0] = cs[0] = 0 (cs is unused by rnn and gru)
    grad_hs  (T, N, H)    dL/dh_t from the layer's output; (1, N, H) when only the last state is output
    grad_xw, grad_hw (T, N, G*H)  dL/d(xw), dL/d(hw): equal for rnn and lstm (pass one array twice)

Time is the outer axis so every step's slice is one contiguous (N, G*H) block that BLAS takes
directly. The cells are the tested primitives; the time loops only chain them with one
``dense_fwd`` (h W_hh^T + b_hh) forward and one ``np.dot`` (grad W_hh) backward per step, and the
backward loop sums the bias gradients on the way. Weight gradients are whole-sequence GEMMs done by
the driver afterwards: two ``dense_bwd`` over T*N rows, or for rnn and lstm (one gradient for both
projections) ``joined_dense_bwd``, the same sums as one GEMM over the joined inputs
[x_t | h_{t-1}] (K = F + H instead of a thin F = 16 GEMM: 50-90 us less per step at bench shapes).

Gate maths follows the arrays' dtype: float64 uses the engine's float64 sigmoid/tanh
(fastmath.py), float32 the float32 versions below, which vectorize 16 lanes wide instead of 8.

Cell codes: CELL_RNN_TANH, CELL_RNN_RELU, CELL_LSTM, CELL_GRU (G = 1, 1, 4, 3).
"""

import numpy as np

from engine.config import njit
from engine.kernels.fastmath import sigmoid_scalar, tanh_scalar
from engine.kernels.dense import dense_fwd

CELL_RNN_TANH = 0
CELL_RNN_RELU = 1
CELL_LSTM = 2
CELL_GRU = 3
GATES_PER_CELL = {CELL_RNN_TANH: 1, CELL_RNN_RELU: 1, CELL_LSTM: 4, CELL_GRU: 3}


# ----------------------------------------------------------------------------- gate maths
# float32 rows get float32 maths, chosen at compile time (``isinstance`` on the scalar's type):
# 16 vector lanes instead of 8, and no float64 round trip. Every constant is typed like the data
# (np.float32 here, ``dtype.type(1.0)`` in the cells): a bare Python float would promote the
# arithmetic to float64. Measured per element on this machine: float32 sigmoid 0.6 ns and tanh
# 0.3-0.45 ns, against 1.07 and 1.22 ns for the float64 helpers. The lstm cells at N=32, H=64
# went from 13.6 to 5.4 us per step forward and from 6.5 to 3.3 us backward.

_F32 = np.float32
_ONE, _ZERO = _F32(1.0), _F32(0.0)
_LOG2E = _F32(1.4426950408889634)
_LN2_HIGH = _F32(0.693145751953125)  # ln 2 in two parts: k * _LN2_HIGH is exact for |k| < 256
_LN2_LOW = _F32(1.4286068203094173e-06)
_EXP_FLOOR = _F32(-43.0)  # so 2^k comes from one 62-bit shift; exp(-43) = 2.1e-19
_TWO_TO_MINUS_62 = _F32(2.0 ** -62)
_EXPM1_TAYLOR = tuple(_F32(1.0 / f) for f in (5040.0, 720.0, 120.0, 24.0, 6.0, 2.0))

# tanh(x) = x P(x^2) / Q(x^2) on |x| <= 9 (beyond, float32 tanh is within 1 ulp of +-1). A
# relative-error least-squares fit made for this file (Lawson reweighting, tests re-derive it):
# 2e-8 in exact arithmetic, <= 8 ulp once evaluated in float32. Lowest power first.
_TANH_CLAMP = _F32(9.0)
_TANH_P = tuple(_F32(c) for c in (9.99999980e-01, 1.33810175e-01, 3.49557911e-03, 2.06089646e-05, 1.33545580e-08))
_TANH_Q = tuple(_F32(c) for c in (1.0, 4.67143331e-01, 2.58769461e-02, 3.28562136e-04, 7.77650335e-07))


@njit(inline="always")
def _exp_nonpositive_f32(x):
    """exp(x) for float32 x <= 0 within 2 ulp; below -43 it returns exp(-43) (a gate of 2e-19
    acts as 0 next to anything else in float32); NaN propagates.

    x = k ln2 + r with |r| <= ln2 / 2, exp(r) from its Taylor series to r^7 and 2^k from an
    integer shift (numba has no float bit casts). A floor of -86 needs two shifts: 0.1 ns more."""
    if x < _EXP_FLOOR:
        x = _EXP_FLOOR
    k = np.rint(x * _LOG2E)
    if k != k:  # NaN: any finite k keeps it NaN below, and float->int of NaN is undefined
        k = _ZERO
    r = (x - k * _LN2_HIGH) - k * _LN2_LOW
    c7, c6, c5, c4, c3, c2 = _EXPM1_TAYLOR
    expm1_r = r * (_ONE + r * (c2 + r * (c3 + r * (c4 + r * (c5 + r * (c6 + r * c7))))))
    scale = _F32(np.int64(1) << (62 + np.int64(k))) * _TWO_TO_MINUS_62  # k in -62..0
    return scale + scale * expm1_r


@njit(inline="always")
def _sigmoid_f32(x):
    e = _exp_nonpositive_f32(-abs(x))
    return _ONE / (_ONE + e) if x >= _ZERO else e / (_ONE + e)


@njit(inline="always")
def _tanh_f32(x):
    if x > _TANH_CLAMP:
        x = _TANH_CLAMP
    elif x < -_TANH_CLAMP:
        x = -_TANH_CLAMP
    s = x * x
    p0, p1, p2, p3, p4 = _TANH_P
    q0, q1, q2, q3, q4 = _TANH_Q
    return x * (p0 + s * (p1 + s * (p2 + s * (p3 + s * p4)))) / (q0 + s * (q1 + s * (q2 + s * (q3 + s * q4))))


@njit(inline="always")
def _sigmoid(x):
    if isinstance(x, np.float32):
        return _sigmoid_f32(x)
    return sigmoid_scalar(np.float64(x))


@njit(inline="always")
def _tanh(x):
    if isinstance(x, np.float32):
        return _tanh_f32(x)
    return tanh_scalar(np.float64(x))


# ----------------------------------------------------------------------------- cells: one step
# Each cell runs as a few simple 1-D loops per batch row over views that start at 0: each gate
# block activated straight from xw + hw, then the state update. Every loop writes one array
# that none of its inputs overlap, so LLVM's runtime alias check passes and it vectorizes
# (the old in-place activation passes were 8% slower; one loop over all five transcendentals
# of a gate value ran at ~12 ns per value).


@njit(inline="always")
def _sigmoid_of_sum(a, b, out):
    for j in range(out.shape[0]):
        out[j] = _sigmoid(a[j] + b[j])


@njit(inline="always")
def _tanh_of_sum(a, b, out):
    for j in range(out.shape[0]):
        out[j] = _tanh(a[j] + b[j])


@njit
def rnn_cell_fwd(relu, xw, hw, h):
    """h = act(xw + hw), act = tanh or relu. xw, hw, h: (N, H)."""
    zero = h.dtype.type(0.0)
    for n in range(h.shape[0]):
        x_row, h_row, out = xw[n], hw[n], h[n]
        if relu:
            for j in range(out.shape[0]):
                out[j] = max(x_row[j] + h_row[j], zero)
        else:
            _tanh_of_sum(x_row, h_row, out)


@njit
def rnn_cell_bwd(relu, h, grad_h, grad_pre):
    """grad_pre = grad_h * act'(pre), written from the output h (tanh' = 1 - h^2, relu' = h > 0)."""
    one, zero = h.dtype.type(1.0), h.dtype.type(0.0)
    for n in range(h.shape[0]):
        h_row, g_row, out = h[n], grad_h[n], grad_pre[n]
        for j in range(out.shape[0]):
            if relu:
                out[j] = g_row[j] if h_row[j] > zero else zero
            else:
                out[j] = g_row[j] * (one - h_row[j] * h_row[j])


@njit
def lstm_cell_fwd(xw, hw, c_prev, gates, c, h):
    """i, f, g, o = sig, sig, tanh, sig of (xw + hw); c = f c_prev + i g; h = o tanh(c).

    xw, hw, gates: (N, 4H); c_prev, c, h: (N, H)."""
    size = h.shape[1]
    for n in range(h.shape[0]):
        x_row, h_row, gate_row, c_old, c_new, h_new = xw[n], hw[n], gates[n], c_prev[n], c[n], h[n]
        _sigmoid_of_sum(x_row[:2 * size], h_row[:2 * size], gate_row[:2 * size])
        _tanh_of_sum(x_row[2 * size:3 * size], h_row[2 * size:3 * size], gate_row[2 * size:3 * size])
        _sigmoid_of_sum(x_row[3 * size:], h_row[3 * size:], gate_row[3 * size:])
        i, f, g, o = gate_row[:size], gate_row[size:2 * size], gate_row[2 * size:3 * size], gate_row[3 * size:]
        for j in range(size):
            c_new[j] = f[j] * c_old[j] + i[j] * g[j]
        for j in range(size):
            h_new[j] = o[j] * _tanh(c_new[j])


@njit
def lstm_cell_bwd(gates, c_prev, c, grad_h, grad_c, grad_pre, grad_c_prev):
    """From dL/dh_t (grad_h) and dL/dc_t carried from later steps (grad_c): dL/d(pre-activations)
    (grad_pre, (N, 4H)) and dL/dc_{t-1} (grad_c_prev)."""
    size = c.shape[1]
    one = c.dtype.type(1.0)
    for n in range(c.shape[0]):
        gate_row, out, c_old, c_new = gates[n], grad_pre[n], c_prev[n], c[n]
        dh, dc_in, dc_out = grad_h[n], grad_c[n], grad_c_prev[n]
        i, f, g, o = gate_row[:size], gate_row[size:2 * size], gate_row[2 * size:3 * size], gate_row[3 * size:]
        d_i, d_f, d_g, d_o = out[:size], out[size:2 * size], out[2 * size:3 * size], out[3 * size:]
        for j in range(size):
            tanh_c = _tanh(c_new[j])
            dc = dc_in[j] + dh[j] * o[j] * (one - tanh_c * tanh_c)
            d_i[j] = dc * g[j] * i[j] * (one - i[j])
            d_f[j] = dc * c_old[j] * f[j] * (one - f[j])
            d_g[j] = dc * i[j] * (one - g[j] * g[j])
            d_o[j] = dh[j] * tanh_c * o[j] * (one - o[j])
            dc_out[j] = dc * f[j]


@njit
def gru_cell_fwd(xw, hw, h_prev, gates, h):
    """torch.nn.GRU: r = sig(xw_r + hw_r), z = sig(xw_z + hw_z), n = tanh(xw_n + r hw_n),
    h = (1 - z) n + z h_prev. xw, hw, gates: (N, 3H); h_prev, h: (N, H)."""
    size = h.shape[1]
    one = h.dtype.type(1.0)
    for m in range(h.shape[0]):
        x_row, h_row, gate_row, old, new = xw[m], hw[m], gates[m], h_prev[m], h[m]
        _sigmoid_of_sum(x_row[:2 * size], h_row[:2 * size], gate_row[:2 * size])
        r, z, n = gate_row[:size], gate_row[size:2 * size], gate_row[2 * size:]
        x_n, h_n = x_row[2 * size:], h_row[2 * size:]
        for j in range(size):
            n[j] = _tanh(x_n[j] + r[j] * h_n[j])
        for j in range(size):
            new[j] = (one - z[j]) * n[j] + z[j] * old[j]


@njit
def gru_cell_bwd(gates, hw, h_prev, grad_h, grad_xw, grad_hw, grad_h_prev_direct):
    """dL/d(xw) and dL/d(hw) (they differ in the n gate, scaled by r) and the direct part of
    dL/dh_{t-1} (z * grad_h; the part through W_hh is added by the time loop)."""
    size = h_prev.shape[1]
    one = h_prev.dtype.type(1.0)
    for m in range(h_prev.shape[0]):
        gate_row, h_n, old, dh = gates[m], hw[m][2 * size:], h_prev[m], grad_h[m]
        dx, dhw, direct = grad_xw[m], grad_hw[m], grad_h_prev_direct[m]
        r, z, n = gate_row[:size], gate_row[size:2 * size], gate_row[2 * size:]
        for j in range(size):
            d_n = dh[j] * (one - z[j]) * (one - n[j] * n[j])
            d_z = dh[j] * (old[j] - n[j]) * z[j] * (one - z[j])
            d_r = d_n * h_n[j] * r[j] * (one - r[j])
            dx[j], dx[size + j], dx[2 * size + j] = d_r, d_z, d_n
            dhw[j], dhw[size + j], dhw[2 * size + j] = d_r, d_z, d_n * r[j]
            direct[j] = dh[j] * z[j]


# ------------------------------------------------------------------------ the time loops


@njit
def recurrent_seq_fwd(cell, xw, w_hh_t, b_hh, hw, gates, hs, cs):
    """Run the cell over T steps from zero states; fills hw, gates, hs[1:], cs[1:].
    ``w_hh_t.T`` is w_hh again, so dense_fwd's ``x @ weight.T`` meets a contiguous matrix.
    With a one-step hw, every step writes its projection into that same block."""
    hs[0][:] = 0.0
    cs[0][:] = 0.0
    relu = cell == CELL_RNN_RELU
    kept = hw.shape[0]
    for t in range(xw.shape[0]):
        step_hw = hw[t % kept]
        dense_fwd(hs[t], w_hh_t.T, b_hh, step_hw)
        if cell == CELL_LSTM:
            lstm_cell_fwd(xw[t], step_hw, cs[t], gates[t], cs[t + 1], hs[t + 1])
        elif cell == CELL_GRU:
            gru_cell_fwd(xw[t], step_hw, hs[t], gates[t], hs[t + 1])
        else:
            rnn_cell_fwd(relu, xw[t], step_hw, hs[t + 1])


@njit(inline="always")
def _add_rows(block, total):
    """total += the sum of block's rows; block (N, W), total (W,)."""
    for n in range(block.shape[0]):
        row = block[n]
        for j in range(row.shape[0]):
            total[j] += row[j]


@njit
def recurrent_seq_bwd(cell, w_hh, hw, gates, hs, cs, grad_hs, grad_xw, grad_hw, grad_b_ih, grad_b_hh,
                      grad_h, grad_c, grad_c_prev):
    """Backprop through time. grad_h, grad_c, grad_c_prev: (N, H) scratch. For rnn and lstm pass
    the same array as grad_xw and grad_hw; gru writes them apart. A one-step grad_hs spares the
    zeros and the per-step adds of a layer that outputs only its last state.

    The bias gradients grad_b_ih = sum of grad_xw and grad_b_hh = sum of grad_hw are summed here,
    while each step's block is still in L1 (a separate pass re-read 1.6 MB at bench shapes,
    ~100 us with cold caches); pass a zero-length array for a sum not wanted."""
    steps = gates.shape[0]
    every_step = grad_hs.shape[0] == steps
    relu = cell == CELL_RNN_RELU
    grad_h[:] = grad_hs[grad_hs.shape[0] - 1]
    grad_c[:] = 0.0
    grad_b_ih[:] = 0.0
    grad_b_hh[:] = 0.0
    for t in range(steps - 1, -1, -1):
        if cell == CELL_LSTM:
            lstm_cell_bwd(gates[t], cs[t], cs[t + 1], grad_h, grad_c, grad_xw[t], grad_c_prev)
            grad_c, grad_c_prev = grad_c_prev, grad_c  # dL/dc_{t-1} becomes the next step's input
        elif cell == CELL_GRU:
            gru_cell_bwd(gates[t], hw[t], hs[t], grad_h, grad_xw[t], grad_hw[t], grad_c_prev)
        else:
            rnn_cell_bwd(relu, hs[t + 1], grad_h, grad_xw[t])
        if grad_b_ih.shape[0] > 0:
            _add_rows(grad_xw[t], grad_b_ih)
        if grad_b_hh.shape[0] > 0:
            _add_rows(grad_hw[t], grad_b_hh)
        if t == 0:
            break
        np.dot(grad_hw[t], w_hh, grad_h)  # through W_hh to h_{t-1}
        if every_step:
            previous = grad_hs[t - 1]
            for n in range(grad_h.shape[0]):
                row, extra = grad_h[n], previous[n]
                for j in range(row.shape[0]):
                    row[j] += extra[j]
        if cell == CELL_GRU:  # plus gru's direct path z * grad_h
            for n in range(grad_h.shape[0]):
                row, extra = grad_h[n], grad_c_prev[n]
                for j in range(row.shape[0]):
                    row[j] += extra[j]


@njit
def joined_dense_bwd(x, h, weight_x, grad_y, joined, joined_grad, grad_x, grad_weight_x, grad_weight_h, grad_bias,
                     need_grad_x):
    """dense_bwd for y = x weight_x^T + h weight_h^T + bias, both weight gradients from one GEMM.

    x (M, F), h (M, H), grad_y (M, G) -> grad_weight_x (G, F), grad_weight_h (G, H), grad_bias (G,)
    (zero-length: skipped, as in dense_bwd) and, if need_grad_x, grad_x (M, F). joined (M, F+H) and joined_grad (G, F+H) are scratch: one
    (G, M) x (M, F+H) product keeps BLAS busier than (G, M) x (M, F) with F as small as 16."""
    features = x.shape[1]
    for r in range(x.shape[0]):
        row, x_row, h_row = joined[r], x[r], h[r]
        for j in range(features):
            row[j] = x_row[j]
        for j in range(h_row.shape[0]):
            row[features + j] = h_row[j]
    np.dot(grad_y.T, joined, joined_grad)
    for g in range(joined_grad.shape[0]):
        row = joined_grad[g]
        grad_weight_x[g] = row[:features]
        grad_weight_h[g] = row[features:]
    if need_grad_x:
        np.dot(grad_y, weight_x, grad_x)
    if grad_bias.shape[0] > 0:
        grad_bias[:] = 0.0
        _add_rows(grad_y, grad_bias)
