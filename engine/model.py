"""Model: a validated spec turned into layers wired as a DAG over one flat parameter buffer.

    >>> import numpy as np
    >>> from engine import build_model
    >>> model = build_model({"input": {"shape": [2]},
    ...                      "layers": [{"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
    ...                                 {"id": "out", "type": "dense", "units": 1}]})
    >>> model.params()["h1.weight"].shape, model.forward(np.zeros((3, 2), np.float32)).shape
    ((8, 2), (3, 1))

Parameters live in ``flat_params`` (1-D), their gradients in ``flat_grads`` (same layout);
``param_layout`` lists (name, offset, shape) in layer order and ``params()`` returns C-contiguous
views with PyTorch names and shapes. Buffers (batch-norm running statistics) are separate,
untrained arrays. Layers get their own seeded generators, so the same spec and seed always give
bit-identical weights, dropout masks and losses.
"""

from contextlib import contextmanager

import numpy as np

from engine.graph import check_graph
from engine.kernels.codes import LOSS_CODES, LOSS_CROSS_ENTROPY
from engine.kernels.losses import loss_bwd, loss_fwd
from engine.registry import LAYERS
from engine.spec import NetworkSpec, output_activation, validate_spec
from engine.spec_models import INPUT_ID

_DROPOUT_STREAM = 1_000_003  # seed-sequence key of the dropout generator, apart from layer keys


class Model:
    def __init__(self, spec: NetworkSpec, seed: int | None = None, dtype=np.float32):
        self.spec = spec
        self.seed = spec.seed if seed is None else int(seed)
        self.dtype = np.dtype(dtype)
        self.input_shape = tuple(spec.input.shape)
        self._build_layers()
        self._allocate()
        self.reset_parameters()
        self.use_spec(spec)
        self._no_labels = np.empty(0, np.int64)
        self._no_target = np.empty((0, 0), self.dtype)

    # ------------------------------------------------------------------------ building

    def _build_layers(self):
        _, order = check_graph([layer.model_dump() for layer in self.spec.layers])
        shapes = {INPUT_ID: self.input_shape}
        self.layers, self.sources, self.layer_by_id = [], {}, {}
        for index, layer_id, srcs in order:
            layer_spec = self.spec.layers[index]
            layer = LAYERS[layer_spec.type].impl(layer_spec, [shapes[s] for s in srcs], self.dtype)
            layer.index = index
            shapes[layer_id] = layer.output_shape
            self.layers.append(layer)
            self.sources[layer_id] = srcs
            self.layer_by_id[layer_id] = layer
        self.output_id = self.spec.layers[-1].id
        self.output_shape = self.layer_by_id[self.output_id].output_shape
        self._plan_backward()

    def _plan_backward(self):
        """Which layers backward visits. A frozen layer with nothing trainable upstream has nobody
        to pass blame to, so its backward (and that of everything before it) is skipped."""
        visit = set()
        for layer in self.layers:  # topological order: sources come first
            upstream = any(src in visit for src in self.sources[layer.id])
            if upstream or (layer.trainable and layer.param_count() > 0):
                visit.add(layer.id)
        self.backward_layers = visit
        for layer in self.layers:
            layer.needs_input_grad = [src in visit for src in self.sources[layer.id]]

    def _allocate(self):
        """One flat buffer for parameters (and one for gradients), in layer-list order."""
        in_list_order = sorted(self.layers, key=lambda layer: layer.index)
        entries = [(layer, name, tuple(shape)) for layer in in_list_order for name, shape in layer.param_shapes()]
        sizes = [int(np.prod(shape)) for _, _, shape in entries]
        offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).tolist()
        self.param_layout = [(f"{layer.id}.{name}", offsets[k], shape) for k, (layer, name, shape) in enumerate(entries)]
        self.flat_params = np.zeros(offsets[-1], self.dtype)
        self.flat_grads = np.zeros(offsets[-1], self.dtype)
        self._buffers = {f"{layer.id}.{name}": np.full(shape, value, self.dtype)
                         for layer in in_list_order for name, shape, value in layer.buffer_shapes()}
        self._bind_views()
        self._plan_segments()

    def _bind_views(self):
        """Parameter and gradient views into the flat buffers, handed to their layers with the
        layers' buffers (names without the '<id>.' prefix)."""
        self._params, self._grads = {}, {}
        own = {layer.id: ({}, {}, {}) for layer in self.layers}
        for full, start, shape in self.param_layout:
            layer_id, name = full.split(".", 1)  # ids hold no dots
            stop = start + int(np.prod(shape))
            own[layer_id][0][name] = self._params[full] = self.flat_params[start:stop].reshape(shape)
            own[layer_id][1][name] = self._grads[full] = self.flat_grads[start:stop].reshape(shape)
        for full, array in self._buffers.items():
            layer_id, name = full.split(".", 1)
            own[layer_id][2][name] = array
        for layer in sorted(self.layers, key=lambda layer: layer.index):
            layer.bind(*own[layer.id])

    def __setstate__(self, state):
        """copy.deepcopy and pickle copy every array on its own, so the copied parameter views
        would no longer look into the copied flat buffer (training the copy would then update a
        buffer its layers never read). Re-point every view into this model's own buffers."""
        self.__dict__.update(state)
        self._bind_views()

    def _plan_segments(self):
        """Ranges of flat_params: weights under l1/l2, frozen parameters, trainable parameters."""
        starts, stops, frozen = [], [], []
        for full, start, shape in self.param_layout:
            layer_id, name = full.split(".", 1)  # ids hold no dots
            layer, stop = self.layer_by_id[layer_id], start + int(np.prod(shape))
            if not layer.trainable:
                frozen.append((start, stop))
            elif name in layer.regularized_params():  # frozen weights take no penalty either
                starts.append(start)
                stops.append(stop)
        self.regularized_segments = (np.array(starts, np.int64), np.array(stops, np.int64))
        self.frozen_segments = _merged(frozen)
        self.trainable_segments = _merged(_complement(self.frozen_segments, self.flat_params.size))

    def set_trainable(self, flags: dict) -> None:
        """Freeze (False) or unfreeze (True) layers by id in place: weights, buffers and the
        trainer's optimizer state stay; gradients of newly frozen layers become zero."""
        unknown = [layer_id for layer_id in flags if layer_id not in self.layer_by_id]
        if unknown:
            raise ValueError(f"unknown layer(s) {unknown}; ids: {list(self.layer_by_id)}")
        for layer_id, flag in flags.items():
            self.layer_by_id[layer_id].trainable = bool(flag)
        self._plan_backward()
        self._plan_segments()
        for start, stop in self.frozen_segments:
            self.flat_grads[start:stop] = 0.0

    def reset_parameters(self):
        """Re-draw every parameter from the seed and reset buffers: back to the built state."""
        for layer in sorted(self.layers, key=lambda layer: layer.index):
            layer.init_params(np.random.default_rng([self.seed, layer.index]))
            for name, _, value in layer.buffer_shapes():
                layer.buffers[name][...] = value
        self.dropout_rng = np.random.default_rng([self.seed, _DROPOUT_STREAM])

    def use_spec(self, spec: NetworkSpec):
        """Adopt a spec with the same architecture (new loss or hyperparameters, same layers)."""
        self.spec = spec
        self.loss_code = LOSS_CODES[spec.loss]
        # sigmoid + binary_cross_entropy and softmax + cross_entropy compute the loss from logits
        self.fused_output = (spec.loss, output_activation(spec)) in {
            ("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax")}

    # ---------------------------------------------------------------------- parameters

    @property
    def num_params(self) -> int:
        return int(self.flat_params.size)

    def params(self) -> dict:
        """Live views into flat_params, named '<id>.<name>' with PyTorch shapes."""
        return dict(self._params)

    def buffers(self) -> dict:
        return dict(self._buffers)

    def grad_views(self) -> dict:
        return dict(self._grads)

    def state_dict(self) -> dict:
        """Copies of parameters and buffers, like torch's state_dict (for .npz export)."""
        return {name: array.copy() for name, array in {**self._params, **self._buffers}.items()}

    def set_params(self, values: dict) -> None:
        """Copy values in by name (parameters or buffers); shapes must match exactly."""
        targets = {**self._params, **self._buffers}
        problems = []
        for name, value in values.items():
            if name not in targets:
                problems.append(f"unknown parameter {name!r}")
            elif np.shape(value) != targets[name].shape:
                problems.append(f"{name}: expected shape {targets[name].shape}, got {np.shape(value)}")
        if problems:
            raise ValueError("; ".join(problems))
        for name, value in values.items():
            np.copyto(targets[name], np.asarray(value), casting="unsafe")

    # ------------------------------------------------------------------- computation

    def _check_input(self, x):
        x = np.ascontiguousarray(x, dtype=self.dtype)
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"input must have shape (batch, {', '.join(map(str, self.input_shape))}), got {x.shape}")
        return x

    def run(self, x, training=False):
        """Forward pass; returns {layer id: output} (workspace views, valid until the next call)."""
        values = {INPUT_ID: self._check_input(x)}
        for layer in self.layers:
            inputs = [values[s] for s in self.sources[layer.id]]
            values[layer.id] = layer.forward(inputs, training, self.dropout_rng)
        return values

    def forward(self, x, training=False) -> np.ndarray:
        return self.run(x, training)[self.output_id].copy()

    def _targets(self, y, rows, width):
        if self.loss_code == LOSS_CROSS_ENTROPY:
            labels = np.asarray(y).reshape(-1)
            if labels.shape[0] != rows:
                raise ValueError(f"cross_entropy needs one integer label per sample (per step for sequence "
                                 f"outputs): expected {rows} labels, got {np.shape(y)}")
            if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
                raise ValueError("cross_entropy labels must be whole numbers (class indices)")
            labels = labels.astype(np.int64, copy=False)
            if labels.size and (labels.min() < 0 or labels.max() >= width):
                raise ValueError(f"class labels must be between 0 and {width - 1}")
            return self._no_target, labels
        target = np.ascontiguousarray(y, dtype=self.dtype)
        if target.size != rows * width:
            raise ValueError(f"targets must be shaped like the output (batch, {width}), got {np.shape(y)}")
        return target.reshape(rows, width), self._no_labels

    def _loss_input(self, values):
        out_layer = self.layer_by_id[self.output_id]
        logits = out_layer.logits() if self.fused_output else values[self.output_id]
        if self.loss_code == LOSS_CROSS_ENTROPY:  # (N, T, C) outputs: one row (and label) per step
            return np.ascontiguousarray(logits).reshape(-1, logits.shape[-1])
        return np.ascontiguousarray(logits).reshape(logits.shape[0], -1)

    def loss(self, x, y, training=False) -> float:
        logits = self._loss_input(self.run(x, training))
        target, labels = self._targets(y, *logits.shape)
        return float(loss_fwd(self.loss_code, logits, target, labels))

    def loss_and_backward(self, x, y) -> float:
        """Training-mode forward and backward; gradients land in flat_grads. Returns the mean loss."""
        values = self.run(x, training=True)
        logits = self._loss_input(values)
        target, labels = self._targets(y, *logits.shape)
        loss = float(loss_fwd(self.loss_code, logits, target, labels))
        grad = np.empty_like(logits)
        loss_bwd(self.loss_code, logits, target, labels, grad)
        self._backward(grad.reshape(values[self.output_id].shape))
        return loss

    def _backward(self, grad_output, from_logits=None):
        """Parameter gradients into flat_grads (frozen ones stay zero); returns the gradient of
        the network input when every layer asks for input gradients (every_gradient_path)."""
        from_logits = self.fused_output if from_logits is None else from_logits
        pending, to_input = {self.output_id: grad_output}, None
        for layer in reversed(self.layers):
            grad = pending.pop(layer.id, None)
            if grad is None or layer.id not in self.backward_layers:
                continue
            output_logits = from_logits and layer.id == self.output_id
            for src, grad_in in zip(self.sources[layer.id], layer.backward(grad, output_logits)):
                if grad_in is None:
                    continue
                if src == INPUT_ID:
                    to_input = grad_in if to_input is None else to_input + grad_in
                elif src in self.backward_layers:
                    pending[src] = pending[src] + grad_in if src in pending else grad_in
        for start, stop in self.frozen_segments:  # frozen layers downstream of trainable ones wrote some
            self.flat_grads[start:stop] = 0.0
        return to_input

    def backward(self, grad_output, from_logits=False, input_grad=False):
        """Backpropagate a gradient of the output of the last ``run``/``forward`` (training mode,
        or eval mode for probes). Parameter gradients land in flat_grads; with ``input_grad``
        returns the gradient with respect to the input batch (None for integer token inputs).
        ``from_logits``: ``grad_output`` is the gradient of the output layer's pre-activation."""
        if not input_grad:
            self._backward(grad_output, from_logits)
            return None
        with self.every_gradient_path():
            to_input = self._backward(grad_output, from_logits)
        return None if to_input is None else np.array(to_input).reshape(len(to_input), *self.input_shape)

    @contextmanager
    def every_gradient_path(self):
        """Backward visits every layer and every layer passes gradients to its inputs, the
        network input included (saliency, a GAN generator learning through its discriminator)."""
        saved = self.backward_layers, [layer.needs_input_grad for layer in self.layers]
        self.backward_layers = set(self.layer_by_id)
        for layer in self.layers:
            layer.needs_input_grad = [True] * len(self.sources[layer.id])
        try:
            yield
        finally:
            self.backward_layers = saved[0]
            for layer, flags in zip(self.layers, saved[1]):
                layer.needs_input_grad = flags

    def grads(self, x, y):
        """(mean loss, {name: gradient view}) for one batch, in training mode."""
        loss = self.loss_and_backward(x, y)
        return loss, self.grad_views()

    # ---------------------------------------------------------------------- reporting

    def summary(self) -> list[dict]:
        return [{"id": layer.id, "type": layer.spec.type, "output_shape": list(layer.output_shape),
                 "params": layer.param_count()} for layer in sorted(self.layers, key=lambda layer: layer.index)]

    def summary_text(self) -> str:
        rows = [f"{'layer':<16}{'type':<14}{'output':<18}{'params':>10}"]
        for row in self.summary():
            rows.append(f"{row['id']:<16}{row['type']:<14}{str(row['output_shape']):<18}{row['params']:>10,}")
        rows.append(f"{'total':<48}{self.num_params:>10,}")
        return "\n".join(rows)

    def to_dict(self) -> dict:
        return self.spec.model_dump(mode="json")


def _merged(segments):
    """(start, stop) pairs with touching neighbours joined, as an (n, 2) int64 array."""
    out = []
    for start, stop in segments:
        if out and out[-1][1] == start:
            out[-1][1] = stop
        elif stop > start:
            out.append([start, stop])
    return np.array(out, np.int64).reshape(-1, 2)


def _complement(segments, size):
    edges = [0, *np.asarray(segments).reshape(-1).tolist(), size]
    return list(zip(edges[0::2], edges[1::2]))


def build_model(spec, seed: int | None = None, dtype=np.float32) -> Model:
    """Validate ``spec`` (dict or NetworkSpec) and build it; ``seed`` defaults to ``spec.seed``.

    ``dtype=np.float64`` builds the same network in double precision (used by gradient checks).
    A ``mode: "gan"`` spec builds an engine.modes.GanModel (generator and discriminator).
    Raises SpecError listing every problem of an invalid spec.
    """
    checked = validate_spec(spec)
    if checked.mode == "gan":
        from engine.modes.gan import GanModel  # engine.modes imports this module
        return GanModel(checked, seed=seed, dtype=dtype)
    return Model(checked, seed=seed, dtype=dtype)
