"""Save and load a network as JSON, and the data-licences page, in a real browser."""
import json

import pytest

from browser_harness import open_app, shot

pytestmark = pytest.mark.browser


def test_save_then_load_a_network(page, server_url, tmp_path):
    open_app(page, server_url)
    with page.expect_download() as download:
        page.click("[data-testid=save]")
    saved = json.loads(open(download.value.path()).read())
    assert [layer["id"] for layer in saved["spec"]["layers"]] == ["h1", "h2", "out"]
    assert saved["spec"]["input"]["shape"] == [2] and saved["dataset"]["name"] == "spiral"

    saved["spec"]["layers"][0]["units"] = 3
    del saved["spec"]["layers"][1]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(saved))
    page.set_input_files("[data-testid=load]", str(edited))
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 2")
    page.wait_for_function("document.querySelector('[data-testid=shape-h1]').textContent.includes('(3)')")
    page.click("[data-testid=undo]")  # loading is one undoable step
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 3")

    broken = tmp_path / "broken.json"
    broken.write_text('{"hello": 1}')
    page.set_input_files("[data-testid=load]", str(broken))
    page.wait_for_function("document.querySelector('#notice').textContent.includes('no \"layers\"')")
    page.console_watch.assert_clean()


def test_data_licences_page_credits_every_source(page, server_url):
    page.goto(f"{server_url}/licences.html")
    page.wait_for_selector("[data-testid=credits] .credit")
    text = page.inner_text("[data-testid=credits]")
    assert "CC BY-SA" in text and "MNIST" in text
    shot(page, "licences")
    page.console_watch.assert_clean()
