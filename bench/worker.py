"""Child process: time one (workload, implementation) at the thread count set in its environment.

Usage (the orchestrator does this): python -m bench.worker WORKLOAD IMPL THREADS [--quick]
Prints one JSON line: {"seconds_per_step": median, "repetitions": [...]}.
"""
import importlib
import json
import os
import sys


def load_factory(path):
    module_name, factory_name = path.split(":")
    return getattr(importlib.import_module(module_name), factory_name)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    workload_key, impl, threads = argv[0], argv[1], int(argv[2])
    quick = "--quick" in argv

    from bench.workloads import WORKLOADS  # no numpy yet: the BLAS pool is still unsized

    blas = WORKLOADS[workload_key].engine_blas_threads
    if impl.startswith("layerlab") and blas is not None:
        os.environ["OPENBLAS_NUM_THREADS"] = str(threads if blas == "all" else 1)

    from bench.threads import pin_torch_threads
    from bench.timing import FULL, QUICK, median_seconds_per_step

    if impl.startswith("torch"):
        pin_torch_threads(threads)
    factory = load_factory(WORKLOADS[workload_key].implementations[impl])
    run, steps_per_call = factory(threads, quick)
    median, repetitions = median_seconds_per_step(run, steps_per_call, QUICK if quick else FULL)
    print(json.dumps({"seconds_per_step": median, "repetitions": repetitions}))


if __name__ == "__main__":
    main()
