"""Grid probe: every neuron of the playground net on a 100x100 grid of inputs, one map per neuron.

The result is neuron-major (neurons, n, n) float32, C-contiguous: inputs, then each layer's
activations, then the outputs, which is what the browser's per-neuron heatmaps draw. PyTorch gets
the same maps by one batched forward pass through the layers plus a transpose per layer.
"""
import numpy as np

from bench.workloads import GRID_SIDE, PLAYGROUND_SIZES
from bench.workloads.common import torch_dense_stack

EXTENT = 6.0


def grid_points(n=GRID_SIDE, extent=EXTENT):
    """The n*n input points, row-major over (x2, x1), as the probe evaluates them."""
    axis = np.linspace(-extent, extent, n, dtype=np.float32)
    x1, x2 = np.meshgrid(axis, axis)
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def layerlab_grid(threads, quick):
    from engine import build_model, probes

    from bench.workloads.playground import playground_spec

    model = build_model(playground_spec(), seed=0)

    def run():
        probes.neuron_grid(model, n=GRID_SIDE, extent=EXTENT)

    return run, 1


def torch_grid(threads, quick):
    import torch

    model = torch_dense_stack(PLAYGROUND_SIZES, torch.nn.Tanh)
    points = torch.from_numpy(grid_points())
    n = GRID_SIDE

    def run():
        with torch.no_grad():
            maps = [points.T.reshape(-1, n, n)]
            h = points
            for module in model:
                h = module(h)
                if not isinstance(module, torch.nn.Linear) or module is model[-1]:
                    maps.append(h.T.reshape(-1, n, n))
            return torch.cat(maps).contiguous()

    return run, 1
