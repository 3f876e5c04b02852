"""Registries feed the catalog; warm-up exercises every kernel; the thread policy switches pools."""

import json

import numba
import pytest

from engine import ACTIVATIONS, LAYERS, LOSSES, OPTIMIZERS, catalog
from engine.config import set_thread_policy
from engine.kernels.codes import ACTIVATION_CODES, LOSS_CODES, OPTIMIZER_CODES
from engine.spec_models import INPUT_ID
from engine.warmup import kernel_dispatchers, warmup


def test_catalog_is_plain_json_with_descriptions_and_bounds():
    data = json.loads(json.dumps(catalog()))
    assert set(data) == {"layers", "activations", "losses", "optimizers", "initializers", "schedules", "modes"}
    for entries in data.values():
        assert all(entry["name"] and entry["description"] for entry in entries)
    dense = next(entry for entry in data["layers"] if entry["name"] == "dense")
    units = next(field for field in dense["fields"] if field["name"] == "units")
    assert units["required"] and units["minimum"] == 1 and units["maximum"] == 4096
    sgd = next(entry for entry in data["optimizers"] if entry["name"] == "sgd")
    assert {field["name"]: field.get("default") for field in sgd["fields"]}["lr"] == 1e-3


def test_registries_cover_every_kernel_code():
    assert {name: entry.impl for name, entry in ACTIVATIONS.items()} == ACTIVATION_CODES
    assert {name: entry.impl for name, entry in LOSSES.items()} == LOSS_CODES
    assert {name: entry.impl for name, entry in OPTIMIZERS.items()} == OPTIMIZER_CODES
    for name, entry in LAYERS.items():
        assert entry.model.model_fields["type"].default == name and INPUT_ID not in name


def test_warmup_runs_every_task_and_reports_progress():
    calls = []
    result = warmup(lambda name, i, total: calls.append((name, i, total)))
    total = result["tasks"]
    assert calls[0][1:] == (0, total) and calls[-1] == ("done", total, total)
    assert any(name.startswith("optimizer adagrad") for name, _, _ in calls)
    used = {name for name, dispatcher in kernel_dispatchers().items() if dispatcher.signatures}
    assert {"optim.optimizer_step", "losses.loss_fwd", "norm.batch_norm_bwd", "perceptron.perceptron_update"} <= used


@pytest.mark.parametrize("policy", ["blas", "numba", "single"])
def test_thread_policy_never_gives_both_pools_several_threads(policy):
    from threadpoolctl import threadpool_info

    set_thread_policy(policy)
    blas = max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=1)
    assert blas == 1 or numba.get_num_threads() == 1
    set_thread_policy("single")


def test_single_policy_reaches_the_blas_that_numba_kernels_call():
    """numba's np.dot calls scipy's OpenBLAS, which a fresh process has not loaded yet."""
    import subprocess
    import sys

    script = ("from engine.config import set_thread_policy\n"
              "set_thread_policy('single')\n"
              "from threadpoolctl import threadpool_info\n"
              "pools = [p for p in threadpool_info() if p['user_api'] == 'blas']\n"
              "print(sorted({p['filepath'].split('/')[-2] for p in pools}), max(p['num_threads'] for p in pools))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "scipy.libs" in out and out.strip().endswith(" 1")
