"""Lessons train as the server and `layerlab train` do: one thread for BLAS and numba alike."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def single_thread_policy():
    from engine.config import set_thread_policy
    set_thread_policy("single")
