"""Uploads: good CSV/NPZ/IDX files become data sets; every kind of bad file gets an error that
names the field and says what to fix."""
from __future__ import annotations

import gzip
import io
import zipfile

import numpy as np
import pytest

from engine.data import UploadError, UploadLimits, parse_upload

LIMITS = UploadLimits()


def csv_bytes(header, rows) -> bytes:
    lines = ([",".join(header)] if header else []) + [",".join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(">u1" if type_code == 0x08 else ">f4").tobytes()


def zip_bytes(**members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    return buffer.getvalue()


ROWS = [[i * 0.5, i % 7, i % 3] for i in range(30)]  # two features, three classes
GOOD_CSV = csv_bytes(["a", "b", "label"], ROWS)
IMAGES = np.random.default_rng(0).integers(0, 256, (40, 6, 6)).astype(np.uint8)
DIGITS = np.arange(40) % 4


# ---- good files ---------------------------------------------------------------------------------

def test_csv_with_header_and_integer_labels():
    data = parse_upload("table.csv", GOOD_CSV, LIMITS)
    assert data.task == "multiclass_classification" and data.num_classes == 3
    assert data.x_train.shape == (24, 2) and data.x_train.dtype == np.float32
    assert np.bincount(data.y_val).tolist() == [2, 2, 2]
    assert data.extras["feature_names"] == ["a", "b"] and data.name == "upload:table.csv"


def test_csv_label_column_may_be_anywhere_and_hold_words():
    rows = [["cat" if i % 2 else "dog", i, i * 2] for i in range(20)]
    data = parse_upload("pets.csv", csv_bytes(["class", "w", "h"], rows), LIMITS)
    assert data.task == "binary_classification" and data.class_names == ("cat", "dog")
    assert data.y_train.shape == (16, 1)


def test_csv_without_header_uses_the_last_column_and_real_targets_mean_regression():
    rows = [[i, i * 0.1, i * 1.5 + 0.25] for i in range(20)]
    data = parse_upload("reg.csv", csv_bytes(None, rows), LIMITS)
    assert data.task == "regression" and data.y_train.shape == (16, 1)


def test_npz_with_x_and_y_and_with_a_given_split():
    x = np.random.default_rng(1).normal(size=(50, 5))
    data = parse_upload("d.npz", npz_bytes(x=x, y=np.arange(50) % 2), LIMITS)
    assert data.task == "binary_classification" and data.x_train.shape == (40, 5)
    split = parse_upload("s.npz", npz_bytes(x_train=x[:30], y_train=np.arange(30) % 5,
                                            x_val=x[30:], y_val=np.arange(20) % 5), LIMITS)
    assert len(split.x_train) == 30 and len(split.x_val) == 20 and split.num_classes == 5


def test_npz_images_and_sequences_keep_their_layout():
    images = parse_upload("i.npz", npz_bytes(x=IMAGES[:, None], y=DIGITS), LIMITS)
    assert images.x_train.shape[1:] == (1, 6, 6) and images.x_train.max() <= 1.0  # bytes scaled
    seqs = parse_upload("q.npz", npz_bytes(x=np.zeros((30, 7, 2), np.float32), y=np.arange(30.0) / 7), LIMITS)
    assert seqs.x_train.shape[1:] == (7, 2) and seqs.task == "regression"


def test_idx_pair_in_a_zip_and_gzipped_with_a_labels_file():
    data = parse_upload("digits.zip", zip_bytes(**{"img.idx": idx_bytes(IMAGES),
                                                   "lab.idx": idx_bytes(DIGITS)}), LIMITS)
    assert data.x_train.shape == (32, 1, 6, 6) and data.num_classes == 4
    gz = parse_upload("train-images-idx3-ubyte.gz", gzip.compress(idx_bytes(IMAGES)), LIMITS,
                      labels_file=("train-labels-idx1-ubyte", idx_bytes(DIGITS)))
    np.testing.assert_array_equal(np.sort(gz.x_train.ravel()), np.sort(data.x_train.ravel()))


def test_imbalance_between_10x_and_100x_is_a_warning():
    y = np.array([0] * 60 + [1] * 4)
    data = parse_upload("w.npz", npz_bytes(x=np.zeros((64, 2)), y=y), LIMITS)
    assert data.warnings and "15x" in data.warnings[0]
    assert data.metadata()["warnings"] == data.warnings


def test_limits_are_configurable():
    small = UploadLimits(max_samples=20)
    with pytest.raises(UploadError):
        parse_upload("table.csv", GOOD_CSV, small)
    assert parse_upload("table.csv", GOOD_CSV, UploadLimits(max_samples=30))


# ---- bad files: (description, filename, bytes, kwargs, field, words the message must contain) ---

def _bad_cases():
    big = UploadLimits(max_bytes=100)
    yield "too big", "t.csv", GOOD_CSV, {"limits": big}, "file", ["bytes", "the limit is 100 bytes"]
    yield "wrong extension", "t.xlsx", GOOD_CSV, {}, "filename", [".csv", ".npz", "IDX"]
    yield "empty file", "t.csv", b"", {}, "file", ["empty"]
    yield "header only", "t.csv", b"a,b,label\n", {}, "file", ["no data rows"]
    yield "ragged CSV", "t.csv", GOOD_CSV + b"1,2\n", {}, "row 32", ["2 cells", "3"]
    yield "non-numeric cell", "t.csv", csv_bytes(["a", "b", "label"], ROWS[:5] + [[1, "abc", 0]] + ROWS[5:]), {}, \
        "row 7, column 'b'", ["'abc' is not a number"]
    yield "empty cell", "t.csv", csv_bytes(["a", "b", "label"], ROWS + [["", 1, 0]]), {}, "row 32, column 'a'", ["empty"]
    yield "NaN in CSV", "t.csv", csv_bytes(["a", "b", "label"], ROWS + [["nan", 1, 0]]), {}, "row 32, column 'a'", ["NaN"]
    yield "Inf in NPZ", "t.npz", npz_bytes(x=np.r_[np.zeros((19, 2)), [[np.inf, 0]]], y=np.arange(20) % 2), {}, \
        "x", ["NaN or infinite", "sample 19"]
    yield "missing label column", "t.csv", csv_bytes(["a", "b", "c"], ROWS), {}, "label column", ["label", "rename"]
    yield "empty label", "t.csv", csv_bytes(["a", "b", "label"], ROWS + [[1, 2, ""]]), {}, "column 'label'", ["no label"]
    yield "not UTF-8", "t.csv", b"a,b\n\xff\xfe,1\n", {}, "file", ["UTF-8"]
    yield "single column", "t.csv", b"label\n1\n0\n", {}, "file", ["single column"]
    yield "non-integer labels for classification", "t.npz", npz_bytes(x=np.zeros((20, 2)), y=np.arange(20) / 4), \
        {"task": "classification"}, "y", ["whole numbers", "0.25"]
    yield "negative labels", "t.npz", npz_bytes(x=np.zeros((20, 2)), y=np.arange(20) % 3 - 1), \
        {"task": "classification"}, "y", ["-1", "0..K-1"]
    yield "too many classes", "t.npz", npz_bytes(x=np.zeros((20, 2)), y=np.arange(20) * 10), \
        {"task": "classification"}, "y", ["190", "at most 100"]
    yield "label gap", "t.npz", npz_bytes(x=np.zeros((20, 2)), y=np.arange(20) % 2 * 2), {}, "y", ["label 1", "gaps"]
    yield "single class", "t.npz", npz_bytes(x=np.zeros((20, 2)), y=np.zeros(20)), \
        {"task": "classification"}, "y", ["two classes"]
    yield "class with one sample", "t.npz", npz_bytes(x=np.zeros((20, 2)), y=np.r_[np.zeros(19), 1]), {}, "y", \
        ["class '1' has 1 sample"]
    yield "extreme imbalance", "t.npz", npz_bytes(x=np.zeros((504, 2)), y=np.r_[np.zeros(500), 1, 1, 1, 1]), {}, \
        "y", ["125x", "at most 100x", "add samples"]
    yield "wrong NPZ keys", "t.npz", npz_bytes(data=np.zeros((20, 2)), labels=np.zeros(20)), {}, "keys", \
        ["'data'", "'x' and 'y'"]
    yield "x/y length mismatch", "t.npz", npz_bytes(x=np.zeros((20, 2)), y=np.arange(19) % 2), {}, "y", \
        ["19 labels", "20 samples"]
    yield "split length mismatch", "t.npz", npz_bytes(x_train=np.zeros((20, 2)), y_train=np.arange(20) % 2,
                                                      x_val=np.zeros((5, 2)), y_val=np.arange(4) % 2), {}, "y_val", ["4 labels"]
    yield "string features", "t.npz", npz_bytes(x=np.array([["a", "b"]] * 20), y=np.arange(20) % 2), {}, "x", \
        ["dtype <U1", "numbers"]
    yield "complex features", "t.npz", npz_bytes(x=np.zeros((20, 2), complex), y=np.arange(20) % 2), {}, "x", ["complex"]
    yield "object arrays", "t.npz", npz_bytes(x=np.array([[1, None]] * 20, dtype=object), y=np.arange(20) % 2), {}, \
        "x", ["Python objects"]
    yield "one-dimensional x", "t.npz", npz_bytes(x=np.zeros(20), y=np.arange(20) % 2), {}, "x", ["(N, features)"]
    yield "NHWC images", "t.npz", npz_bytes(x=np.zeros((20, 6, 6, 3)), y=np.arange(20) % 2), {}, "x", \
        ["transpose(0, 3, 1, 2)"]
    yield "too few samples", "t.npz", npz_bytes(x=np.zeros((5, 2)), y=np.arange(5) % 2), {}, "x", ["at least 10"]
    yield "too many features", "t.npz", npz_bytes(x=np.zeros((20, 5000), np.float32), y=np.arange(20) % 2), {}, \
        "x", ["5,000 values per sample", "at most 4,096"]
    yield "corrupt NPZ", "t.npz", b"PK\x03\x04 this is not really a zip", {}, "file", ["not a valid .npz"]
    yield "IDX bad magic", "t.zip", zip_bytes(**{"i.idx": b"\x01\x02" + idx_bytes(IMAGES)[2:],
                                                 "l.idx": idx_bytes(DIGITS)}), {}, "file i.idx", ["bad magic number"]
    yield "IDX truncated", "images.idx", idx_bytes(IMAGES)[:-100], {"labels_file": ("l.idx", idx_bytes(DIGITS))}, \
        "images", ["truncated", "cut short"]
    yield "IDX labels count mismatch", "images.idx", idx_bytes(IMAGES), \
        {"labels_file": ("l.idx", idx_bytes(DIGITS[:39]))}, "labels", ["39 labels", "40 samples"]
    yield "IDX without labels", "images.idx", idx_bytes(IMAGES), {}, "labels", ["labels file", ".zip"]
    yield "IDX zip of two image files", "t.zip", zip_bytes(a=idx_bytes(IMAGES), b=idx_bytes(IMAGES)), {}, "file", \
        ["exactly one images file"]
    yield "damaged gzip", "images.idx.gz", gzip.compress(idx_bytes(IMAGES))[:50], \
        {"labels_file": ("l.idx", idx_bytes(DIGITS))}, "images", ["gzip", "damaged"]


BAD_CASES = list(_bad_cases())


@pytest.mark.parametrize("description,filename,blob,kwargs,field,words", BAD_CASES,
                         ids=[case[0] for case in BAD_CASES])
def test_bad_upload_is_refused_with_a_clear_error(description, filename, blob, kwargs, field, words):
    kwargs = dict(kwargs)
    limits = kwargs.pop("limits", LIMITS)
    with pytest.raises(UploadError) as refused:
        parse_upload(filename, blob, limits, **kwargs)
    assert refused.value.field == field, refused.value
    for word in words:
        assert word in refused.value.message, refused.value.message
    assert refused.value.to_json()["code"] == "invalid_upload"


def test_at_least_fifteen_kinds_of_bad_upload_are_covered():
    assert len(BAD_CASES) >= 15


def test_gzip_bomb_is_refused_before_it_fills_memory():
    bomb = gzip.compress(bytes(10_000_000))
    with pytest.raises(UploadError) as refused:
        parse_upload("x.idx.gz", bomb, UploadLimits(max_unpacked_bytes=1_000_000),
                     labels_file=("l.idx", idx_bytes(DIGITS)))
    assert refused.value.field == "images" and "upload limit" in refused.value.message
