"""Child process: the machine's fp32 matrix-multiply peak at the thread count in its environment.

Usage: python -m bench.peak [--quick]. Times numpy's float32 GEMM (OpenBLAS, the same library the
engine calls) on square sizes and prints the best FLOP/s as JSON. The best of several sizes is the
attainable peak: small sizes are overhead-bound, large ones may not split well across threads.
"""
import json
import sys
import time

import numpy as np


def gemm_flops_per_second(n, seconds):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=out)  # warm-up: first call sizes BLAS buffers and threads
    best, deadline = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best


def main():
    quick = "--quick" in sys.argv
    sizes = (512, 1024) if quick else (512, 1024, 2048)
    seconds = 0.1 if quick else 0.6
    per_size = {n: gemm_flops_per_second(n, seconds) for n in sizes}
    print(json.dumps({"peak_flops": max(per_size.values()), "by_size": per_size}))


if __name__ == "__main__":
    main()
