"""Quotas on a network spec, checked before the engine allocates anything.

Two passes: `check_raw` looks at the spec as sent (layer count, widths, batch size) so even
shape inference never sees a 10^7-unit layer; `check_summary` looks at the inferred shapes
(parameters, estimated FLOPs and activation memory per step). Both return every problem as
{code: "quota_exceeded", message, field}.

    >>> check_raw({"layers": [{"id": "a", "type": "dense", "units": 10**7}]}, Quotas())[0]["field"]
    'layers[0].units'
"""
import math

from server.settings import Quotas

# Fields that set a layer's width (the number of values it outputs per position).
WIDTH_FIELDS = ("units", "out_channels", "hidden_size", "embedding_dim", "embed_dim", "ff_dim")


def _problem(message: str, field: str | None, layer: str | None = None) -> dict:
    return {"code": "quota_exceeded", "message": message, "field": field, "layer": layer}


def check_raw(spec, quotas: Quotas) -> list[dict]:
    if not isinstance(spec, dict):
        return []  # the engine's validation explains what a spec must look like
    if spec.get("mode") == "gan":  # two networks: each half is checked, fields named by half
        problems = [{**p, "field": f"{half}.{p['field']}"} for half in ("generator", "discriminator")
                    for p in check_raw(spec.get(half), quotas)]
        return problems + [p for p in _check_batch(spec, quotas)]
    problems = []
    layers = spec.get("layers")
    if isinstance(layers, list):
        if len(layers) > quotas.max_layers:
            problems.append(_problem(f"at most {quotas.max_layers} layers on this server (this network has "
                                     f"{len(layers)})", "layers"))
        for index, layer in enumerate(layers[: quotas.max_layers]):
            problems += _check_widths(layer, index, quotas)
    return problems + _check_batch(spec, quotas)


def _check_batch(spec: dict, quotas: Quotas) -> list[dict]:
    batch = spec.get("batch_size")
    if isinstance(batch, int) and batch > quotas.max_batch_size:
        return [_problem(f"batch_size can be at most {quotas.max_batch_size} on this server", "batch_size")]
    return []


def _check_widths(layer, index: int, quotas: Quotas) -> list[dict]:
    if not isinstance(layer, dict):
        return []
    return [_problem(f"{name} can be at most {quotas.max_units} on this server", f"layers[{index}].{name}",
                     layer.get("id"))
            for name in WIDTH_FIELDS
            if isinstance(layer.get(name), (int, float)) and layer[name] > quotas.max_units]


def check_summary(spec: dict, layers: list[dict], quotas: Quotas) -> list[dict]:
    """layers: per layer {id, output_shape, params} from shape inference."""
    problems = []
    total = sum(int(layer["params"]) for layer in layers)
    if total > quotas.max_params:
        biggest = max(range(len(layers)), key=lambda i: layers[i]["params"])
        problems.append(_problem(f"{total:,} parameters is over this server's limit of {quotas.max_params:,}; "
                                 f"the largest layer is {layers[biggest]['id']}", f"layers[{biggest}]",
                                 layers[biggest]["id"]))
    flops = estimated_flops(layers, int(spec.get("batch_size", 32)))
    if flops > quotas.max_flops_per_step:
        problems.append(_problem(f"one training step would take about {flops / 1e9:.1f} GFLOP, over this server's "
                                 f"limit of {quotas.max_flops_per_step / 1e9:.1f}: use fewer or smaller layers or a "
                                 "smaller batch", "batch_size"))
    return problems


def estimated_flops(layers: list[dict], batch: int) -> float:
    """Forward + backward ≈ 3 × forward; forward ≈ 2 × parameters × positions they are applied at
    (1 for dense, H×W for a convolution's (C, H, W) output, T for a sequence's (T, F) output)."""
    total = 0.0
    for layer in layers:
        shape = list(layer.get("output_shape") or [])
        positions = math.prod(shape[1:]) if len(shape) == 3 else (shape[0] if len(shape) == 2 else 1)
        # layers without parameters still touch every value they output
        total += 2 * max(int(layer["params"]) * positions, math.prod(shape) if shape else 1)
    return 3 * batch * total
