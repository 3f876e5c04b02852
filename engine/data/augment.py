"""Image augmentation: random shifts, small rotations and pixel noise, seeded.

x: (N, C, H, W) float32 in [0, 1] (augment before normalizing, so the zero padding is black).

>>> rng = np.random.default_rng(0)
>>> augment_images(np.zeros((2, 1, 8, 8), np.float32), rng, shift_px=1, rotate_deg=10).shape
(2, 1, 8, 8)
"""
from __future__ import annotations

import numpy as np

CHUNK = 2048  # samples per vectorized pass; bounds the temporary coordinate arrays


def augment_images(x: np.ndarray, rng: np.random.Generator, shift_px: float = 0.0,
                   rotate_deg: float = 0.0, noise_std: float = 0.0) -> np.ndarray:
    """A new array: each image moved by up to ±shift_px, turned by up to ±rotate_deg and given
    Gaussian noise of std noise_std (values clipped to [0, 1])."""
    out = np.empty_like(x, dtype=np.float32)
    for start in range(0, len(x), CHUNK):
        chunk = x[start:start + CHUNK]
        n = len(chunk)
        angles = np.deg2rad(rng.uniform(-rotate_deg, rotate_deg, n))
        shifts = rng.uniform(-shift_px, shift_px, (n, 2))
        out[start:start + n] = _warp(chunk, angles, shifts)
    if noise_std > 0:
        out += rng.normal(0.0, noise_std, out.shape).astype(np.float32)
        np.clip(out, 0.0, 1.0, out=out)
    return out


def _warp(x: np.ndarray, angles: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Rotates about the centre and shifts each image, sampling bilinearly (inverse mapping)."""
    n, channels, height, width = x.shape
    cy, cx = (height - 1) / 2.0, (width - 1) / 2.0
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    cos, sin = np.cos(angles)[:, None, None], np.sin(angles)[:, None, None]
    dy = rows[None] - cy - shifts[:, 0, None, None]
    dx = cols[None] - cx - shifts[:, 1, None, None]
    src_y = cos * dy - sin * dx + cy
    src_x = sin * dy + cos * dx + cx
    return _bilinear(x, src_y, src_x)


def _bilinear(x, src_y, src_x):
    n, channels, height, width = x.shape
    y0, x0 = np.floor(src_y).astype(np.int64), np.floor(src_x).astype(np.int64)
    fy, fx = (src_y - y0).astype(np.float32), (src_x - x0).astype(np.float32)
    out = np.zeros(x.shape, np.float32)
    sample = np.arange(n)[:, None, None]
    for oy, ox, weight in ((0, 0, (1 - fy) * (1 - fx)), (0, 1, (1 - fy) * fx),
                           (1, 0, fy * (1 - fx)), (1, 1, fy * fx)):
        yy, xx = y0 + oy, x0 + ox
        inside = (yy >= 0) & (yy < height) & (xx >= 0) & (xx < width)
        yy, xx = np.clip(yy, 0, height - 1), np.clip(xx, 0, width - 1)
        for c in range(channels):
            out[:, c] += np.where(inside, x[sample, c, yy, xx], 0.0) * weight
    return out
