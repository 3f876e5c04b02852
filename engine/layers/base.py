"""The layer interface: one class per layer type, with its own strict spec model.

A layer is a node of the model's graph. The model gives it views into the flat parameter and
gradient buffers (``bind``); the layer never allocates parameters itself and never calls numba
directly: it calls kernels from engine/kernels through small driver code (reshape, workspace).

To add a layer type: write a ``LayerSpecBase`` subclass with a ``type`` literal and a ``Layer``
subclass (``output_shape``, ``param_shapes``, ``forward``, ``backward``), then add one line to
engine/registry.py.
"""

import numpy as np


class ShapeProblem(Exception):
    """A spec that validates field by field but cannot be wired: names the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class Layer:
    has_activation = False  # layers with an activation keep their pre-activation for fused losses

    def __init__(self, spec, input_shapes, dtype=np.float32):
        self.spec = spec
        self.id = spec.id
        self.input_shapes = [tuple(s) for s in input_shapes]
        self.output_shape = tuple(self.infer_output_shape(spec, self.input_shapes))
        self.dtype = np.dtype(dtype)
        self.params = {}
        self.grads = {}
        self.buffers = {}
        self.needs_input_grad = [True] * len(input_shapes)
        self.trainable = bool(getattr(spec, "trainable", True))  # False: frozen (transfer learning)
        self._workspace = {}

    # ------------------------------------------------------------ declared by subclasses

    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        """Per-sample output shape, or raise ShapeProblem(field, message)."""
        raise NotImplementedError

    def param_shapes(self):
        """[(name, shape)] of trainable parameters in PyTorch order and layout."""
        return []

    def buffer_shapes(self):
        """[(name, shape, initial value)] of non-trained state (running statistics)."""
        return []

    def regularized_params(self):
        """Names of parameters that l1/l2 regularization applies to (weights, not biases)."""
        return []

    def init_params(self, rng):
        pass

    def forward(self, inputs, training, rng):
        raise NotImplementedError

    def backward(self, grad_out, from_logits=False):
        """Write parameter gradients; return the gradient for each input (None if not needed)."""
        raise NotImplementedError

    # ----------------------------------------------------------------------- helpers

    def bind(self, params, grads, buffers):
        self.params, self.grads, self.buffers = params, grads, buffers

    def param_count(self):
        return int(sum(np.prod(shape) for _, shape in self.param_shapes()))

    def workspace(self, key, shape, dtype=None):
        """A reusable scratch array: reallocated only when the batch shape changes."""
        shape = tuple(shape)
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        array = self._workspace.get(key)
        if array is None or array.shape != shape or array.dtype != dtype:
            array = np.empty(shape, dtype)
            self._workspace[key] = array
        return array

    def logits(self):
        """The pre-activation of the last forward pass (only for layers with an activation)."""
        raise NotImplementedError(f"layer {self.id!r} has no pre-activation")


def single_input_shape(input_shapes):
    """The one input shape of a single-input layer (else a ShapeProblem on ``inputs``)."""
    if len(input_shapes) != 1:
        raise ShapeProblem("inputs", "this layer takes exactly one input")
    return input_shapes[0]


def as_rows(array):
    """(N, ..., F) -> (N * ..., F) view, the 2-D layout row kernels expect."""
    return array.reshape(-1, array.shape[-1])
