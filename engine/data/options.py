"""Declared data-set options: defaults, bounds and validation.

Each data set declares its knobs once as `Option`s; the same table drives validation here,
the UI controls (through the registry metadata) and the docs.

>>> opt = Option("noise", 0.1, "float", low=0.0, high=0.5)
>>> resolve_options((opt,), {"noise": 0.2})
{'noise': 0.2}
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class OptionError(ValueError):
    """A data-set option is unknown or out of bounds; `field` names the option."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    kind: str  # "int" | "float" | "bool" | "choice" | "multi" (a subset of choices)
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    help: str = ""

    def to_json(self) -> dict:
        out = {"name": self.name, "default": _jsonable(self.default), "kind": self.kind, "help": self.help}
        if self.low is not None:
            out["min"] = self.low
        if self.high is not None:
            out["max"] = self.high
        if self.choices:
            out["choices"] = list(self.choices)
        return out

    def check(self, value: Any) -> Any:
        """Returns the value coerced to the option's kind, or raises OptionError."""
        checker = _CHECKERS[self.kind]
        return checker(self, value)


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def _check_number(opt: Option, value, cast):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OptionError(opt.name, f"must be a number, got {value!r}")
    if cast is int and float(value) != int(value):
        raise OptionError(opt.name, f"must be a whole number, got {value!r}")
    value = cast(value)
    if (opt.low is not None and value < opt.low) or (opt.high is not None and value > opt.high):
        raise OptionError(opt.name, f"must be between {opt.low} and {opt.high}, got {value}")
    return value


def _check_bool(opt: Option, value):
    if not isinstance(value, bool):
        raise OptionError(opt.name, f"must be true or false, got {value!r}")
    return value


def _check_choice(opt: Option, value):
    if value not in opt.choices:
        raise OptionError(opt.name, f"must be one of {', '.join(map(str, opt.choices))}; got {value!r}")
    return value


def _check_multi(opt: Option, value):
    if isinstance(value, str):  # "x1,x2" from a query string or a hand-written URL
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)):
        raise OptionError(opt.name, f"must be a list drawn from {', '.join(opt.choices)}")
    unknown = [v for v in value if v not in opt.choices]
    if unknown:
        raise OptionError(opt.name, f"unknown {unknown}; choose from {', '.join(opt.choices)}")
    if not value:
        raise OptionError(opt.name, "choose at least one")
    # Keep the declared order so the same selection always gives the same column order.
    return tuple(c for c in opt.choices if c in value)


_CHECKERS = {
    "int": lambda o, v: _check_number(o, v, int),
    "float": lambda o, v: _check_number(o, v, float),
    "bool": _check_bool,
    "choice": _check_choice,
    "multi": _check_multi,
}


def resolve_options(declared: tuple[Option, ...], given: dict) -> dict:
    """Fills defaults, rejects unknown names and checks bounds; returns name -> value."""
    by_name = {o.name: o for o in declared}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        known = ", ".join(by_name) or "none"
        raise OptionError(unknown[0], f"unknown option; this data set takes: {known}")
    resolved = {}
    for opt in declared:
        resolved[opt.name] = opt.check(given[opt.name]) if opt.name in given else opt.default
    return resolved


# Options most data sets share; declared once so their bounds agree everywhere.
def seed_option() -> Option:
    return Option("seed", 0, "int", low=0, high=2**31 - 1, help="seed of the sampling and the split")


def split_options(val_split: float = 0.2) -> tuple[Option, ...]:
    return (
        Option("val_split", val_split, "float", low=0.05, high=0.9,
               help="fraction of the samples held out for validation"),
        seed_option(),
    )



# Options every data set gets (registry.register adds them): they change the training part only,
# so runs that differ in them are still scored on the same validation set.
CLASS_TASKS = ("binary_classification", "multiclass_classification")
TRAINING_OPTIONS = ("train_limit", "rare_class", "rare_fraction")


def training_options(task: str, max_classes: int | None) -> tuple[Option, ...]:
    out = [Option("train_limit", 0, "int", low=0, high=10_000_000,
                  help="keep only the first N training samples (0 = all); validation is unchanged")]
    if task in CLASS_TASKS and max_classes:
        out += [Option("rare_class", 0, "int", low=0, high=max_classes - 1,
                       help="the class that rare_fraction thins out in the training part"),
                Option("rare_fraction", 1.0, "float", low=0.0, high=1.0,
                       help="share of rare_class kept in training (1 = all); validation is unchanged")]
    return tuple(out)
