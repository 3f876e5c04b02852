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
    _walk_patches(x, p, patches, True)


@njit
def patches_bwd(grad_patches, p, grad_x):
    """The adjoint of patches_fwd; pixels outside every patch get zero gradient."""
    grad_x[:] = 0.0
    _walk_patches(grad_x, p, grad_patches, False)


@njit
def _walk_patches(images, p, patches, to_patches):
    """Visit every patch row once: copy images -> patches (``to_patches``) or patches -> images
    (patches never overlap, so the way back is a copy too)."""
    n_images, channels, height, width = images.shape
    rows_per_image, across = (height // p) * (width // p), width // p
    for n in range(n_images):
        for patch in range(rows_per_image):
            row = patches[n * rows_per_image + patch]
            top, left = (patch // across) * p, (patch % across) * p
            for c in range(channels):
                for i in range(p):
                    pixels = images[n, c, top + i]
                    start = (c * p + i) * p
                    if to_patches:
                        row[start:start + p] = pixels[left:left + p]
                    else:
                        pixels[left:left + p] = row[start:start + p]
