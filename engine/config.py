"""Every Numba flag of the engine lives here, plus the one thread policy.

Kernels never call ``numba.njit`` themselves; they use :func:`njit` from this module::

    from engine.config import njit

    @njit
    def axpy(a, x, y):
        for i in range(x.shape[0]):
            y[i] += a * x[i]

Why these flags (measured in notes/perf-baselines.md):

- ``error_model="numpy"``: the default model checks every division for zero, which blocks
  vectorization (a fused Adam went from 257 us to 42 us).
- ``fastmath`` allows contraction into FMA, reassociation (so reductions vectorize) and
  reciprocal approximations, but deliberately *not* ``nnan``/``ninf``: divergence detection
  relies on NaN and Inf propagating through every kernel and on ``x != x`` staying true.
- ``cache=True`` writes compiled kernels to disk, so a second process loads them in
  milliseconds; the directory is keyed on a hash of the kernel sources (engine/jit_cache.py),
  because numba's own check misses edits to the kernels a kernel calls. ``nogil=True`` lets a
  server worker thread train while the event loop keeps serving.
"""

import os

import numba

from engine.jit_cache import point_numba_at_versioned_cache

CACHE_DIRECTORY = point_numba_at_versioned_cache()  # before any kernel module is imported

FASTMATH = {"contract", "reassoc", "arcp"}  # numba wants a plain set

JIT = dict(nogil=True, cache=True, error_model="numpy", fastmath=FASTMATH)

# prange kernels: the same flags plus parallel=True (use only under the "numba" thread policy).
JIT_PARALLEL = dict(JIT, parallel=True)


def njit(fn=None, **overrides):
    """Compile ``fn`` with the engine's flags; usable bare (``@njit``) or with overrides."""
    flags = dict(JIT, **overrides)
    flags["fastmath"] = set(flags["fastmath"])  # a private copy per kernel

    def wrap(function):
        return numba.njit(**flags)(function)

    return wrap(fn) if fn is not None else wrap


def njit_parallel(fn=None, **overrides):
    """Like :func:`njit` but with ``parallel=True`` for kernels that use ``numba.prange``."""
    return njit(fn, **dict(JIT_PARALLEL, **overrides))


# ---------------------------------------------------------------------------------------------
# Thread policy: BLAS threads or numba prange threads, never both at once (running both pools
# together made an MNIST step 70x slower on this machine).

THREAD_POLICIES = ("single", "blas", "numba")
_blas_limiter = None


def available_cores() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def set_thread_policy(policy: str, threads: int | None = None) -> None:
    """Choose who may use more than one core.

    - ``"single"``: BLAS and numba both on one thread (tiny nets: threads only add overhead).
    - ``"blas"``: BLAS gets ``threads`` (default: all cores), numba prange gets one.
    - ``"numba"``: prange kernels get ``threads``, BLAS gets one.
    """
    global _blas_limiter
    if policy not in THREAD_POLICIES:
        raise ValueError(f"unknown thread policy {policy!r}; choose one of {THREAD_POLICIES}")
    n = max(1, min(threads or available_cores(), numba.config.NUMBA_NUM_THREADS))
    blas_threads = n if policy == "blas" else 1
    numba_threads = n if policy == "numba" else 1
    from threadpoolctl import ThreadpoolController  # imported lazily: it scans loaded libraries
    import scipy.linalg.cython_blas  # noqa: F401  numba's np.dot calls scipy's OpenBLAS: load it so the limit reaches it

    if _blas_limiter is not None:
        _blas_limiter.restore_original_limits()
    _blas_limiter = ThreadpoolController().limit(limits=blas_threads, user_api="blas")
    numba.set_num_threads(numba_threads)


def suggest_thread_policy(batch_size: int, largest_layer_width: int) -> str:
    """A second core only pays for GEMMs with M >= 256 (perf-baselines.md, Threads)."""
    if batch_size >= 256 and largest_layer_width >= 64 and available_cores() > 1:
        return "blas"
    return "single"
