"""The saved-network file, both ways: what `save` sends (and a learner downloads) and how a file
POSTed back is read and checked before a session loads it (docs/protocol.md, `saved`).

    >>> read_saved(b"junk")
    Traceback (most recent call last):
    ...
    server.protocol.ProtocolError: invalid_message: this is not a network saved by Layerlab (or the file is damaged) (field: body)
"""
import msgpack

from server.live.codec import encode_tensor, pack
from server.protocol import ProtocolError

# A network may be saved, loaded and trained on across many sessions, each with its own step quota.
MAX_SAVED_STEP = 10**12


def saved_message(spec: dict, model, data, step: int) -> bytes:
    dataset = {"name": data.name, "options": data.metadata()["options"]} if data is not None else None
    params = {name: encode_tensor(values) for name, values in model.params().items()}
    return pack({"type": "saved", "spec": spec, "dataset": dataset, "step": step, "params": params})


def read_saved(body: bytes) -> dict:
    """{spec, params, step, dataset} of a saved file; ProtocolError naming the field otherwise.
    The spec and weights are checked when the session builds them (quotas first)."""
    try:
        saved = msgpack.unpackb(body, raw=False, max_bin_len=len(body))
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError):
        saved = None
    if not isinstance(saved, dict) or saved.get("type") != "saved" \
            or not isinstance(saved.get("spec"), dict) or not isinstance(saved.get("params"), dict):
        raise ProtocolError("invalid_message", "this is not a network saved by Layerlab (or the file is damaged)",
                            "body")
    return {"spec": saved["spec"], "params": saved["params"], "step": _step(saved.get("step", 0)),
            "dataset": _dataset(saved.get("dataset"))}


def _step(step) -> int:
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= MAX_SAVED_STEP:
        raise ProtocolError("invalid_message",
                            f"the saved step count must be a whole number from 0 to {MAX_SAVED_STEP:,}", "step")
    return step


def _dataset(dataset) -> dict | None:
    if dataset is None:
        return None
    if not (isinstance(dataset, dict) and isinstance(dataset.get("name"), str)
            and isinstance(dataset.get("options", {}), dict)):
        raise ProtocolError("invalid_message", "the saved data set must be {name, options}", "dataset")
    return {"name": dataset["name"], "options": dataset.get("options", {})}
