"""Small njit helpers shared by kernel files.

``as_dtype_of(arr, value)`` returns ``value`` converted to ``arr``'s element type. Kernels use it
so that Python-float hyperparameters do not promote a float32 loop to float64: the float32 loop
runs twice as many SIMD lanes (a fused Adam over 109k parameters: 98 us -> 33 us here).
"""

import numpy as np

from engine.config import njit


@njit
def as_dtype_of(arr, value):
    box = np.empty(1, arr.dtype)
    box[0] = value
    return box[0]
