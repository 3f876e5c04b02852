"""Grid probe: every neuron of the playground net on a 100x100 grid of inputs, one map per neuron.

The result is neuron-major (neurons, n, n) float32, C-contiguous: every layer's activations, in
layer order (16 hidden + 1 output maps), which is what the browser's per-neuron heatmaps draw.
PyTorch gets the same maps by one batched forward pass plus a transpose per layer; both sides
reuse the grid's input points between probes (the grid is the same every frame).
"""
import numpy as np

from bench.workloads import GRID_SIDE, PLAYGROUND_SIZES
from bench.workloads.common import torch_dense_stack

EXTENT = (-6.0, 6.0, -6.0, 6.0)


def grid_points(n=GRID_SIDE, extent=EXTENT):
    """The n*n input points in image order (top row = largest x2), as engine.probes uses."""
    x_min, x_max, y_min, y_max = extent
    x1, x2 = np.meshgrid(np.linspace(x_min, x_max, n), np.linspace(y_max, y_min, n))
    return np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32)


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
            maps, h = [], points
            for module in model:
                h = module(h)
                if not isinstance(module, torch.nn.Linear) or module is model[-1]:
                    maps.append(h.T.reshape(-1, n, n))
            return torch.cat(maps).contiguous()

    return run, 1
