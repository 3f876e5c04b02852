"""Layer classes, one module per family; each pairs a strict spec model with a Layer subclass."""
