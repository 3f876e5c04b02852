"""Browser tests: Debian's Chromium driven by Playwright against a real Layerlab server.

The server runs as a subprocess (uvicorn with the app factory) on a free loopback port, so the
tests see exactly what a learner's browser sees: static files, /vendor packages, REST and /ws.
Every page fixture fails its test on a console error or an uncaught exception.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
VIEWPORT = {"width": 1280, "height": 720}  # a classroom projector

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
if not (ROOT / "web" / "node_modules" / "uplot").is_dir():
    pytest.skip("web/ npm packages are missing (npm ci --prefix web)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /api/health in time")


@pytest.fixture(scope="session")
def server_url():
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(ARTIFACTS.joinpath("server.log") if ARTIFACTS.mkdir(exist_ok=True) is None else os.devnull, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--ws-per-message-deflate", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class ConsoleWatch:
    """Collects console errors and page exceptions; a test ends by asserting there were none."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.problems.append(message.text))
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))

    def assert_clean(self):
        assert self.problems == [], "console errors: " + "; ".join(self.problems)


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, server_url):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_watch = ConsoleWatch(page)
    yield page


def shot(page, name: str) -> Path:
    """Saves a screenshot under tests/artifacts/ (look at them: they are the visual check)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def open_app(page, server_url: str, hash_: str = ""):
    page.goto(f"{server_url}/{hash_}")
    page.wait_for_selector("[data-testid=layer-stack] [data-testid^=layer-]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.includes('step')")
