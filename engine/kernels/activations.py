"""Activation kernels, forward and backward.

Layout: ``z`` (pre-activation), ``a`` (activation), ``grad_a`` (dL/da) and ``grad_z`` (dL/dz)
are float32 or float64 arrays of one shape, C-contiguous.

- 1-D kernels ``<name>_fwd(z, a)`` / ``<name>_bwd(z, a, grad_a, grad_z)`` work elementwise over
  a whole flat buffer; ``softmax_fwd``/``softmax_bwd`` treat their 1-D input as *one row*.
- ``activation_fwd(code, z, a)`` / ``activation_bwd(code, z, a, grad_a, grad_z)`` take 2-D
  ``(rows, features)`` arrays and an ``ACT_*`` code from codes.py; softmax runs over features
  (axis 1), every other activation elementwise. Fused code may call ``activation_row_fwd`` /
  ``activation_row_bwd`` on 1-D row views instead.

Defaults follow torch.nn: leaky_relu slope 0.01, elu alpha 1, exact (erf) gelu, softplus with
beta 1 and threshold 20, step(z) = 1 if z > 0 else 0 (its gradient is zero everywhere).

The scalar maths (exp, tanh, sigmoid, the normal CDF) lives in fastmath.py, which says why it is
our own.
"""

import numpy as np

from engine.config import njit
from engine.kernels.codes import (
    ACT_ELU,
    ACT_GELU,
    ACT_LEAKY_RELU,
    ACT_LINEAR,
    ACT_RELU,
    ACT_SIGMOID,
    ACT_SOFTMAX,
    ACT_SOFTPLUS,
    ACT_STEP,
    ACT_TANH,
    ELU_ALPHA,
    LEAKY_RELU_SLOPE,
)
from engine.kernels.fastmath import (
    INV_SQRT_2PI,
    SOFTPLUS_THRESHOLD,
    exp_nonpositive,
    expm1_nonpositive,
    normal_cdf_density_f32,
    normal_cdf_scalar,
    sigmoid_scalar,
    softplus_scalar,
    tanh_scalar,
)

# ----------------------------------------------------------------- elementwise 1-D kernels


@njit
def linear_fwd(z, a):
    for i in range(z.shape[0]):
        a[i] = z[i]


@njit
def linear_bwd(z, a, grad_a, grad_z):
    for i in range(z.shape[0]):
        grad_z[i] = grad_a[i]


@njit
def step_fwd(z, a):
    for i in range(z.shape[0]):
        a[i] = 1.0 if z[i] > 0.0 else (z[i] if z[i] != z[i] else 0.0)


@njit
def step_bwd(z, a, grad_a, grad_z):
    for i in range(z.shape[0]):
        grad_z[i] = 0.0 * grad_a[i]  # zero, but NaN in grad_a still shows


@njit
def sigmoid_fwd(z, a):
    for i in range(z.shape[0]):
        a[i] = sigmoid_scalar(np.float64(z[i]))


@njit
def sigmoid_bwd(z, a, grad_a, grad_z):
    for i in range(z.shape[0]):
        grad_z[i] = grad_a[i] * a[i] * (1.0 - a[i])


@njit
def tanh_fwd(z, a):
    for i in range(z.shape[0]):
        a[i] = tanh_scalar(np.float64(z[i]))


@njit
def tanh_bwd(z, a, grad_a, grad_z):
    for i in range(z.shape[0]):
        grad_z[i] = grad_a[i] * (1.0 - a[i] * a[i])


@njit
def relu_fwd(z, a):
    for i in range(z.shape[0]):
        a[i] = z[i] if not z[i] < 0.0 else 0.0


@njit
def relu_bwd(z, a, grad_a, grad_z):
    for i in range(z.shape[0]):
        grad_z[i] = grad_a[i] if z[i] > 0.0 else 0.0


@njit
def leaky_relu_fwd(z, a):
    for i in range(z.shape[0]):
        a[i] = z[i] if z[i] > 0.0 else z[i] * LEAKY_RELU_SLOPE


@njit
def leaky_relu_bwd(z, a, grad_a, grad_z):
    for i in range(z.shape[0]):
        grad_z[i] = grad_a[i] if z[i] > 0.0 else grad_a[i] * LEAKY_RELU_SLOPE


@njit
def elu_fwd(z, a):
    for i in range(z.shape[0]):
        x = np.float64(z[i])
        if x > 0.0:
            a[i] = x
        else:
            a[i] = ELU_ALPHA * expm1_nonpositive(-20.0 if x < -20.0 else x)  # NaN fails the test, stays


@njit
def elu_bwd(z, a, grad_a, grad_z):
    for i in range(z.shape[0]):
        x = np.float64(z[i])
        grad_z[i] = grad_a[i] if x > 0.0 else grad_a[i] * ELU_ALPHA * exp_nonpositive(x)


@njit
def gelu_fwd(z, a):
    if z.itemsize == 4:
        for i in range(z.shape[0]):
            x = np.float32(z[i])
            cdf, _ = normal_cdf_density_f32(x)
            a[i] = x * cdf
        return
    for i in range(z.shape[0]):
        x = np.float64(z[i])
        a[i] = x * normal_cdf_scalar(x)


@njit
def gelu_bwd(z, a, grad_a, grad_z):
    if z.itemsize == 4:
        for i in range(z.shape[0]):
            x = np.float32(z[i])
            cdf, density = normal_cdf_density_f32(x)
            grad_z[i] = grad_a[i] * (cdf + x * density)
        return
    for i in range(z.shape[0]):
        x = np.float64(z[i])
        pdf = INV_SQRT_2PI * exp_nonpositive(-0.5 * x * x)
        grad_z[i] = grad_a[i] * (normal_cdf_scalar(x) + x * pdf)


@njit
def softplus_fwd(z, a):
    for i in range(z.shape[0]):
        a[i] = softplus_scalar(np.float64(z[i]))


@njit
def softplus_bwd(z, a, grad_a, grad_z):
    for i in range(z.shape[0]):
        x = np.float64(z[i])
        grad_z[i] = grad_a[i] if x > SOFTPLUS_THRESHOLD else grad_a[i] * sigmoid_scalar(x)


# ------------------------------------------------------------------ softmax (one row)


@njit
def softmax_fwd(z, a):
    """Softmax of one row: a = exp(z - max z) / sum(...)."""
    m = z[0]
    for i in range(1, z.shape[0]):
        if z[i] > m:
            m = z[i]
    total = 0.0
    for i in range(z.shape[0]):
        e = exp_nonpositive(np.float64(z[i]) - m)
        a[i] = e
        total += e
    scale = 1.0 / total
    for i in range(z.shape[0]):
        a[i] = a[i] * scale


@njit
def softmax_bwd(z, a, grad_a, grad_z):
    """grad_z = a * (grad_a - sum(grad_a * a)) for one row."""
    dot = 0.0
    for i in range(a.shape[0]):
        dot += grad_a[i] * a[i]
    for i in range(a.shape[0]):
        grad_z[i] = a[i] * (grad_a[i] - dot)


# ----------------------------------------------------------------------- dispatch by code


@njit
def activation_row_fwd(code, z, a):
    """One 1-D buffer: elementwise for every code, a single softmax row for ACT_SOFTMAX."""
    if code == ACT_LINEAR:
        linear_fwd(z, a)
    elif code == ACT_STEP:
        step_fwd(z, a)
    elif code == ACT_SIGMOID:
        sigmoid_fwd(z, a)
    elif code == ACT_TANH:
        tanh_fwd(z, a)
    elif code == ACT_RELU:
        relu_fwd(z, a)
    elif code == ACT_LEAKY_RELU:
        leaky_relu_fwd(z, a)
    elif code == ACT_ELU:
        elu_fwd(z, a)
    elif code == ACT_GELU:
        gelu_fwd(z, a)
    elif code == ACT_SOFTPLUS:
        softplus_fwd(z, a)
    elif code == ACT_SOFTMAX:
        softmax_fwd(z, a)


@njit
def activation_row_bwd(code, z, a, grad_a, grad_z):
    if code == ACT_LINEAR:
        linear_bwd(z, a, grad_a, grad_z)
    elif code == ACT_STEP:
        step_bwd(z, a, grad_a, grad_z)
    elif code == ACT_SIGMOID:
        sigmoid_bwd(z, a, grad_a, grad_z)
    elif code == ACT_TANH:
        tanh_bwd(z, a, grad_a, grad_z)
    elif code == ACT_RELU:
        relu_bwd(z, a, grad_a, grad_z)
    elif code == ACT_LEAKY_RELU:
        leaky_relu_bwd(z, a, grad_a, grad_z)
    elif code == ACT_ELU:
        elu_bwd(z, a, grad_a, grad_z)
    elif code == ACT_GELU:
        gelu_bwd(z, a, grad_a, grad_z)
    elif code == ACT_SOFTPLUS:
        softplus_bwd(z, a, grad_a, grad_z)
    elif code == ACT_SOFTMAX:
        softmax_bwd(z, a, grad_a, grad_z)


@njit
def activation_fwd(code, z, a):
    """z, a: (rows, features) C-contiguous. Softmax per row, the rest over the flat buffer."""
    if code == ACT_SOFTMAX:
        for r in range(z.shape[0]):
            softmax_fwd(z[r], a[r])
    else:
        activation_row_fwd(code, z.reshape(-1), a.reshape(-1))


@njit
def activation_bwd(code, z, a, grad_a, grad_z):
    if code == ACT_SOFTMAX:
        for r in range(z.shape[0]):
            softmax_bwd(z[r], a[r], grad_a[r], grad_z[r])
    else:
        activation_row_bwd(code, z.reshape(-1), a.reshape(-1), grad_a.reshape(-1), grad_z.reshape(-1))
