"""Shared checks for the sequence-layer tests: finite differences through a float64 model, and
copying engine weights into a torch module by name."""

import numpy as np

from engine import build_model


def finite_difference_check(spec, x, y, eps=1e-6, per_tensor=24, seed=0, rtol=1e-5, atol=1e-8):
    """Backprop gradients of a float64 model against central differences of its loss, on up to
    ``per_tensor`` random entries of every parameter tensor (no dropout: both sides see one net)."""
    model = build_model(spec, dtype=np.float64)
    _, grads = model.grads(x, y)
    grads = {name: g.copy() for name, g in grads.items()}
    rng = np.random.default_rng(seed)
    for name, values in model.params().items():
        flat, analytic = values.reshape(-1), grads[name].reshape(-1)
        picks = rng.choice(flat.size, size=min(per_tensor, flat.size), replace=False)
        for i in picks:
            saved = flat[i]
            flat[i] = saved + eps
            up = model.loss(x, y)
            flat[i] = saved - eps
            down = model.loss(x, y)
            flat[i] = saved
            numeric = (up - down) / (2 * eps)
            assert abs(numeric - analytic[i]) <= atol + rtol * max(abs(numeric), abs(analytic[i])), \
                f"{name}[{i}]: backprop {analytic[i]:.8g}, finite differences {numeric:.8g}"


def copy_into_torch(torch, module, engine_params, prefix):
    """Copy '<prefix>.<name>' engine parameters into ``module``'s parameters named <name>."""
    own = dict(module.named_parameters())
    with torch.no_grad():
        for full, value in engine_params.items():
            if full.startswith(prefix + "."):
                own[full[len(prefix) + 1:]].copy_(torch.from_numpy(np.array(value)))
    return own


def torch_grads(module):
    return {name: p.grad.numpy().copy() for name, p in module.named_parameters()}
