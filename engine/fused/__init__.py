"""Fused fast paths: whole training steps and probes in one njit call where the network allows.

- mlp.py: ``plan_fused(model, trainer)`` for sequential dense networks (Trainer dispatches to it).
- grid.py: every neuron of a 2-input dense network on an n x n grid, neuron-major.
Each is checked for equality against the layer-by-layer path in tests/engine/test_fused_*.py.
"""
