"""The `layerlab` command: one function per subcommand, registered in `SUBCOMMANDS`.

    layerlab serve [--host 127.0.0.1] [--port 8000]
    layerlab warmup           compile (or load cached) numba kernels, with progress
    layerlab data prepare     convert installed data sources into data/cache, with progress
    layerlab train --preset NAME [--steps N] [--json]   train a lesson headlessly, check its point

To add a subcommand, write `def cmd_x(args)` plus `def add_x(parser)` and list it in SUBCOMMANDS.
"""
import os

# Sessions train side by side, one BLAS thread each. OpenBLAS reads this once, when numpy loads:
# a second pool thread that threadpoolctl later parks still slowed steps 20-200x on a shared
# 2-core machine (bench notes), so the process entry point sets it before anything imports numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

# Clients only send small control messages; the app answers anything over 64 KiB politely,
# the transport drops anything over this outright.
WS_MAX_BYTES = 1024 * 1024


class Progress:
    """A one-line progress display: progress(done, total, label) or progress(label, done, total)
    (the engine's data preparation names the step first), so any engine callback can use it."""

    def __init__(self, title: str, stream=sys.stderr):
        self.title, self.stream = title, stream
        self.started = time.perf_counter()
        self.interactive = stream.isatty()

    def __call__(self, *args) -> None:
        if args and isinstance(args[0], str):
            label, done, total = (list(args) + ["", 0, 0][len(args):])[:3]
        else:
            done, total, label = (list(args) + [0, 0, ""][len(args):])[:3]
        fraction = done / total if total else 1.0
        bar = "#" * int(30 * fraction)
        line = f"{self.title} [{bar:<30}] {done}/{total} {label}"
        if self.interactive:
            self.stream.write("\r" + line[:120].ljust(120))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        elapsed = time.perf_counter() - self.started
        self.stream.write(("\n" if self.interactive else "") + f"{self.title}: done in {elapsed:.1f} s\n")


def add_serve(parser: argparse.ArgumentParser) -> None:
    from server.settings import Settings
    defaults = Settings()
    parser.add_argument("--host", default=defaults.host, help=f"interface to listen on (default {defaults.host})")
    parser.add_argument("--port", type=int, default=defaults.port, help=f"port (default {defaults.port})")
    parser.add_argument("--log-level", default="info")


def cmd_serve(args) -> int:
    import uvicorn
    uvicorn.run(
        "server.app:create_app", factory=True, host=args.host, port=args.port,
        workers=1,                    # sessions and their sockets live in this one process
        ws="websockets-sansio",       # has write flow control since uvicorn 0.52.1
        ws_per_message_deflate=False,  # zlib on float frames: ms of CPU per frame for a few %
        ws_max_size=WS_MAX_BYTES, log_level=args.log_level,
    )
    return 0


def with_progress(title: str, work) -> int:
    """Runs work(progress) under a one-line progress display."""
    progress = Progress(title)
    work(progress)
    progress.finish()
    return 0


def cmd_warmup(args) -> int:
    from engine.warmup import warmup
    return with_progress("compiling kernels", warmup)


def add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["prepare"], help="prepare: convert installed sources into the cache")


def cmd_data(args) -> int:
    from engine.data import prepare_all
    return with_progress("preparing data sets", prepare_all)


def add_train(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", required=True, help="lesson name (see /api/catalog presets)")
    parser.add_argument("--steps", type=int, default=None, help="steps per run (default: the lesson's)")
    parser.add_argument("--json", action="store_true",
                        help="print the whole result (checks, measures, times) instead of the final metrics")


def cmd_train(args) -> int:
    import json
    from engine.config import set_thread_policy
    from engine.lessons import run_preset, summary
    from engine.presets import PRESETS
    set_thread_policy("single")  # as the server trains: BLAS threads on tiny GEMMs only cost time
    if args.preset not in PRESETS:
        sys.stderr.write(f"unknown preset {args.preset!r}; choose from: {', '.join(PRESETS)}\n")
        return 2
    progress = Progress(f"training {args.preset}")
    result = summary(run_preset(args.preset, steps=args.steps, progress=progress))
    progress.finish()
    for check in result["checks"]:  # for people, on stderr; stdout stays one JSON document
        sys.stderr.write(f"{'ok  ' if check['passed'] else 'FAIL'} {check['why']} ({check['value']})\n")
    if not args.json:  # final metrics only
        result = {"name": result["name"], "passed": result["passed"],
                  "runs": {label: run["final"] for label, run in result["runs"].items()}}
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0 if result["passed"] else 1


SUBCOMMANDS = {
    "serve": (cmd_serve, add_serve, "run the playground server"),
    "warmup": (cmd_warmup, None, "compile the numba kernels ahead of the first click"),
    "data": (cmd_data, add_data, "data-set cache: `layerlab data prepare`"),
    "train": (cmd_train, add_train, "train a lesson preset headlessly and check it shows its point"),
}


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="layerlab", description="Layerlab: a deep-learning playground")
    subparsers = main_parser.add_subparsers(dest="command", required=True)
    for name, (command, add_arguments, help_text) in SUBCOMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if add_arguments:
            add_arguments(sub)
        sub.set_defaults(run=command)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
