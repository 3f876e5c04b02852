"""The one registry of lessons and presets: plain data, read by the runner, the CLI and /api/catalog.

A preset is a dict:
  name, topics (curriculum numbers), title, explanation (what to watch and why), try_this,
  views (server view names that matter, VIEW_NAMES), spec (the network, DESIGN.md section 2),
  dataset ({"name", "options"}; the data options train_limit / rare_class / rare_fraction thin
  out the training part only, see engine/lessons/datasets.py), steps (the run length the check needs), eval_every,
  optional runs ([{"label", "changes" (merged into spec), "dataset" (merged into dataset),
  "transfer": {"layers": [ids]} (start from the ``pretrain`` network's layers)}] for comparisons
  sharing network, data and seed), pretrain ({"spec", "dataset", "steps"}: trained first, once), target ({"metric", "at_least"|"at_most"}: when
  it is first met gives steps_to_target), stop_at_target, early_stopping (BestCheckpoint fields),
  measures (engine/lessons/measures.py), checks (engine/lessons/checks.py: what the runner proves)
  and challenge ({"text", "conditions": [{"metric", "op", "value"}]}: live metrics and
  "total_params" from the server's `built` message, for the UI to check; "solution": {"changes",
  "steps"} is one way to meet it, which tests/lessons proves, and proves the preset as given does not).

    >>> from engine.presets import PRESETS
    >>> PRESETS["xor_hidden_layer"]["topics"]
    [3, 1]
"""

REQUIRED = ("name", "topics", "title", "explanation", "try_this", "views", "spec", "dataset", "steps", "checks")
OPTIONAL = ("runs", "target", "stop_at_target", "early_stopping", "measures", "eval_every", "challenge", "notes",
            "pretrain")
VIEW_NAMES = ("metrics", "neuron_grid", "weights", "gradients", "activations", "weight_histograms",
              "confusion", "predictions", "conv_filters", "feature_maps", "sequence_state", "saliency",
              "generated_samples", "reconstructions")  # the server's view names (tests/lessons checks)

PRESETS: dict[str, dict] = {}


def add(**preset) -> dict:
    """Register one preset; the keys are checked so a typo fails at import, not in a lesson."""
    missing = [key for key in REQUIRED if key not in preset]
    unknown = [key for key in preset if key not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise ValueError(f"preset {preset.get('name')!r}: missing {missing}, unknown {unknown}")
    if preset["name"] in PRESETS:
        raise ValueError(f"preset {preset['name']!r} registered twice")
    bad_views = [v for v in preset["views"] if v not in VIEW_NAMES]
    if bad_views:
        raise ValueError(f"preset {preset['name']!r}: unknown views {bad_views}")
    PRESETS[preset["name"]] = preset
    return preset


def catalog() -> list[dict]:
    """JSON-able presets for /api/catalog, with the fields the web menu reads (topic, description)."""
    return [{**preset, "topic": preset["topics"][0], "description": preset["explanation"]}
            for preset in PRESETS.values()]


def dense_spec(inputs, hidden, activation, outputs=1, output_activation="sigmoid", loss="binary_cross_entropy",
               optimizer=None, batch_size=16, seed=0, **extra) -> dict:
    """A dense stack as a spec: hidden = widths of the hidden layers (h1, h2, ...), then "out"."""
    layers = [{"id": f"h{i + 1}", "type": "dense", "units": units, "activation": activation}
              for i, units in enumerate(hidden)]
    layers.append({"id": "out", "type": "dense", "units": outputs, "activation": output_activation})
    return {"input": {"shape": [inputs] if isinstance(inputs, int) else list(inputs)}, "layers": layers,
            "loss": loss, "optimizer": optimizer or {"type": "adam", "lr": 0.01}, "batch_size": batch_size,
            "seed": seed, **extra}


def toy(name, samples=500, noise=0.0, **options) -> dict:
    return {"name": name, "options": {"samples": samples, "noise": noise, "seed": 0, **options}}
