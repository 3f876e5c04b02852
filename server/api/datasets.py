"""Data sets: GET /api/datasets/{name}/preview, POST /api/datasets/upload.

The catalog (with every data set's options) is part of /api/catalog; these routes look at data.
Both are plain `def`, so FastAPI runs them on its thread pool, never on the event loop.
"""
from fastapi import APIRouter, File, HTTPException, Request, UploadFile

router = APIRouter(prefix="/datasets", tags=["datasets"])


@router.get("/{name}/preview")
def preview(name: str, request: Request, count: int = 16) -> dict:
    """A few samples for the data panel; query parameters other than count are data-set options."""
    from engine.data import OptionError, SourceMissing, preview as engine_preview
    options = {key: _option_value(value) for key, value in request.query_params.items() if key != "count"}
    try:
        return engine_preview(name, count=count, **options)
    except OptionError as problem:
        raise HTTPException(422, {"code": "invalid_dataset", "message": problem.message, "field": problem.field})
    except SourceMissing as missing:
        raise HTTPException(404, {"code": "invalid_dataset", "message": str(missing), "field": "name"})


@router.post("/upload")
def upload(request: Request, file: UploadFile = File(...)) -> dict:
    """CSV, NPZ or IDX: validated by the engine, answered with the data set's summary.

    The size quota is checked while reading, so an oversize upload is never held in memory whole.
    """
    from engine.data import UploadError, UploadLimits, parse_upload
    limit = request.app.state.settings.quotas.max_upload_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise HTTPException(413, {"code": "quota_exceeded", "field": "file",
                                  "message": f"the file is larger than {limit // (1024 * 1024)} MB"})
    try:
        dataset = parse_upload(file.filename or "upload", content, UploadLimits(max_bytes=limit))
    except UploadError as problem:
        raise HTTPException(422, {"code": "invalid_dataset", "message": problem.message, "field": problem.field})
    name = request.app.state.sessions.uploads.add(dataset)
    return {"name": name, "info": dataset.metadata()}


def _option_value(text: str):
    """Query strings are text; data-set options are numbers, booleans or lists of names."""
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text.split(",") if "," in text else text
