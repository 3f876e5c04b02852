"""Generated 32x32 colour shapes: a colour image set for convolution lessons (CIFAR is in no
registry, so we draw our own). Each image is one shape of a random colour, size, position and
rotation on a random background colour, plus pixel noise.

>>> d = load_dataset("shapes", samples=100)
>>> d.x_train.shape
(80, 3, 32, 32)
"""
from __future__ import annotations

import numpy as np

from .images import finish_images, image_options
from .options import Option
from .registry import register
from .splits import stratified_split

SHAPE_NAMES = ("circle", "square", "triangle", "cross", "ring")
SIZE = 32
CHUNK = 1024


def _shape_masks(u: np.ndarray, v: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Boolean masks (5, N, H, W) of every shape, from coordinates relative to each centre."""
    au, av, dist = np.abs(u), np.abs(v), np.hypot(u, v)
    return np.stack([
        dist <= r,
        np.maximum(au, av) <= 0.8 * r,
        (v >= -0.5 * r) & (v <= r - np.sqrt(3.0) * au),  # upright equilateral triangle
        ((au <= r / 3) & (av <= r)) | ((av <= r / 3) & (au <= r)),
        (dist <= r) & (dist >= 0.55 * r),
    ])


def _contrasting_colours(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Foreground and background RGB in [0, 1] that differ clearly (else the shape is invisible)."""
    fg, bg = rng.uniform(0, 1, (n, 3)), rng.uniform(0, 1, (n, 3))
    close = np.abs(fg - bg).sum(1) < 0.6
    bg[close] = 1.0 - fg[close]  # the complement is always far from the foreground
    return fg, bg


def draw_shapes(labels: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """float32 (N, 3, 32, 32) in [0, 1], one shape per image drawn with class `labels[i]`."""
    out = np.empty((len(labels), 3, SIZE, SIZE), np.float32)
    rows, cols = np.meshgrid(np.arange(SIZE) + 0.5, np.arange(SIZE) + 0.5, indexing="ij")
    for start in range(0, len(labels), CHUNK):
        part = labels[start:start + CHUNK]
        n = len(part)
        radius = rng.uniform(6.0, 12.0, n)
        centre = rng.uniform(radius[:, None] + 1, SIZE - radius[:, None] - 1, (n, 2))
        angle = rng.uniform(0, 2 * np.pi, n)[:, None, None]
        dy, dx = rows[None] - centre[:, 0, None, None], cols[None] - centre[:, 1, None, None]
        u = np.cos(angle) * dx + np.sin(angle) * dy
        v = np.cos(angle) * dy - np.sin(angle) * dx
        masks = _shape_masks(u, v, radius[:, None, None])[part, np.arange(n)]
        fg, bg = _contrasting_colours(n, rng)
        image = np.where(masks[:, None], fg[:, :, None, None], bg[:, :, None, None])
        image += rng.normal(0, noise, image.shape)
        out[start:start + n] = np.clip(image, 0.0, 1.0)
    return out


@register("shapes", title="Colour shapes 32x32", group="images", task="multiclass_classification",
          input_shape=(3, SIZE, SIZE), output_shape=(len(SHAPE_NAMES),),
          num_classes=len(SHAPE_NAMES), class_names=SHAPE_NAMES, size={"train": 4000, "val": 1000},
          source="generated",
          options=(Option("samples", 5000, "int", low=100, high=20000, help="number of images"),
                   Option("noise", 0.05, "float", low=0.0, high=0.3, help="pixel noise"),
                   *image_options(0.2)),
          description="Circles, squares, triangles, crosses and rings in random colours.")
def load_shapes(samples, noise, **opts):
    rng = np.random.default_rng(opts["seed"])
    labels = np.arange(samples) % len(SHAPE_NAMES)
    x = draw_shapes(labels, noise, rng)
    train, val = stratified_split(labels, opts["val_split"], opts["seed"])
    return finish_images("shapes", x[train], labels[train], x[val], labels[val], SHAPE_NAMES, opts)
