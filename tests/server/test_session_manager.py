"""Sessions outlive their sockets for a grace period, then are closed and forgotten; only a
detached one can be resumed; a saved network restores into one (data set, weights, step count)."""
import pytest

from server.live.manager import SessionManager
from server.live.training import CpuBudget
from server.protocol import ProtocolError
from server.settings import Quotas, Settings


def test_a_detached_session_waits_for_its_tab_then_is_reaped():
    manager = SessionManager(Settings(resume_grace_seconds=10))
    session = manager.create("10.0.0.1")
    outlet = object()
    session.attach(outlet, greet=False)
    session.detach(outlet)
    detached = session.detached_at
    assert manager.reap(at=detached + 9) == 0 and manager.find(session.token) is session
    assert manager.reap(at=detached + 11) == 1 and manager.find(session.token) is None


def test_an_attached_session_is_never_reaped():
    manager = SessionManager(Settings(resume_grace_seconds=0))
    session = manager.create("10.0.0.1")
    session.attach(object(), greet=False)
    assert manager.reap(at=1e12) == 0  # however late


def test_sessions_per_client_are_counted_per_address():
    manager = SessionManager(Settings(quotas=Quotas(max_sessions_per_client=2)))
    manager.create("10.0.0.1"), manager.create("10.0.0.1"), manager.create("10.0.0.2")
    with pytest.raises(ProtocolError) as refused:
        manager.create("10.0.0.1")
    assert refused.value.code == "quota_exceeded"


def test_the_cpu_budget_is_shared_by_running_sessions():
    class Loop:
        counted = False
    budget, first, second = CpuBudget(1.0), Loop(), Loop()
    budget.enter(first), budget.enter(first), budget.enter(second)
    assert budget.share() == 0.5  # entering twice counts once
    budget.leave(first), budget.leave(first)
    assert budget.share() == 1.0


def test_only_a_detached_session_can_be_resumed():
    manager = SessionManager(Settings())
    session = manager.create("10.0.0.1")
    outlet = object()
    session.attach(outlet, greet=False)
    with pytest.raises(ProtocolError) as in_use:  # a duplicated tab, while the original is open
        manager.resumable(session.token)
    assert in_use.value.code == "session_in_use" and in_use.value.field == "session"
    session.detach(outlet)  # the original closed its socket (a reload does this first)
    assert manager.resumable(session.token) is session
    with pytest.raises(ProtocolError) as unknown:
        manager.resumable("no-such-token-at-all")
    assert unknown.value.code == "unknown_session" and unknown.value.field == "session"


def test_a_saved_network_comes_back_with_its_data_set_weights_and_step_count(live_server):
    """Through a real server and socket: save after training on one data set, switch the session
    to another data set and network, then POST the saved bytes: the data set, the network, its
    weights (same validation loss) and its step count all come back."""
    import asyncio

    import httpx
    from live_client import CIRCLE, PLAYGROUND_SPEC, LiveClient
    from server.live.codec import pack

    async def scenario():
        async with LiveClient(live_server) as tab:
            token = (await tab.expect("hello"))["session"]
            await tab.start_training(expect_hello=False)
            await tab.frames_after(5)
            await tab.send({"type": "control", "action": "pause"})
            paused = await tab.expect("status", state="paused")
            await asyncio.sleep(0.3)
            trained_val_loss = tab.frames[-1]["metrics"]["val_loss"]
            await tab.send({"type": "save"})
            saved = await tab.expect_binary("saved")
            assert saved["step"] == paused["step"] > 0 and saved["dataset"]["name"] == "circle"

            await tab.send({"type": "dataset", "name": "xor", "options": {"samples": 200}})
            await tab.expect("dataset_loaded", name="xor")
            await tab.send({"type": "build", "spec": {**PLAYGROUND_SPEC, "seed": 5}})
            await tab.expect("built")

            async with httpx.AsyncClient() as http:
                answer = await http.post(f"{live_server.http}/api/sessions/{token}/load", content=pack(saved))
            assert answer.status_code == 202
            await tab.expect("built")
            loaded = await tab.expect("dataset_loaded")
            assert loaded["name"] == "circle" and loaded["info"]["options"] == saved["dataset"]["options"]
            await tab.expect("status", step=paused["step"], message="loaded a saved network")
            await asyncio.sleep(0.3)
            frame = tab.frames[-1]
            assert frame["step"] == paused["step"]
            assert abs(frame["metrics"]["val_loss"] - trained_val_loss) < 1e-6  # the same weights, same data
            history = await tab.expect_binary("history")  # the run's history starts at the saved step
            assert history["first_step"] == history["losses"]["start"] == paused["step"] and history["steps"] == 0
            await tab.send({"type": "control", "action": "step", "steps": 3})
            assert (await tab.expect("status", state="paused"))["step"] == paused["step"] + 3
            await asyncio.sleep(0.3)
            with_losses = [f["losses"] for f in tab.frames if "losses" in f]
            assert with_losses[-1]["start"] + with_losses[-1]["shape"][0] == paused["step"] + 3

            async with httpx.AsyncClient() as http:
                bad_step = await http.post(f"{live_server.http}/api/sessions/{token}/load",
                                           content=pack({**saved, "step": -4}))
                damaged = await http.post(f"{live_server.http}/api/sessions/{token}/load", content=pack(saved)[:-40])
            assert bad_step.status_code == 422 and bad_step.json()["detail"]["field"] == "step"
            assert damaged.status_code == 422 and "damaged" in damaged.json()["detail"]["message"]

            misfit = {**saved, "params": {**saved["params"], "h1.weight": saved["params"]["h2.weight"]}}
            async with httpx.AsyncClient() as http:
                assert (await http.post(f"{live_server.http}/api/sessions/{token}/load",
                                        content=pack(misfit))).status_code == 202
            refused = await tab.expect("error")
            assert refused["field"] == "params" and "h1.weight" in refused["message"]
    asyncio.run(asyncio.wait_for(scenario(), 90))
