"""Helpers shared by the image layers (conv, pooling, upsampling): input checks, window
arithmetic and the activation step of conv layers.

Every check raises ShapeProblem naming the spec field to fix, so /api/validate can point at it.
"""

import numpy as np

from engine.kernels.activations import activation_bwd, activation_fwd
from engine.kernels.codes import ACT_LINEAR, ACTIVATION_CODES
from engine.layers.base import ShapeProblem, single_input_shape


def image_input(input_shapes, layer_type):
    """(C, H, W) of the single input, or a ShapeProblem telling how to get images there."""
    shape = single_input_shape(input_shapes)
    if len(shape) != 3:
        raise ShapeProblem("inputs", f"{layer_type} needs images (channels, height, width) as input, "
                                     f"got {list(shape)}; add a reshape layer before it")
    return shape


def windows(size, kernel, stride, pad_total, dilation=1, axis="height"):
    """How many windows fit along one axis: floor((size + pad - span) / stride) + 1, as in torch."""
    span = dilation * (kernel - 1) + 1
    if span > size + pad_total:
        dilated = f" (dilated to {span})" if dilation > 1 else ""
        raise ShapeProblem("kernel_size", f"kernel {kernel}{dilated} is larger than the input {axis} "
                                          f"{size}{' plus padding' if pad_total else ''}")
    return (size + pad_total - span) // stride + 1


def conv_padding(padding, kernel, stride, dilation):
    """(pad before, total pad) of one axis for padding = int, "valid" or "same".

    "same" pads dilation * (kernel - 1) in total, the smaller half before, as torch does for even
    kernels; like torch it needs stride 1 (with a larger stride no padding keeps the size).
    """
    if padding == "valid":
        return 0, 0
    if padding == "same":
        if stride != 1:
            raise ShapeProblem("padding", "'same' padding needs stride 1; use a number for strided convolutions")
        total = dilation * (kernel - 1)
        return total // 2, total
    return padding, 2 * padding


def pool_padding(spec):
    if spec.padding > spec.kernel_size // 2:
        raise ShapeProblem("padding", f"padding must be at most half the kernel size ({spec.kernel_size // 2}), "
                                      f"got {spec.padding}")
    return spec.padding


def geometry(*values):
    return np.array(values, np.int64)


def activation_code(spec):
    if spec.activation == "softmax":
        raise ShapeProblem("activation", f"softmax is for class scores; {spec.type} outputs feature maps "
                                         "(flatten and add a dense softmax layer)")
    return ACTIVATION_CODES[spec.activation]


def activate(layer, code, z):
    """a = activation(z) over the flat buffer; z itself when the activation is linear."""
    if code == ACT_LINEAR:
        return z
    a = layer.workspace("a", z.shape)
    activation_fwd(code, z.reshape(1, -1), a.reshape(1, -1))
    return a


def activation_grad(layer, code, z, a, grad_a):
    """dL/dz from dL/da (grad_a C-contiguous, shaped like z)."""
    if code == ACT_LINEAR:
        return grad_a
    grad_z = layer.workspace("grad_z", z.shape)
    activation_bwd(code, z.reshape(1, -1), a.reshape(1, -1), grad_a.reshape(1, -1), grad_z.reshape(1, -1))
    return grad_z
