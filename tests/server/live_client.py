"""A real WebSocket client for the tests: sends control messages, sorts what comes back.

    async with LiveClient(server) as tab:
        await tab.send({"type": "build", "spec": SPEC})
        built = await tab.expect("built")
"""
import asyncio
import json
import time

import websockets

from server.live.codec import decode_tensor, unpack

PLAYGROUND_SPEC = {
    "input": {"shape": [2]},
    "layers": [
        {"id": "h1", "type": "dense", "units": 8, "activation": "tanh"},
        {"id": "h2", "type": "dense", "units": 8, "activation": "tanh"},
        {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"},
    ],
    "loss": "binary_cross_entropy",
    "optimizer": {"type": "adam", "lr": 0.03},
    "batch_size": 16,
    "seed": 0,
}
CIRCLE = {"type": "dataset", "name": "circle", "options": {"samples": 400, "noise": 0.05, "seed": 1}}


class LiveClient:
    def __init__(self, server, origin: str | None = "same", read: bool = True):
        self.server = server
        self.origin = server.origin if origin == "same" else origin
        self.read = read
        self.texts: asyncio.Queue = asyncio.Queue()
        self.frames: list[dict] = []
        self.binaries: asyncio.Queue = asyncio.Queue()
        self.frame_arrived = asyncio.Event()
        self.closed: Exception | None = None

    async def __aenter__(self):
        kwargs = {"origin": self.origin} if self.origin else {}
        self.connection = await websockets.connect(self.server.ws, max_size=None, compression=None, **kwargs)
        if self.read:
            self.reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc):
        await self.connection.close()
        if self.read:
            self.reader.cancel()

    async def _read(self):
        try:
            async for raw in self.connection:
                if isinstance(raw, str):
                    await self.texts.put(json.loads(raw))
                    continue
                message = unpack(raw)
                message["received_at"] = time.time()
                message["size"] = len(raw)
                if message["type"] == "frame":
                    self.frames.append(message)
                    self.frame_arrived.set()
                else:
                    await self.binaries.put(message)
        except websockets.ConnectionClosed as closed:
            self.closed = closed

    async def send(self, message: dict | str):
        await self.connection.send(message if isinstance(message, str) else json.dumps(message))

    async def expect(self, kind: str, timeout: float = 20.0, **match) -> dict:
        """The next text message of type `kind` (others of other types are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            message = await asyncio.wait_for(self.texts.get(), max(0.01, deadline - time.monotonic()))
            if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                return message
            if message["type"] == "error" and kind != "error":
                print("unexpected error while waiting for", kind, message)

    async def expect_binary(self, kind: str, timeout: float = 20.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            message = await asyncio.wait_for(self.binaries.get(), max(0.01, deadline - time.monotonic()))
            if message["type"] == kind:
                return message

    async def frames_after(self, count: int, timeout: float = 20.0, since: int = 0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.frames) - since < count:
            self.frame_arrived.clear()
            await asyncio.wait_for(self.frame_arrived.wait(), max(0.01, deadline - time.monotonic()))
        return self.frames[since:]

    async def start_training(self, spec=PLAYGROUND_SPEC, dataset=CIRCLE, views=("metrics",), fps=30,
                             expect_hello=True, running=True):
        if expect_hello:
            await self.expect("hello")
        await self.send(dataset)
        await self.expect("dataset_loaded")
        await self.send({"type": "build", "spec": spec})
        await self.expect("built")
        await self.send({"type": "subscribe", "views": list(views), "fps": fps})
        await self.send({"type": "control", "action": "play"})
        if running:
            await self.expect("status", state="running")


def frame_losses(frames: list[dict]):
    """Every per-step loss the frames carried, checking they join without gaps."""
    import numpy as np
    parts, expected_start = [], None
    for frame in frames:
        if "losses" not in frame:
            continue
        start = frame["losses"]["start"]
        assert expected_start is None or start == expected_start, (start, expected_start)
        values = decode_tensor(frame["losses"])
        parts.append(values)
        expected_start = start + len(values)
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)
