"""Every lesson opened from the menu in one real page, as a learner clicks through them: the server
builds each one (its `built` arrives), no error is shown, the lesson card shows its title, the views
the lesson names are on screen and outlined, and each comparison run builds when its button is
pressed. A sample of lessons, one per group of topics, then trains and shows numbers.

The page's WebSocket is watched from inside the page (an init script wraps the browser's own
WebSocket) so the test waits for the server's real `built` message, not for a timer.
"""
import math
import re

import httpx
import pytest

from browser_harness import VIEWPORT, open_app, shot
from engine.presets import catalog

pytestmark = pytest.mark.browser

# Counts what the server sends the page: `built` and `dataset_loaded` messages and errors.
WATCH_SOCKET = """
window.__lessonWatch = {built: 0, loaded: 0, reset: 0, hyper: 0, errors: []};
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      const message = JSON.parse(event.data);
      if (message.type === 'built') window.__lessonWatch.built += 1;
      if (message.type === 'dataset_loaded') window.__lessonWatch.loaded += 1;
      if (message.type === 'reset') window.__lessonWatch.reset += 1;
      if (message.type === 'hyper_applied') window.__lessonWatch.hyper += 1;
      if (message.type === 'error') window.__lessonWatch.errors.push(message);
    });
  }
};
"""

PRESETS = {preset["name"]: preset for preset in catalog()}  # what /api/catalog serves the menu

# Which cards draw each server view (the web page's own testids).
CARDS_OF_VIEW = {
    "neuron_grid": ["boundary-card", "network-card"], "weights": ["network-card", "inside-card"],
    "gradients": ["gradients-card"], "activations": ["inside-card"], "weight_histograms": ["histograms-card"],
    "confusion": ["confusion-card"], "predictions": ["gallery-card"], "sequence_state": ["sequence-card"],
    "saliency": ["saliency-card"], "generated_samples": ["gan-card"], "reconstructions": ["autoencoder-card"],
    "conv_filters": ["inside-card"], "feature_maps": ["inside-card"],
}
# One lesson per group of topics, trained for a few seconds each (about a minute in all).
TRAINED = ["perceptron_separable", "optimizer_race", "overfitting_and_fixes", "mnist_cnn", "lstm_sentiment",
           "denoising_autoencoder", "gan_digits", "normalization_matters"]
SCREENSHOTS = {"spiral_needs_depth", "mnist_cnn", "gan_digits", "transformer_attention"}

@pytest.fixture(scope="module")
def lesson_page(browser, server_url):
    """One page for every lesson, as one learner's tab."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.add_init_script(WATCH_SOCKET)
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.problems = problems
    open_app(page, server_url)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def each_lesson_test(request, lesson_page):
    """Console errors count for the test that caused them; a failure leaves a screenshot."""
    lesson_page.problems.clear()
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        shot(lesson_page, f"FAILED-{request.node.name}")


def watch(page) -> dict:
    return page.evaluate("({...window.__lessonWatch, errors: [...window.__lessonWatch.errors]})")


def shown_errors(page) -> list[str]:
    """Every error the page shows: the notice bar and any field's or card's alert."""
    return page.evaluate("""[...document.querySelectorAll('[role=alert]')]
        .filter((e) => e.offsetParent !== null && e.textContent.trim() && !e.classList.contains('info'))
        .filter((e) => e.id !== 'notice' || e.classList.contains('error'))
        .map((e) => (e.id || e.className) + ': ' + e.textContent.trim())""")


def wait_for_build(page, before: dict, seconds: float = 60) -> None:
    """Until the server has sent a new `built` and the play button is ready again."""
    page.wait_for_function(f"window.__lessonWatch.built > {before['built']}", timeout=seconds * 1000)
    page.wait_for_selector("[data-testid=play]:not([disabled])", timeout=30_000)
    page.wait_for_timeout(300)  # a late error (a view that fails on its first frame) comes now


# A new lesson's data set reaches the server before its network: the server warns that the old
# network does not fit it, and the page, which knows it is switching, does not show that.
EXPECTED_WHILE_SWITCHING = ("incompatible_data",)


def assert_nothing_went_wrong(page, before: dict, what: str) -> None:
    errors = [error for error in watch(page)["errors"][len(before["errors"]):]
              if error["code"] not in EXPECTED_WHILE_SWITCHING]
    assert not errors, f"{what}: the server sent {errors}"
    assert not shown_errors(page), f"{what}: the page shows {shown_errors(page)}"
    assert not page.problems, f"{what}: console errors {page.problems}"


def open_lesson(page, name: str) -> None:
    before = watch(page)
    page.select_option("[data-testid=presets]", name)
    wait_for_build(page, before)
    assert_nothing_went_wrong(page, before, f"opening {name}")


def highlighted_cards(page) -> set[str]:
    return set(page.evaluate("""[...document.querySelectorAll('.highlight[data-testid]')]
        .filter((e) => e.offsetParent !== null).map((e) => e.dataset.testid)"""))


@pytest.mark.parametrize("name", [pytest.param(name, id=name) for name in PRESETS])
def test_a_lesson_opens_from_the_menu_without_an_error(lesson_page, name):
    page, preset = lesson_page, PRESETS[name]
    open_lesson(page, name)
    title = page.text_content("[data-testid=lesson-card] h2")  # as written (the style shows it in capitals)
    assert preset["title"] in title, title
    assert preset["explanation"][:40] in page.text_content("[data-testid=lesson-card]")
    assert page.input_value("[data-testid=presets]") == name
    if name in SCREENSHOTS:
        shot(page, f"lesson-{name}")


@pytest.mark.parametrize("name", [pytest.param(name, id=name) for name in PRESETS])
def test_a_lesson_outlines_the_views_it_is_about(lesson_page, name):
    page, preset = lesson_page, PRESETS[name]
    if page.input_value("[data-testid=presets]") != name:
        open_lesson(page, name)
    outlined = highlighted_cards(page)
    for view in preset["views"]:
        if view == "metrics":
            assert page.is_visible("[data-testid=curves]")
            continue
        assert outlined & set(CARDS_OF_VIEW[view]), f"{name}: no card outlined for {view}; outlined: {outlined}"


@pytest.mark.parametrize("name", [name for name, preset in PRESETS.items() if preset.get("runs")])
def test_every_comparison_run_of_a_lesson_builds_from_its_button(lesson_page, name):
    page, preset = lesson_page, PRESETS[name]
    open_lesson(page, name)
    for run in preset["runs"]:
        if run.get("transfer"):
            continue  # starts from kept pretrained weights: the keep/transfer messages have tests of their own
        before = watch(page)
        page.click(f"[data-testid=lesson-card] [data-testid=run-{run['label']}]")
        page.wait_for_function(f"window.__lessonWatch.reset > {before['reset']}")  # every run starts afresh
        if "layers" in run.get("changes", {}) or run.get("dataset"):
            wait_for_build(page, before, seconds=20)  # the lesson's data is loaded already: builds are quick
        elif run.get("changes"):  # optimizer, loss, batch size: applied as hyperparameters
            page.wait_for_function(f"window.__lessonWatch.hyper > {before['hyper']}")
        page.wait_for_timeout(300)
        assert_nothing_went_wrong(page, before, f"{name}, run {run['label']}")


def numbers_shown(page) -> dict:
    text = page.inner_text("[data-testid=status]")
    step = re.search(r"step (\d+)", text)
    loss = re.search(r"loss ([0-9.e+-]+)", text)
    val = re.search(r"val ([0-9.e+-]+)", text)
    return {"text": text, "step": int(step.group(1)) if step else -1,
            "loss": float(loss.group(1)) if loss else None, "val": float(val.group(1)) if val else None}


@pytest.mark.parametrize("name", TRAINED)
def test_a_sample_of_lessons_train_and_show_numbers(lesson_page, name):
    page, gan = lesson_page, PRESETS[name]["spec"].get("mode") == "gan"
    open_lesson(page, name)
    before = watch(page)
    page.click("[data-testid=play]")
    page.wait_for_function("+(document.querySelector('[data-testid=status]').textContent.match(/step (\\d+)/)"
                           " || [0, 0])[1] >= 20", timeout=60_000)
    if not gan:  # a GAN has no validation loss: its two losses are a game's score
        page.wait_for_function("/val [0-9]/.test(document.querySelector('[data-testid=status]').textContent)",
                               timeout=30_000)
    page.wait_for_timeout(1500)  # a few frames of every outlined view
    shown = numbers_shown(page)
    page.click("[data-testid=pause]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.startsWith('paused')")
    assert shown["loss"] is not None and math.isfinite(shown["loss"]), shown
    assert gan or (shown["val"] is not None and math.isfinite(shown["val"])), shown
    assert int(page.get_attribute("[data-testid=loss-chart]", "data-points") or 0) > 0
    assert_nothing_went_wrong(page, before, f"training {name}")
    shot(page, f"lesson-trained-{name}")
    show_first_view(page, PRESETS[name])
    shot(page, f"lesson-trained-{name}-view")


def show_first_view(page, preset) -> None:
    """Scrolls the card of the lesson's first view (after the curves) into sight, for the screenshot."""
    for view in preset["views"]:
        for testid in CARDS_OF_VIEW.get(view, []):
            card = page.locator(f"[data-testid={testid}]")
            if card.is_visible():
                card.scroll_into_view_if_needed()
                page.wait_for_timeout(300)
                return


def test_the_menu_lists_every_lesson_of_the_catalog(lesson_page, server_url):
    served = [preset["name"] for preset in httpx.get(f"{server_url}/api/catalog").json()["presets"]]
    listed = lesson_page.evaluate("[...document.querySelectorAll('[data-testid=presets] option')]"
                                  ".map((o) => o.value).filter(Boolean)")
    assert sorted(listed) == sorted(served) == sorted(PRESETS)  # the menu groups them by topic
