"""POST /api/sessions/{token}/load: restore a saved network into a live session.

The body is a `saved` message exactly as the session sent it (msgpack bytes, e.g. a file the
learner downloaded). It goes over HTTP rather than the socket because the socket only takes
small JSON commands. The answer arrives on the session's socket (`built`, `dataset_loaded`,
`status`, or `error`); the token is the session's secret, as on the socket.

The file names the data set it was trained on and how many steps it had taken: the session
loads that data set first (so the network never meets other data), then the network with its
weights, and its step count goes on from the saved one.
"""
import msgpack
from fastapi import APIRouter, HTTPException, Request

router = APIRouter(prefix="/sessions", tags=["sessions"])
# A network may be saved, loaded and trained on across many sessions, each with its own step quota.
MAX_SAVED_STEP = 10**12


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
    saved = _unpack_saved(body, MAX_SAVED_STEP)
    session.submit(session.load, saved["spec"], saved["params"], saved["dataset"], saved["step"])
    return {"status": "loading"}


def _unpack_saved(body: bytes, max_step: int) -> dict:
    try:
        saved = msgpack.unpackb(body, raw=False, max_bin_len=len(body))
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError):
        saved = None
    if not isinstance(saved, dict) or saved.get("type") != "saved" \
            or not isinstance(saved.get("spec"), dict) or not isinstance(saved.get("params"), dict):
        raise HTTPException(422, {"code": "invalid_message", "field": "body",
                                  "message": "this is not a network saved by Layerlab (or the file is damaged)"})
    step = saved.get("step", 0)
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= max_step:
        raise HTTPException(422, {"code": "invalid_message", "field": "step",
                                  "message": f"the saved step count must be a whole number from 0 to {max_step:,}"})
    dataset = saved.get("dataset")
    if dataset is not None and not (isinstance(dataset, dict) and isinstance(dataset.get("name"), str)
                                    and isinstance(dataset.get("options", {}), dict)):
        raise HTTPException(422, {"code": "invalid_message", "field": "dataset",
                                  "message": "the saved data set must be {name, options}"})
    if dataset is not None:
        dataset = {"name": dataset["name"], "options": dataset.get("options", {})}
    return {"spec": saved["spec"], "params": saved["params"], "step": step, "dataset": dataset}
