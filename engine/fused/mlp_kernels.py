"""Fused training kernel for sequential dense networks: K optimizer steps in one njit call.

Why: a Python->njit call costs ~1 us and a playground step (2-8-8-1, batch 10) is ~2 us of
arithmetic, so the layer-by-layer path is overhead-bound; here gathering the minibatch, forward,
loss, backward, regularization, clipping and the optimizer all run inside one compiled loop.
Sizes and codes are runtime data, so editing the network in the UI never recompiles.

Shapes and layouts (float32 unless noted, all C-contiguous):
    params, grads   (P,)       the model's flat_params / flat_grads; weight (out, in) row-major
    state           (STATE_SLOTS, P)  optimizer state, slots as in engine/kernels/optim.py
    hyper           (HYPER_SIZE,) float64, H_* indices of optim.py; H_LR is overwritten per step
    layers          (L, LAYER_FIELDS) int64, one row per dense layer, columns F_* below
    x               (N, F)     inputs;  targets (N, O) float32 (unused by cross_entropy)
    labels          (N,) int64 class indices (unused by the other losses)
    batch_index     (K, B) int64: rows of x used at each step (drawn by the Trainer's generator)
    lr              (K,) float64: learning rate of each step (the schedule, evaluated by the caller)
    acts, pres      (B * total_width,) workspace: layer l's (B, width) block, held flat, starts
                    at B * layers[l, F_COLUMN]; block 0 of `acts` holds the gathered inputs
                    (unused when one step trains on x itself: Trainer.step)
    grad_a, grad_z  (B * max_width,) workspace for dL/da and dL/dz of the current layer
    batch_targets   (B, O) workspace; batch_labels (B,) int64 workspace
    reg_segments    (S, 2) int64 [start, stop) of the regularized tensors (weights)
    losses          (K,) float64 output: the batch loss of each step
"""

import math

import numpy as np

from engine.config import njit
from engine.kernels.activations import activation_row_bwd, activation_row_fwd
from engine.kernels.common import as_dtype_of
from engine.kernels.codes import ACT_SOFTMAX
from engine.kernels.dense import dense_bwd, dense_fwd
from engine.kernels.losses import loss_bwd, loss_fwd
from engine.kernels.optim import H_LR, optimizer_step
from engine.kernels.regularize import (
    REG_NONE,
    add_penalty_grads,
    clip_grads_by_norm,
    clip_grads_by_value,
)

# Columns of the `layers` table.
F_WEIGHT = 0  # offset of the (out, in) weight in params
F_BIAS = 1  # offset of the (out,) bias, -1 without bias
F_FAN_IN = 2
F_FAN_OUT = 3
F_ACTIVATION = 4  # ACT_* code
F_COLUMN = 5  # first column of this layer's output in the workspace (inputs occupy 0..F-1)
F_LOSS_ON_PRE = 6  # last layer only: 1 when the loss takes z (fused softmax/sigmoid), 0 for a
LAYER_FIELDS = 7

CLIP_NONE = 0
CLIP_NORM = 1
CLIP_VALUE = 2

# Layers with at least this many multiply-adds per step go through BLAS (the engine's dense
# kernels); below it a BLAS call costs more than the arithmetic, so plain loops run instead.
# Measured forward+backward, one thread: 10x8x8 (640) loops 0.43 us vs BLAS 0.71 us;
# 32x8x8 (2048) loops 2.25 us vs BLAS 1.35 us; 32x16x16 loops 4.5 us vs BLAS 1.6 us.
BLAS_MIN_MULTIPLY_ADDS = 1024

# Status codes returned by train_steps alongside the number of completed steps.
STATUS_OK = 0
STATUS_LOSS_NOT_FINITE = 1
STATUS_PARAMS_NOT_FINITE = 2


@njit(inline='always')  # numba-level inlining of the per-layer helpers: measured ~15% per step
def span(buffer, start, length):
    """A 1-D run of a flat buffer. Workspace blocks and weights are handled as such runs with
    explicit row arithmetic: numba's reshape calls an out-of-line helper (15-35 ns measured),
    and a playground step would make ~45 of them, about a third of its time."""
    return buffer[start:start + length]


@njit
def as_rows(buffer, start, rows, width):
    """(rows, width) view of a run, for the engine's 2-D kernels (BLAS layers and losses),
    built outside the per-step loop or where a GEMM dwarfs its cost."""
    return buffer[start:start + rows * width].reshape((rows, width))


@njit(inline='always')
def activation_fwd_rows(code, z, a, rows, width):
    """The activation of a (rows, width) block held flat: softmax row by row, others at once."""
    if code == ACT_SOFTMAX:
        for r in range(rows):
            activation_row_fwd(code, span(z, r * width, width), span(a, r * width, width))
    else:
        activation_row_fwd(code, z, a)


@njit(inline='always')
def activation_bwd_rows(code, z, a, grad_a, grad_z, rows, width):
    if code == ACT_SOFTMAX:
        for r in range(rows):
            o = r * width
            activation_row_bwd(code, span(z, o, width), span(a, o, width), span(grad_a, o, width),
                               span(grad_z, o, width))
    else:
        activation_row_bwd(code, z, a, grad_a, grad_z)


@njit
def is_identity(index):
    for b in range(index.shape[0]):
        if index[b] != b:
            return False
    return True


@njit(inline='always')
def gather_batch(x, targets, labels, index, inputs, batch_targets, batch_labels, use_labels, copy_inputs):
    width = x.shape[1]
    for b in range(index.shape[0]):
        r = index[b]
        if copy_inputs:
            src, dst = x[r], span(inputs, b * width, width)
            for j in range(width):
                dst[j] = src[j]
        if use_labels:
            batch_labels[b] = labels[r]
        else:
            t_src, t_dst = targets[r], batch_targets[b]
            for j in range(t_dst.shape[0]):
                t_dst[j] = t_src[j]


@njit(inline='always')
def small_dense_fwd(x, weight, bias, z, rows, fan_in, fan_out):
    """z = x @ weight.T + bias on flat runs (x: rows*fan_in, weight: fan_out*fan_in row-major,
    bias: fan_out or empty, z: rows*fan_out); dot first, then bias, as dense_fwd.

    Indices are uint64 so numba emits no negative-index wraparound test per access (row views
    or slices per row cost 1-2 ns each here, as much as the arithmetic of a playground layer)."""
    zero = as_dtype_of(z, 0.0)  # a literal 0.0 would make the accumulator float64
    n_rows, n_in, n_out = np.uint64(rows), np.uint64(fan_in), np.uint64(fan_out)
    has_bias = bias.shape[0] > 0
    for b in range(n_rows):
        x_row, z_row = b * n_in, b * n_out
        for o in range(n_out):
            w_row = o * n_in
            s = zero
            for i in range(n_in):
                s += weight[w_row + i] * x[x_row + i]
            z[z_row + o] = s
        if has_bias:
            for o in range(n_out):
                z[z_row + o] += bias[o]


@njit(inline='always')
def small_dense_bwd(x, weight, grad_z, grad_x, grad_weight, grad_bias, need_grad_x, rows, fan_in, fan_out):
    """Writes dL/dweight, dL/dbias and (if asked) dL/dx for z = x @ weight.T + bias (flat runs,
    uint64 indices as in small_dense_fwd)."""
    grad_weight[:] = 0.0
    grad_bias[:] = 0.0
    if need_grad_x:
        grad_x[:] = 0.0
    n_rows, n_in, n_out = np.uint64(rows), np.uint64(fan_in), np.uint64(fan_out)
    has_bias = grad_bias.shape[0] > 0
    for b in range(n_rows):
        x_row, z_row = b * n_in, b * n_out
        for o in range(n_out):
            d = grad_z[z_row + o]
            w_row = o * n_in
            for i in range(n_in):
                grad_weight[w_row + i] += d * x[x_row + i]
            if need_grad_x:
                for i in range(n_in):
                    grad_x[x_row + i] += d * weight[w_row + i]
            if has_bias:
                grad_bias[o] += d


@njit(inline='always')
def layer_tensors(layers, l, params):
    """(weight, bias) of layer l as flat runs of a parameter-shaped buffer (bias empty if none)."""
    w_off, b_off = layers[l, F_WEIGHT], layers[l, F_BIAS]
    fan_out = layers[l, F_FAN_OUT]
    weight = span(params, w_off, fan_out * layers[l, F_FAN_IN])
    bias = span(params, b_off, fan_out) if b_off >= 0 else params[0:0]
    return weight, bias


@njit(inline='always')
def uses_blas(layers, l, rows):
    return layers[l, F_FAN_IN] * layers[l, F_FAN_OUT] * rows >= BLAS_MIN_MULTIPLY_ADDS


@njit(inline='always')
def dense_layer_fwd(layers, l, params, x, z, rows):
    fan_in, fan_out = layers[l, F_FAN_IN], layers[l, F_FAN_OUT]
    weight, bias = layer_tensors(layers, l, params)
    if uses_blas(layers, l, rows):
        dense_fwd(as_rows(x, 0, rows, fan_in), as_rows(weight, 0, fan_out, fan_in), bias,
                  as_rows(z, 0, rows, fan_out))
    else:
        small_dense_fwd(x, weight, bias, z, rows, fan_in, fan_out)


@njit(inline='always')
def dense_layer_bwd(layers, l, params, grads, x, grad_z, grad_x, rows, need_grad_x):
    fan_in, fan_out = layers[l, F_FAN_IN], layers[l, F_FAN_OUT]
    weight, _ = layer_tensors(layers, l, params)
    grad_weight, grad_bias = layer_tensors(layers, l, grads)
    if uses_blas(layers, l, rows):
        dense_bwd(as_rows(x, 0, rows, fan_in), as_rows(weight, 0, fan_out, fan_in),
                  as_rows(grad_z, 0, rows, fan_out), as_rows(grad_x, 0, rows, fan_in),
                  as_rows(grad_weight, 0, fan_out, fan_in), grad_bias, need_grad_x)
    else:
        small_dense_bwd(x, weight, grad_z, grad_x, grad_weight, grad_bias, need_grad_x, rows, fan_in, fan_out)


@njit
def forward(layers, params, inputs, acts, pres, rows):
    """Every layer's pre-activation and activation for the batch in `inputs` (rows*F, flat)."""
    x = inputs
    for l in range(layers.shape[0]):
        width = layers[l, F_FAN_OUT]
        start = rows * layers[l, F_COLUMN]
        z, a = span(pres, start, rows * width), span(acts, start, rows * width)
        dense_layer_fwd(layers, l, params, x, z, rows)
        activation_fwd_rows(layers[l, F_ACTIVATION], z, a, rows, width)
        x = a


@njit
def output_gradient(layers, loss_code, out_z, out_a, out_grad_a, out_grad_z, batch_targets,
                    batch_labels, rows, flat_z, flat_a, flat_grad_a, flat_grad_z):
    """Mean batch loss, leaving dL/dz of the output layer in out_grad_z. out_* are (rows, O)
    views for the loss kernels, flat_* the same memory as 1-D runs for the activation."""
    last = layers.shape[0] - 1
    if layers[last, F_LOSS_ON_PRE] == 1:  # softmax+CE / sigmoid+BCE: the loss takes logits
        loss = loss_fwd(loss_code, out_z, batch_targets, batch_labels)
        loss_bwd(loss_code, out_z, batch_targets, batch_labels, out_grad_z)
    else:
        loss = loss_fwd(loss_code, out_a, batch_targets, batch_labels)
        loss_bwd(loss_code, out_a, batch_targets, batch_labels, out_grad_a)
        activation_bwd_rows(layers[last, F_ACTIVATION], flat_z, flat_a, flat_grad_a, flat_grad_z,
                            rows, layers[last, F_FAN_OUT])
    return loss


@njit
def backward(layers, params, grads, inputs, acts, pres, grad_a, grad_z, rows):
    """From dL/dz of the output layer (at the start of grad_z) to every parameter gradient."""
    for l in range(layers.shape[0] - 1, -1, -1):
        fan_in, fan_out = layers[l, F_FAN_IN], layers[l, F_FAN_OUT]
        in_start = rows * layers[l - 1, F_COLUMN] if l > 0 else 0
        x = span(acts, in_start, rows * fan_in) if l > 0 else inputs
        dz, dx = span(grad_z, 0, rows * fan_out), span(grad_a, 0, rows * fan_in)
        dense_layer_bwd(layers, l, params, grads, x, dz, dx, rows, l > 0)
        if l > 0:  # dL/dz of the layer below, into grad_z (this layer's dz is consumed)
            z_below = span(pres, in_start, rows * fan_in)
            activation_bwd_rows(layers[l - 1, F_ACTIVATION], z_below, x, dx,
                                span(grad_z, 0, rows * fan_in), rows, fan_in)


@njit
def regularize_and_clip(params, grads, reg_segments, reg_kind, reg_rate, clip_kind, clip_limit):
    if reg_kind != REG_NONE:
        add_penalty_grads(params, grads, reg_segments[:, 0], reg_segments[:, 1], reg_kind, reg_rate)
    if clip_kind == CLIP_NORM:
        clip_grads_by_norm(grads, clip_limit)
    elif clip_kind == CLIP_VALUE:
        clip_grads_by_value(grads, clip_limit)


@njit
def train_steps(layers, params, grads, opt_code, state, hyper, first_step, loss_code,
                reg_segments, reg_kind, reg_rate, clip_kind, clip_limit,
                x, targets, labels, batch_index, lr, acts, pres, grad_a, grad_z,
                batch_targets, batch_labels, losses):
    """Runs up to K = len(lr) steps; returns (optimizer updates applied, STATUS_*).

    Stops like Trainer.step: at a non-finite loss before updating (its loss is in `losses`), or
    right after an update that left a parameter non-finite. The data loss is reported, without
    the regularization penalty. `first_step` is the 1-based optimizer step of the first update.
    """
    rows = batch_index.shape[1]
    use_labels = labels.shape[0] > 0
    # Trainer.step passes its batch with the identity index: train on x in place instead of
    # copying it (a 0.8 MB copy per MNIST step at batch 256)
    direct = lr.shape[0] == 1 and x.shape[0] == rows and is_identity(batch_index[0])
    inputs = x.reshape(rows * x.shape[1]) if direct else span(acts, 0, rows * layers[0, F_FAN_IN])
    last = layers.shape[0] - 1
    width, out_start = layers[last, F_FAN_OUT], rows * layers[last, F_COLUMN]
    out_z, out_a = as_rows(pres, out_start, rows, width), as_rows(acts, out_start, rows, width)
    out_grad_a, out_grad_z = as_rows(grad_a, 0, rows, width), as_rows(grad_z, 0, rows, width)
    n = rows * width
    flat_z, flat_a = span(pres, out_start, n), span(acts, out_start, n)
    flat_grad_a, flat_grad_z = span(grad_a, 0, n), span(grad_z, 0, n)
    for k in range(lr.shape[0]):
        gather_batch(x, targets, labels, batch_index[k], inputs, batch_targets, batch_labels, use_labels,
                     not direct)
        forward(layers, params, inputs, acts, pres, rows)
        loss = output_gradient(layers, loss_code, out_z, out_a, out_grad_a, out_grad_z,
                               batch_targets, batch_labels, rows, flat_z, flat_a, flat_grad_a, flat_grad_z)
        losses[k] = loss
        if not math.isfinite(loss):  # as Trainer.step: report before touching the parameters
            return k, STATUS_LOSS_NOT_FINITE
        backward(layers, params, grads, inputs, acts, pres, grad_a, grad_z, rows)
        regularize_and_clip(params, grads, reg_segments, reg_kind, reg_rate, clip_kind, clip_limit)
        hyper[H_LR] = lr[k]
        probe = optimizer_step(opt_code, params, grads, state, hyper, first_step + k)
        if probe != 0.0:
            return k + 1, STATUS_PARAMS_NOT_FINITE
    return lr.shape[0], STATUS_OK

