"""Every call from the server into the engine, in one place, with engine errors turned into
protocol errors a learner can act on. Runs on session worker threads and REST thread-pool
threads only (never on the event loop).
"""
import copy
from dataclasses import dataclass

import numpy as np

from server import quotas as quota_checks
from server.live.codec import encode_tensor, pack
from server.protocol import ProtocolError, field_path
from server.settings import Quotas

CLASSIFICATION_LOSSES = ("binary_cross_entropy", "cross_entropy")
GAN_HALVES = ("generator", "discriminator")


# ---- specs and models ---------------------------------------------------------------------------

def validate(spec: dict, quotas: Quotas) -> dict:
    """spec -> {valid, layers, total_params, errors}: shapes and counts, no arrays allocated."""
    from engine.spec import SpecError, validate_spec
    errors = quota_checks.check_raw(spec, quotas)  # shape inference never sees a 10^7-unit layer
    try:
        checked = validate_spec(spec) if not errors else None
    except SpecError as problem:
        errors = spec_errors(problem)
    if errors:
        return {"valid": False, "layers": [], "total_params": 0, "errors": errors}
    layers = summarize(spec, checked)
    total = sum(layer["params"] for layer in layers)
    errors = quota_checks.check_summary(spec, layers, quotas)
    return {"valid": not errors, "layers": layers, "total_params": total, "errors": errors}


def summarize(raw: dict, checked) -> list[dict]:
    """Per layer {id, type, output_shape, params} by the engine's shape inference (no arrays).
    A GAN lists its generator's layers, then its discriminator's, each row naming its network."""
    from engine.graph import check_graph, infer_shapes
    from engine.registry import LAYERS
    if getattr(checked, "mode", None) == "gan":
        return [{"network": half, **row} for half in GAN_HALVES
                for row in summarize(raw[half], getattr(checked, half))]
    _, order = check_graph(raw["layers"])
    shapes, _ = infer_shapes(dict(enumerate(checked.layers)), order, tuple(checked.input.shape), LAYERS)
    return [{"id": layer.id, "type": layer.type, "output_shape": list(shapes[layer.id][0]),
             "params": int(shapes[layer.id][1])} for layer in checked.layers]


def build(spec: dict, quotas: Quotas):
    """Checks the spec and the quotas first, then builds: (model, trainer, layers, total)."""
    report = validate(spec, quotas)
    if not report["valid"]:
        first = report["errors"][0]
        more = len(report["errors"]) - 1
        message = first["message"] + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")
        raise ProtocolError(first.get("code", "invalid_spec"), message, first.get("field"))
    model, trainer = rebuild(spec)
    return model, trainer, report["layers"], report["total_params"]


def rebuild(spec: dict):
    """Fresh weights for a spec already checked."""
    from engine import Trainer, build_model
    model = build_model(spec, seed=int(spec.get("seed", 0)))
    return model, Trainer(model, spec)


def spec_errors(problem) -> list[dict]:
    """The engine's SpecError as [{code, message, field, layer}] (every problem, not just one)."""
    found = getattr(problem, "problems", None) or [{"message": str(problem)}]
    errors = []
    for error in found:
        entry = dict(error) if isinstance(error, dict) else {"message": str(error)}
        if isinstance(entry.get("field"), (list, tuple)):
            entry["field"] = field_path(entry["field"])
        entry.setdefault("code", "invalid_spec")
        entry.setdefault("field", None)
        errors.append(entry)
    return errors


def apply_hyper(spec: dict, trainer, changes: dict, quotas: Quotas) -> dict:
    """Applies `changes` (optimizer, batch_size, ...) to the running trainer; returns the new spec.

    Weights stay; a new learning rate keeps the optimizer's state, a new optimizer starts fresh.
    """
    from engine.spec import SpecError
    proposed = {**spec, **{key: value for key, value in changes.items() if key != "optimizer"}}
    errors = quota_checks.check_raw(proposed, quotas)
    if errors:
        raise ProtocolError(errors[0]["code"], errors[0]["message"], "changes." + errors[0]["field"])
    try:
        trainer.set_hyper(changes)
    except SpecError as problem:
        first = spec_errors(problem)[0]
        raise ProtocolError("invalid_spec", first["message"], first["field"] and "changes." + first["field"])
    return {**spec, **{key: value for key, value in trainer.spec.model_dump(mode="json").items() if key in changes}}


# ---- data ---------------------------------------------------------------------------------------

def load_data(name: str, options: dict, quotas: Quotas, uploads=None):
    from engine.data import OptionError, SourceMissing, load_dataset
    from server.live.uploads import PREFIX
    if name.startswith(PREFIX):
        uploaded = uploads.get(name) if uploads is not None else None
        if uploaded is None:
            raise ProtocolError("invalid_dataset", "that upload is no longer on the server: upload it again", "name")
        return uploaded
    samples = options.get("samples")
    if isinstance(samples, (int, float)) and samples > quotas.max_dataset_samples:
        raise ProtocolError("quota_exceeded", f"at most {quotas.max_dataset_samples} samples", "options.samples")
    try:
        return load_dataset(name, **options)
    except OptionError as problem:
        field = "name" if problem.field == "name" else f"options.{problem.field}"
        raise ProtocolError("invalid_dataset", problem.message, field) from None
    except SourceMissing as missing:
        raise ProtocolError("invalid_dataset", str(missing), "name") from None


def dataset_message(data) -> dict:
    return {"type": "dataset_loaded", "name": data.name, "info": data.metadata()}


def incompatibility(layers: list[dict], spec: dict, data) -> ProtocolError | None:
    """Does the network fit the data? None, or the error to show (with the field to fix).

    A GAN's discriminator takes the data's samples; an autoencoder must output its input;
    other networks must output what the data set's targets look like.
    """
    mode = spec.get("mode", "supervised")
    takes = "discriminator.input.shape" if mode == "gan" else "input.shape"
    spec_input = list((spec.get("discriminator", {}) if mode == "gan" else spec).get("input", {}).get("shape", []))
    if spec_input != list(data.input_shape):
        return ProtocolError("incompatible_data", f"the data set's samples have shape {list(data.input_shape)} "
                             f"but the network's input is {spec_input}", takes)
    if mode == "gan":
        return None
    needed = list(data.input_shape) if mode == "autoencoder" else list(data.output_shape)
    output = list(layers[-1]["output_shape"]) if layers else []
    if output != needed:
        last = len(spec.get("layers", [])) - 1
        return ProtocolError("incompatible_data", f"the last layer gives {output} per sample but the data set "
                             f"needs {needed}", f"layers[{last}]")
    return None


# ---- training and metrics -----------------------------------------------------------------------

@dataclass
class Divergence:
    state: str
    message: str


def train(trainer, data, steps: int):
    """(losses of the steps done, Divergence or None). The engine stops at the first NaN/Inf."""
    from engine import Diverged
    started_at = trainer.step_count
    try:
        return np.asarray(trainer.train(data.x_train, data.y_train, steps=steps), np.float32), None
    except Diverged as diverged:
        losses = np.asarray(diverged.losses if diverged.losses is not None else [], np.float32)
        # The step that diverged counts too (the message names it): its loss is the bad value
        # when the loss diverged, else unknown (NaN), so history length == steps taken.
        missing = max(0, trainer.step_count - started_at - len(losses))
        filler = diverged.value if diverged.tensor == "loss" else float("nan")
        return np.append(losses, np.full(missing, filler, np.float32)), Divergence("diverged", diverged.message)


def evaluate(model, spec: dict, data, max_samples: int) -> dict:
    """Validation loss, and accuracies for classifiers, on up to max_samples samples each."""
    from engine.metrics import evaluate as engine_evaluate
    mode = spec.get("mode", "supervised")
    if mode == "gan":
        return {}  # a GAN's losses are a game's score, not a fit to validation data
    metrics = {}
    for prefix, x, y in (("", data.x_train, data.y_train), ("val_", data.x_val, data.y_val)):
        y = x if mode == "autoencoder" else y  # an autoencoder's target is its input
        result = engine_evaluate(model, spec, x[:max_samples], y[:max_samples]) if len(x) else {}
        if prefix == "val_" and "loss" in result:
            metrics["val_loss"] = float(result["loss"])
        if "accuracy" in result:
            metrics[prefix + "accuracy"] = float(result["accuracy"])
    return metrics


# ---- probe and save -----------------------------------------------------------------------------

def probe_message(model, spec: dict, sample) -> bytes:
    from engine.probes import activations
    shape = tuple(spec["input"]["shape"])
    try:
        x = np.asarray(sample, dtype=np.float32)
    except (TypeError, ValueError):
        raise ProtocolError("invalid_input", "input must be nested lists of numbers", "input") from None
    if x.shape == shape:
        x = x[None]
    if x.shape[1:] != shape or not np.all(np.isfinite(x)) or len(x) > 256:
        raise ProtocolError("invalid_input", f"input must have shape {list(shape)} (one sample) or "
                            f"[n, {', '.join(map(str, shape))}] with n <= 256, finite numbers", "input")
    output = model.forward(x, training=False)
    message = {"type": "probe_result", "output": encode_tensor(output),
               "activations": {layer: encode_tensor(values) for layer, values in activations(model, x).items()}}
    if spec.get("loss") in CLASSIFICATION_LOSSES:
        message["predicted"] = predicted_classes(output).tolist()
    return pack(message)


def predicted_classes(output: np.ndarray) -> np.ndarray:
    if output.shape[-1] == 1:
        return (output[..., 0] > 0.5).astype(np.int64)
    return np.argmax(output, axis=-1)


def restore_params(model, params: dict) -> None:
    """Copies saved tensors ({name: {dtype, shape, data}}) into the model, every shape checked."""
    from server.live.codec import decode_tensor
    try:
        values = {name: decode_tensor(tensor) for name, tensor in params.items()}
    except (KeyError, TypeError, ValueError):
        raise ProtocolError("invalid_message", "the saved parameters are damaged", "params") from None
    try:
        model.set_params(values)
    except ValueError as problem:
        raise ProtocolError("invalid_spec", f"the saved weights do not fit this network: {problem}", "params") from None


# ---- keep and transfer --------------------------------------------------------------------------

@dataclass
class KeptWeights:
    """A copy of one network's parameters and buffers, to start later networks from."""
    values: dict          # name -> array (state_dict copies, not views)
    layers: list[str]     # the layer ids of the network they came from
    dataset: str | None   # what it had learned on
    step: int


def keep_weights(model, data, step: int) -> KeptWeights:
    _require_single_network(model)
    return KeptWeights(model.state_dict(), list(model.layer_by_id), data.name if data is not None else None, step)


def check_transfer_plan(kept: KeptWeights | None, layers: list[str]) -> list[str]:
    """The plan, checked against what was kept: an id the kept network lacks could never be copied."""
    if layers and kept is None:
        raise ProtocolError("nothing_kept", "keep a network's weights first (the keep message), then say which "
                            "layers to start from", "layers")
    for index, layer_id in enumerate(layers):
        if layer_id not in kept.layers:
            raise ProtocolError("unknown_layer", f"the kept network has no layer {layer_id!r}; its layers: "
                                f"{', '.join(kept.layers)}", f"layers[{index}]")
    return list(dict.fromkeys(layers))  # repeats would copy twice and report twice


def transfer(kept: KeptWeights, model, layers: list[str]) -> dict:
    """Copies the planned layers from the kept weights into a freshly built model, by name and
    shape: {"copied": [tensor names], "skipped": {name: reason}}. A planned id this network does
    not have is skipped by its id, not refused: the plan outlives the network it was made on."""
    from engine.modes.transfer import transfer_weights
    if not hasattr(model, "layer_by_id"):
        return {"copied": [], "skipped": {layer_id: "a GAN's networks do not start from kept weights"
                                          for layer_id in layers}}
    present = [layer_id for layer_id in layers if layer_id in model.layer_by_id]
    report = transfer_weights(kept.values, model, present)
    missing = {layer_id: "no layer with this id in this network" for layer_id in layers if layer_id not in present}
    return {"copied": report["copied"], "skipped": {**report["skipped"], **missing}}


def _require_single_network(model) -> None:
    if not hasattr(model, "layer_by_id"):  # a GAN is two networks; which one to keep is not said
        raise ProtocolError("invalid_spec", "keeping and transferring weights works on one network, not on a "
                            "GAN's generator and discriminator")
