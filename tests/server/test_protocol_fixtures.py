"""The shared protocol fixtures, checked from the server side (tests/js/ checks them in JS)."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from server.live.codec import decode_tensor, encode_tensor, pack, unpack
from server.protocol import ProtocolError, built_message, error_message, hello_message, parse_client_message

FIXTURES = Path(__file__).parent.parent / "fixtures" / "protocol"


def _load_fixture_maker():
    spec = importlib.util.spec_from_file_location("protocol_fixture_maker", FIXTURES / "make_binary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_maker = _load_fixture_maker()
examples, readable = _maker.examples, _maker.readable


def fixture_names(folder: str, suffix: str = ".json") -> list[str]:
    return sorted(p.name for p in (FIXTURES / folder).glob(f"*{suffix}"))


def load(folder: str, name: str) -> dict:
    return json.loads((FIXTURES / folder / name).read_text())


@pytest.mark.parametrize("name", fixture_names("client"))
def test_client_fixture_parses_strictly(name):
    message = load("client", name)["message"]
    parsed = parse_client_message(json.dumps(message))
    assert parsed.model_dump(exclude_unset=True) == message


@pytest.mark.parametrize("name", fixture_names("invalid"))
def test_invalid_fixture_is_answered_with_its_code_and_field(name):
    case = load("invalid", name)
    with pytest.raises(ProtocolError) as raised:
        parse_client_message(case["text"])
    assert (raised.value.code, raised.value.field) == (case["code"], case["field"])
    assert raised.value.message


def test_server_text_fixtures_match_the_constructors():
    assert load("server", "hello.json")["message"] == hello_message("q1Jx7vT3bC9kLm2PzW8dRa5e")
    built = load("server", "built.json")["message"]
    assert built == built_message(built["layers"], built["total_params"])
    error = load("server", "error.json")["message"]
    assert error == error_message(error["code"], error["message"], error["field"])


@pytest.mark.parametrize("name", fixture_names("binary", ".msgpack"))
def test_binary_fixture_is_what_the_server_encodes(name):
    stem = name.removesuffix(".msgpack")
    assert pack(examples()[stem]) == (FIXTURES / "binary" / name).read_bytes()
    decoded = unpack((FIXTURES / "binary" / name).read_bytes())
    assert json.loads(json.dumps(readable(decoded))) == load("binary", f"{stem}.json")["message"]


@pytest.mark.parametrize("dtype, tolerance", [("float32", 0), ("float16", 1e-3), ("uint8", 1 / 255)])
def test_tensor_round_trip_within_its_precision(dtype, tolerance):
    values = np.random.default_rng(0).uniform(-1, 1, (3, 5)).astype(np.float32)
    decoded = decode_tensor(encode_tensor(values, dtype))
    assert decoded.shape == values.shape
    assert np.abs(decoded - values).max() <= tolerance * 2 + 1e-7


def test_per_slice_quantization_gives_each_slice_its_own_range():
    values = np.stack([np.linspace(0, 1, 10), np.linspace(0, 1000, 10)]).astype(np.float32)
    tensor = encode_tensor(values, "uint8", per_slice=True)
    assert len(tensor["scale"]) == 2
    assert np.abs(decode_tensor(tensor)[0] - values[0]).max() < 0.01


def test_non_finite_values_do_not_poison_the_quantization_range():
    tensor = encode_tensor(np.array([0.0, np.nan, 1.0, np.inf]), "uint8")
    assert (tensor["offset"], round(tensor["scale"] * 255, 5)) == (0.0, 1.0)
