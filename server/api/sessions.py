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

from server.live import engine_ops
from server.live.codec import pack

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
    saved = _unpack_saved(body, quotas.max_steps_per_session)
    session.submit(restore, session, saved)
    return {"status": "loading"}


def restore(session, saved: dict) -> None:
    """On the session's worker thread: data set, network and weights, then the step count.

    Nothing changes unless all of it fits: the data set is loaded aside first, and a network
    that cannot be built or weights that do not fit leave the session's data as it was.
    """
    dataset = saved["dataset"]
    data = None
    if dataset is not None:
        data = engine_ops.load_data(dataset["name"], dataset["options"], session.settings.quotas, session.uploads)
    previous = session.data
    session.data = data if data is not None else previous
    try:
        session.load(saved["spec"], saved["params"])
    except Exception:
        session.data = previous
        raise
    if data is not None:
        session.send(engine_ops.dataset_message(data))
    # The run goes on counting from where it was saved. load() evaluated the network at step 0:
    # start the history again so that its first evaluation is recorded at the saved step.
    session.loop.restart()
    session.loop.step = saved["step"]
    session.send(pack(session.history.to_message()), drop_pending_frame=True)  # with that frame's step-0 eval
    session.set_state("idle", "loaded a saved network")
    session.loop.emit_frame(force=True, evaluate=True)


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
