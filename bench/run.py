"""The benchmark command: `python -m bench` (or `python bench/run.py`), `--quick` for a smoke run.

One process per (workload, implementation, thread count); the implementations of one workload run
back to back and their order rotates each round, so both sides of a ratio ran next to each other.
Times are medians over repetitions inside a process, then over rounds; ratios are medians of the
per-round ratios. The machine is shared and noisy: compare numbers only within one run.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import render_report  # noqa: E402
from bench.threads import thread_environment  # noqa: E402
from bench.workloads import WORKLOADS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "latest.md"
CHILD_TIMEOUT_S = 600


def run_child(module, args, threads, extra_env=None):
    """Run `python -m module args` with the thread policy set; return its last JSON line or an error."""
    env = thread_environment(threads)
    env.update(extra_env or {})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    try:
        done = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": tail[:160]}
    return json.loads(lines[-1])


def rotated(items, by):
    by %= len(items)
    return items[by:] + items[:by]


def measure_workload(workload, threads, rounds, quick, log):
    """Per implementation: list over rounds of seconds per step (None when it failed)."""
    impls = list(workload.implementations)
    times = {impl: [] for impl in impls}
    errors = {}
    for r in range(rounds):
        for impl in rotated(impls, r):
            args = [workload.key, impl, str(threads)] + (["--quick"] if quick else [])
            result = run_child("bench.worker", args, threads)
            seconds = result.get("seconds_per_step")
            times[impl].append(seconds)
            if seconds is None:
                errors[impl] = result["error"]
            log(f"  [{workload.key} t{threads} r{r + 1}] {impl}: "
                + (f"{seconds * 1e6:,.1f} us/{workload.unit}" if seconds else f"FAILED {result['error']}"))
    return times, errors


def summarize(workload, times, errors, peak_flops):
    rows = []
    for impl, per_round in times.items():
        ok = [t for t in per_round if t]
        row = {"impl": impl, "error": errors.get(impl)}
        if ok:
            median = statistics.median(ok)
            row.update(seconds=median, fraction_of_peak=workload.flops_per_step / median / peak_flops)
            for base in workload.baselines:
                pairs = [b / t for b, t in zip(times.get(base, []), per_round) if b and t]
                row[f"x {base}"] = statistics.median(pairs) if pairs else None
        rows.append(row)
    return rows


def measure_startup(log):
    """Cold (empty numba cache) and warm (same cache, new process) start to the first steps."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="layerlab-numba-cache-") as cache:
        for label in ("cold", "warm"):
            out[label] = run_child("bench.startup", [], 1, {"NUMBA_CACHE_DIR": cache})
            log(f"  start-up {label}: {out[label]}")
    return out


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short smoke run: 1 round, short repeats")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--workloads", default="", help="comma-separated keys (default: all runnable)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per workload (default 3)")
    parser.add_argument("--no-startup", action="store_true", help="skip the compile/start-up timing")
    parser.add_argument("--output", default=str(RESULTS), help="markdown report path")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    threads = [int(t) for t in args.threads.split(",")]
    keys = args.workloads.split(",") if args.workloads else list(WORKLOADS)
    rounds = args.rounds or (1 if args.quick else 3)
    quick_flag = ["--quick"] if args.quick else []

    peaks = {}
    for t in threads:
        peaks[t] = run_child("bench.peak", quick_flag, t).get("peak_flops", float("nan"))
        log(f"fp32 GEMM peak, {t} thread(s): {peaks[t] / 1e9:.1f} GFLOP/s")
    results = []
    for key in keys:
        workload = WORKLOADS[key]
        if workload.planned:
            results.append({"workload": workload, "threads": None, "rows": []})
            continue
        for t in threads:
            times, errors = measure_workload(workload, t, rounds, args.quick, log)
            results.append({"workload": workload, "threads": t,
                            "rows": summarize(workload, times, errors, peaks[t])})
    startup = None if args.no_startup else measure_startup(log)
    report = render_report(results, peaks, startup, rounds, args.quick)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(report)
    print(report)
    return results


if __name__ == "__main__":
    main()
