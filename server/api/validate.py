"""POST /api/validate: a spec in, per-layer output shapes and parameter counts out, or every
problem with the layer and field at fault. Nothing is allocated; quotas are checked too.
"""
from typing import Any

from fastapi import APIRouter, Body, Request

from server.live import engine_ops

router = APIRouter(tags=["validate"])


@router.post("/validate")
def validate(request: Request, spec: Any = Body(..., examples=[{
        "input": {"shape": [2]}, "layers": [{"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
                                            {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}],
        "loss": "binary_cross_entropy", "optimizer": {"type": "adam", "lr": 0.01}, "batch_size": 16}])) -> dict:
    return engine_ops.validate(spec, request.app.state.settings.quotas)
