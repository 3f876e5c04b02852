"""The wire protocol, server side: every message's shape in one place (docs/protocol.md explains them).

Inbound control messages are JSON text parsed strictly (unknown keys, NaN, "8" for 8 all refused)
into one of the `ClientMessage` models; a problem becomes a `ProtocolError` with a code, a message
a learner can act on and the offending field, answered as an `error` message. Outbound control
messages are JSON; frames carrying tensors are msgpack (see server.live.codec).

    >>> parse_client_message('{"type": "control", "action": "play"}').action
    'play'
    >>> parse_client_message('{"type": "control", "action": "fly"}')
    Traceback (most recent call last):
    ...
    server.protocol.ProtocolError: invalid_message: action must be one of 'play', 'pause', 'step' or 'reset' (field: action)
"""
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

PROTOCOL_VERSION = 1

# Error codes a client can switch on; the message text is for people.
ERROR_CODES = (
    "invalid_json", "invalid_message", "unknown_type", "message_too_large", "rate_limited",
    "invalid_spec", "quota_exceeded", "invalid_dataset", "incompatible_data", "no_model",
    "no_dataset", "unknown_view", "unknown_session", "session_in_use", "invalid_input", "engine_error",
    "nothing_kept", "unknown_layer",
)

Finite = Annotated[float, Field(allow_inf_nan=False)]


class ProtocolError(Exception):
    """A problem with a message, answered to the client; never ends the session."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(f"{code}: {message}" + (f" (field: {field})" if field else ""))
        self.code, self.message, self.field = code, message, field

    def to_message(self) -> dict:
        return error_message(self.code, self.message, self.field)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Resume(_Strict):
    type: Literal["resume"]
    session: Annotated[str, Field(min_length=8, max_length=64)]


class DatasetChoice(_Strict):
    type: Literal["dataset"]
    name: Annotated[str, Field(min_length=1, max_length=64)]
    options: dict[str, Finite | int | bool | str | list[str]] = Field(default_factory=dict)


class Build(_Strict):
    type: Literal["build"]
    spec: dict[str, Any]  # checked by the engine and the quotas, which name the field at fault


class Hyper(_Strict):
    type: Literal["hyper"]
    changes: dict[str, Any]  # a partial spec: optimizer (and its fields), batch_size, regularization,
    #                          grad_clip, lr_schedule (None removes them), loss; the engine checks it


class Subscribe(_Strict):
    type: Literal["subscribe"]
    views: Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=32)]
    fps: Annotated[float, Field(gt=0, le=240, allow_inf_nan=False)] | None = None
    options: dict[str, dict[str, Finite | int | bool | str]] = Field(default_factory=dict)


class Control(_Strict):
    type: Literal["control"]
    action: Literal["play", "pause", "step", "reset"]
    steps: Annotated[int, Field(ge=1)] = 1


class Probe(_Strict):
    type: Literal["probe"]
    input: list[Any]  # nested lists of numbers shaped like one sample (or a batch)


class Save(_Strict):
    type: Literal["save"]


class Ping(_Strict):
    type: Literal["ping"]


class Keep(_Strict):
    """Keep a copy of the current network's weights, to start later networks from (transfer)."""
    type: Literal["keep"]


LayerId = Annotated[str, Field(min_length=1, max_length=64)]


class Transfer(_Strict):
    """The layers every network built from now on copies from the kept weights ([] = none)."""
    type: Literal["transfer"]
    layers: Annotated[list[LayerId], Field(max_length=256)]


ClientMessage = Annotated[
    Union[Resume, DatasetChoice, Build, Hyper, Subscribe, Control, Probe, Save, Ping, Keep, Transfer],
    Field(discriminator="type"),
]
CLIENT_TYPES = ("resume", "dataset", "build", "hyper", "subscribe", "control", "probe", "save", "ping", "keep",
                "transfer")
_client_adapter = TypeAdapter(ClientMessage)


def parse_client_message(text: str) -> BaseModel:
    try:
        return _client_adapter.validate_json(text)
    except ValidationError as error:
        raise _explain(error) from None


def _explain(error: ValidationError) -> ProtocolError:
    first = error.errors()[0]
    kind, location = first["type"], list(first["loc"])
    if kind == "json_invalid":
        return ProtocolError("invalid_json", "the message is not valid JSON")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return ProtocolError("unknown_type", f"type must be one of {', '.join(CLIENT_TYPES)}", "type")
    if not location or kind in ("model_type", "model_attributes_type"):
        return ProtocolError("invalid_message", "a message must be a JSON object with a type")
    # The first element is the message type's tag; scalar union members add their type's name.
    field = field_path([part for part in location[1:] if part not in _UNION_MEMBER_NAMES])
    if kind == "literal_error":
        return ProtocolError("invalid_message", f"{field} must be one of {first['ctx']['expected']}", field)
    if kind == "extra_forbidden":
        return ProtocolError("invalid_message", f"{field} is not a field of this message", field)
    return ProtocolError("invalid_message", f"{field}: {first['msg'].lower()}", field)


_UNION_MEMBER_NAMES = {"float", "int", "bool", "str"}


def field_path(location) -> str:
    """('layers', 1, 'units') -> 'layers[1].units', the form errors name fields in."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


# Outbound messages: small constructors so every sender spells them the same way.

def hello_message(token: str) -> dict:
    return {"type": "hello", "protocol": PROTOCOL_VERSION, "session": token}


def error_message(code: str, message: str, field: str | None = None) -> dict:
    return {"type": "error", "code": code, "message": message, "field": field}


def status_message(state: str, step: int, epoch: int, message: str = "", **extra) -> dict:
    return {"type": "status", "state": state, "step": step, "epoch": epoch, "message": message, **extra}


def built_message(layers: list[dict], total_params: int, **extra) -> dict:
    return {"type": "built", "layers": layers, "total_params": total_params, **extra}


def kept_message(layers: list[str], dataset: str | None, step: int) -> dict:
    return {"type": "kept", "layers": layers, "dataset": dataset, "step": step}


def transfer_planned_message(layers: list[str]) -> dict:
    return {"type": "transfer_planned", "layers": layers}


def transferred_message(copied: list[str], skipped: dict[str, str]) -> dict:
    return {"type": "transferred", "copied": copied, "skipped": skipped}
