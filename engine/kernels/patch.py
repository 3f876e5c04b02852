"""Patch extraction for patch_embed (ViT): non-overlapping p x p patches as rows.

Shapes (float32 or float64, C-contiguous):
    x        (N, C, H, W)
    patches  (N * PH * PW, C * p * p)   row = n * PH * PW + ph * PW + pw (row-major patch order),
                                        column = c * p * p + i * p + j (the conv weight's order)
with PH = H // p, PW = W // p (trailing pixels that fill no whole patch are dropped, as a conv with
kernel = stride = p drops them). A dense GEMM with the (E, C*p*p) weight then gives the
(N, PH * PW, E) sequence directly, with no transpose of a conv output.
"""

from engine.config import njit


@njit
def patches_fwd(x, p, patches):
    n_images, channels, height, width = x.shape
    rows_per_image, across = (height // p) * (width // p), width // p
    for n in range(n_images):
        for patch in range(rows_per_image):
            row = patches[n * rows_per_image + patch]
            top, left = (patch // across) * p, (patch % across) * p
            for c in range(channels):
                for i in range(p):
                    src = x[n, c, top + i]
                    start = (c * p + i) * p
                    for j in range(p):
                        row[start + j] = src[left + j]


@njit
def patches_bwd(grad_patches, p, grad_x):
    """The adjoint of patches_fwd; pixels outside every patch get zero gradient."""
    n_images, channels, height, width = grad_x.shape
    rows_per_image, across = (height // p) * (width // p), width // p
    grad_x[:] = 0.0
    for n in range(n_images):
        for patch in range(rows_per_image):
            row = grad_patches[n * rows_per_image + patch]
            top, left = (patch // across) * p, (patch % across) * p
            for c in range(channels):
                for i in range(p):
                    dst = grad_x[n, c, top + i]
                    start = (c * p + i) * p
                    for j in range(p):
                        dst[left + j] = row[start + j]
