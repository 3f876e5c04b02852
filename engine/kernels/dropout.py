"""Inverted dropout kernels (torch.nn.Dropout): kept units are scaled by 1 / (1 - rate).

Shapes: x, y, grad_y, grad_x are flat 1-D views (any layer shape, C-contiguous, reshaped by the
driver); mask is uint8 of the same length, 1 = kept. The driver draws the mask from the layer's
seeded ``numpy.random.Generator`` (so runs are reproducible) and passes ``scale = 1 / (1 - rate)``;
backward reuses the same mask.
"""

from engine.config import njit


@njit
def dropout_fwd(x, mask, scale, y):
    for i in range(x.shape[0]):
        y[i] = x[i] * scale if mask[i] else x[i] * 0.0


@njit
def dropout_bwd(grad_y, mask, scale, grad_x):
    for i in range(grad_y.shape[0]):
        grad_x[i] = grad_y[i] * scale if mask[i] else grad_y[i] * 0.0
