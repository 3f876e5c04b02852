"""Server load bench: N browser-like clients train playground nets with the neuron grid subscribed.

    .venv/bin/python -m bench.server_load                 # N = 1, 10, 30, 60; 8 s each
    .venv/bin/python -m bench.server_load --clients 1,10 --seconds 5

Starts `layerlab serve` on a free loopback port (a child process, stopped at the end), then for
each N connects N real WebSocket clients (ramped, not all at once), each choosing the circle data
set, building 2-8-8-1 tanh, subscribing to metrics + neuron_grid at 30 frames/s and pressing
play. After a warm-up it measures, per client: frames/s, step-to-receive latency (the frame's
server timestamp, taken right after the training chunk, to its arrival; same machine, same clock),
bytes per frame; and the server process's CPU (from /proc, in % of one core). Loopback only,
bounded in clients (<= 100) and time (<= 60 s per N).

Targets (DESIGN §8): one client p99 <= 100 ms at 30 frames/s; 60 clients >= 20 frames/s each, p99 <= 250 ms.
"""
import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import websockets

from server.live.codec import unpack

REPO = Path(__file__).resolve().parent.parent
SPEC = {
    "input": {"shape": [2]},
    "layers": [{"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
               {"id": "h2", "type": "dense", "units": 8, "activation": "tanh"},
               {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}],
    "loss": "binary_cross_entropy", "optimizer": {"type": "sgd", "lr": 0.03}, "batch_size": 10, "seed": 0,
}
DATASET = {"type": "dataset", "name": "circle", "options": {"samples": 500, "noise": 0.1, "seed": 0}}
MAX_CLIENTS, MAX_SECONDS = 100, 60.0


class Client:
    """One tab: sets up a session, then records every frame's size, latency and step."""

    def __init__(self, url: str, origin: str, fps: float):
        self.url, self.origin, self.fps = url, origin, fps
        self.latencies: list[float] = []
        self.sizes: list[int] = []
        self.steps: list[tuple[float, int]] = []
        self.recording = False
        self.seen = 0  # frames, recorded or not
        self.errors: list[dict] = []

    async def run(self, ready: asyncio.Event, stop: asyncio.Event) -> None:
        async with websockets.connect(self.url, origin=self.origin, max_size=None, compression=None) as ws:
            await ws.send(json.dumps(DATASET))
            await ws.send(json.dumps({"type": "build", "spec": SPEC}))
            await ws.send(json.dumps({"type": "subscribe", "views": ["metrics", "neuron_grid"], "fps": self.fps}))
            await ws.send(json.dumps({"type": "control", "action": "play"}))
            ready.set()
            reader = asyncio.create_task(self._read(ws))
            await stop.wait()
            reader.cancel()

    async def _read(self, ws) -> None:
        async for raw in ws:
            received = time.time()
            if isinstance(raw, str):
                message = json.loads(raw)
                if message["type"] == "error":
                    self.errors.append(message)
                continue
            self.seen += 1
            if not self.recording:
                continue
            frame = unpack(raw)
            if frame.get("type") != "frame" or "neuron_grid" not in frame.get("views", {}):
                continue
            self.latencies.append(received - frame["t"])
            self.sizes.append(len(raw))
            self.steps.append((received, frame["step"]))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(server: "Server", clients: int, seconds: float, fps: float) -> dict:
    stop = asyncio.Event()
    tabs = [Client(server.ws, server.http, fps) for _ in range(clients)]
    tasks = []
    for tab in tabs:  # ramp: a class does not press play in the same millisecond
        ready = asyncio.Event()
        tasks.append(asyncio.create_task(tab.run(ready, stop)))
        await asyncio.wait_for(ready.wait(), 30)
        await asyncio.sleep(0.02)
    await first_frames(tabs)
    await asyncio.sleep(2.0)  # warm-up: chunk sizes and the CPU shares settle
    cpu_before, started = cpu_seconds(server.process.pid), time.time()
    client_before = cpu_seconds(os.getpid())
    for tab in tabs:
        tab.recording = True
    await asyncio.sleep(seconds)
    for tab in tabs:
        tab.recording = False
    elapsed = time.time() - started
    cpu = (cpu_seconds(server.process.pid) - cpu_before) / elapsed
    client_cpu = (cpu_seconds(os.getpid()) - client_before) / elapsed
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {**summarize(tabs, clients, elapsed, cpu), "client_cpu_percent": 100 * client_cpu,
            "load_average": os.getloadavg()[0]}  # the machine may be shared: say how busy it was


async def first_frames(tabs: list[Client], timeout: float = 30.0) -> None:
    """Waits until every client has its first frame (the server may still be loading kernels)."""
    deadline = time.time() + timeout
    while time.time() < deadline and not all(tab.seen for tab in tabs):
        await asyncio.sleep(0.1)


def summarize(tabs: list[Client], clients: int, elapsed: float, cpu: float) -> dict:
    fps = np.array([len(tab.latencies) / elapsed for tab in tabs])
    latencies = np.concatenate([tab.latencies for tab in tabs if tab.latencies] or [np.zeros(1)]) * 1000
    sizes = np.concatenate([tab.sizes for tab in tabs if tab.sizes] or [np.zeros(1)])
    rates = [(tab.steps[-1][1] - tab.steps[0][1]) / max(1e-9, tab.steps[-1][0] - tab.steps[0][0])
             for tab in tabs if len(tab.steps) > 1]
    return {
        "clients": clients, "fps_median": float(np.median(fps)), "fps_min": float(fps.min()),
        "latency_p50_ms": float(np.percentile(latencies, 50)), "latency_p99_ms": float(np.percentile(latencies, 99)),
        "bytes_per_frame": float(np.mean(sizes)), "server_cpu_percent": 100 * cpu,
        "steps_per_second_median": float(np.median(rates)) if rates else 0.0,
        "errors": sum(len(tab.errors) for tab in tabs),
    }


class Server:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.http, self.ws = f"http://127.0.0.1:{self.port}", f"ws://127.0.0.1:{self.port}/ws"
        env = {**os.environ, "LAYERLAB_QUOTAS__MAX_SESSIONS_PER_CLIENT": str(MAX_CLIENTS + 10),
               "LAYERLAB_RESUME_GRACE_SECONDS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port), "--log-level", "warning"],
            cwd=REPO, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.http}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not start")

    def wait_idle(self) -> None:
        """Between rounds: the previous round's sessions are reaped once their grace is over."""
        for _ in range(50):
            if httpx.get(f"{self.http}/api/health", timeout=2).json()["sessions"]["total"] == 0:
                return
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def table(rows: list[dict]) -> str:
    lines = ["| clients | frames/s per client (median / min) | latency p50 | latency p99 | bytes/frame | "
             "server CPU (% of a core) | steps/s per client | machine load (1 min) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['clients']} | {r['fps_median']:.1f} / {r['fps_min']:.1f} | {r['latency_p50_ms']:.1f} ms | "
                     f"{r['latency_p99_ms']:.1f} ms | {r['bytes_per_frame'] / 1024:.1f} KiB | "
                     f"{r['server_cpu_percent']:.0f} | {r['steps_per_second_median']:.0f} | "
                     f"{r['load_average']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="1,10,30,60", help="comma-separated N")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per N")
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    counts = [min(int(n), MAX_CLIENTS) for n in args.clients.split(",")]
    seconds = min(args.seconds, MAX_SECONDS)
    server = Server()
    rows = []
    try:
        asyncio.run(measure(server, 1, 1.0, args.fps))  # warm-up: the server loads its kernels
        server.wait_idle()
        for count in counts:
            rows.append(asyncio.run(measure(server, count, seconds, args.fps)))
            print(json.dumps(rows[-1]), file=sys.stderr)
            server.wait_idle()
    finally:
        server.stop()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
