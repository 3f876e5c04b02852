"""The builder in a real browser: palette from the catalog, drag and drop, live shapes from
/api/validate, inline errors on the field at fault, keyboard, undo/redo and share links."""
import re

import pytest

from browser_harness import open_app, shot

pytestmark = pytest.mark.browser


def drag(page, source, target, below: bool = True):
    """Mouse drag in small steps: SortableJS (fallback mode) follows real pointer movement."""
    start = source.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 5, start["y"] + start["height"] / 2 + 5, steps=3)
    y = end["y"] + end["height"] - 4 if below else end["y"] + 4
    page.mouse.move(end["x"] + end["width"] / 2, y, steps=12)
    page.mouse.move(end["x"] + end["width"] / 2, y + 2, steps=2)
    page.mouse.up()


def card_ids(page):
    return page.eval_on_selector_all("[data-testid=layer-stack] > li", "cards => cards.map(c => c.dataset.id)")


def test_palette_lists_every_catalog_layer(page, server_url):
    open_app(page, server_url)
    catalog = page.evaluate("fetch('/api/catalog').then(r => r.json())")
    for layer in catalog["layers"]:
        assert page.locator(f"[data-testid=palette-{layer['name']}]").count() == 1
    page.console_watch.assert_clean()


def test_drag_layers_into_the_stack_and_see_shapes_update(page, server_url):
    open_app(page, server_url)
    expect_shape = lambda id_, text: page.wait_for_function(
        f"document.querySelector('[data-testid=shape-{id_}]')?.textContent.includes('{text}')")
    expect_shape("h1", "(8)")

    drag(page, page.locator("[data-testid=palette-dense]"), page.locator("[data-testid=layer-h2]"))
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 4")
    ids = card_ids(page)
    assert ids in (["h1", "dense1", "h2", "out"], ["h1", "h2", "dense1", "out"])  # dropped where the pointer was
    expect_shape("dense1", "(8)")

    # Editing a field updates this card's shape and the next card's parameter count.
    units = page.locator("[data-testid=layer-dense1] [data-field=units] input")
    units.fill("5")
    units.press("Tab")
    expect_shape("dense1", "(5)")
    after = ids[ids.index("dense1") + 1]
    expected = "6 " if after == "out" else "48 "  # 5 inputs x 1 unit + 1 bias, or 5 x 8 + 8
    page.wait_for_function(f"document.querySelector('[data-testid=layer-{after}] .card-params').textContent.startsWith('{expected}')")

    # Reorder by dragging the new card above h1.
    drag(page, page.locator("[data-testid=layer-dense1] .card-type"), page.locator("[data-testid=layer-h1]"), below=False)
    page.wait_for_function("document.querySelector('[data-testid=layer-stack] > li').dataset.id === 'dense1'")
    expect_shape("h1", "(8)")
    shot(page, "builder-dragged")
    page.console_watch.assert_clean()


def test_errors_show_on_the_field_at_fault_and_undo_fixes_them(page, server_url):
    open_app(page, server_url)
    units = page.locator("[data-testid=layer-h2] [data-field=units] input")
    units.fill("0")
    units.press("Tab")
    error = page.locator("[data-testid=layer-h2] [data-field=units] .field-error")
    error.wait_for()
    assert re.search(r"at least 1", error.text_content())
    assert units.get_attribute("aria-invalid") == "true"
    shot(page, "builder-error")

    page.click("[data-testid=undo]")
    page.wait_for_function("!document.querySelector('[data-testid=layer-h2]').classList.contains('has-error')")
    assert units.input_value() == "8"
    page.click("[data-testid=redo]")
    page.wait_for_function("document.querySelector('[data-testid=layer-h2] [data-field=units] input').value === '0'")
    page.console_watch.assert_clean()


def test_keyboard_adds_moves_and_removes_layers(page, server_url):
    open_app(page, server_url)
    page.focus("[data-testid=palette-dense] button")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 4")
    assert card_ids(page)[-1] == "dense1"

    page.focus("[data-testid=layer-dense1]")
    page.keyboard.press("Alt+ArrowUp")
    page.wait_for_function("[...document.querySelectorAll('[data-testid=layer-stack] > li')].map(c => c.dataset.id).join() === 'h1,h2,dense1,out'")
    page.keyboard.press("Delete")
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 3")
    page.keyboard.press("Control+z")
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 4")
    page.console_watch.assert_clean()


def test_share_link_restores_network_data_and_hyperparameters(page, server_url, context):
    open_app(page, server_url)
    page.click("[data-testid=dataset-xor]")
    page.click("[data-testid=remove-h2]")
    lr = page.locator("#training-panel [data-field=lr] input[type=number]")
    lr.fill("0.003")
    lr.press("Tab")
    page.wait_for_function("location.hash.includes('lr=0.003')")
    link = page.evaluate("location.href")

    other = context.new_page()
    other.goto(link)
    other.wait_for_selector("[data-testid=layer-out]")
    assert card_ids(other) == ["h1", "out"]
    assert other.get_attribute("[data-testid=dataset-xor]", "aria-pressed") == "true"
    assert other.locator("#training-panel [data-field=lr] input[type=number]").input_value() == "0.003"
    page.console_watch.assert_clean()


def test_state_round_trips_through_the_url_hash(page, server_url):
    open_app(page, server_url)
    same = page.evaluate("""async () => {
        const {defaultState, fromHash, toHash} = await import('/js/state.js');
        const state = {...defaultState(), dataset: 'xor', lr: 0.003, data: {noise: 0.2, features: ['x1', 'x1_sq']},
                       layers: [{id: 'a', type: 'dense', units: 3}]};
        const back = fromHash(toHash(state));
        return JSON.stringify(back) === JSON.stringify(state) && toHash(defaultState()) === '';
    }""")
    assert same
    # A damaged link falls back to the defaults instead of breaking the page.
    assert page.evaluate("import('/js/state.js').then(m => m.fromHash('#lr=abc&layers=%5Bbroken').lr)") == 0.01


def test_a_lesson_sets_network_data_and_outlines_its_views(page, server_url):
    open_app(page, server_url)
    presets = page.evaluate("fetch('/api/catalog').then(r => r.json()).then(c => c.presets)")
    if not presets:
        pytest.skip("the catalog lists no presets yet")
    preset = next((p for p in presets if p["dataset"]["name"] == "xor"), presets[0])
    page.select_option("[data-testid=presets]", preset["name"])
    page.wait_for_selector("[data-testid=lesson-card]:not([hidden])")
    assert preset["title"].lower() in page.inner_text("[data-testid=lesson-card]").lower()  # the heading is in capitals
    expected = [layer["id"] for layer in preset["spec"]["layers"]]
    page.wait_for_function(f"[...document.querySelectorAll('[data-testid=layer-stack] > li')].map(c => c.dataset.id).join() === {','.join(expected)!r}")
    assert page.get_attribute(f"[data-testid=dataset-{preset['dataset']['name']}]", "aria-pressed") == "true"
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.click("[data-testid=undo]")  # the whole lesson is one undoable step
    page.wait_for_function("[...document.querySelectorAll('[data-testid=layer-stack] > li')].map(c => c.dataset.id).join() === 'h1,h2,out'")
    page.console_watch.assert_clean()
