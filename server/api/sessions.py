"""POST /api/sessions/{token}/load: restore a saved network into a live session.

The body is a `saved` message exactly as the session sent it (msgpack bytes, e.g. a file the
learner downloaded). It goes over HTTP rather than the socket because the socket only takes
small JSON commands. The answer arrives on the session's socket (`built`, `status`, or `error`);
the token is the session's secret, as on the socket.
"""
import msgpack
from fastapi import APIRouter, HTTPException, Request

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.post("/{token}/load", status_code=202)
async def load(token: str, request: Request) -> dict:
    app = request.app
    session = app.state.sessions.find(token)
    if session is None:
        raise HTTPException(404, {"code": "unknown_session", "field": "token",
                                  "message": "no such session: reconnect and try again"})
    limit = app.state.settings.quotas.max_upload_bytes
    body = await request.body()
    if len(body) > limit:
        raise HTTPException(413, {"code": "quota_exceeded", "field": "body",
                                  "message": f"a saved network may have at most {limit // (1024 * 1024)} MB"})
    saved = _unpack_saved(body)
    session.submit(session.load, saved["spec"], saved["params"])
    return {"status": "loading"}


def _unpack_saved(body: bytes) -> dict:
    try:
        saved = msgpack.unpackb(body, raw=False, max_bin_len=len(body))
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError):
        saved = None
    if not isinstance(saved, dict) or saved.get("type") != "saved" \
            or not isinstance(saved.get("spec"), dict) or not isinstance(saved.get("params"), dict):
        raise HTTPException(422, {"code": "invalid_message", "field": "body",
                                  "message": "this is not a network saved by Layerlab"})
    return saved
