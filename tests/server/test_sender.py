"""The per-connection sender: latest-wins views, metrics never dropped, slow clients cut off."""
import asyncio
import json

import numpy as np
import pytest

from server.live.codec import decode_tensor, unpack
from server.live.sender import Sender, SlowClient


class RecordingSocket:
    """Stands in for a WebSocket: records what is sent; `stalled` makes sends never finish."""

    def __init__(self, stalled: bool = False):
        self.sent: list = []
        self.stalled = stalled

    async def send_text(self, text):
        await self._maybe_stall()
        self.sent.append(json.loads(text))

    async def send_bytes(self, data):
        await self._maybe_stall()
        self.sent.append(unpack(data))

    async def _maybe_stall(self):
        if self.stalled:
            await asyncio.Event().wait()


def header(step):
    return {"step": step, "epoch": 0, "t": 0.0, "state": "running", "metrics": {}}


def test_views_are_latest_wins_and_losses_accumulate():
    async def scenario():
        socket = RecordingSocket()
        sender = Sender(socket, send_timeout=1.0, queue_limit=4)
        for step in range(1, 4):  # three snapshots before the send task gets to run
            sender.offer_frame(header(step * 10), {"grid": {"n": step}}, np.full(10, step, np.float32), (step - 1) * 10,
                               [{"step": step * 10}])
        sender.deliver({"type": "status"})
        task = asyncio.create_task(sender.run())
        await asyncio.sleep(0.05)
        sender.close()
        await task
        return socket.sent
    sent = asyncio.run(scenario())
    assert sent[0] == {"type": "status"}  # must-deliver messages go first
    frame = sent[1]
    assert len(sent) == 2 and frame["step"] == 30 and frame["views"] == {"grid": {"n": 3}}
    assert frame["losses"]["start"] == 0
    np.testing.assert_array_equal(decode_tensor(frame["losses"]), np.repeat([1, 2, 3], 10))
    assert [e["step"] for e in frame["evals"]] == [10, 20, 30]


def test_a_stalled_socket_times_out():
    async def scenario():
        sender = Sender(RecordingSocket(stalled=True), send_timeout=0.1, queue_limit=4)
        sender.deliver({"type": "status"})
        with pytest.raises(SlowClient):
            await asyncio.wait_for(sender.run(), 2)
    asyncio.run(scenario())


def test_an_overflowing_queue_marks_the_client_slow_without_blocking_the_producer():
    async def scenario():
        sender = Sender(RecordingSocket(stalled=True), send_timeout=10, queue_limit=3)
        for index in range(100):  # returns at once: the worker thread never waits for a client
            sender.deliver({"type": "status", "index": index})
        assert sender.overflowed
        with pytest.raises(SlowClient):
            await asyncio.wait_for(sender.run(), 2)
    asyncio.run(scenario())


def test_a_new_model_drops_the_pending_frame_of_the_old_one():
    async def scenario():
        socket = RecordingSocket()
        sender = Sender(socket, send_timeout=1.0, queue_limit=4)
        sender.offer_frame(header(5), {"grid": {"old": True}})
        sender.deliver({"type": "built"}, drop_pending_frame=True)
        task = asyncio.create_task(sender.run())
        await asyncio.sleep(0.05)
        sender.close()
        await task
        return socket.sent
    assert asyncio.run(scenario()) == [{"type": "built"}]


def test_non_finite_numbers_reach_the_browser_as_null():
    async def scenario():
        socket = RecordingSocket()
        sender = Sender(socket, send_timeout=1.0, queue_limit=4)
        sender.deliver({"type": "status", "loss": float("nan"), "values": [1.0, float("inf")]})
        task = asyncio.create_task(sender.run())
        await asyncio.sleep(0.05)
        sender.close()
        await task
        return socket.sent
    assert asyncio.run(scenario()) == [{"type": "status", "loss": None, "values": [1.0, None]}]
