"""Layerlab's benchmark harness: the engine against PyTorch CPU, in the same run.

Run it with `python -m bench` (or `python bench/run.py`); `--quick` for a smoke run.
See bench/README.md for the method.
"""
