"""The `layerlab` command line: subcommands, progress display, and `data prepare` for real."""
import io
import subprocess
import sys

from server.cli import SUBCOMMANDS, Progress, parser


def test_every_subcommand_parses_with_its_defaults():
    assert {"serve", "warmup", "data"} <= set(SUBCOMMANDS)
    args = parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert parser().parse_args(["serve", "--port", "9001"]).port == 9001
    assert parser().parse_args(["data", "prepare"]).action == "prepare"


def test_progress_takes_both_argument_orders():
    stream = io.StringIO()
    progress = Progress("compiling", stream=stream)
    progress(1, 4, "dense")        # (done, total, label): the warm-up
    progress("mnist", 2, 4)        # (label, done, total): the data preparation
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("1/4 dense") and lines[1].endswith("2/4 mnist") and "done in" in lines[2]


def test_data_prepare_runs_and_reports():
    done = subprocess.run([sys.executable, "-m", "server.cli", "data", "prepare"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "preparing data sets: done" in done.stderr
