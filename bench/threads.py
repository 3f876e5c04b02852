"""One thread policy per benchmark process, fixed before numpy, numba or torch load.

The variables must be in the environment before the libraries import, or their thread pools are
already sized; the orchestrator therefore passes them to each child process it starts.
"""
import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def thread_environment(threads, base=None):
    env = dict(os.environ if base is None else base)
    for name in THREAD_VARIABLES:
        env[name] = str(threads)
    return env


def pin_torch_threads(threads):
    """torch reads OMP_NUM_THREADS too, but an explicit call also fixes its inter-op pool."""
    import torch

    torch.set_num_threads(threads)
