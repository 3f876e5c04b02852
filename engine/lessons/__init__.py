"""Lessons: run a preset headlessly and check that it shows its point (plain numpy, no server).

    >>> from engine.lessons import run_preset, summary
    >>> sorted(summary(run_preset("perceptron_separable")))   # doctest: +SKIP
    ['checks', 'name', 'passed', 'runs', 'seconds', 'topics']
"""

from engine.lessons.checkpoint import BestCheckpoint
from engine.lessons.runner import run_preset, summary, train_run

__all__ = ["BestCheckpoint", "run_preset", "summary", "train_run"]
