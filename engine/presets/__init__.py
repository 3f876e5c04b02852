"""Lessons and presets, one registry (see registry.py for the fields of a preset).

    >>> from engine.presets import PRESETS, catalog
    >>> all(entry["topic"] in range(1, 21) for entry in catalog())
    True
"""

from engine.presets.registry import PRESETS, catalog

# Importing the topic modules registers their presets, in curriculum order.
from engine.presets import neurons, training, regularization, images, sequences, generative, data_lessons  # noqa: E402,F401,I001

__all__ = ["PRESETS", "catalog"]
