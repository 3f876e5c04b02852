"""Training in a real browser against a real server: the loss shown falls on spiral data, pause
stops the steps, step advances exactly one, a reload resumes the same session, and a drawn digit
is classified by the live MNIST model."""

import pytest

from browser_harness import open_app, shot, status, wait_for_step

pytestmark = pytest.mark.browser

# A spiral network that learns quickly: two tanh layers of 12, Adam at 0.03.
SPIRAL = ("#lr=0.03&layers=" + "%5B%7B%22id%22%3A%22h1%22%2C%22type%22%3A%22dense%22%2C%22units%22%3A12%2C"
          "%22activation%22%3A%22tanh%22%7D%2C%7B%22id%22%3A%22h2%22%2C%22type%22%3A%22dense%22%2C%22units"
          "%22%3A12%2C%22activation%22%3A%22tanh%22%7D%2C%7B%22id%22%3A%22out%22%2C%22type%22%3A%22dense%22"
          "%2C%22units%22%3A1%2C%22activation%22%3A%22sigmoid%22%7D%5D")


def wait_for_state(page, state: str):
    page.wait_for_function(f"document.querySelector('[data-testid=status]').textContent.startsWith('{state}')")


def test_spiral_trains_and_the_loss_shown_falls_then_pause_and_step(page, server_url):
    open_app(page, server_url, SPIRAL)
    page.wait_for_selector("[data-testid=layer-out] .card-shape:text('(1)')")
    page.click("[data-testid=play]")
    wait_for_step(page, 50)
    early = status(page)
    assert early["loss"] is not None, early["text"]
    wait_for_step(page, early["step"] + 3000, timeout=60_000)
    page.wait_for_timeout(500)
    late = status(page)
    assert late["loss"] < 0.7 * early["loss"], (early, late)
    shot(page, "training-spiral")

    # A learning-rate change mid-run is applied without stopping or restarting the run.
    lr = page.locator("#training-panel [data-field=lr] input[type=number]")
    lr.fill("0.01")
    lr.press("Tab")
    before = status(page)["step"]
    wait_for_step(page, before + 500)
    assert status(page)["state"] == "running"

    page.click("[data-testid=pause]")
    wait_for_state(page, "paused")
    paused = status(page)["step"]
    page.wait_for_timeout(700)
    assert status(page)["step"] == paused

    page.click("[data-testid=step]")
    wait_for_step(page, paused + 1)
    page.wait_for_timeout(400)
    assert status(page)["step"] == paused + 1
    assert int(page.get_attribute("[data-testid=loss-chart]", "data-points")) > 10

    # Clicking a hidden neuron on the diagram shows what it responds to in the boundary view.
    diagram = page.locator("[data-testid=network-card] canvas").bounding_box()
    column_width = (diagram["width"] - 34) / 4  # input (with a 34 px margin for its names), h1, h2, out
    page.mouse.click(diagram["x"] + 34 + column_width * 1.5, diagram["y"] + 22 + (diagram["height"] - 28) / 12 * 0.5)
    page.wait_for_function("document.querySelector('[data-testid=boundary-card] .hint').textContent.includes('neuron h1')")
    page.console_watch.assert_clean()


def test_reload_resumes_the_session_with_its_history(page, server_url):
    open_app(page, server_url, SPIRAL)
    page.wait_for_selector("[data-testid=layer-out] .card-shape:text('(1)')")
    page.click("[data-testid=play]")
    wait_for_step(page, 500)
    token = page.evaluate("sessionStorage.getItem('layerlab.session')")
    before = status(page)["step"]

    page.reload()
    page.wait_for_selector("[data-testid=layer-h1]")
    wait_for_step(page, before)
    assert page.evaluate("sessionStorage.getItem('layerlab.session')") == token
    assert status(page)["state"] in ("running", "paused")
    page.wait_for_function("document.querySelector('#notice').textContent.includes('carried on')")
    # The whole history came back: the loss chart has points from before the reload.
    page.wait_for_function("+document.querySelector('[data-testid=loss-chart]').dataset.points > 0")
    shot(page, "resumed")
    page.click("[data-testid=pause]")
    wait_for_state(page, "paused")
    page.console_watch.assert_clean()


def draw_a_one(page):
    box = page.locator("[data-testid=digit-canvas]").bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] * 0.18)
    page.mouse.down()
    page.mouse.move(x + 2, box["y"] + box["height"] * 0.82, steps=12)
    page.mouse.up()


def test_draw_a_digit_on_an_mnist_model(page, server_url):
    open_app(page, server_url)
    page.click("[data-testid=dataset-group-images]")
    page.click("[data-testid=dataset-mnist]")
    page.wait_for_function("document.querySelector('[data-testid=shape-out]')?.textContent.includes('(10)')")
    page.wait_for_selector("[data-testid=digit-card]:not([hidden])")
    page.click("[data-testid=play]")
    wait_for_step(page, 300, timeout=60_000)
    page.click("[data-testid=pause]")
    wait_for_state(page, "paused")
    draw_a_one(page)
    page.wait_for_selector("[data-testid=digit-prediction] .digit-bar.best")
    bars = page.locator("[data-testid=digit-prediction] .digit-bar").count()
    assert bars == 10
    shot(page, "digit-mnist")
    page.console_watch.assert_clean()


def test_a_lesson_comparison_overlays_every_finished_run(page, server_url):
    open_app(page, server_url)
    presets = page.evaluate("fetch('/api/catalog').then(r => r.json()).then(c => c.presets)")
    lesson = next((p for p in presets if len(p.get("runs") or []) >= 3 and p["dataset"]["name"] in
                   ("spiral", "xor", "circle", "moons", "gaussian", "plane", "multi_gaussian")), None)
    if lesson is None:
        pytest.skip("no lesson with three comparison runs on 2-D data in the catalog yet")
    page.select_option("[data-testid=presets]", lesson["name"])
    runs = lesson["runs"][:3]
    for run in runs:
        page.click(f"[data-testid=run-{run['label']}]")
        page.wait_for_selector("[data-testid=play]:not([disabled])")
        page.wait_for_function("document.querySelector('[data-testid=status]').textContent.includes('step 0')")
        page.click("[data-testid=play]")
        wait_for_step(page, 300)
        page.click("[data-testid=pause]")
        wait_for_state(page, "paused")
    # The first two runs stay overlaid under their labels, each its own series; the third is the bold pair.
    names = [run["label"].replace("_", " ") for run in runs]
    chart = page.locator("[data-testid=loss-chart]")
    assert chart.get_attribute("data-ghosts") == "|".join(names[:2])
    legend = [t.strip() for t in page.locator("[data-testid=loss-chart] .u-legend .u-series th").all_inner_texts()]
    assert legend[-2:] == names[:2], legend
    assert "train loss" in legend and "validation loss" in legend
    colours = page.evaluate("""() => {
        const plot = document.querySelector('[data-testid=loss-chart] .u-legend');
        return [...plot.querySelectorAll('.u-series .u-marker')].map((m) => getComputedStyle(m).borderColor);
    }""")
    assert len(set(colours[1:])) == len(colours) - 1, colours  # train, validation and each kept run differ
    points = int(chart.get_attribute("data-points"))
    assert points > 0
    # Opening another lesson forgets them: they are no longer comparable.
    other = next(p for p in presets if p["name"] != lesson["name"])
    shot(page, "lesson-comparison")
    page.select_option("[data-testid=presets]", other["name"])
    page.wait_for_function("document.querySelector('[data-testid=loss-chart]').dataset.ghosts === ''")
    page.console_watch.assert_clean()
