"""The transfer-learning lesson, live in a real browser against a real server: pretrain the CNN
on MNIST from the lesson card (a bounded part of its steps: the learner may pause and keep at any
time), keep its weights, then run the frozen-transfer comparison run on Fashion-MNIST; the card
says which layers were copied, and the new head learns."""

import pytest

from browser_harness import STATUS, open_app, shot, status, wait_for_step

pytestmark = pytest.mark.browser

LESSON = "transfer_frozen_features"
PRETRAIN_AT_LEAST = 120  # steps: MNIST's loss is well below its start (ln 10 = 2.3) by then
def test_pretrain_keep_and_run_the_frozen_transfer(page, server_url):
    open_app(page, server_url)
    presets = page.evaluate("fetch('/api/catalog').then(r => r.json()).then(c => c.presets)")
    lesson = next(p for p in presets if p["name"] == LESSON)
    pretrain_steps = lesson["pretrain"]["steps"]
    page.select_option("[data-testid=presets]", LESSON)
    page.wait_for_selector("[data-testid=lesson-pretrain]")
    assert page.inner_text("[data-testid=lesson-pretrain]").startswith("1. Pretrain on MNIST")

    # Before anything is kept, the transfer runs wait, and their tooltip says why.
    frozen = page.locator("[data-testid=run-frozen_transfer]")
    assert frozen.get_attribute("aria-disabled") == "true"
    assert "keep the pretrained weights first" in frozen.get_attribute("title")
    assert page.locator("[data-testid=run-from_scratch]").get_attribute("aria-disabled") is None

    # Step 1: the pretraining network on MNIST starts training by itself (no Play pressed), towards
    # the lesson's step count; the test pauses it early, as a learner may, to stay short.
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.click("[data-testid=lesson-pretrain]")
    page.wait_for_selector("[data-testid=dataset-mnist][aria-pressed=true]")
    wait_for_step(page, PRETRAIN_AT_LEAST, timeout=60_000)
    assert status(page)["state"] == "running" and PRETRAIN_AT_LEAST < pretrain_steps
    page.click("[data-testid=pause]")
    page.wait_for_function(f"{STATUS}.startsWith('paused')")
    pretrained = status(page)
    assert pretrained["loss"] is not None and pretrained["loss"] < 1.0, pretrained

    # Step 2: keep; the card says what was kept, and the transfer runs become available.
    page.click("[data-testid=lesson-keep]")
    page.wait_for_function("document.querySelector('[data-testid=lesson-kept]').textContent.includes('Kept')")
    kept = page.inner_text("[data-testid=lesson-kept]")
    assert f"{pretrained['step']} steps on MNIST" in kept and "conv1" in kept and "conv2" in kept, kept
    assert frozen.get_attribute("aria-disabled") == "false"

    # Step 3: the frozen run starts from the kept filters on Fashion-MNIST and its head learns.
    frozen.click()
    page.wait_for_function("document.querySelector('[data-testid=lesson-transferred]').textContent"
                           ".includes('Started from the kept weights of conv1, conv2')")
    page.wait_for_selector("[data-testid=dataset-fashion_mnist][aria-pressed=true]")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.wait_for_function(f"{STATUS}.includes('step 0')")
    assert "not copied" not in page.inner_text("[data-testid=lesson-transferred]")
    page.click("[data-testid=play]")
    wait_for_step(page, 10)
    early = status(page)
    wait_for_step(page, early["step"] + 60, timeout=60_000)
    page.click("[data-testid=pause]")
    page.wait_for_function(f"{STATUS}.startsWith('paused')")
    late = status(page)
    assert early["loss"] is not None and late["loss"] < early["loss"], (early, late)
    shot(page, "transfer-lesson")
    page.console_watch.assert_clean()
