"""Transfer learning: reuse layers of a trained model in another (freeze them with ``trainable``).

The lesson's recipe: train a network on task A; build the network for task B with the same ids
for the layers to reuse (``"trainable": false`` on those to freeze) and a new head; copy the
shared layers over; train on B. Only the new layers move.

    >>> import numpy as np
    >>> from engine import build_model
    >>> a = build_model({"input": {"shape": [4]}, "layers": [
    ...     {"id": "body", "type": "dense", "units": 8, "activation": "relu"},
    ...     {"id": "head", "type": "dense", "units": 1}]})
    >>> b = build_model({"input": {"shape": [4]}, "layers": [
    ...     {"id": "body", "type": "dense", "units": 8, "activation": "relu", "trainable": False},
    ...     {"id": "head", "type": "dense", "units": 3, "activation": "softmax"}], "loss": "cross_entropy"})
    >>> report = transfer_weights(a, b)
    >>> report["copied"], sorted(report["skipped"])
    (['body.weight', 'body.bias'], ['head.bias', 'head.weight'])
"""

import numpy as np


def transfer_weights(source, target, layers=None) -> dict:
    """Copy parameters and buffers (batch-norm statistics) from ``source`` (a Model, or a dict of
    arrays such as ``state_dict()`` or a loaded .npz) into the ``target`` Model, by name.

    ``layers``: ids to copy (default: every layer of the target). A tensor is copied when the
    source has one of the same name and shape; the rest keep their values and are reported.
    Returns {"copied": [names], "skipped": {name: reason}}; raises ValueError for an unknown id.
    """
    values = source.state_dict() if hasattr(source, "state_dict") else dict(source)
    wanted = list(target.layer_by_id) if layers is None else list(layers)
    unknown = [layer_id for layer_id in wanted if layer_id not in target.layer_by_id]
    if unknown:
        raise ValueError(f"unknown layer(s) {unknown} in the target; its ids: {list(target.layer_by_id)}")
    chosen = set(wanted)
    copied, skipped, updates = [], {}, {}
    for name, array in {**target.params(), **target.buffers()}.items():
        if name.split(".", 1)[0] not in chosen:  # ids hold no dots; names may (attn.*)
            continue
        if name not in values:
            skipped[name] = "not in the source"
        elif np.shape(values[name]) != array.shape:
            skipped[name] = f"shape {list(np.shape(values[name]))} in the source, {list(array.shape)} here"
        else:
            updates[name] = values[name]
            copied.append(name)
    target.set_params(updates)
    return {"copied": copied, "skipped": skipped}
