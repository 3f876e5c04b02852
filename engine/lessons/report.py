"""Run every lesson preset and print the docs/lessons.md table (markdown) on stdout.

    python -m engine.lessons.report [NAME ...]     # progress on stderr
    python -m engine.lessons.report --seeds 1,2,3  # robustness: each preset again with other seeds

Columns: preset, topics, what it claims (each check's "why"), the measured values, pass/fail,
wall-clock and CPU seconds on this machine (CPU seconds are what a quiet machine would take).
"""

import sys
import time

from engine.config import set_thread_policy
from engine.lessons.runner import merge, run_preset
from engine.presets import PRESETS


def _number(value):
    if isinstance(value, float):
        return f"{value:.3g}"
    return "never" if value is None else str(value)


def row(result: dict) -> str:
    preset = PRESETS[result["name"]]
    claims = "<br>".join(check["why"] for check in result["checks"])
    measured = "<br>".join(f"{_number(check['value'])} {check['op']} {_number(check['reference'])}"
                           for check in result["checks"])
    status = "pass" if result["passed"] else "**FAIL**"
    topics = ", ".join(str(t) for t in preset["topics"])
    return (f"| `{result['name']}` | {topics} | {preset['title']} | {claims} | {measured} | {status} "
            f"| {result['seconds']:.1f} | {result['cpu_seconds']:.1f} |")


HEADER = ("| preset | topics | title | claims (checked) | measured (value op reference) | result | wall s | CPU s |\n"
          "|---|---|---|---|---|---|---|---|")


def seed_sweep(names: list[str], seeds: list[int]) -> int:
    """Each preset with other weight/batch seeds (the data stay the same): which claims still hold."""
    failed = 0
    for name in names or list(PRESETS):
        outcomes = []
        for seed in seeds:
            result = run_preset(merge(PRESETS[name], {"spec": {"seed": seed}}))
            outcomes.append("pass" if result["passed"] else
                            "FAIL (" + "; ".join(c["why"] for c in result["checks"] if not c["passed"]) + ")")
            failed += not result["passed"]
        print(f"{name}: " + ", ".join(f"seed {s} {o}" for s, o in zip(seeds, outcomes)))
    return 1 if failed else 0


def main(names: list[str]) -> int:
    set_thread_policy("single")  # as the server and `layerlab train` run lessons
    if names[:1] == ["--seeds"]:
        return seed_sweep(names[2:], [int(s) for s in names[1].split(",")])
    started = time.perf_counter()
    rows, cpu, failed = [], 0.0, 0
    for name in names or list(PRESETS):
        sys.stderr.write(f"running {name} ...\n")
        result = run_preset(name)
        rows.append(row(result))
        cpu += result["cpu_seconds"]
        failed += not result["passed"]
    print(HEADER)
    print("\n".join(rows))
    print(f"\n{len(rows)} presets, {len(rows) - failed} passed; total {time.perf_counter() - started:.0f} s wall, "
          f"{cpu:.0f} s CPU.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
