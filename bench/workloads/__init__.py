"""Registry of benchmark workloads: what each one trains, its FLOPs, and who runs it.

Each implementation is named by "module:factory"; a factory takes (threads, quick) and returns
(run, steps_per_call), where `run()` performs `steps_per_call` steps. Workers import only the module
of the implementation they time, so an engine process never loads torch and vice versa.

Issue 3's workloads (c) CNN, (d) LSTM and (e) transformer are registered as planned: give them
implementations (a module per workload, like playground.py) and they run with the rest.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    flops_per_step: float          # training: 3x forward FLOPs (see bench/README.md); probe: forward
    implementations: dict = field(default_factory=dict)   # impl name -> "module:factory"
    baselines: tuple = ("torch",)  # ratios are reported against each of these
    unit: str = "step"
    # BLAS threads of the engine's processes: "one" or "all" (of the allowed), as the engine's
    # thread policy chooses; None leaves the allowance. Set before numpy loads, because
    # OpenBLAS sizes its pool at load and, on a busy machine, an idle-but-spinning second
    # BLAS thread slowed a batch-64 MNIST step from 0.5 ms to 10-100 ms even after
    # threadpoolctl limited it to one.
    engine_blas_threads: str | None = None

    @property
    def planned(self):
        return not self.implementations


def dense_forward_flops(sizes, samples):
    """Multiply-adds of a dense stack, counted as 2 FLOPs each."""
    return 2.0 * samples * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


PLAYGROUND_SIZES = (2, 8, 8, 1)
MNIST_SIZES = (784, 128, 64, 10)
GRID_SIDE = 100

_P = "bench.workloads.playground"
_M = "bench.workloads.mnist"
_G = "bench.workloads.grid"
_C = "bench.workloads.cnn"
_L = "bench.workloads.lstm"
_T = "bench.workloads.transformer"

def mnist_workload(batch, engine_blas_threads):
    """Workload b<batch>: the MNIST MLP against default and fused-Adam PyTorch."""
    names = ("layerlab-step", "layerlab-train", "layerlab-layerwise-step", "torch", "torch-fused")
    factories = ("layerlab_step", "layerlab_train", "layerlab_layerwise_step", "torch_default", "torch_fused")
    return Workload(
        f"b{batch}", f"MNIST MLP 784-128-64-10 ReLU, CE, Adam, batch {batch}",
        3 * dense_forward_flops(MNIST_SIZES, batch),
        {name: f"{_M}:{factory}_{batch}" for name, factory in zip(names, factories)},
        baselines=("torch", "torch-fused"),
        engine_blas_threads=engine_blas_threads,
    )


WORKLOADS = {
    w.key: w
    for w in (
        Workload(
            "a", "playground 2-8-8-1 tanh, MSE, SGD, batch 10",
            3 * dense_forward_flops(PLAYGROUND_SIZES, 10),
            {
                "layerlab-train": f"{_P}:layerlab_train",
                "layerlab-step": f"{_P}:layerlab_step",
                "layerlab-layerwise-step": f"{_P}:layerlab_layerwise_step",
                "torch": f"{_P}:torch_default",
            },
            engine_blas_threads="one",
        ),
        mnist_workload(64, engine_blas_threads="one"),
        mnist_workload(256, engine_blas_threads="all"),
        Workload(
            "grid", f"all-neuron probe of the playground net on a {GRID_SIDE}x{GRID_SIDE} grid",
            dense_forward_flops(PLAYGROUND_SIZES, GRID_SIDE * GRID_SIDE),
            {
                "layerlab": f"{_G}:layerlab_grid",
                "torch": f"{_G}:torch_grid",
            },
            unit="probe",
            engine_blas_threads="one",
        ),
        # Issue 3 slots: add implementations to run them.
        Workload("c", "CNN conv5x5x8-pool-conv5x5x16-pool-dense10, 1x28x28, Adam, batch 64",
                 3 * 0.645e6 * 64,
                 {"layerlab-step": f"{_C}:layerlab_step", "layerlab-train": f"{_C}:layerlab_train",
                  "torch": f"{_C}:torch_default"},
                 engine_blas_threads="one"),  # per-sample GEMMs of (16 x 200) @ (200 x 64): too small to split
        Workload("d", "LSTM in 16, hidden 64, 50 steps, batch 32, Adam", 3 * 2.05e6 * 32,
                 {"layerlab-step": f"{_L}:layerlab_step", "layerlab-train": f"{_L}:layerlab_train",
                  "torch": f"{_L}:torch_default"}),
        Workload("e", "transformer seq 32, d 64, 4 heads, 2 blocks, ff 128, batch 32",
                 3 * 4.72e6 * 32,
                 {"layerlab-step": f"{_T}:layerlab_step", "layerlab-train": f"{_T}:layerlab_train",
                  "torch": f"{_T}:torch_default"}),
    )
}
