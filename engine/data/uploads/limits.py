"""Upload limits (configurable by the server) and the error every upload check raises."""
from __future__ import annotations

from dataclasses import dataclass


def human_size(n: int) -> str:
    """1536 -> '1.5 KB': sizes in messages a learner reads."""
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


class UploadError(ValueError):
    """An upload was refused. `field` names what is wrong ("file", "x", "y", "row 7, column
    'age'", ...); `message` says what to fix, in words a learner can act on."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def to_json(self) -> dict:
        return {"code": "invalid_upload", "field": self.field, "message": self.message}


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 20 * 2**20          # the file as uploaded
    max_unpacked_bytes: int = 200 * 2**20  # after unzipping / gunzipping
    min_samples: int = 10
    max_samples: int = 100_000
    max_features: int = 4096             # values per sample (e.g. 64x64 grey = 4096)
    max_classes: int = 100
    min_per_class: int = 2               # one for training and one for validation
    warn_imbalance: float = 10.0         # largest class / smallest class: warn above this
    max_imbalance: float = 100.0         # ... and refuse above this

    @classmethod
    def from_dict(cls, values: dict | None) -> "UploadLimits":
        return cls(**(values or {}))
