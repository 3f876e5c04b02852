"""Time one implementation inside its own process: warm-up, then repeats, then the median.

`run()` executes `steps_per_call` training steps (or probe evaluations); the result is the median
over repetitions of seconds per step. Each repetition lasts long enough (~0.2 s) that timer
resolution and per-call jitter do not matter.
"""
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class TimingPolicy:
    warmup_calls: int = 3
    warmup_seconds: float = 0.3
    repetitions: int = 7
    seconds_per_repetition: float = 0.2


FULL = TimingPolicy()
QUICK = TimingPolicy(warmup_calls=1, warmup_seconds=0.02, repetitions=3, seconds_per_repetition=0.02)


def median_seconds_per_step(run, steps_per_call, policy=FULL):
    """Warm up `run`, then return (median s/step, all repetition s/step values)."""
    calls, started = 0, time.perf_counter()
    while calls < policy.warmup_calls or time.perf_counter() - started < policy.warmup_seconds:
        run()
        calls += 1
    seconds_per_call = (time.perf_counter() - started) / calls
    calls_per_repetition = max(1, round(policy.seconds_per_repetition / seconds_per_call))
    per_step = []
    for _ in range(policy.repetitions):
        t0 = time.perf_counter()
        for _ in range(calls_per_repetition):
            run()
        elapsed = time.perf_counter() - t0
        per_step.append(elapsed / (calls_per_repetition * steps_per_call))
    return statistics.median(per_step), per_step
