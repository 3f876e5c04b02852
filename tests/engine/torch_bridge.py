"""Build the PyTorch twin of a sequential dense spec and copy weights in by name (tests only)."""

import numpy as np


def torch_activation(torch, name):
    f = torch.nn.functional
    return {"linear": lambda t: t, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": f.relu,
            "leaky_relu": f.leaky_relu, "elu": f.elu, "gelu": f.gelu, "softplus": f.softplus,
            "softmax": lambda t: torch.softmax(t, dim=1)}[name]


class TorchTwin:
    """A torch.nn.ModuleDict keyed by layer id, so state_dict names equal the engine's."""

    def __init__(self, torch, model):
        self.torch, self.spec = torch, model.spec
        modules = {}
        for layer in model.spec.layers:
            if layer.type == "dense":
                modules[layer.id] = torch.nn.Linear(model.layer_by_id[layer.id].input_shapes[0][-1], layer.units,
                                                    bias=layer.use_bias)
            elif layer.type == "batch_norm":
                modules[layer.id] = torch.nn.BatchNorm1d(model.layer_by_id[layer.id].input_shapes[0][0],
                                                         momentum=layer.momentum, eps=layer.eps)
            elif layer.type == "layer_norm":
                modules[layer.id] = torch.nn.LayerNorm(model.layer_by_id[layer.id].input_shapes[0][-1], eps=layer.eps)
        self.net = torch.nn.ModuleDict(modules)
        with torch.no_grad():
            for name, value in model.state_dict().items():
                self.net.get_parameter(name).copy_(torch.tensor(value)) if name in dict(self.net.named_parameters()) \
                    else self.net.get_buffer(name).copy_(torch.tensor(value))

    def logits_and_output(self, x):
        """Sequential forward; returns (pre-activation of the last layer, output)."""
        h = self.torch.as_tensor(x)
        z = h
        for layer in self.spec.layers:
            if layer.type == "dense":
                z = self.net[layer.id](h)
                h = torch_activation(self.torch, layer.activation)(z)
            elif layer.type == "activation":
                z, h = h, torch_activation(self.torch, layer.activation)(h)
            else:
                z = h = self.net[layer.id](h)
        return z, h

    def loss(self, x, y):
        f = self.torch.nn.functional
        z, out = self.logits_and_output(x)
        name = self.spec.loss
        if name == "cross_entropy":
            return f.cross_entropy(z, self.torch.as_tensor(y))
        y = self.torch.as_tensor(np.asarray(y, np.float32).reshape(out.shape))
        if name == "binary_cross_entropy":
            return f.binary_cross_entropy_with_logits(z, y)
        return {"mse": f.mse_loss, "mae": f.l1_loss, "huber": f.huber_loss}[name](out, y)

    def params(self):
        return {name: p.detach().numpy().copy() for name, p in self.net.named_parameters()}

    def grads(self):
        return {name: p.grad.numpy().copy() for name, p in self.net.named_parameters()}
