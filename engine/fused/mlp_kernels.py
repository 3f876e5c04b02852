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
    acts, pres      (B * total_width,) workspace: layer l's (B, width) block starts at
                    B * layers[l, F_COLUMN]; block 0 of `acts` holds the gathered inputs
    grad_a, grad_z  (B * max_width,) workspace for dL/da and dL/dz of the current layer
    batch_targets   (B, O) workspace; batch_labels (B,) int64 workspace
    reg_segments    (S, 2) int64 [start, stop) of the regularized tensors (weights)
    losses          (K,) float64 output: the batch loss of each step
"""

import math

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
BLAS_MIN_MULTIPLY_ADDS = 32768

# Status codes returned by train_steps alongside the number of completed steps.
STATUS_OK = 0
STATUS_LOSS_NOT_FINITE = 1
STATUS_PARAMS_NOT_FINITE = 2


@njit
def block(buffer, column, rows, width):
    """The (rows, width) C-contiguous view of a workspace block starting at `column`."""
    start = rows * column
    return buffer[start:start + rows * width].reshape((rows, width))


@njit
def flat(buffer, column, rows, width):
    """The same block as `block`, as one 1-D run (elementwise kernels need no rows)."""
    start = rows * column
    return buffer[start:start + rows * width]


@njit
def block_activation_fwd(code, buffer_z, buffer_a, column, rows, width):
    """activation_fwd on one workspace block, minus its 2-D reshape: measured 2-3x faster on
    playground-sized blocks, where the per-call overhead is most of the work."""
    if code == ACT_SOFTMAX:
        z, a = block(buffer_z, column, rows, width), block(buffer_a, column, rows, width)
        for r in range(rows):
            activation_row_fwd(code, z[r], a[r])
    else:
        activation_row_fwd(code, flat(buffer_z, column, rows, width), flat(buffer_a, column, rows, width))


@njit
def block_activation_bwd(code, z, a, grad_a, grad_z):
    """activation_bwd for (rows, width) views, elementwise codes on the flat run."""
    if code == ACT_SOFTMAX:
        for r in range(z.shape[0]):
            activation_row_bwd(code, z[r], a[r], grad_a[r], grad_z[r])
    else:
        n = z.shape[0] * z.shape[1]
        activation_row_bwd(code, z.reshape(n), a.reshape(n), grad_a.reshape(n), grad_z.reshape(n))


@njit
def gather_batch(x, targets, labels, index, inputs, batch_targets, batch_labels, use_labels):
    for b in range(index.shape[0]):
        r = index[b]
        src, dst = x[r], inputs[b]
        for j in range(dst.shape[0]):
            dst[j] = src[j]
        if use_labels:
            batch_labels[b] = labels[r]
        else:
            t_src, t_dst = targets[r], batch_targets[b]
            for j in range(t_dst.shape[0]):
                t_dst[j] = t_src[j]


@njit
def small_dense_fwd(x, weight, bias, z):
    """z = x @ weight.T + bias with row-view loops (same order as dense_fwd: dot, then bias)."""
    zero = as_dtype_of(z, 0.0)  # a literal 0.0 would make the accumulator float64
    for b in range(x.shape[0]):
        xr, zr = x[b], z[b]
        for o in range(weight.shape[0]):
            w = weight[o]
            s = zero
            for i in range(w.shape[0]):
                s += w[i] * xr[i]
            zr[o] = s
        if bias.shape[0] > 0:
            for o in range(zr.shape[0]):
                zr[o] += bias[o]


@njit
def small_dense_bwd(x, weight, grad_z, grad_x, grad_weight, grad_bias, need_grad_x):
    """Writes dL/dweight, dL/dbias and (if asked) dL/dx for z = x @ weight.T + bias."""
    grad_weight[:] = 0.0
    if grad_bias.shape[0] > 0:
        grad_bias[:] = 0.0
    if need_grad_x:
        grad_x[:] = 0.0
    for b in range(x.shape[0]):
        xr, dz, dx = x[b], grad_z[b], grad_x[b]
        for o in range(weight.shape[0]):
            d = dz[o]
            gw = grad_weight[o]
            for i in range(gw.shape[0]):
                gw[i] += d * xr[i]
            if need_grad_x:
                w = weight[o]
                for i in range(dx.shape[0]):
                    dx[i] += d * w[i]
        for o in range(grad_bias.shape[0]):
            grad_bias[o] += dz[o]


@njit
def layer_tensors(layers, l, params):
    """(weight (out, in), bias (out,) or empty) views of layer l inside a flat buffer."""
    w_off, b_off = layers[l, F_WEIGHT], layers[l, F_BIAS]
    fan_in, fan_out = layers[l, F_FAN_IN], layers[l, F_FAN_OUT]
    weight = params[w_off:w_off + fan_out * fan_in].reshape((fan_out, fan_in))
    bias = params[b_off:b_off + fan_out] if b_off >= 0 else params[0:0]
    return weight, bias


@njit
def uses_blas(layers, l, rows):
    return layers[l, F_FAN_IN] * layers[l, F_FAN_OUT] * rows >= BLAS_MIN_MULTIPLY_ADDS


@njit
def forward(layers, params, acts, pres, rows):
    """Every layer's pre-activation and activation for the batch already gathered in acts."""
    in_column, in_width = 0, layers[0, F_FAN_IN]
    for l in range(layers.shape[0]):
        width, column = layers[l, F_FAN_OUT], layers[l, F_COLUMN]
        weight, bias = layer_tensors(layers, l, params)
        x = block(acts, in_column, rows, in_width)
        z, a = block(pres, column, rows, width), block(acts, column, rows, width)
        if uses_blas(layers, l, rows):
            dense_fwd(x, weight, bias, z)
        else:
            small_dense_fwd(x, weight, bias, z)
        block_activation_fwd(layers[l, F_ACTIVATION], pres, acts, column, rows, width)
        in_column, in_width = column, width


@njit
def output_gradient(layers, loss_code, acts, pres, batch_targets, batch_labels, grad_a, grad_z, rows):
    """Mean batch loss, leaving dL/dz of the output layer in grad_z."""
    last = layers.shape[0] - 1
    width, column = layers[last, F_FAN_OUT], layers[last, F_COLUMN]
    z, a = block(pres, column, rows, width), block(acts, column, rows, width)
    dz = block(grad_z, 0, rows, width)
    if layers[last, F_LOSS_ON_PRE] == 1:  # softmax+CE / sigmoid+BCE: the loss takes logits
        loss = loss_fwd(loss_code, z, batch_targets, batch_labels)
        loss_bwd(loss_code, z, batch_targets, batch_labels, dz)
    else:
        da = block(grad_a, 0, rows, width)
        loss = loss_fwd(loss_code, a, batch_targets, batch_labels)
        loss_bwd(loss_code, a, batch_targets, batch_labels, da)
        block_activation_bwd(layers[last, F_ACTIVATION], z, a, da, dz)
    return loss


@njit
def backward(layers, params, grads, acts, pres, grad_a, grad_z, rows):
    """From dL/dz of the output layer (in grad_z) to every parameter gradient."""
    for l in range(layers.shape[0] - 1, -1, -1):
        width = layers[l, F_FAN_OUT]
        in_width = layers[l, F_FAN_IN]
        in_column = layers[l - 1, F_COLUMN] if l > 0 else 0
        weight, bias = layer_tensors(layers, l, params)
        grad_weight, grad_bias = layer_tensors(layers, l, grads)
        x = block(acts, in_column, rows, in_width)
        dz = block(grad_z, 0, rows, width)
        dx = block(grad_a, 0, rows, in_width)
        need_dx = l > 0
        if uses_blas(layers, l, rows):
            dense_bwd(x, weight, dz, dx, grad_weight, grad_bias, need_dx)
        else:
            small_dense_bwd(x, weight, dz, dx, grad_weight, grad_bias, need_dx)
        if need_dx:  # dL/dz of the layer below, into grad_z (dz of this layer is consumed)
            code = layers[l - 1, F_ACTIVATION]
            z_prev, a_prev = block(pres, in_column, rows, in_width), x
            block_activation_bwd(code, z_prev, a_prev, dx, block(grad_z, 0, rows, in_width))


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
    inputs = block(acts, 0, rows, layers[0, F_FAN_IN])
    for k in range(lr.shape[0]):
        gather_batch(x, targets, labels, batch_index[k], inputs, batch_targets, batch_labels, use_labels)
        forward(layers, params, acts, pres, rows)
        loss = output_gradient(layers, loss_code, acts, pres, batch_targets, batch_labels,
                               grad_a, grad_z, rows)
        losses[k] = loss
        if not math.isfinite(loss):  # as Trainer.step: report before touching the parameters
            return k, STATUS_LOSS_NOT_FINITE
        backward(layers, params, grads, acts, pres, grad_a, grad_z, rows)
        regularize_and_clip(params, grads, reg_segments, reg_kind, reg_rate, clip_kind, clip_limit)
        hyper[H_LR] = lr[k]
        probe = optimizer_step(opt_code, params, grads, state, hyper, first_step + k)
        if probe != 0.0:
            return k + 1, STATUS_PARAMS_NOT_FINITE
    return lr.shape[0], STATUS_OK

