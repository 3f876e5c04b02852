"""Layerlab's two implementations of a spec-defined workload: `Trainer.step` on pre-cut batches
and `Trainer.train` in chunks (which draws its own minibatches, as the server does).

    layerlab_step, layerlab_train = layerlab_factories(make_spec, make_data, batch=32, steps_per_call=5)
"""
from bench.workloads.common import cycled_batches


def layerlab_factories(make_spec, make_data, batch, steps_per_call):
    """(step factory, train factory) for the bench registry; make_data() -> (x, y) arrays."""

    def trainer():
        from engine import Trainer, build_model

        spec = make_spec()
        return Trainer(build_model(spec), spec)

    def layerlab_step(threads, quick):
        model_trainer, batches = trainer(), cycled_batches(*make_data(), batch)

        def run():
            model_trainer.step(*next(batches))

        return run, 1

    def layerlab_train(threads, quick):
        model_trainer, (x, y) = trainer(), make_data()

        def run():
            model_trainer.train(x, y, steps=steps_per_call)

        return run, steps_per_call

    return layerlab_step, layerlab_train
