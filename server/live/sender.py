"""Per-connection sender: the only code that writes to a socket.

The session's worker thread never waits for a client. It hands over two kinds of output:
- must-deliver messages (built, status, error, history, ...) into a small bounded queue, sent in
  order; a client that lets the queue overflow is too slow to be served and is disconnected;
- live frames into latest-wins slots: each view keeps only its newest tensor, so a slow client
  gets fewer, fresher frames, while the per-step losses and the evaluation records between two
  frames accumulate and go out together (metrics are aggregated, never dropped).
Every send has a timeout; a socket that cannot take one message in time is closed (1013).
"""
import asyncio
import json
import threading
import time
from collections import deque

import numpy as np
from starlette.websockets import WebSocket

from server.live.codec import encode_tensor, pack


class SlowClient(Exception):
    """The client stopped reading: its queue overflowed or a send timed out."""


class PendingFrame:
    """What the next frame will carry; written by the worker thread, read by the sender task."""

    def __init__(self):
        self.header: dict | None = None    # step, epoch, metrics, t of the newest snapshot
        self.views: dict[str, dict] = {}   # latest wins per view
        self.loss_start: int | None = None
        self.loss_segments: list[np.ndarray] = []
        self.evals: list[dict] = []

    def merge(self, header: dict, views: dict, losses: np.ndarray | None, loss_start: int, evals: list):
        self.header = header
        self.views.update(views)
        if losses is not None and len(losses):
            if self.loss_start is None:
                self.loss_start = loss_start
            self.loss_segments.append(losses)
        self.evals.extend(evals)

    def to_message(self) -> dict:
        message = {"type": "frame", **self.header, "views": self.views}
        if self.loss_segments:
            losses = np.concatenate(self.loss_segments)
            message["losses"] = {"start": self.loss_start, **encode_tensor(losses, "float32")}
        if self.evals:
            message["evals"] = self.evals
        return message


class Sender:
    """Owns one socket's output. Thread-safe `deliver` and `offer_frame`; `run` is the send task."""

    def __init__(self, websocket: WebSocket, send_timeout: float, queue_limit: int):
        self._websocket = websocket
        self._send_timeout = send_timeout
        self._queue_limit = queue_limit
        self._loop = asyncio.get_running_loop()
        self._lock = threading.Lock()
        self._queue: deque = deque()
        self._pending: PendingFrame | None = None
        self._wake = asyncio.Event()
        self.closed = False
        self.overflowed = False
        self.frames_sent = 0
        self.bytes_sent = 0

    def deliver(self, message: dict | bytes, drop_pending_frame: bool = False) -> None:
        """Queue a must-deliver message. drop_pending_frame: the frame waiting belongs to an old model."""
        with self._lock:
            if self.closed:
                return
            if len(self._queue) >= self._queue_limit:
                self.overflowed = True
            else:
                self._queue.append(message)
            if drop_pending_frame:
                self._pending = None
        self._poke()

    def offer_frame(self, header: dict, views: dict, losses=None, loss_start: int = 0, evals=()) -> None:
        with self._lock:
            if self.closed:
                return
            if self._pending is None:
                self._pending = PendingFrame()
            self._pending.merge(header, views, losses, loss_start, list(evals))
        self._poke()

    def _poke(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the loop is gone: the server is shutting down
            self.closed = True

    async def run(self) -> None:
        """Send until the socket closes or the client falls behind (raises SlowClient)."""
        while not self.closed:
            await self._wake.wait()
            self._wake.clear()
            while True:
                item = self._take()
                if item is None:
                    break
                await self._send(item)

    def _take(self):
        with self._lock:
            if self.overflowed:
                raise SlowClient("must-deliver queue overflowed")
            if self._queue:
                return self._queue.popleft()
            pending, self._pending = self._pending, None
        return pack(pending.to_message()) if pending is not None else None

    async def _send(self, item: dict | bytes) -> None:
        if isinstance(item, dict):
            sending = self._websocket.send_text(to_json(item))
        else:
            sending = self._websocket.send_bytes(item)
        try:
            await asyncio.wait_for(sending, self._send_timeout)
        except asyncio.TimeoutError:
            raise SlowClient(f"a send took longer than {self._send_timeout} s") from None
        if isinstance(item, bytes):
            self.frames_sent += 1
            self.bytes_sent += len(item)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._queue.clear()
            self._pending = None
        self._poke()


def to_json(message: dict) -> str:
    """JSON a browser can parse: NaN and infinities (a diverged loss) become null."""
    try:
        return json.dumps(message, allow_nan=False)
    except ValueError:
        return json.dumps(_finite_only(message), allow_nan=False)


def _finite_only(value):
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite_only(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_only(item) for item in value]
    return value


def now() -> float:
    """Wall-clock seconds stamped on frames, so a client on the same clock measures latency."""
    return time.time()
