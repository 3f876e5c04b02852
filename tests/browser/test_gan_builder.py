"""A GAN in the builder, in a real browser: both networks behind a switch with live shapes, the
contract between them (the generator's output must fit the discriminator's input) shown on the
card at fault, drag, reorder, undo and share links, training with generated samples; and a
union field (conv2d padding: a number or "same"/"valid") edited through its two controls."""
import json
import urllib.parse

import pytest

from browser_harness import open_app, shot
from test_network_builder import card_ids, drag

pytestmark = pytest.mark.browser

GENERATOR = ["g1", "g_out"]
DISCRIMINATOR = ["d1", "d_out"]


def open_gan_lesson(page, server_url):
    open_app(page, server_url)
    page.select_option("[data-testid=presets]", "gan_digits")
    page.wait_for_selector("[data-testid=network-generator][aria-selected=true]")
    page.wait_for_function("document.querySelector('[data-testid=shape-g_out]')?.textContent.includes('(64)')")
    page.wait_for_selector("[data-testid=play]:not([disabled])")  # the server built the GAN


def show_network(page, name):
    page.click(f"[data-testid=network-{name}]")
    page.wait_for_selector(f"[data-testid=network-{name}][aria-selected=true]")


def spec_from_page(page):
    """The spec the page would send: read back from its share link, as another browser would."""
    params = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).fragment)
    return {key: json.loads(value[0]) if value[0][:1] in "[{" else value[0] for key, value in params.items()}


def set_units(page, layer_id, value):
    units = page.locator(f"[data-testid=layer-{layer_id}] [data-field=units] input")
    units.fill(str(value))
    units.press("Tab")


def test_the_gan_lesson_shows_both_networks_with_shapes(page, server_url):
    open_gan_lesson(page, server_url)
    assert card_ids(page) == GENERATOR
    assert "(16)" in page.inner_text("[data-testid=layer-input]")  # the latent vector z
    generator_tab = page.inner_text("[data-testid=network-generator]")
    assert "(16) → (64)" in generator_tab and "5248 params" in generator_tab  # 16*64+64 + 64*64+64
    contract = page.locator("[data-testid=network-contract]")
    assert "output (64) must equal Discriminator input (64) ✓" in contract.inner_text()
    shot(page, "gan-builder-generator")

    show_network(page, "discriminator")
    assert card_ids(page) == DISCRIMINATOR
    assert "(64)" in page.inner_text("[data-testid=layer-input]")
    page.wait_for_function("document.querySelector('[data-testid=shape-d_out]').textContent.includes('(1)')")
    assert "65 params" in page.inner_text("[data-testid=layer-d_out] .card-params")
    shot(page, "gan-builder-discriminator")
    page.console_watch.assert_clean()


def test_a_generator_too_small_for_the_discriminator_is_shown_on_its_card_and_undone(page, server_url):
    open_gan_lesson(page, server_url)
    set_units(page, "g_out", 50)
    error = page.locator("[data-testid=layer-g_out] .card-error")
    error.wait_for(state="visible")
    assert "generator makes samples of shape [50] but the discriminator takes [64]" in error.inner_text()
    contract = page.locator("[data-testid=network-contract] .contract-line")
    assert "broken" in contract.get_attribute("class")
    assert "has-error" in page.get_attribute("[data-testid=network-generator]", "class")
    shot(page, "gan-builder-contract-error")

    # Seen from the discriminator: its tab is fine, the generator's tab still warns.
    show_network(page, "discriminator")
    assert "has-error" not in page.get_attribute("[data-testid=network-discriminator]", "class")
    # Undo from there brings the generator back into view, fixed.
    page.click("[data-testid=undo]")
    page.wait_for_selector("[data-testid=network-generator][aria-selected=true]")
    page.wait_for_function("!document.querySelector('[data-testid=layer-g_out]').classList.contains('has-error')")
    assert page.input_value("[data-testid=layer-g_out] [data-field=units] input") == "64"
    page.wait_for_selector("[data-testid=network-contract] .contract-line.kept")
    page.console_watch.assert_clean()


def test_field_errors_inside_a_network_land_on_the_field(page, server_url):
    open_gan_lesson(page, server_url)
    show_network(page, "discriminator")
    set_units(page, "d1", 0)
    field_error = page.locator("[data-testid=layer-d1] [data-field=units] .field-error")
    field_error.wait_for(state="visible")
    assert "at least 1" in field_error.inner_text()
    page.click("[data-testid=undo]")
    page.wait_for_function("!document.querySelector('[data-testid=layer-d1]').classList.contains('has-error')")
    page.console_watch.assert_clean()


def test_layers_dropped_moved_and_removed_stay_in_their_network_and_survive_a_share_link(page, server_url):
    open_gan_lesson(page, server_url)
    show_network(page, "discriminator")
    drag(page, page.locator("[data-testid=palette-dropout]"), page.locator("[data-testid=layer-d1]"))
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 3")
    assert card_ids(page) in (["d1", "dropout1", "d_out"], ["d1", "d_out", "dropout1"])  # where the pointer was
    page.click("[data-testid=palette-dense] button")  # a click adds at the end of the network shown
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 4")
    assert card_ids(page)[-1] == "dense1"
    page.click("[data-testid=remove-dense1]")
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 3")
    page.focus("[data-testid=layer-dropout1]")
    for _ in range(3):  # the keyboard moves within the network; once first, nothing moves into the generator
        page.keyboard.press("Alt+ArrowUp")
    page.wait_for_function("document.querySelector('[data-testid=layer-stack] > li').dataset.id === 'dropout1'")
    # Dragging reorders within the network too: d_out to the top, then undone and redone.
    drag(page, page.locator("[data-testid=layer-d_out] .card-type"), page.locator("[data-testid=layer-dropout1]"), below=False)
    page.wait_for_function("document.querySelector('[data-testid=layer-stack] > li').dataset.id === 'd_out'")
    page.click("[data-testid=undo]")
    page.wait_for_function("document.querySelector('[data-testid=layer-stack] > li').dataset.id === 'dropout1'")
    page.click("[data-testid=redo]")
    page.wait_for_function("document.querySelector('[data-testid=layer-stack] > li').dataset.id === 'd_out'")
    page.click("[data-testid=undo]")
    page.wait_for_function("document.querySelector('[data-testid=layer-stack] > li').dataset.id === 'dropout1'")
    show_network(page, "generator")
    assert card_ids(page) == GENERATOR
    page.wait_for_selector("[data-testid=play]:not([disabled])")  # the edited GAN is valid and built

    spec = spec_from_page(page)
    by_network = {}
    for layer in spec["layers"]:
        by_network.setdefault(layer["network"], []).append(layer["id"])
    assert by_network == {"generator": GENERATOR, "discriminator": ["dropout1", "d1", "d_out"]}

    # The link opens the same two networks in a fresh tab.
    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_selector("[data-testid=network-generator][aria-selected=true]")
    assert card_ids(other) == GENERATOR
    other.click("[data-testid=network-discriminator]")
    other.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 3")
    assert card_ids(other) == ["dropout1", "d1", "d_out"]
    other.close()
    page.console_watch.assert_clean()


def test_playing_the_gan_draws_generated_samples(page, server_url):
    open_gan_lesson(page, server_url)
    card = page.locator("[data-testid=gan-card]")
    card.wait_for(state="visible")
    page.click("[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.match(/step [1-9]/)")
    page.wait_for_function("document.querySelectorAll('[data-testid=gan-card] canvas').length >= 16", timeout=30_000)
    tiles = page.evaluate("""() => [...document.querySelectorAll('[data-testid=gan-card] canvas')].slice(0, 16).map(c => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const colours = new Set();
        for (let i = 0; i < data.length; i += 4) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
        return {pixels: c.width * c.height, colours: colours.size}; })""")
    assert len(tiles) == 16 and all(tile["pixels"] == 64 for tile in tiles)  # 8x8 digits
    assert all(tile["colours"] > 4 for tile in tiles), tiles  # pictures, not blank squares
    page.click("[data-testid=pause]")
    card.scroll_into_view_if_needed()
    shot(page, "gan-generated-samples")
    page.console_watch.assert_clean()


def test_padding_offers_same_valid_or_a_number(page, server_url):
    open_app(page, server_url)
    page.select_option("[data-testid=presets]", "mnist_cnn")
    conv = page.locator("[data-testid=layer-stack] > li.cat-convolution").first
    conv.wait_for()
    conv_id = conv.get_attribute("data-id")
    page.wait_for_selector(f"[data-testid=play]:not([disabled])")
    before = page.inner_text(f"[data-testid=shape-{conv_id}]")
    if conv.locator("[data-field=padding]").is_hidden():
        conv.locator(".more-toggle").click()
    choice = conv.locator("[data-field=padding] select")
    assert choice.locator("option").all_inner_texts() == ["same", "valid", "number"]
    choice.select_option("same")
    page.wait_for_function(f"document.querySelector('[data-testid=shape-{conv_id}]').textContent.includes('28, 28')")
    assert conv.locator("[data-field=padding] input").is_hidden()
    shot(page, "builder-union-field")

    choice.select_option("number")
    number = conv.locator("[data-field=padding] input")
    number.fill("1")
    number.press("Tab")
    page.wait_for_function(f"document.querySelector('[data-testid=shape-{conv_id}]').textContent.includes('26, 26')")
    shot(page, "builder-union-field-number")
    number.fill("40")
    number.press("Tab")
    conv.locator("[data-field=padding] .field-error").wait_for(state="visible")
    for _ in range(4):  # 40, 1, the switch to a number (0), "same"
        page.click("[data-testid=undo]")
    page.wait_for_function("document.querySelector('[data-testid=undo]').title.includes('preset')")
    page.wait_for_function(f"document.querySelector('[data-testid=shape-{conv_id}]').textContent === {json.dumps(before)}")
    assert choice.input_value() == "#" and number.input_value() == "0"  # the default
    page.console_watch.assert_clean()
