"""The examples in the server modules' docstrings run, so they cannot drift from the code."""
import doctest
import importlib

import pytest

MODULES = ["server.protocol", "server.live.history", "server.live.saved"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
