"""Keep and transfer through a real `layerlab serve` and real WebSocket clients: a session keeps
its trained weights, and every network it builds afterwards (build, data-set switch, reset)
starts from the planned layers of them; frozen ones stay exactly the kept values while the rest
trains. Errors name the field, a resumed tab learns what is kept, and other sessions see nothing."""
import asyncio
import copy
import json
from pathlib import Path

import numpy as np

from live_client import CIRCLE, PLAYGROUND_SPEC, LiveClient
from server.live.codec import decode_tensor
from server.protocol import ERROR_CODES, kept_message, transfer_planned_message, transferred_message

FIXTURES = Path(__file__).parent.parent / "fixtures" / "protocol" / "server"

XOR = {"type": "dataset", "name": "xor", "options": {"samples": 400, "noise": 0.1, "seed": 4}}
HIDDEN = ("h1", "h2")


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 90))


def frozen_spec(*frozen: str) -> dict:
    spec = copy.deepcopy(PLAYGROUND_SPEC)
    for layer in spec["layers"]:
        if layer["id"] in frozen:
            layer["trainable"] = False
    return spec


async def train_steps(tab: LiveClient, steps: int) -> int:
    await tab.send({"type": "control", "action": "step", "steps": steps})
    return (await tab.expect("status", state="paused"))["step"]


async def weights(tab: LiveClient) -> dict[str, np.ndarray]:
    await tab.send({"type": "save"})
    saved = await tab.expect_binary("saved")
    return {name: decode_tensor(tensor) for name, tensor in saved["params"].items()}


async def pretrained(tab: LiveClient, steps: int = 200, greeted: bool = False) -> dict[str, np.ndarray]:
    """Trains the playground net on the circle, keeps it; returns the weights kept."""
    await built(tab, greeted)
    await train_steps(tab, steps)
    values = await weights(tab)
    await tab.send({"type": "keep"})
    kept = await tab.expect("kept")
    assert kept == {"type": "kept", "layers": ["h1", "h2", "out"], "dataset": "circle", "step": steps}
    return values


async def built(tab: LiveClient, greeted: bool = False) -> None:
    """The playground net on the circle, built and idle (no play: steps are counted exactly)."""
    if not greeted:
        await tab.expect("hello")
    await tab.send(CIRCLE)
    await tab.expect("dataset_loaded")
    await tab.send({"type": "build", "spec": PLAYGROUND_SPEC})
    await tab.expect("built")


def assert_same(now: dict, before: dict, layers=HIDDEN) -> None:
    for layer in layers:
        for part in ("weight", "bias"):
            np.testing.assert_array_equal(now[f"{layer}.{part}"], before[f"{layer}.{part}"], err_msg=f"{layer}.{part}")


def differs(now: dict, before: dict, name: str) -> bool:
    return not np.array_equal(now[name], before[name])


def test_build_after_keep_starts_from_the_kept_layers_and_frozen_ones_do_not_move(live_server):
    async def scenario():
        async with LiveClient(live_server) as tab:
            kept = await pretrained(tab)
            await tab.send({"type": "transfer", "layers": list(HIDDEN)})
            assert await tab.expect("transfer_planned") == {"type": "transfer_planned", "layers": list(HIDDEN)}
            await tab.send({"type": "build", "spec": frozen_spec(*HIDDEN)})
            await tab.expect("built")
            report = await tab.expect("transferred")
            assert report["copied"] == ["h1.weight", "h1.bias", "h2.weight", "h2.bias"] and report["skipped"] == {}
            fresh = await weights(tab)
            assert_same(fresh, kept)
            assert differs(fresh, kept, "out.weight")  # the head was not planned: it starts fresh

            await train_steps(tab, 150)
            trained = await weights(tab)
            assert_same(trained, kept)  # frozen: exactly the kept values after training
            assert differs(trained, fresh, "out.weight")  # while the head learned
    run(scenario())


def test_the_plan_applies_after_a_data_set_switch_and_after_reset(live_server):
    async def scenario():
        async with LiveClient(live_server) as tab:
            kept = await pretrained(tab)
            await tab.send({"type": "transfer", "layers": ["h1"]})
            await tab.expect("transfer_planned")

            await tab.send(XOR)
            await tab.expect("dataset_loaded")
            assert (await tab.expect("transferred"))["copied"] == ["h1.weight", "h1.bias"]
            switched = await weights(tab)
            assert_same(switched, kept, layers=["h1"])
            assert differs(switched, kept, "h2.weight")

            await train_steps(tab, 100)  # not frozen: fine-tuning moves the copied layer
            assert differs(await weights(tab), kept, "h1.weight")
            await tab.send({"type": "control", "action": "reset"})
            await tab.expect("reset")
            await tab.expect("transferred")
            assert_same(await weights(tab), kept, layers=["h1"])

            await tab.send({"type": "transfer", "layers": []})  # clears the plan: fresh weights again
            assert (await tab.expect("transfer_planned"))["layers"] == []
            await tab.send({"type": "control", "action": "reset"})
            answers = await texts_until(tab, "status", state="idle")
            assert [message["type"] for message in answers] == ["reset", "status"]  # no `transferred`
            assert differs(await weights(tab), kept, "h1.weight")
    run(scenario())


async def texts_until(tab: LiveClient, kind: str, **match) -> list[dict]:
    """Every text message up to and including the next `kind` (expect() would skip the others)."""
    messages = []
    while not messages or messages[-1]["type"] != kind or any(messages[-1].get(k) != v for k, v in match.items()):
        messages.append(await asyncio.wait_for(tab.texts.get(), 20))
    return messages


def test_layers_of_another_shape_or_missing_are_reported_not_copied(live_server):
    async def scenario():
        async with LiveClient(live_server) as tab:
            await pretrained(tab, steps=20)
            await tab.send({"type": "transfer", "layers": ["h1", "h2"]})
            await tab.expect("transfer_planned")
            wider = copy.deepcopy(PLAYGROUND_SPEC)
            wider["layers"][1]["units"] = 12  # h2 no longer fits; and h1 is renamed away
            wider["layers"][0]["id"] = "first"
            await tab.send({"type": "build", "spec": wider})
            report = await tab.expect("transferred")
            assert report["copied"] == []
            assert report["skipped"] == {"h1": "no layer with this id in this network",
                                         "h2.weight": "shape [8, 8] in the source, [12, 8] here",
                                         "h2.bias": "shape [8] in the source, [12] here"}
    run(scenario())


def test_errors_name_the_field_and_another_session_is_unaffected(live_server):
    async def scenario():
        async with LiveClient(live_server) as tab, LiveClient(live_server) as other:
            await tab.expect("hello")
            await tab.send({"type": "keep"})
            assert (await tab.expect("error"))["code"] == "no_model"
            await tab.send({"type": "transfer", "layers": ["h1"]})
            error = await tab.expect("error")
            assert (error["code"], error["field"]) == ("nothing_kept", "layers")

            kept = await pretrained(tab, steps=50, greeted=True)
            await tab.send({"type": "transfer", "layers": ["h1", "conv9"]})
            error = await tab.expect("error")
            assert (error["code"], error["field"]) == ("unknown_layer", "layers[1]")
            assert "conv9" in error["message"] and "h1, h2, out" in error["message"]
            await tab.send({"type": "transfer", "layers": ["h1", 3]})
            error = await tab.expect("error")
            assert (error["code"], error["field"]) == ("invalid_message", "layers[1]")
            await tab.send({"type": "transfer", "layers": ["h1", "h2"]})
            await tab.expect("transfer_planned")

            # The other tab builds the same network: its weights are its own, no transfer, nothing kept.
            await built(other)
            assert_differs_everywhere(await weights(other), kept)
            await other.send({"type": "transfer", "layers": ["h1"]})
            answers = await texts_until(other, "error")
            assert answers[-1]["code"] == "nothing_kept"
            assert all(message["type"] not in ("transferred", "kept") for message in answers)
    run(scenario())


def assert_differs_everywhere(now: dict, kept: dict) -> None:
    for name in kept:
        assert differs(now, kept, name), name


def test_a_resumed_tab_learns_what_is_kept_and_the_plan(live_server):
    async def scenario():
        async with LiveClient(live_server) as first:
            token = (await first.texts.get())["session"]
            first.texts.put_nowait({"type": "hello", "session": token})
            await pretrained(first, steps=30)
            await first.send({"type": "transfer", "layers": ["h2"]})
            await first.expect("transfer_planned")
        async with LiveClient(live_server) as second:
            await second.expect("hello")
            await second.send({"type": "resume", "session": token})
            await second.expect("resumed")
            kept = await second.expect("kept")
            assert (kept["layers"], kept["dataset"], kept["step"]) == (["h1", "h2", "out"], "circle", 30)
            assert (await second.expect("transfer_planned"))["layers"] == ["h2"]
    run(scenario())


def test_the_shared_fixtures_are_what_the_server_sends():
    def fixture(name):
        return json.loads((FIXTURES / name).read_text())["message"]
    kept = fixture("kept.json")
    assert kept == kept_message(kept["layers"], kept["dataset"], kept["step"])
    assert fixture("transfer_planned.json") == transfer_planned_message(["conv1", "conv2"])
    for name in ("transferred.json", "transferred_skipped.json"):
        report = fixture(name)
        assert report == transferred_message(report["copied"], report["skipped"])
    assert {"nothing_kept", "unknown_layer"} <= set(ERROR_CODES)
