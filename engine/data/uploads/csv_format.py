"""CSV uploads: one row per sample, numeric feature columns and one label column.

The label column is the one named label / y / target / class (or `label_column`) when the first
row is a header, else the last column. Labels may be numbers or words (words become classes).

>>> table = parse_csv(b"a,b,label\\n1,2,cat\\n3,4,dog\\n")
>>> table.features.tolist(), table.labels.tolist(), table.label_name
([[1.0, 2.0], [3.0, 4.0]], ['cat', 'dog'], 'label')
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from .limits import UploadError

LABEL_NAMES = ("label", "y", "target", "class")


@dataclass
class CsvTable:
    features: np.ndarray  # float64 (N, F)
    labels: np.ndarray  # (N,) str
    feature_names: list[str]
    label_name: str


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadError("file", f"is not UTF-8 text (byte {error.start} cannot be read); "
                          "save the table as CSV UTF-8") from None


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row."""
    reader = csv.reader(io.StringIO(text))
    try:
        return [(reader.line_num, [c.strip() for c in row]) for row in reader
                if any(c.strip() for c in row)]
    except csv.Error as error:
        raise UploadError(f"line {reader.line_num}", f"is not valid CSV ({error})") from None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def _label_index(header: list[str] | None, width: int, label_column: str | None) -> int:
    if header is None:
        if label_column is not None:
            raise UploadError("label column", f"'{label_column}' was asked for, but the file has "
                              "no header row; add one with the column names")
        return width - 1
    lowered = [h.lower() for h in header]
    wanted = [label_column.lower()] if label_column else list(LABEL_NAMES)
    for name in wanted:
        if name in lowered:
            return lowered.index(name)
    raise UploadError("label column", f"none of the columns {header} is named "
                      f"{' / '.join(wanted)}; rename the column that holds the labels")


def _check_ragged(rows, width: int) -> None:
    for line, cells in rows:
        if len(cells) != width:
            raise UploadError(f"row {line}", f"has {len(cells)} cells but the first row has "
                              f"{width}; every row needs the same columns")


def _parse_features(rows, columns: list[int], names: list[str]) -> np.ndarray:
    out = np.empty((len(rows), len(columns)), np.float64)
    for r, (line, cells) in enumerate(rows):
        for c, column in enumerate(columns):
            cell = cells[column]
            try:
                value = float(cell)
            except ValueError:
                what = "is empty" if cell == "" else f"'{cell[:30]}' is not a number"
                raise UploadError(f"row {line}, column '{names[c]}'",
                                  f"{what}; feature columns must hold numbers only") from None
            if not math.isfinite(value):
                raise UploadError(f"row {line}, column '{names[c]}'",
                                  f"is {cell}; NaN and infinite values cannot train — fill in or "
                                  "drop that row")
            out[r, c] = value
    return out


def parse_csv(data: bytes, label_column: str | None = None) -> CsvTable:
    rows = _rows(_decode(data))
    if not rows:
        raise UploadError("file", "has no rows; expected a header and one row per sample")
    first = rows[0][1]
    has_header = not all(_is_number(c) for c in first)
    header = first if has_header else None
    body = rows[1:] if has_header else rows
    if not body:
        raise UploadError("file", "has a header but no data rows")
    width = len(first)
    _check_ragged(body, width)
    if width < 2:
        raise UploadError("file", "has a single column; it needs feature columns and a label column")
    label_at = _label_index(header, width, label_column)
    names = header or [f"column {i + 1}" for i in range(width)]
    columns = [i for i in range(width) if i != label_at]
    features = _parse_features(body, columns, [names[i] for i in columns])
    labels = np.array([cells[label_at] for _, cells in body], dtype=str)
    return CsvTable(features, labels, [names[i] for i in columns], names[label_at])
