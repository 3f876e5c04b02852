"""Markdown report of one benchmark run: one table of throughput, one of start-up times."""
import platform
import time


def _fmt(value, pattern, missing="–"):
    return missing if value is None else pattern.format(value)


def throughput_table(results):
    lines = [
        "| workload | impl | threads | µs/step | steps/s | x torch | x torch-fused | % peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        workload = result["workload"]
        if workload.planned:
            lines.append(f"| {workload.key}: {workload.title} | (planned, issue 3) | | | | | | |")
            continue
        for row in result["rows"]:
            name = f"{workload.key}: {workload.title}"
            if row.get("error"):
                lines.append(f"| {name} | {row['impl']} | {result['threads']} | failed: {row['error']} | | | | |")
                continue
            seconds = row["seconds"]
            unit = "" if workload.unit == "step" else f" (per {workload.unit})"
            lines.append(
                f"| {name} | {row['impl']}{unit} | {result['threads']} | {seconds * 1e6:,.1f} | "
                f"{1 / seconds:,.0f} | {_fmt(row.get('x torch'), '{:.2f}')} | "
                f"{_fmt(row.get('x torch-fused'), '{:.2f}')} | {row['fraction_of_peak'] * 100:.1f}% |"
            )
    return lines


def startup_table(startup):
    if not startup:
        return []
    labels = [k for k in startup.get("warm", {}) if k != "error"] or list(startup.get("cold", {}))
    lines = ["", "| start-up (fresh process) | cold: empty numba cache | warm: cached |", "|---|---|---|"]
    for label in labels:
        cold, warm = startup["cold"].get(label), startup["warm"].get(label)
        lines.append(f"| {label} | {_fmt(cold, '{:.2f} s')} | {_fmt(warm, '{:.3f} s')} |")
    for side in ("cold", "warm"):
        if "error" in startup[side]:
            lines.append(f"| {side} run failed | {startup[side]['error']} | |")
    return lines


def render_report(results, peaks, startup, rounds, quick):
    peak_text = ", ".join(f"{t} thread(s) {p / 1e9:.0f} GFLOP/s" for t, p in peaks.items())
    header = [
        f"# Layerlab benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"Machine: {platform.processor() or platform.machine()}, measured fp32 GEMM peak: {peak_text}.",
        f"Medians over {rounds} round(s) of one process per (workload, impl, threads)"
        + (", QUICK smoke run (not a measurement)" if quick else "")
        + "; ratios are medians of per-round ratios (>1 = faster than PyTorch). "
        "% peak counts training as 3x forward FLOPs (the MLPs really need ~2.1x) and probes as forward "
        "FLOPs. The machine is shared: numbers vary ±30% between runs, ratios less.",
        "",
    ]
    return "\n".join(header + throughput_table(results) + startup_table(startup)) + "\n"
