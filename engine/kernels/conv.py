"""Convolution kernels in PyTorch layouts: im2col + one BLAS GEMM per sample.

Shapes (float32 or float64, C-contiguous):
    x         (N, C, H, W)          images, batch first
    weight    (O, C*KH*KW)          conv2d weight (O, C, KH, KW) viewed 2-D
    weight_t  (C, O*KH*KW)          conv2d_transpose weight (C, O, KH, KW) viewed 2-D
    bias      (O,)                  a zero-length array when the layer has no bias
    y         (N, O, OH*OW)         conv2d output viewed 3-D (still NCHW in memory)
    cols      (K, C*KH*KW, OH*OW)   receptive fields as columns, of every sample (K = N) or one (K = 1)
    scratch   (2, C*KH*KW, O)       weight-gradient buffers, transposed (conv2d_transpose: (2, O*KH*KW, C))
    geometry  int64 (10,)           kh, kw, stride_h, stride_w, pad_top, pad_left,
                                    dil_h, dil_w, out_h, out_w   (see ``GEOMETRY_FIELDS``)

``pad_top``/``pad_left`` only shift the windows; ``out_h``/``out_w`` fix how many windows there
are, so asymmetric "same" padding (even kernels, as torch does it) needs no extra field.

Why per-sample im2col + GEMM (measured here on the bench CNN, batch 64, one thread): OpenBLAS
runs the per-sample GEMMs at 75-110 GFLOP/s (conv 8->16 5x5 on 12x12: (16 x 200) @ (200 x 64)),
and one batched GEMM per pass over a (200 x 4096) patch matrix was slower (1.3 ms against
0.8 ms for the backward pair), so the batch stays a loop; a call of ``np.dot`` from njit costs
about 1 us. conv2d_transpose is the adjoint of conv2d: its forward is conv2d's input gradient
(GEMM then col2im) and its backward is conv2d's forward (im2col then GEMM).

Gradients are written, not accumulated (each parameter belongs to one layer, used once).
"""

import numpy as np

from engine.config import njit
from engine.kernels.activations import activation_row_bwd, activation_row_fwd
from engine.kernels.codes import ACT_LINEAR

GEOMETRY_FIELDS = ("kh", "kw", "stride_h", "stride_w", "pad_top", "pad_left", "dil_h", "dil_w", "out_h", "out_w")


@njit
def _first_inside(offset, stride):
    """Smallest output index o >= 0 with o * stride + offset >= 0."""
    return 0 if offset >= 0 else (-offset + stride - 1) // stride


@njit
def _end_inside(offset, stride, size, count):
    """One past the largest o < count with o * stride + offset <= size - 1."""
    last = size - 1 - offset
    return 0 if last < 0 else min(count, last // stride + 1)


@njit(inline="always")
def _at(index):
    """An unsigned index: numba then skips its negative-index wraparound, which otherwise
    keeps these copy loops scalar (im2col of the bench CNN: 1.8 ms -> 0.16 ms)."""
    return np.uint64(index)


@njit
def im2col(image, geometry, cols):
    """image (C, H, W) -> cols (C*KH*KW, OH*OW); positions outside the image read as zero."""
    _walk_windows(image, geometry, cols, True)


@njit
def col2im(cols, geometry, image):
    """The adjoint of im2col: adds every column entry back onto its image position (image zeroed first)."""
    image[:] = 0.0
    _walk_windows(image, geometry, cols, False)


@njit
def _walk_windows(image, geometry, cols, to_cols):
    """The traversal im2col and col2im share: every (channel, tap, output row) run of a window
    position, copied image -> cols (``to_cols``, zeros outside the image) or added back."""
    kh, kw, sh, sw, pt, pl, dh, dw, out_h, out_w = geometry
    channels, height, width = image.shape
    pixels, patches = image.reshape(-1), cols.reshape(-1)
    positions = out_h * out_w
    for c in range(channels):
        for i in range(kh):
            for j in range(kw):
                start = ((c * kh + i) * kw + j) * positions
                col_offset = j * dw - pl
                lo = _first_inside(col_offset, sw)
                hi = max(lo, _end_inside(col_offset, sw, width, out_w))
                top, bottom = i * dh - pt, (out_h - 1) * sh + i * dh - pt
                if sw == 1 and lo == 0 and hi == out_w and top >= 0 and bottom < height:
                    # the whole tap stays inside the image (valid convs): one tight loop
                    _block(pixels, (c * height + top) * width + col_offset, sh * width,
                           patches, start, out_h, out_w, to_cols)
                    continue
                for oh in range(out_h):
                    ih = oh * sh - pt + i * dh
                    base = start + oh * out_w
                    inside = 0 <= ih < height
                    lo_row, hi_row = (lo, hi) if inside else (out_w, out_w)
                    line = (c * height + ih) * width + col_offset
                    if to_cols:
                        _copy_run(pixels, line, sw, patches, base, lo_row, hi_row, out_w)
                    elif inside:
                        _add_run(patches, base, pixels, line, sw, lo_row, hi_row)


@njit(inline="always")
def _block(pixels, line, line_step, patches, base, rows, count, to_cols):
    for row in range(rows):
        if to_cols:
            for o in range(count):
                patches[_at(base + o)] = pixels[_at(line + o)]
        else:
            for o in range(count):
                pixels[_at(line + o)] += patches[_at(base + o)]
        base += count
        line += line_step


@njit(inline="always")
def _copy_run(pixels, line, stride, patches, base, lo, hi, count):
    for o in range(lo):
        patches[_at(base + o)] = 0.0
    if stride == 1:  # the common case: a contiguous run that vectorizes
        for o in range(lo, hi):
            patches[_at(base + o)] = pixels[_at(line + o)]
    else:
        for o in range(lo, hi):
            patches[_at(base + o)] = pixels[_at(line + o * stride)]
    for o in range(hi, count):
        patches[_at(base + o)] = 0.0


@njit(inline="always")
def _add_run(patches, base, pixels, line, stride, lo, hi):
    if stride == 1:
        for o in range(lo, hi):
            pixels[_at(line + o)] += patches[_at(base + o)]
    else:
        for o in range(lo, hi):
            pixels[_at(line + o * stride)] += patches[_at(base + o)]


@njit
def _add_bias(y, bias):
    """y (N, O, S) += bias[o]."""
    if bias.shape[0] == 0:
        return
    for n in range(y.shape[0]):
        for o in range(y.shape[1]):
            plane = y[n, o]
            b = bias[o]
            for s in range(plane.shape[0]):
                plane[s] += b


@njit
def _sum_bias_grad(grad_y, grad_bias):
    """grad_bias[o] = sum of grad_y (N, O, S) over samples and positions."""
    if grad_bias.shape[0] == 0:
        return
    grad_bias[:] = 0.0
    for n in range(grad_y.shape[0]):
        _add_bias_grad(grad_y[n], grad_bias)


@njit
def _add_bias_grad(grad_sample, grad_bias):
    """grad_bias[o] += sum of one sample's grad (O, S) over positions."""
    if grad_bias.shape[0] == 0:
        return
    for o in range(grad_sample.shape[0]):
        plane = grad_sample[o]
        total = 0.0
        for s in range(plane.shape[0]):
            total += plane[s]
        grad_bias[o] += total


@njit
def _accumulate(total, part):
    flat_total, flat_part = total.reshape(-1), part.reshape(-1)
    for k in range(flat_total.shape[0]):
        flat_total[k] += flat_part[k]


# ------------------------------------------------------------------------------------ conv2d


@njit
def conv2d_fwd(x, weight, bias, code, geometry, cols, z, a):
    """z = conv(x) + bias, a = activation(z) (ACT_* ``code``; with ACT_LINEAR ``a`` may be ``z``).

    Bias and activation run per sample right after its GEMM, while its output is in cache.
    cols (K, C*KH*KW, OH*OW): K = N keeps every sample's patches for the backward pass
    (training), K = 1 reuses one buffer (inference, or when the patches would be too large).
    """
    keep = cols.shape[0] == x.shape[0]
    for n in range(x.shape[0]):
        patches = cols[n] if keep else cols[0]
        im2col(x[n], geometry, patches)
        np.dot(weight, patches, z[n])
        _add_bias(z[n:n + 1], bias)
        if code != ACT_LINEAR:
            activation_row_fwd(code, z[n].reshape(-1), a[n].reshape(-1))


@njit
def conv2d_bwd(x, weight, code, z, a, grad_a, geometry, cols, kept, scratch, grad_z, grad_x, grad_weight,
               grad_bias, need_grad_x):
    """grad_a (N, O, OH*OW) -> grad_weight (O, C*KH*KW), grad_bias (O,), grad_x (N, C, H, W).

    The activation's derivative is applied per sample into ``grad_z`` (unused with ACT_LINEAR,
    which is also how a loss that already differentiated the logits skips it).
    ``kept``: cols holds the forward pass's patches of every sample (no second im2col).
    ``scratch`` (2, C*KH*KW, O): one sample's weight gradient and the running sum, both
    transposed: patches @ grad_z.T runs 1.5x faster in BLAS than grad_z @ patches.T here
    (conv 8->16 5x5: 0.35 vs 0.52 ms per batch of 64).
    """
    part, total = scratch[0], scratch[1]
    total[:] = 0.0
    if grad_bias.shape[0] > 0:
        grad_bias[:] = 0.0
    for n in range(x.shape[0]):
        if code != ACT_LINEAR:
            activation_row_bwd(code, z[n].reshape(-1), a[n].reshape(-1), grad_a[n].reshape(-1),
                               grad_z[n].reshape(-1))
        g = grad_z[n] if code != ACT_LINEAR else grad_a[n]
        _add_bias_grad(g, grad_bias)
        patches = cols[n] if kept else cols[0]
        if not kept:
            im2col(x[n], geometry, patches)
        np.dot(patches, g.T, part)
        _accumulate(total, part)
        if need_grad_x:  # the patches are used up: their buffer takes the patch gradients
            np.dot(weight.T, g, patches)
            col2im(patches, geometry, grad_x[n])
    grad_weight[:] = total.T


# -------------------------------------------------------------------------- conv2d_transpose
# geometry describes the equivalent conv2d that maps y back onto x: windows over y, one per x pixel.


@njit
def conv2d_transpose_fwd(x, weight_t, bias, geometry, cols, y):
    """x (N, C, H*W), weight_t (C, O*KH*KW) -> y (N, O, OH, OW); cols (O*KH*KW, H*W)."""
    for n in range(x.shape[0]):
        np.dot(weight_t.T, x[n], cols)
        col2im(cols, geometry, y[n])
    _add_bias(y.reshape(y.shape[0], y.shape[1], -1), bias)


@njit
def conv2d_transpose_bwd(x, weight_t, grad_y, geometry, cols, scratch, grad_x, grad_weight, grad_bias,
                         need_grad_x):
    """grad_y (N, O, OH, OW) -> grad_weight (C, O*KH*KW), grad_bias (O,), grad_x (N, C, H*W);
    scratch (2, O*KH*KW, C)."""
    part, total = scratch[0], scratch[1]  # (O*KH*KW, C) each: the faster GEMM shape, as in conv2d_bwd
    total[:] = 0.0
    for n in range(x.shape[0]):
        im2col(grad_y[n], geometry, cols)
        np.dot(cols, x[n].T, part)
        _accumulate(total, part)
        if need_grad_x:
            np.dot(weight_t, cols, grad_x[n])
    grad_weight[:] = total.T
    _sum_bias_grad(grad_y.reshape(grad_y.shape[0], grad_y.shape[1], -1), grad_bias)
