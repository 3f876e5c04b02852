"""A duplicated browser tab carries the original tab's token (sessionStorage is copied) and
sends `resume` with it while the original is still connected. With a real server and two real
WebSocket clients: the copy is refused and keeps a session of its own, the original keeps
training undisturbed, and a reload (old socket closed first) still resumes."""
import asyncio

from live_client import CIRCLE, PLAYGROUND_SPEC, LiveClient


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


def test_a_duplicated_tab_gets_its_own_session_and_the_original_keeps_training(live_server):
    async def scenario():
        async with LiveClient(live_server) as original:
            token = (await original.expect("hello"))["session"]
            await original.start_training(expect_hello=False)
            await original.frames_after(3)

            async with LiveClient(live_server) as copy:
                offered = (await copy.expect("hello"))["session"]
                await copy.send({"type": "resume", "session": token})
                refused = await copy.expect("error")
                assert refused["code"] == "session_in_use" and refused["field"] == "session"
                assert "another tab" in refused["message"]
                assert offered != token

                # the copy trains a network of its own in its own session...
                small = {**PLAYGROUND_SPEC, "layers": [{"id": "out", "type": "dense", "units": 1,
                                                        "activation": "sigmoid"}]}
                await copy.start_training(spec=small, expect_hello=False, running=False)
                # ...while the original's session still answers the original, with its own network
                seen = len(original.frames)
                await original.frames_after(3, since=seen)
                await copy.send({"type": "control", "action": "pause"})
                await copy.expect("status", state="paused")
                await original.send({"type": "control", "action": "pause"})
                paused = await original.expect("status", state="paused")
                await original.send({"type": "control", "action": "step", "steps": 4})
                stepped = await original.expect("status", state="paused", step=paused["step"] + 4)
                assert stepped["step"] == paused["step"] + 4

                # and the copy's session holds its own one-layer network (3 parameters, not 105)
                await copy.send({"type": "build", "spec": small})
                assert (await copy.expect("built"))["total_params"] == 2 + 1
        # the original closed: now a tab with its token (a reload) takes the session back
        async with LiveClient(live_server) as reloaded:
            await reloaded.expect("hello")
            await reloaded.send({"type": "resume", "session": token})
            await reloaded.expect("resumed", session=token)
            assert (await reloaded.expect("built"))["total_params"] == 105
            assert (await reloaded.expect("status"))["step"] == stepped["step"]
    run(scenario())


def test_a_refused_copy_is_not_counted_against_the_original(live_server):
    # Refusing the copy must not close, detach or replace the original's session: after the
    # refusal the original still owns it, so a further copy is refused the same way.
    async def scenario():
        async with LiveClient(live_server) as original:
            token = (await original.expect("hello"))["session"]
            await original.send(CIRCLE)
            await original.expect("dataset_loaded")
            for _ in range(2):
                async with LiveClient(live_server) as copy:
                    await copy.expect("hello")
                    await copy.send({"type": "resume", "session": token})
                    assert (await copy.expect("error"))["code"] == "session_in_use"
            await original.send({"type": "build", "spec": PLAYGROUND_SPEC})
            assert (await original.expect("built"))["total_params"] == 105
    run(scenario())
