"""The training panel's folded settings in a real browser against a real server: the optimizer
race's momentum run shows its momentum, and changing momentum, the optimizer, gradient clipping
and the learning-rate schedule mid-run reaches the server's trainer (its `hyper_applied` spec)
while the run goes on with the same weights (no new build, the step counter keeps counting).
Out-of-range values and a combination the engine refuses are named on their fields."""
import json
import re

import pytest

from browser_harness import open_app, shot, wait_for_step

pytestmark = pytest.mark.browser

PANEL = "#training-panel"
ADVANCED = f"{PANEL} [data-testid=training-advanced]"


class ServerMessages:
    """The JSON messages the page sends and receives on its session socket."""

    def __init__(self, page):
        self.sent: list[dict] = []
        self.received: list[dict] = []
        page.on("websocket", self._watch)

    def _watch(self, socket):
        socket.on("framesent", lambda payload: self._keep(self.sent, payload))
        socket.on("framereceived", lambda payload: self._keep(self.received, payload))

    @staticmethod
    def _keep(into: list, payload):
        if isinstance(payload, str):  # views travel as binary frames; messages as JSON text
            into.append(json.loads(payload))

    def of_type(self, kind: str, sent: bool = False) -> list[dict]:
        return [m for m in (self.sent if sent else self.received) if m.get("type") == kind]

    def applied_so_far(self) -> int:
        return len(self.of_type("hyper_applied"))


def step_shown(page) -> int:
    found = re.search(r"step (\d+)", page.inner_text("[data-testid=status]"))
    return int(found.group(1)) if found else -1


def wait_for_applied(page, messages: ServerMessages, check, since: int, timeout_ms: int = 15_000) -> dict:
    """The first `hyper_applied` spec after the first `since` ones that passes `check` (every hyper
    carries clipping and schedule, so an earlier answer could pass a check meant for a later one)."""
    for _ in range(timeout_ms // 100):
        found = [m["spec"] for m in messages.of_type("hyper_applied")[since:] if check(m["spec"])]
        if found:
            return found[0]
        page.wait_for_timeout(100)
    raise AssertionError(f"no hyper_applied passed the check; got {messages.of_type('hyper_applied')[-3:]}")


def field(name: str, within: str = ADVANCED) -> str:
    return f"{within} [data-field={name}]"


def type_into(page, selector: str, text: str):
    box = page.locator(selector)
    box.fill(text)
    box.press("Tab")


def test_optimizer_options_clipping_and_schedule_change_live(page, server_url):
    messages = ServerMessages(page)
    open_app(page, server_url)
    page.select_option("[data-testid=presets]", "optimizer_race")
    page.click("[data-testid=run-momentum]")
    page.wait_for_selector("[data-testid=play]:not([disabled])")

    # The lesson's run set momentum: the folded settings open and show it.
    page.wait_for_selector(f"{ADVANCED}[open]")
    assert page.input_value(f"{field('momentum')} input") == "0.9"
    assert page.is_checked(f"{field('nesterov')} input") is False
    assert page.inner_text(f"{ADVANCED} [data-testid=advanced-note]") == " (momentum 0.9)"

    page.click("[data-testid=play]")
    wait_for_step(page, 200, timeout=60_000)
    builds = len(messages.of_type("built"))

    mark = messages.applied_so_far()
    type_into(page, f"{field('momentum')} input", "0.5")
    applied = wait_for_applied(page, messages, lambda s: s.get("optimizer", {}).get("momentum") == 0.5, mark)
    assert applied["optimizer"]["type"] == "sgd"

    mark = messages.applied_so_far()
    page.select_option(f"{field('grad_clip')} select", "norm")
    assert page.input_value(f"{field('max_norm')} input") == "1"
    type_into(page, f"{field('max_norm')} input", "0.25")
    wait_for_applied(page, messages, lambda s: s.get("grad_clip") == {"type": "norm", "max_norm": 0.25}, mark)

    mark = messages.applied_so_far()
    page.select_option(f"{field('lr_schedule')} select", "step")
    type_into(page, f"{field('step_size')} input", "300")
    applied = wait_for_applied(page, messages, lambda s: (s.get("lr_schedule") or {}).get("step_size") == 300, mark)
    assert applied["lr_schedule"] == {"type": "step", "step_size": 300, "gamma": 0.1}
    assert applied["grad_clip"] == {"type": "norm", "max_norm": 0.25}, "the schedule change kept the clipping"
    assert applied["optimizer"]["momentum"] == 0.5
    note = page.inner_text(f"{ADVANCED} [data-testid=advanced-note]")
    assert note == " (momentum 0.5, clip by norm, step schedule)", note

    # Same weights, same run: no new network was built and the step counter keeps counting.
    before = step_shown(page)
    wait_for_step(page, before + 300, timeout=60_000)
    assert len(messages.of_type("built")) == builds
    assert page.inner_text("[data-testid=status]").startswith("running")
    shot(page, "training-panel-advanced")

    # Out of range: the catalog's bounds name the field, and nothing is sent.
    hypers = len(messages.of_type("hyper", sent=True))
    type_into(page, f"{field('momentum')} input", "1.5")
    error = page.locator(f"{field('momentum')} .field-error")
    assert error.inner_text() == "momentum must be less than 1, got 1.5"
    page.wait_for_timeout(300)
    assert len(messages.of_type("hyper", sent=True)) == hypers
    shot(page, "training-panel-error")

    # A combination only the engine knows is wrong: its own message, on the optimizer.
    type_into(page, f"{field('momentum')} input", "0")
    assert error.inner_text() == ""
    page.check(f"{field('nesterov')} input")
    page.wait_for_function(
        "document.querySelector('#training-panel [data-field=optimizer] .field-error').textContent.includes('nesterov')")
    mark = messages.applied_so_far()
    page.uncheck(f"{field('nesterov')} input")
    wait_for_applied(page, messages, lambda s: s["optimizer"].get("momentum") == 0 and not s["optimizer"]["nesterov"], mark)

    # Switching off clipping and the schedule sends null; the server removes both.
    mark = messages.applied_so_far()
    page.select_option(f"{field('grad_clip')} select", "off")
    page.select_option(f"{field('lr_schedule')} select", "none")
    wait_for_applied(page, messages, lambda s: s["grad_clip"] is None and s["lr_schedule"] is None, mark)
    assert page.locator(field("max_norm")).count() == 0
    assert len(messages.of_type("built")) == builds
    page.click("[data-testid=pause]")
    page.console_watch.assert_clean()


def test_switching_optimizer_shows_its_own_fields_with_defaults(page, server_url):
    messages = ServerMessages(page)
    open_app(page, server_url)
    page.click(f"{ADVANCED} summary")
    page.select_option(f"{PANEL} [data-field=optimizer] select", "sgd")
    assert page.locator(f"{ADVANCED} [data-testid=optimizer-options] [data-field]").evaluate_all(
        "nodes => nodes.map(n => n.dataset.field)") == ["momentum", "dampening", "nesterov", "weight_decay"]
    assert page.input_value(f"{field('momentum')} input") == "0"

    page.click("[data-testid=play]")
    wait_for_step(page, 100, timeout=60_000)
    mark = messages.applied_so_far()
    page.select_option(f"{PANEL} [data-field=optimizer] select", "adamw")
    assert page.input_value(f"{field('betas')} input") == "0.9,0.999"
    assert page.input_value(f"{field('weight_decay')} input") == "0.01"
    assert page.locator(field("momentum")).count() == 0
    wait_for_applied(page, messages, lambda s: s["optimizer"]["type"] == "adamw", mark)

    mark = messages.applied_so_far()
    type_into(page, f"{field('betas')} input", "0.8, 0.99")
    applied = wait_for_applied(page, messages, lambda s: s["optimizer"].get("betas") == [0.8, 0.99], mark)
    assert applied["optimizer"]["type"] == "adamw"
    type_into(page, f"{field('betas')} input", "0.8, 1.2")
    assert page.inner_text(f"{field('betas')} .field-error") == "betas[1] must be less than 1, got 1.2"

    page.select_option(f"{field('lr_schedule')} select", "cosine")
    assert page.input_value(f"{field('T_max')} input") == "1000"
    type_into(page, f"{field('T_max')} input", "0")
    assert page.inner_text(f"{field('T_max')} .field-error") == "T_max must be at least 1, got 0"
    # A refused value stays in its box beside its message while the rest of the panel changes.
    assert page.input_value(f"{field('betas')} input") == "0.8, 1.2"
    assert "betas[1]" in page.inner_text(f"{field('betas')} .field-error")
    shot(page, "training-panel-adamw")
    page.click("[data-testid=pause]")
    page.console_watch.assert_clean()
