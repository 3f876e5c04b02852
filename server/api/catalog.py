"""GET /api/catalog: everything the builder offers, read from the engine's registries.

Nothing here is a list of its own: layer types with their fields, defaults and bounds,
activations, losses, optimizers, regularizations, initializers and presets come from
engine.registry.catalog(); data sets from engine.data; views from server.live.views; quotas
from the settings. The answer is computed once per app (the registries are fixed at import).
"""
from functools import lru_cache

from fastapi import APIRouter, Request

from server.live import views

router = APIRouter(tags=["catalog"])


@lru_cache(maxsize=1)
def _engine_catalog() -> dict:
    from engine.data import catalog as dataset_catalog
    from engine.presets import catalog as preset_catalog
    from engine.registry import catalog as engine_catalog
    body = dict(engine_catalog())
    body["datasets"] = dataset_catalog()
    body["presets"] = preset_catalog()
    return body


@router.get("/catalog")
def catalog(request: Request) -> dict:
    quotas = request.app.state.settings.quotas.model_dump()
    return {**_engine_catalog(), "views": views.catalog(), "quotas": quotas}
