"""Slow, obvious NumPy references for the image kernels (float64, loops over output pixels).

Each is the textbook definition written out position by position; the kernels must agree.
"""

import numpy as np


def conv2d(x, w, b, stride=1, pad=(0, 0, 0, 0), dilation=1):
    """x (N, C, H, W), w (O, C, K, K); pad = (top, bottom, left, right) zeros around x."""
    top, bottom, left, right = pad
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    k, span = w.shape[2], dilation * (w.shape[2] - 1) + 1
    out_h = (xp.shape[2] - span) // stride + 1
    out_w = (xp.shape[3] - span) // stride + 1
    y = np.zeros((x.shape[0], w.shape[0], out_h, out_w))
    for oh in range(out_h):
        for ow in range(out_w):
            h0, w0 = oh * stride, ow * stride
            window = xp[:, :, h0:h0 + span:dilation, w0:w0 + span:dilation]  # (N, C, K, K)
            y[:, :, oh, ow] = np.einsum("nckl,ockl->no", window, w)
    assert window.shape[2] == k
    return y + (b.reshape(1, -1, 1, 1) if len(b) else 0.0)


def conv2d_transpose(x, w, b, stride=1, padding=0, output_padding=0):
    """x (N, C, H, W), w (C, O, K, K): every input pixel adds w[c] * x onto the output."""
    n, c, h, wd = x.shape
    k = w.shape[2]
    full_h, full_w = (h - 1) * stride + k + output_padding, (wd - 1) * stride + k + output_padding
    full = np.zeros((n, w.shape[1], full_h, full_w))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * stride:i * stride + k, j * stride:j * stride + k] += np.einsum("nc,cokl->nokl", x[:, :, i, j], w)
    y = full[:, :, padding:full_h - padding, padding:full_w - padding]
    return y + (b.reshape(1, -1, 1, 1) if len(b) else 0.0)


def pool2d(x, kernel, stride, padding, reduce):
    """max (pads with -inf) or mean (pads with zeros, divides by kernel * kernel)."""
    fill = -np.inf if reduce == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=fill)
    out_h, out_w = (xp.shape[2] - kernel) // stride + 1, (xp.shape[3] - kernel) // stride + 1
    y = np.zeros((*x.shape[:2], out_h, out_w))
    for oh in range(out_h):
        for ow in range(out_w):
            window = xp[:, :, oh * stride:oh * stride + kernel, ow * stride:ow * stride + kernel]
            y[:, :, oh, ow] = window.max(axis=(2, 3)) if reduce == "max" else window.mean(axis=(2, 3))
    return y


def upsample_nearest(x, scale):
    return x.repeat(scale, axis=2).repeat(scale, axis=3)


def patches(x, p):
    """(N, C, H, W) -> (N * PH * PW, C * p * p), patches row-major, each flattened (c, i, j)."""
    n, c, h, w = x.shape
    rows = []
    for image in range(n):
        for ph in range(h // p):
            for pw in range(w // p):
                rows.append(x[image, :, ph * p:(ph + 1) * p, pw * p:(pw + 1) * p].reshape(-1))
    return np.array(rows)
