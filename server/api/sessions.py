"""POST /api/sessions/{token}/load: restore a saved network into a live session.

The body is a `saved` message exactly as the session sent it (msgpack bytes, e.g. a file the
learner downloaded). It goes over HTTP rather than the socket because the socket only takes
small JSON commands. The answer arrives on the session's socket (`built`, `dataset_loaded`,
`status`, or `error`); the token is the session's secret, as on the socket.

The file names the data set it was trained on and how many steps it had taken: the session
loads that data set first (so the network never meets other data), then the network with its
weights, and its step count goes on from the saved one.
"""
from fastapi import APIRouter, HTTPException, Request

from server.live.saved import read_saved
from server.protocol import ProtocolError

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.post("/{token}/load", status_code=202)
async def load(token: str, request: Request) -> dict:
    app = request.app
    session = app.state.sessions.find(token)
    if session is None:
        raise HTTPException(404, {"code": "unknown_session", "field": "token",
                                  "message": "no such session: reconnect and try again"})
    quotas = app.state.settings.quotas
    body = await request.body()
    if len(body) > quotas.max_upload_bytes:
        raise HTTPException(413, {"code": "quota_exceeded", "field": "body",
                                  "message": f"a saved network may have at most {quotas.max_upload_bytes // (1024 * 1024)} MB"})
    try:
        saved = read_saved(body)
    except ProtocolError as problem:
        raise HTTPException(422, {"code": problem.code, "field": problem.field, "message": problem.message}) from None
    session.submit(session.load, saved["spec"], saved["params"], saved["dataset"], saved["step"])
    return {"status": "loading"}
