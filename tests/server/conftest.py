"""Fixtures for the server tests: an in-process app (TestClient) and a real uvicorn server.

The real server is `layerlab serve` in a child process on a free loopback port, as a user runs
it; it is stopped (by its pid) when the module's tests are done.
"""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def client():
    with TestClient(create_app(Settings()), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


class LiveServer:
    def __init__(self, port: int, process: subprocess.Popen):
        self.port, self.process = port, process
        self.http = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}/ws"
        self.origin = self.http


def start_server(env_overrides: dict | None = None) -> LiveServer:
    port = free_port()
    env = {**os.environ, "LAYERLAB_RESUME_GRACE_SECONDS": "5", "LAYERLAB_SEND_TIMEOUT_SECONDS": "2",
           **(env_overrides or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"], cwd=REPO, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"layerlab serve exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return LiveServer(port, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("layerlab serve did not answer within 60 s")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def live_server():
    server = start_server()
    yield server
    stop_server(server)
