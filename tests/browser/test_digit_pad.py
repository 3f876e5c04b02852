"""The drawing pad without a mouse, and a validation image as a probe, in a real browser against a
real server training MNIST: a "1" drawn with the keyboard only (Tab to the pad, arrows, Space,
Shift+arrows, P) is probed and its answer announced; a tile of the predictions gallery, clicked or
taken with Enter, goes onto the pad as it is and the live model's answer about it is the tile's
predicted class. The page's messages are read off its real WebSocket."""
import json
import re

import msgpack
import numpy as np
import pytest

from browser_harness import open_app, shot

pytestmark = pytest.mark.browser

PAD = "[data-testid=digit-canvas]"
ANNOUNCER = "[data-testid=digit-announcer]"


class Socket:
    """The probes the page sends (JSON text) and the probe results it gets (msgpack binary)."""

    def __init__(self, page):
        self.probes: list[dict] = []
        self.results: list[dict] = []
        page.on("websocket", self._watch)

    def _watch(self, socket):
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload):
        if isinstance(payload, str) and json.loads(payload).get("type") == "probe":
            self.probes.append(json.loads(payload))

    def _received(self, payload):
        if isinstance(payload, bytes):
            message = msgpack.unpackb(payload, raw=False)
            if message.get("type") == "probe_result":
                self.results.append(message)

    def wait_for_result(self, page, count: int, timeout_ms: int = 15_000) -> dict:
        for _ in range(timeout_ms // 100):
            if len(self.results) >= count:
                return self.results[count - 1]
            page.wait_for_timeout(100)
        raise AssertionError(f"no probe_result number {count} (got {len(self.results)})")


def state(page) -> str:
    return page.inner_text("[data-testid=status]").split(" · ")[0]


def train_mnist_briefly(page, server_url):
    open_app(page, server_url)
    page.click("[data-testid=dataset-group-images]")
    page.click("[data-testid=dataset-mnist]")
    page.wait_for_function("document.querySelector('[data-testid=shape-out]')?.textContent.includes('(10)')")
    page.wait_for_selector("[data-testid=digit-card]:not([hidden])")
    page.click("[data-testid=play]")
    page.wait_for_function("(+(document.querySelector('[data-testid=status]').textContent.match(/step (\\d+)/)"
                           " || [0, -1])[1]) >= 300", timeout=60_000)
    page.click("[data-testid=pause]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.startsWith('paused')")
    page.wait_for_timeout(1500)  # the frame of the weights it stopped on (the gallery's predictions) arrives


def tab_to_the_pad(page) -> int:
    """Presses Tab from the top of the page until the pad has the focus; returns how many presses."""
    page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)")
    for presses in range(1, 400):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.dataset.testid") == "digit-canvas":
            return presses
    raise AssertionError("Tab never reached the drawing pad")


def pad_pixels(page) -> np.ndarray:
    """The pad as the learner sees it, one grey level per grid cell (sampled at cell centres)."""
    reds = page.evaluate(f"""() => {{
        const canvas = document.querySelector('{PAD}');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const cell = canvas.width / 28, out = [];
        for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++)
            out.push(data[(Math.floor((y + 0.5) * cell) * canvas.width + Math.floor((x + 0.5) * cell)) * 4]);
        return out;
    }}""")
    return np.array(reds, np.float64).reshape(28, 28)


def tile_pixels(page, tile) -> np.ndarray:
    """A gallery tile's own 28x28 canvas, turned back to white ink on black like the pad."""
    reds = tile.locator("canvas").evaluate("""(canvas) =>
        Array.from(canvas.getContext('2d').getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))""")
    return 255.0 - np.array(reds, np.float64).reshape(28, 28)


def test_a_one_drawn_with_the_keyboard_only_is_probed_and_announced(page, server_url):
    socket = Socket(page)
    train_mnist_briefly(page, server_url)
    tab_to_the_pad(page)
    # Focused from the keyboard: a visible focus ring and the cursor shown over the grid.
    assert page.evaluate(f"getComputedStyle(document.querySelector('{PAD}')).outlineStyle") != "none"
    assert page.locator("[data-testid=digit-cursor]").is_visible()
    # A vertical stroke down the middle: up 8 cells, paint, then paint 16 cells down while moving.
    for _ in range(8):
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    for _ in range(16):
        page.keyboard.press("Shift+ArrowDown")
    # Once the keys rest, a screen reader hears where the cursor is (the stroke ends on row 23).
    page.wait_for_function("document.querySelector('[data-testid=digit-position]').textContent"
                           " === 'row 23, column 15 of 28, painted'")
    assert page.get_attribute("[data-testid=digit-position]", "aria-live") == "polite"
    cursor = page.locator("[data-testid=digit-cursor]").bounding_box()
    pad = page.locator(PAD).bounding_box()
    assert cursor["y"] > pad["y"] + pad["height"] * 0.7, (cursor, pad)  # it followed the keys down
    assert state(page) == "paused", "Space on the pad painted; it must not start training"
    page.keyboard.press("p")

    result = socket.wait_for_result(page, 1)
    sent = np.array(socket.probes[-1]["input"], np.float64).reshape(28, 28)
    columns, rows = np.flatnonzero(sent.sum(axis=0) > 0.5), np.flatnonzero(sent.sum(axis=1) > 0.5)
    assert rows.max() - rows.min() >= 15, "the stroke should span most of the 20-cell box"
    assert columns.max() - columns.min() <= 6, "a narrow vertical stroke: a one"
    page.wait_for_selector("[data-testid=digit-prediction] .digit-bar.best")
    assert page.locator("[data-testid=digit-prediction] .digit-bar").count() == 10
    said = page.inner_text(ANNOUNCER)
    named = re.search(r"the model says (\d) \((\d+)%\)", said)
    assert named, said
    assert said.startswith("your drawing")
    assert int(named.group(1)) == int(np.argmax(result["probabilities"] if "probabilities" in result
                                                else np.frombuffer(result["output"]["data"], "<f4")))
    assert page.get_attribute(ANNOUNCER, "aria-live") == "polite"
    shot(page, "digit-pad-keyboard-one")

    # Delete clears the pad (and says so); P on an empty pad asks nothing.
    page.keyboard.press("Delete")
    assert pad_pixels(page).max() == 0
    page.keyboard.press("p")
    page.wait_for_timeout(500)
    assert len(socket.results) == 1
    assert "empty" in page.inner_text(ANNOUNCER)
    page.console_watch.assert_clean()


def test_a_gallery_tile_goes_onto_the_pad_and_is_probed(page, server_url):
    socket = Socket(page)
    train_mnist_briefly(page, server_url)
    tiles = page.locator("[data-testid=gallery] .gallery-tile[role=button]")
    tiles.first.wait_for()
    wrong = page.locator("[data-testid=gallery] .gallery-tile.wrong[role=button]")
    tile = wrong.first if wrong.count() else tiles.first
    index, predicted = tile.get_attribute("data-index"), int(tile.get_attribute("data-predicted"))
    assert re.fullmatch(rf"validation image {index}, true \d, predicted {predicted}", tile.get_attribute("aria-label"))
    expected = tile_pixels(page, tile)

    tile.click()
    result = socket.wait_for_result(page, 1)
    assert result["predicted"] == [predicted], (result["predicted"], predicted)
    shown = pad_pixels(page)
    assert shown.sum() > 0
    assert np.corrcoef(shown.ravel(), expected.ravel())[0, 1] > 0.98  # that very image, not another
    true_class = re.search(r"true (\d)", tile.get_attribute("aria-label")).group(1)
    page.wait_for_function(f"document.querySelector('{ANNOUNCER}').textContent"
                           f".startsWith('validation image {index} (true {true_class}):')")
    box = page.locator(PAD).bounding_box()  # scrolled into sight: a pointer user sees the answer
    assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], box
    assert f"the model says {predicted} " in page.inner_text(ANNOUNCER)
    page.wait_for_function(f"document.querySelector('[data-testid=inside-card]').textContent"
                           f".includes('output for validation image {index}')")
    shot(page, "digit-pad-validation-image")

    # The keyboard does the same: focus another tile, Enter takes it, Space takes it without playing.
    other = tiles.nth(1) if tiles.nth(0).get_attribute("data-index") == index else tiles.nth(0)
    other_predicted = int(other.get_attribute("data-predicted"))
    other.focus()
    page.keyboard.press("Enter")
    assert socket.wait_for_result(page, 2)["predicted"] == [other_predicted]
    page.keyboard.press("Space")
    assert socket.wait_for_result(page, 3)["predicted"] == [other_predicted]
    assert state(page) == "paused"
    assert page.evaluate("document.activeElement.getAttribute('role')") == "button"  # focus stayed on the tile
    other.scroll_into_view_if_needed()
    shot(page, "digit-pad-gallery-tile-focused")
    page.console_watch.assert_clean()


def test_a_convolutional_lesson_takes_a_gallery_image_in_its_own_shape(page, server_url):
    """mnist_cnn reads (1, 28, 28) images, not 784 numbers: a tile still probes as that image."""
    socket = Socket(page)
    open_app(page, server_url)
    page.select_option("[data-testid=presets]", "mnist_cnn")
    page.wait_for_selector("[data-testid=digit-card]:not([hidden])")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.click("[data-testid=play]")
    page.wait_for_function("(+(document.querySelector('[data-testid=status]').textContent.match(/step (\\d+)/)"
                           " || [0, -1])[1]) >= 30", timeout=60_000)
    page.click("[data-testid=pause]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.startsWith('paused')")
    page.wait_for_timeout(1500)
    tile = page.locator("[data-testid=gallery] .gallery-tile[role=button]").first
    predicted = int(tile.get_attribute("data-predicted"))
    tile.click()
    result = socket.wait_for_result(page, 1)
    assert np.array(socket.probes[-1]["input"]).shape == (1, 28, 28)
    assert result["predicted"] == [predicted]
    page.console_watch.assert_clean()
