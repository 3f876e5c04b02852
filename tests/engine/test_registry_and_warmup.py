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
    assert set(data) == {"layers", "activations", "losses", "optimizers", "initializers", "schedules", "grad_clips",
                         "modes"}
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


# ---- field kinds: what the palette offers is what validation accepts ---------------------------

FIELD_KINDS = {"integer", "number", "boolean", "string", "array", "union", "null"}


def _field(layer, name):
    return next(field for field in LAYERS[layer].fields() if field["name"] == name)


def _examples(variant):
    """Values a learner could pick in the form a variant describes: its choices, or its bounds."""
    if "enum" in variant:
        return list(variant["enum"])
    return [variant[key] for key in ("minimum", "maximum") if key in variant]


def test_a_union_field_lists_every_variant_and_each_one_validates():
    padding = _field("conv2d", "padding")
    assert padding["type"] == "union" and padding["default"] == 0
    by_type = {variant["type"]: variant for variant in padding["variants"]}
    assert by_type["integer"]["minimum"] == 0 and by_type["integer"]["maximum"] == 32
    assert by_type["string"]["enum"] == ["same", "valid"]
    model = LAYERS["conv2d"].model
    base = {"type": "conv2d", "id": "c", "out_channels": 2, "kernel_size": 3}
    for variant in padding["variants"]:
        for value in _examples(variant):
            assert model.model_validate({**base, "padding": value}).padding == value


def test_a_value_outside_every_variant_is_refused():
    model = LAYERS["conv2d"].model
    base = {"type": "conv2d", "id": "c", "out_channels": 2, "kernel_size": 3}
    for wrong in (33, -1, "full"):
        with pytest.raises(ValueError):
            model.model_validate({**base, "padding": wrong})


def test_every_field_kind_is_a_documented_one_and_no_alternative_is_hidden():
    for registry in (LAYERS, OPTIMIZERS):
        for entry in registry.values():
            properties = entry.model.model_json_schema()["properties"] if entry.model else {}
            for field in entry.fields():
                assert field["type"] in FIELD_KINDS, (entry.name, field)
                options = [o for o in properties[field["name"]].get("anyOf", []) if o.get("type") != "null"]
                if len(options) > 1:
                    assert field["type"] == "union" and len(field["variants"]) == len(options), (entry.name, field)
                for variant in field.get("variants", []):
                    assert variant["type"] in FIELD_KINDS - {"union"}


def test_an_optional_field_keeps_its_kind_and_bounds_and_says_it_may_be_null():
    stride = _field("max_pool2d", "stride")
    assert (stride["type"], stride["nullable"], stride["minimum"], stride["maximum"]) == ("integer", True, 1, 31)
    assert stride["default"] is None
    assert "nullable" not in _field("conv2d", "stride")
