"""A real Layerlab server and Debian's Chromium, for the browser tests and scripts/screenshots.py.

    with serve() as url, chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url)
"""
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
VIEWPORT = {"width": 1280, "height": 720}  # a classroom projector


def missing_prerequisite() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not (ROOT / "web" / "node_modules" / "uplot").is_dir():
        return "web/ npm packages are missing (npm ci --prefix web)"
    return None


def shot(page, name: str) -> Path:
    """Saves a screenshot under tests/artifacts/ (look at them: they are the visual check)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def open_app(page, server_url: str, hash_: str = "") -> None:
    """Opens the playground and waits until the catalog is drawn and the server built the network."""
    page.goto(f"{server_url}/{hash_}")
    page.wait_for_selector("[data-testid=layer-stack] [data-testid^=layer-]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.includes('step')")
    page.wait_for_selector("[data-testid=play]:not([disabled])")  # the server built the network


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
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


# Each test opens fresh tabs, and a closed tab's session waits for it (resume grace): more
# sessions per computer than a classroom allows, and a shorter wait, keep a test run inside quota.
TEST_SETTINGS = {"LAYERLAB_QUOTAS__MAX_SESSIONS_PER_CLIENT": "64", "LAYERLAB_RESUME_GRACE_SECONDS": "30"}


@contextlib.contextmanager
def serve(log_path: Path | None = None):
    """Starts uvicorn with the app factory on a free loopback port; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--ws-per-message-deflate", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **TEST_SETTINGS})
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        if log_path:
            log.close()


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# The player's status line reads like "running · step 120 · epoch 3 · loss 0.41".
STATUS = "document.querySelector('[data-testid=status]').textContent"


def status(page) -> dict:
    """The status line read back: its text, state, step (-1 before any) and loss (None before any)."""
    text = page.inner_text("[data-testid=status]")
    step = re.search(r"step (\d+)", text)
    loss = re.search(r"loss ([0-9.e+-]+)", text)
    return {"text": text, "state": text.split(" · ")[0], "step": int(step.group(1)) if step else -1,
            "loss": float(loss.group(1)) if loss else None}


def wait_for_step(page, at_least: int, timeout: float = 30_000) -> None:
    """Until the status line shows step >= at_least (the page's own number, not a timer)."""
    page.wait_for_function(f"(+({STATUS}.match(/step (\\d+)/) || [0, -1])[1]) >= {at_least}", timeout=timeout)
