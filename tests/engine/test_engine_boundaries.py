"""The engine stays numerics only: importing it never pulls in the server, the wire or asyncio."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("fastapi", "starlette", "uvicorn", "asyncio", "websockets", "msgpack", "server")


def test_importing_the_engine_loads_no_server_or_wire_modules():
    code = ("import sys, engine, engine.probes, engine.metrics, engine.warmup\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_engine_sources_do_not_import_the_server():
    for path in (ROOT / "engine").rglob("*.py"):
        text = path.read_text()
        assert "import server" not in text and "from server" not in text, path
