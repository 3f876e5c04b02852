"""The app factory: `uvicorn --factory server.app:create_app`, or `layerlab serve`.

    >>> from fastapi.testclient import TestClient
    >>> TestClient(create_app()).get("/api/health").json()["status"]
    'ok'
"""
import json
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.staticfiles import StaticFiles

from engine.config import set_thread_policy
from server.api import catalog, datasets, health, sessions, validate
from server.live import socket
from server.live.manager import SessionManager
from server.settings import Settings

log = logging.getLogger("layerlab")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Sessions train side by side, one chunk per core; a second BLAS thread inside a chunk
        # would only fight the other sessions and the frame sender for the same cores.
        set_thread_policy("single")
        await app.state.sessions.start()
        yield
        await app.state.sessions.stop()

    app = FastAPI(title="Layerlab", version="0.1.0", lifespan=lifespan,
                  description="Build, train and watch neural networks live. The WebSocket protocol "
                              "of /ws is described in docs/protocol.md.")
    app.state.settings = settings
    app.state.sessions = SessionManager(settings)
    for module in (health, catalog, validate, datasets, sessions):
        app.include_router(module.router, prefix="/api")
    app.include_router(socket.router)
    mount_static(app, settings.web_dir)
    return app


def mount_static(app: FastAPI, web_dir: Path) -> None:
    """web/ at /, and each npm *dependency* of web/package.json at /vendor/<pkg>/.

    devDependencies (typescript, ...) are tools, never served. Mounted last, so /api and /ws win.
    """
    for package, folder in vendor_packages(web_dir).items():
        if folder.is_dir():
            app.mount(f"/vendor/{package}", StaticFiles(directory=folder), name=f"vendor:{package}")
        else:
            log.warning("web dependency %s is not installed (run npm ci --prefix web)", package)
    if web_dir.is_dir():
        app.mount("/", WebFiles(directory=web_dir, html=True), name="web")


class WebFiles(StaticFiles):
    """web/ minus node_modules/: packages are reachable only through /vendor/<dependency>/."""

    async def get_response(self, path: str, scope):
        if path.replace("\\", "/").split("/")[0] == "node_modules":
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)


def vendor_packages(web_dir: Path) -> dict[str, Path]:
    manifest = web_dir / "package.json"
    if not manifest.is_file():
        return {}
    dependencies = json.loads(manifest.read_text()).get("dependencies", {})
    return {name: web_dir / "node_modules" / name for name in dependencies}
