"""Machine-checkable conditions on a lesson's result, written as plain data.

A check reads one value by its dotted path into the result and compares it with a number or
with another path. ``None`` where a number is expected means "never" (e.g. a target never
reached: ``steps_to_target`` is None), so it counts as infinitely many steps.

    >>> result = {"runs": {"adam": {"steps_to_target": 300}, "sgd": {"steps_to_target": None}}}
    >>> check_all([{"that": "runs.adam.steps_to_target", "op": "<", "than": "runs.sgd.steps_to_target",
    ...             "why": "Adam gets there first"}], result)[0]["passed"]
    True
"""

import math
import operator

OPERATORS = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "contains": lambda left, right: right in str(left),
    "is": lambda left, right: left is right or left == right,
}


MISSING = object()  # a path that names nothing fails its check (a typo must not pass)


def lookup(result: dict, path: str):
    """The value at a dotted path ("runs.adam.final.val_loss", "runs.main.history.0.val_loss")."""
    value = result
    for key in path.split("."):
        if isinstance(value, list) and key.lstrip("-").isdigit() and -len(value) <= int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return MISSING
    return value


def _operand(result, check, key):
    """``than`` may be a number, a path, or a {"path": ..., "times": k} scaled path."""
    raw = check.get(key)
    if isinstance(raw, dict):
        value = lookup(result, raw["path"])
        return value if value is None or value is MISSING else value * raw.get("times", 1.0)
    return lookup(result, raw) if isinstance(raw, str) and check["op"] != "contains" else raw


def _as_number(value):
    return math.inf if value is None else value


def check_one(check: dict, result: dict) -> dict:
    left = lookup(result, check["that"])
    right = _operand(result, check, "than")
    op = check["op"]
    if left is MISSING or right is MISSING:
        passed, left, right = False, "missing", "missing" if right is MISSING else right
    elif op in ("<", "<=", ">", ">="):
        passed = bool(OPERATORS[op](_as_number(left), _as_number(right)))
    else:
        passed = left is not None and bool(OPERATORS[op](left, right))
    return {"that": check["that"], "op": op, "than": check.get("than"), "why": check.get("why", ""),
            "value": left, "reference": right, "passed": passed}


def check_all(checks: list[dict], result: dict) -> list[dict]:
    return [check_one(check, result) for check in checks]


def challenge_met(conditions: list[dict], metrics: dict, total_params: int) -> bool:
    """A lesson challenge as the UI checks it on every frame: all conditions hold at once on the
    live metrics plus ``total_params`` (web/js/views/lesson.js, challengeMet).

    >>> challenge_met([{"metric": "val_accuracy", "op": ">=", "value": 0.95},
    ...                {"metric": "total_params", "op": "<=", "value": 50000}], {"val_accuracy": 0.96}, 41000)
    True
    """
    values = {**metrics, "total_params": total_params}
    return all(isinstance(values.get(c["metric"]), (int, float)) and OPERATORS[c["op"]](values[c["metric"]], c["value"])
               for c in conditions)
