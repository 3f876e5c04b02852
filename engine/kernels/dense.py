"""Dense (fully connected) kernels: y = x @ weight.T + bias, PyTorch's nn.Linear layout.

Shapes (float32 or float64, C-contiguous):
    x       (N, in)       inputs, batch first
    weight  (out, in)     PyTorch layout
    bias    (out,)        a zero-length array when the layer has no bias
    y       (N, out)
    grad_y  (N, out) -> grad_x (N, in), grad_weight (out, in), grad_bias (out,)

Gradients are written, not accumulated (each parameter belongs to one layer, used once).
``np.dot`` inside njit calls BLAS directly; measured against ``np.matmul`` from a Python driver
it is as fast on MNIST shapes and 3-7x faster on playground shapes (no dispatch or temporaries).
"""

import numpy as np

from engine.config import njit


@njit
def dense_fwd(x, weight, bias, y):
    np.dot(x, weight.T, y)
    if bias.shape[0] > 0:
        for r in range(y.shape[0]):
            row = y[r]
            for j in range(row.shape[0]):
                row[j] += bias[j]


@njit
def dense_bwd(x, weight, grad_y, grad_x, grad_weight, grad_bias, need_grad_x):
    np.dot(grad_y.T, x, grad_weight)
    if need_grad_x:
        np.dot(grad_y, weight, grad_x)
    if grad_bias.shape[0] > 0:
        grad_bias[:] = 0.0
        for r in range(grad_y.shape[0]):
            row = grad_y[r]
            for j in range(row.shape[0]):
                grad_bias[j] += row[j]
