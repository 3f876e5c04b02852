"""Numba kernels: ``@njit`` functions on arrays and scalars only, one file per op family.

Every file starts with a docstring giving its shapes, layouts and codes; ``<op>_fwd`` is directly
followed by ``<op>_bwd``. Nothing here allocates on behalf of a caller unless it says so.
"""
