"""Views of particular models in a real browser, fed by a real training session: an autoencoder's
inputs and reconstructions, and a transformer's attention maps (heads x query x key)."""
import pytest

from browser_harness import open_app, shot

pytestmark = pytest.mark.browser

# Each canvas of a card: its size and how many distinct colours it holds (a blank tile has one).
TILES = """(card) => [...document.querySelectorAll(`[data-testid=${card}] .tile-row canvas`)].map(c => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    return {width: c.width, height: c.height, colours: colours.size,
            row: c.closest('.tile-row').querySelector('.tile-title').textContent}; })"""


def open_lesson_and_train(page, server_url, lesson, card):
    open_app(page, server_url)
    page.select_option("[data-testid=presets]", lesson)
    page.wait_for_selector(f"[data-testid={card}]:not([hidden])")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.click("[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.match(/step [1-9]/)")


def test_the_autoencoder_lesson_shows_inputs_and_their_reconstructions(page, server_url):
    open_lesson_and_train(page, server_url, "denoising_autoencoder", "autoencoder-card")
    page.wait_for_function("document.querySelectorAll('[data-testid=autoencoder-card] .tile-row').length === 2",
                           timeout=30_000)
    page.click("[data-testid=pause]")
    tiles = page.evaluate(TILES, "autoencoder-card")
    rows = {}
    for tile in tiles:
        rows.setdefault(tile["row"], []).append(tile)
    assert set(rows) == {"inputs", "reconstructions"}
    assert len(rows["inputs"]) == len(rows["reconstructions"]) >= 8  # one reconstruction per input
    for tile in tiles:
        assert (tile["width"], tile["height"]) == (28, 28) and tile["colours"] > 4, tile  # MNIST digits, drawn
    page.locator("[data-testid=autoencoder-card]").scroll_into_view_if_needed()
    shot(page, "autoencoder-reconstructions")
    page.console_watch.assert_clean()


def test_the_transformer_lesson_shows_attention_maps(page, server_url):
    open_lesson_and_train(page, server_url, "transformer_attention", "sequence-card")
    page.wait_for_function("[...document.querySelectorAll('[data-testid=sequence-card] .tile-title')]"
                           ".some(t => t.textContent.includes('attention'))", timeout=30_000)
    page.click("[data-testid=pause]")
    maps = [tile for tile in page.evaluate(TILES, "sequence-card") if "attention" in tile["row"]]
    assert "block1" in maps[0]["row"] and "4×20×20" in maps[0]["row"]  # 4 heads, 20 queries x 20 keys
    assert len(maps) == 4
    for tile in maps:
        assert (tile["width"], tile["height"]) == (20, 20) and tile["colours"] > 4, tile
    page.locator("[data-testid=sequence-card]").scroll_into_view_if_needed()
    shot(page, "transformer-attention-maps")
    page.console_watch.assert_clean()
