"""/ws through TestClient: the handshake's Origin, bad messages, limits, quotas before allocation."""
import json

import pytest
from starlette.websockets import WebSocketDisconnect

from server.app import create_app
from server.settings import Quotas, Settings
from fastapi.testclient import TestClient

SAME_ORIGIN = {"origin": "http://testserver"}  # TestClient connects to host "testserver"


def next_text(ws, kind: str, limit: int = 50) -> dict:
    """The next JSON message of type `kind`, skipping binary frames and other messages."""
    for _ in range(limit):
        message = ws.receive()
        if message.get("text") is not None:
            body = json.loads(message["text"])
            if body["type"] == kind:
                return body
    raise AssertionError(f"no {kind} message")


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://testserver:9999", "http://testserver.evil.example"])
def test_a_foreign_origin_is_refused_before_accept(client, origin):
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/ws", headers={"origin": origin}):
            pass
    assert refused.value.code == 1008
    assert client.get("/api/health").json()["sessions"]["total"] == 0  # no session was created


def test_a_missing_origin_is_refused(client):
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/ws"):
            pass


def test_an_allowlisted_origin_is_accepted():
    app = create_app(Settings(allowed_origins=["https://class.example"]))
    with TestClient(app) as client, client.websocket_connect("/ws", headers={"origin": "https://class.example"}) as ws:
        assert next_text(ws, "hello")["protocol"] == 1


BAD_MESSAGES = [
    ("{type: control}", "invalid_json", None),
    ('{"type": "launch"}', "unknown_type", "type"),
    ('{"type": "control", "action": "play", "extra": 1}', "invalid_message", "extra"),
    ('{"type": "subscribe", "views": ["no_such_view"]}', "unknown_view", "views[0]"),
    ('{"type": "control", "action": "play"}', "no_model", None),
    ('{"type": "dataset", "name": "no_such_data"}', "invalid_dataset", "name"),
    ('{"type": "dataset", "name": "circle", "options": {"noise": 7}}', "invalid_dataset", "options.noise"),
    ('{"type": "probe", "input": [1, 2]}', "no_model", None),
    ('{"type": "hyper", "changes": {"batch_size": 8}}', "no_model", None),
]


def test_bad_messages_are_answered_and_the_session_carries_on(client):
    with client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        next_text(ws, "hello")
        for text, code, field in BAD_MESSAGES:
            ws.send_text(text)
            error = next_text(ws, "error")
            assert (error["code"], error["field"]) == (code, field), text
            assert error["message"]
        ws.send_bytes(b"\x00\x01")
        assert next_text(ws, "error")["code"] == "invalid_message"
        ws.send_text(json.dumps({"type": "ping", "pad": "x" * 70_000}))
        assert next_text(ws, "error")["code"] == "message_too_large"
        ws.send_text('{"type": "ping"}')
        assert next_text(ws, "pong") == {"type": "pong"}


def test_a_flood_is_rate_limited_then_disconnected():
    settings = Settings(messages_per_second=5, message_burst=5)
    with TestClient(create_app(settings)) as client, client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        next_text(ws, "hello")
        for _ in range(6):
            ws.send_text('{"type": "ping"}')
        assert next_text(ws, "error")["code"] == "rate_limited"
        for _ in range(40):
            ws.send_text('{"type": "ping"}')
        for _ in range(100):
            message = ws.receive()
            if message["type"] == "websocket.close":
                break
        assert message == {"type": "websocket.close", "code": 1008, "reason": ""}


def test_oversize_specs_are_refused_before_anything_is_allocated():
    settings = Settings(quotas=Quotas(max_params=1000, max_layers=4))
    with TestClient(create_app(settings)) as client, client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        token = next_text(ws, "hello")["session"]
        session = client.app.state.sessions.find(token)
        too_big = {"input": {"shape": [2]}, "layers": [{"id": "h", "type": "dense", "units": 64},
                                                       {"id": "g", "type": "dense", "units": 64},
                                                       {"id": "out", "type": "dense", "units": 1}]}
        ws.send_text(json.dumps({"type": "build", "spec": too_big}))
        error = next_text(ws, "error")
        assert error["code"] == "quota_exceeded" and error["field"] == "layers[1]"
        too_deep = {**too_big, "layers": [{"id": f"h{i}", "type": "dense", "units": 2} for i in range(5)]}
        ws.send_text(json.dumps({"type": "build", "spec": too_deep}))
        assert next_text(ws, "error")["field"] == "layers"
        assert session.model is None and session.trainer is None


def test_sessions_per_client_are_capped():
    settings = Settings(quotas=Quotas(max_sessions_per_client=2))
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect("/ws", headers=SAME_ORIGIN) as one, \
                client.websocket_connect("/ws", headers=SAME_ORIGIN) as two:
            next_text(one, "hello"), next_text(two, "hello")
            with client.websocket_connect("/ws", headers=SAME_ORIGIN) as three:
                assert next_text(three, "error")["code"] == "quota_exceeded"


def test_resume_with_an_unknown_token_keeps_the_new_session(client):
    with client.websocket_connect("/ws", headers=SAME_ORIGIN) as ws:
        token = next_text(ws, "hello")["session"]
        ws.send_text('{"type": "resume", "session": "no-such-session-token"}')
        assert next_text(ws, "error")["code"] == "unknown_session"
        ws.send_text('{"type": "ping"}')
        assert next_text(ws, "pong")
        assert client.app.state.sessions.find(token) is not None
