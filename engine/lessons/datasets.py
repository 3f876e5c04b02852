"""A lesson's data: a registered data set, whose training part the data options `train_limit`,
`rare_class` and `rare_fraction` may thin out (engine.data applies them, as for the live server).

    {"name": "moons", "options": {"samples": 200, "noise": 0.3,
                                  "train_limit": 40,                    # the first 40 training samples
                                  "rare_class": 1, "rare_fraction": 0.1}}  # drop 90% of class 1 from training

The older top-level spelling, ``"train_limit": 40`` and ``"keep_fraction": {"class": 1,
"fraction": 0.1}`` next to "options", still works: it is mapped into those options.
The validation part is never changed, so runs that differ only in their training data are
scored on the same questions.

    >>> data = load_lesson_data({"name": "xor", "options": {"samples": 200, "train_limit": 20}})
    >>> len(data.x_train), len(data.x_val)
    (20, 40)
"""

from engine.data import load_shared


def lesson_options(dataset: dict) -> dict:
    """The data options of a lesson's data set, with the older top-level keys mapped in."""
    options = dict(dataset.get("options", {}))
    if dataset.get("train_limit"):
        options["train_limit"] = dataset["train_limit"]
    rule = dataset.get("keep_fraction")
    if rule:
        options["rare_class"], options["rare_fraction"] = rule["class"], rule["fraction"]
    return options


def load_lesson_data(dataset: dict):
    return load_shared(dataset["name"], **lesson_options(dataset))
