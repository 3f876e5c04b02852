"""Child process: time from a fresh interpreter to the first training step of each engine path.

Usage: NUMBA_CACHE_DIR=<dir> python -m bench.startup. Run once with an empty cache directory (cold:
every kernel compiles and is written) and again with the same directory (warm: kernels load).
Prints JSON with the seconds spent importing the engine and reaching each first result.
"""
import json
import time

STARTED = time.perf_counter()


def main():
    from bench.workloads.common import classification_data, regression_data
    from bench.workloads.mnist import mnist_spec
    from bench.workloads.playground import playground_spec

    marks = {}
    t0 = time.perf_counter()
    import engine  # noqa: F401  (import cost is part of start-up)
    from engine import Trainer, build_model

    marks["import engine"] = time.perf_counter() - t0

    def first(label, action):
        t = time.perf_counter()
        action()
        marks[label] = time.perf_counter() - t

    spec = playground_spec()
    model = build_model(spec, seed=0)
    trainer = Trainer(model, spec)
    x, y = regression_data(100, 2, 1)
    first("playground first train()", lambda: trainer.train(x, y, steps=10))
    first("playground first step()", lambda: trainer.step(x[:10], y[:10]))
    try:
        from engine import probes

        first("grid probe", lambda: probes.neuron_grid(model, n=100))
    except (ImportError, AttributeError):
        pass
    spec = mnist_spec(64)
    trainer = Trainer(build_model(spec, seed=0), spec)
    xm, labels = classification_data(256, 784, 10)
    first("MNIST first step()", lambda: trainer.step(xm[:64], labels[:64]))
    marks["total in process"] = time.perf_counter() - STARTED
    print(json.dumps(marks))


if __name__ == "__main__":
    main()
