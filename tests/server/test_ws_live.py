"""A real `layerlab serve` on loopback and real WebSocket clients (the `websockets` package)."""
import asyncio
import json

import httpx
import numpy as np
import pytest
import websockets

from live_client import CIRCLE, PLAYGROUND_SPEC, LiveClient, frame_losses
from server.live.codec import decode_tensor


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


def test_build_play_frames_arrive_and_the_loss_falls(live_server):
    async def scenario():
        async with LiveClient(live_server) as tab:
            await tab.start_training(views=("metrics", "neuron_grid", "weights", "gradients"))
            frames = await tab.frames_after(20)
            losses = frame_losses(tab.frames)
            assert len(losses) > 200
            assert np.mean(losses[-50:]) < 0.5 * np.mean(losses[:20])
            last = frames[-1]
            grid = last["views"].get("neuron_grid") or next(f["views"]["neuron_grid"] for f in reversed(frames)
                                                             if "neuron_grid" in f["views"])
            assert grid["dtype"] == "uint8" and grid["shape"] == [17, 64, 64]
            assert decode_tensor(grid).shape == (17, 64, 64)
            assert last["metrics"]["val_accuracy"] > 0.8
    run(scenario())


def test_pause_stops_frames(live_server):
    async def scenario():
        async with LiveClient(live_server) as tab:
            await tab.start_training()
            await tab.frames_after(5)
            await tab.send({"type": "control", "action": "pause"})
            paused = await tab.expect("status", state="paused")
            await asyncio.sleep(0.3)  # the frame taken at the pause may still be on its way
            settled = len(tab.frames)
            await asyncio.sleep(0.7)
            assert len(tab.frames) == settled
            assert tab.frames[-1]["step"] == paused["step"]
    run(scenario())


def test_resume_after_reconnect_returns_the_whole_history(live_server):
    async def scenario():
        async with LiveClient(live_server) as first:
            token = (await first.texts.get())["session"]
            first.texts.put_nowait({"type": "hello", "session": token})
            await first.start_training()
            await first.frames_after(10)
            await first.send({"type": "control", "action": "pause"})
            paused = await first.expect("status", state="paused")
            await asyncio.sleep(0.3)
            seen = frame_losses(first.frames)
        async with LiveClient(live_server) as second:
            await second.expect("hello")
            await second.send({"type": "resume", "session": token})
            await second.expect("resumed", session=token)
            assert (await second.expect("built"))["total_params"] == 105
            status = await second.expect("status")
            history = await second.expect_binary("history")
            assert status["step"] == paused["step"] == history["steps"]
            losses = decode_tensor(history["losses"])
            assert len(losses) == paused["step"]
            np.testing.assert_array_equal(losses[: len(seen)], seen)
            assert history["evals"] and history["display"]["bucket"] >= 1
            await second.send({"type": "control", "action": "step", "steps": 7})
            assert (await second.expect("status", state="paused"))["step"] == paused["step"] + 7
    run(scenario())


def test_bad_messages_are_answered_and_the_session_still_trains(live_server):
    async def scenario():
        async with LiveClient(live_server) as tab:
            await tab.expect("hello")
            bad_spec = {**PLAYGROUND_SPEC, "batch_size": "16"}
            for text, field in [("not json", None), ('{"type": "control", "action": "fly"}', "action"),
                                (json.dumps({"type": "build", "spec": bad_spec}), "batch_size")]:
                await tab.send(text)
                error = await tab.expect("error")
                assert error["field"] == field and error["message"]
            await tab.start_training(expect_hello=False)
            await tab.frames_after(3)
    run(scenario())


def test_a_foreign_origin_is_refused_with_403(live_server):
    async def scenario():
        for origin in ["http://evil.example", None]:
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with LiveClient(live_server, origin=origin):
                    pass
            assert refused.value.response.status_code == 403
    run(scenario())


def test_hyperparameters_change_mid_run(live_server):
    async def scenario():
        async with LiveClient(live_server) as tab:
            await tab.start_training()
            await tab.frames_after(3)
            await tab.send({"type": "hyper", "changes": {"optimizer": {"lr": 0.001}, "batch_size": 8}})
            applied = await tab.expect("hyper_applied")
            assert applied["spec"]["optimizer"]["lr"] == 0.001 and applied["spec"]["batch_size"] == 8
            before = tab.frames[-1]["step"]
            for _ in range(200):  # training goes on with the new settings (on a busy machine, slowly)
                if tab.frames[-1]["step"] > before:
                    break
                await tab.frames_after(1, since=len(tab.frames))
            assert tab.frames[-1]["step"] > before
    run(scenario())


def test_divergence_pauses_and_says_why(live_server):
    spec = {**PLAYGROUND_SPEC, "layers": [{"id": "h1", "type": "dense", "units": 64, "activation": "relu"},
                                          {"id": "out", "type": "dense", "units": 1}],
            "loss": "mse", "optimizer": {"type": "sgd", "lr": 10.0}}
    dataset = {"type": "dataset", "name": "plane", "options": {"samples": 200, "seed": 0}}

    async def scenario():
        async with LiveClient(live_server) as tab:
            await tab.start_training(spec=spec, dataset=dataset, running=False)
            status = await tab.expect("status", state="diverged")
            assert "learning rate" in status["message"] and str(status["step"]) in status["message"]
    run(scenario())


def test_a_client_that_never_reads_does_not_slow_another(live_server):
    """The stalled tab asks for big frames (128 x 128 grids at 60/s) and never reads them."""
    async def scenario():
        async with LiveClient(live_server, read=False) as stalled, LiveClient(live_server) as reader:
            for message in [CIRCLE, {"type": "build", "spec": PLAYGROUND_SPEC},
                            {"type": "subscribe", "views": ["neuron_grid", "weights", "activations"], "fps": 60,
                             "options": {"neuron_grid": {"resolution": 128}}},
                            {"type": "control", "action": "play"}]:
                await stalled.send(message)
            await reader.start_training(views=("metrics", "neuron_grid"))
            await asyncio.sleep(2.0)  # the stalled socket's buffers fill up
            since = len(reader.frames)
            await asyncio.sleep(3.0)
            frames = reader.frames[since:]
            latencies = [frame["received_at"] - frame["t"] for frame in frames]
            # generous bounds: this machine is shared; alone the reader gets ~30 frames/s, p99 < 20 ms
            assert len(frames) / 3.0 >= 10, len(frames)
            assert np.percentile(latencies, 99) < 0.5
            losses = frame_losses(reader.frames)  # nothing lost while the other tab stalls
            assert len(losses) == reader.frames[-1]["step"]
            # the stalled socket is closed once a send has waited the send timeout (2 s here);
            # its session stays, detached, for the tab to resume
            for _ in range(100):
                counts = httpx.get(f"{live_server.http}/api/health").json()["sessions"]
                if counts["attached"] == 1:
                    break
                await asyncio.sleep(0.1)
            assert counts["attached"] == 1 and counts["total"] >= 2
    run(scenario())
