"""Pooling and nearest upsampling kernels (PyTorch semantics), forward then backward per op.

Shapes (float32 or float64, C-contiguous); images are flattened over batch and channels:
    x         (N*C, H, W)
    y         (N*C, OH, OW)
    argmax    (N*C, OH, OW) int64: flat index h * W + w of each window's maximum in its plane
    geometry  int64 (8,): kh, kw, stride_h, stride_w, pad_top, pad_left, out_h, out_w
    planes    (N*C, H*W) for global average pooling, pooled (N*C,)

max_pool2d pads with -inf (padding never wins, as in torch); the first maximum of a window wins
ties, so gradients go where torch sends them. avg_pool2d counts padding as zeros and always
divides by kh * kw (torch's count_include_pad=True default; with ceil_mode=False no window
reaches past the padded border). upsample2d_nearest repeats each pixel ``scale`` times
along both axes.
"""

import numpy as np

from engine.config import njit


@njit(inline="always")
def _at(index):
    """An unsigned index: numba then skips its negative-index wraparound check (see kernels/conv.py)."""
    return np.uint64(index)


@njit
def _window(o, stride, pad, kernel, size):
    """[start, stop) of one window along an axis, clipped to the unpadded input."""
    start = o * stride - pad
    return max(start, 0), min(start + kernel, size)


# ---------------------------------------------------------------------------------- max_pool2d


@njit
def max_pool2d_fwd(x, geometry, y, argmax):
    kh, kw, sh, sw, pt, pl, out_h, out_w = geometry
    if kh == 2 and kw == 2 and pt == 0 and pl == 0:
        _max_pool_2x2(x, sh, sw, out_h, out_w, y, argmax)
        return
    planes, height, width = x.shape
    src, out, where = x.reshape(-1), y.reshape(-1), argmax.reshape(-1)
    for p in range(planes):
        plane_start, out_start = p * height * width, p * out_h * out_w
        for oh in range(out_h):
            h0, h1 = _window(oh, sh, pt, kh, height)
            for ow in range(out_w):
                w0, w1 = _window(ow, sw, pl, kw, width)
                best_at = h0 * width + w0
                best = src[_at(plane_start + best_at)]
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        value = src[_at(plane_start + h * width + w)]
                        if value > best or value != value:  # NaN wins, as in torch
                            best, best_at = value, h * width + w
                out[_at(out_start + oh * out_w + ow)] = best
                where[_at(out_start + oh * out_w + ow)] = best_at


@njit(inline="always")
def _larger(a, a_at, b, b_at):
    """The larger candidate (b if NaN, a on ties) with its index computed by arithmetic, so
    the compiler emits no branch (random data mispredicts half of them)."""
    take_b = (b > a) | (b != b)
    return (b if take_b else a), a_at + (b_at - a_at) * np.int64(take_b)


@njit
def _max_pool_2x2(x, sh, sw, out_h, out_w, y, argmax):
    """2x2 windows without padding (most CNNs), as a comparison tree: 2.4x the generic loop."""
    planes, height, width = x.shape
    src, out, where = x.reshape(-1), y.reshape(-1), argmax.reshape(-1)
    for p in range(planes):
        plane_start, out_start = p * height * width, p * out_h * out_w
        for oh in range(out_h):
            row_out, top = out_start + oh * out_w, oh * sh * width
            for ow in range(out_w):
                a_at = top + ow * sw
                c_at = a_at + width
                a, b = src[_at(plane_start + a_at)], src[_at(plane_start + a_at + 1)]
                c, d = src[_at(plane_start + c_at)], src[_at(plane_start + c_at + 1)]
                upper, upper_at = _larger(a, a_at, b, a_at + 1)
                lower, lower_at = _larger(c, c_at, d, c_at + 1)
                best, best_at = _larger(upper, upper_at, lower, lower_at)
                out[_at(row_out + ow)] = best
                where[_at(row_out + ow)] = best_at


@njit
def max_pool2d_bwd(grad_y, argmax, grad_x):
    planes, height, width = grad_x.shape
    g, where, gx = grad_y.reshape(-1), argmax.reshape(-1), grad_x.reshape(-1)
    gx[:] = 0.0
    per_plane = g.shape[0] // planes
    for p in range(planes):
        plane_start = p * height * width
        for k in range(p * per_plane, (p + 1) * per_plane):
            gx[_at(plane_start + where[_at(k)])] += g[_at(k)]


# ---------------------------------------------------------------------------------- avg_pool2d


@njit
def avg_pool2d_fwd(x, geometry, y):
    _walk_average(x, geometry, y, True)


@njit
def avg_pool2d_bwd(grad_y, geometry, grad_x):
    grad_x[:] = 0.0
    _walk_average(grad_x, geometry, grad_y, False)


@njit
def _walk_average(images, geometry, pooled, forward):
    """Every window once: average images into pooled (``forward``) or spread pooled back."""
    kh, kw, sh, sw, pt, pl, out_h, out_w = geometry
    planes, height, width = images.shape
    scale = 1.0 / (kh * kw)
    pixels, means = images.reshape(-1), pooled.reshape(-1)
    for p in range(planes):
        plane_start, out_start = p * height * width, p * out_h * out_w
        for oh in range(out_h):
            h0, h1 = _window(oh, sh, pt, kh, height)
            for ow in range(out_w):
                w0, w1 = _window(ow, sw, pl, kw, width)
                at = _at(out_start + oh * out_w + ow)
                total, share = 0.0, (0.0 if forward else means[at] * scale)
                for h in range(h0, h1):
                    for w in range(w0, w1):
                        pixel = _at(plane_start + h * width + w)
                        if forward:
                            total += pixels[pixel]
                        else:
                            pixels[pixel] += share
                if forward:
                    means[at] = total * scale


# --------------------------------------------------------------------------- global_avg_pool2d


@njit
def global_avg_pool2d_fwd(planes, pooled):
    scale = 1.0 / planes.shape[1]
    for p in range(planes.shape[0]):
        row = planes[p]
        total = 0.0
        for k in range(row.shape[0]):
            total += row[k]
        pooled[p] = total * scale


@njit
def global_avg_pool2d_bwd(grad_pooled, grad_planes):
    scale = 1.0 / grad_planes.shape[1]
    for p in range(grad_planes.shape[0]):
        row = grad_planes[p]
        share = grad_pooled[p] * scale
        for k in range(row.shape[0]):
            row[k] = share


# ------------------------------------------------------------------------ upsample2d (nearest)


@njit
def upsample2d_nearest_fwd(x, scale, y):
    planes, height, width = x.shape
    for p in range(planes):
        for h in range(height * scale):
            src, dst = x[p, h // scale], y[p, h]
            for w in range(width * scale):
                dst[w] = src[w // scale]


@njit
def upsample2d_nearest_bwd(grad_y, scale, grad_x):
    planes, height, width = grad_x.shape
    grad_x[:] = 0.0
    for p in range(planes):
        for h in range(height * scale):
            src, dst = grad_y[p, h], grad_x[p, h // scale]
            for w in range(width * scale):
                dst[w // scale] += src[w]
