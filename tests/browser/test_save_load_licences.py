"""Save and load networks in a real browser (a trained one with its weights, or a spec as JSON
before anything is built), a duplicated tab's own session against a dropped tab's way back to
its session, and the data-licences page."""
import json
import re

import pytest

from browser_harness import open_app, shot
from server.live.codec import pack, unpack

pytestmark = pytest.mark.browser


def shown(page) -> dict:
    """Step and validation loss as the status line shows them (4 significant digits)."""
    text = page.inner_text("[data-testid=status]")
    step = re.search(r"step (\d+)", text)
    val = re.search(r"val ([0-9.e+-]+)", text)
    return {"text": text, "step": int(step.group(1)) if step else -1, "val": val.group(1) if val else None}


def wait_for_notice(page, words: str, timeout: float = 30_000):
    page.wait_for_function("(words) => document.querySelector('#notice').textContent.includes(words)",
                           arg=words, timeout=timeout)


def evaluate_saved(saved: dict) -> float:
    """The validation loss of the saved weights on the saved data, computed by the engine here."""
    from engine import build_model
    from engine.data import load_dataset
    from server.live.codec import decode_tensor
    from server.live.engine_ops import evaluate
    from server.settings import Settings
    model = build_model(saved["spec"], seed=0)
    model.set_params({name: decode_tensor(tensor) for name, tensor in saved["params"].items()})
    data = load_dataset(saved["dataset"]["name"], **saved["dataset"]["options"])
    return evaluate(model, saved["spec"], data, Settings().eval_samples)["val_loss"]


def test_a_trained_network_saves_with_its_weights_and_loads_into_a_fresh_tab(page, context, server_url, tmp_path):
    open_app(page, server_url)
    page.click("[data-testid=play]")
    page.wait_for_function("+(document.querySelector('[data-testid=status]').textContent.match(/step (\\d+)/) "
                           "|| [0, 0])[1] >= 300", timeout=30_000)
    page.click("[data-testid=pause]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.startsWith('paused')")
    page.wait_for_timeout(500)  # the frame taken at the pause carries the validation loss
    trained = shown(page)
    assert trained["step"] >= 300 and trained["val"] is not None, trained

    with page.expect_download() as download:
        page.click("[data-testid=save]")
    assert download.value.suggested_filename == f"layerlab-spiral-step{trained['step']}.layerlab"
    raw = open(download.value.path(), "rb").read()
    saved = unpack(raw)
    assert saved["type"] == "saved" and saved["step"] == trained["step"] and saved["dataset"]["name"] == "spiral"
    assert float(trained["val"]) == pytest.approx(evaluate_saved(saved), rel=1e-3)
    path = tmp_path / download.value.suggested_filename
    path.write_bytes(raw)

    # A new tab has a session of its own with fresh weights; the file brings the trained ones.
    fresh = context.new_page()
    problems = []
    fresh.on("console", lambda message: message.type == "error" and problems.append(message.text))
    fresh.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    open_app(fresh, server_url, "#dataset=xor")
    fresh.wait_for_timeout(500)
    assert shown(fresh)["step"] == 0
    assert fresh.get_attribute("[data-testid=dataset-xor]", "aria-pressed") == "true"
    fresh.set_input_files("[data-testid=load]", str(path))
    wait_for_notice(fresh, "Loaded")
    fresh.wait_for_function(f"document.querySelector('[data-testid=status]').textContent.includes('step {trained['step']}')")
    fresh.wait_for_function("/val [0-9]/.test(document.querySelector('[data-testid=status]').textContent)")
    assert shown(fresh)["val"] == trained["val"]  # the same network: the same validation loss
    assert fresh.get_attribute("[data-testid=dataset-spiral]", "aria-pressed") == "true"  # the saved data...
    ids = fresh.eval_on_selector_all("[data-testid=layer-stack] > li", "items => items.map(i => i.dataset.testid)")
    assert ids == ["layer-h1", "layer-h2", "layer-out"]  # ...and network show
    shot(fresh, "loaded-trained-network")
    fresh.click("[data-testid=step]")  # training goes on counting from the saved step
    fresh.wait_for_function(f"document.querySelector('[data-testid=status]').textContent.includes('step {trained['step'] + 1}')")

    # Files that cannot be loaded say what is wrong, and the loaded network stays.
    damaged = tmp_path / "damaged.layerlab"
    damaged.write_bytes(raw[: len(raw) // 2])
    fresh.set_input_files("[data-testid=load]", str(damaged))
    wait_for_notice(fresh, "damaged")
    misfit = tmp_path / "misfit.layerlab"
    misfit.write_bytes(pack({**saved, "params": {**saved["params"], "out.weight": saved["params"]["h1.weight"]}}))
    fresh.set_input_files("[data-testid=load]", str(misfit))
    wait_for_notice(fresh, "do not fit")
    assert "out.weight" in fresh.inner_text("#notice")
    assert shown(fresh)["step"] == trained["step"] + 1
    page.console_watch.assert_clean()
    assert problems == [], problems


def test_before_a_network_is_built_save_writes_the_spec_as_json_and_loads_it_back(page, server_url, tmp_path):
    # No server session at all (the socket is answered by nobody): Save falls back to JSON.
    page.route_web_socket(re.compile(r".*/ws$"), lambda socket: None)
    page.goto(server_url)
    page.wait_for_selector("[data-testid=layer-stack] [data-testid^=layer-]")
    with page.expect_download() as download:
        page.click("[data-testid=save]")
    assert download.value.suggested_filename == "layerlab-spiral-network.json"
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
    page.click("[data-testid=undo]")  # loading a spec is one undoable step
    page.wait_for_function("document.querySelectorAll('[data-testid=layer-stack] > li').length === 3")

    broken = tmp_path / "broken.json"
    broken.write_text('{"hello": 1}')
    page.set_input_files("[data-testid=load]", str(broken))
    wait_for_notice(page, 'no "layers"')
    page.console_watch.assert_clean()


def test_a_duplicated_tab_starts_its_own_session_and_the_original_keeps_training(page, context, server_url):
    open_app(page, server_url)
    token = page.evaluate("sessionStorage.getItem('layerlab.session')")
    page.click("[data-testid=play]")
    page.wait_for_function("/step [1-9]/.test(document.querySelector('[data-testid=status]').textContent)")

    # What "Duplicate tab" does: the new tab starts with a copy of the original's sessionStorage.
    copy = context.new_page()
    problems = []
    copy.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    copy.add_init_script(f"sessionStorage.setItem('layerlab.session', {json.dumps(token)})")
    open_app(copy, server_url)
    wait_for_notice(copy, "copy of another open tab")
    own = copy.evaluate("sessionStorage.getItem('layerlab.session')")
    assert own and own != token
    assert shown(copy)["step"] == 0 and copy.get_attribute("[data-testid=pause]", "hidden") is not None

    # the original was not taken over: it is still running its own session, and counting
    before = shown(page)["step"]
    page.wait_for_function(f"+document.querySelector('[data-testid=status]').textContent.match(/step (\\d+)/)[1] > {before}")
    assert page.evaluate("sessionStorage.getItem('layerlab.session')") == token
    assert shown(page)["text"].startswith("running")
    copy.click("[data-testid=step]")  # and the copy trains its own network
    copy.wait_for_function("document.querySelector('[data-testid=status]').textContent.includes('step 1 ')")
    assert shown(page)["step"] > before
    page.click("[data-testid=pause]")
    page.console_watch.assert_clean()
    assert problems == [], problems


def test_a_tab_whose_socket_dropped_unnoticed_waits_for_its_own_session(page, server_url):
    # The page's side of the socket drops while the server's side stays open (as when a network
    # goes away without a word): the server still sees the session attached, so the tab's resume
    # is refused as "in use". This tab held the session, so it asks again instead of starting
    # afresh, and gets it back once the server lets go of the dead socket.
    links = []

    def relay(page_side):
        server_side = page_side.connect_to_server()
        page_side.on_close(lambda code, reason: None)  # closing the page's side leaves the server's open
        links.append((page_side, server_side))

    page.route_web_socket(re.compile(r".*/ws$"), relay)
    open_app(page, server_url)
    token = page.evaluate("sessionStorage.getItem('layerlab.session')")
    page.click("[data-testid=step]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.includes('step 1 ')")

    links[0][0].close()  # the page's side only
    page.wait_for_function("document.querySelector('.link-dot').className.includes('link-closed')")
    page.wait_for_timeout(3000)  # reconnected, refused, asking again meanwhile
    assert len(links) == 2
    assert page.evaluate("sessionStorage.getItem('layerlab.session')") == token
    assert "copy of another" not in page.inner_text("#notice")

    links[0][1].close()  # the server notices the dead socket and detaches the session
    wait_for_notice(page, "Welcome back")
    assert page.evaluate("sessionStorage.getItem('layerlab.session')") == token
    assert shown(page)["step"] == 1
    page.console_watch.assert_clean()


def test_data_licences_page_credits_every_source(page, server_url):
    page.goto(f"{server_url}/licences.html")
    page.wait_for_selector("[data-testid=credits] .credit")
    text = page.inner_text("[data-testid=credits]")
    assert "CC BY-SA" in text and "MNIST" in text
    shot(page, "licences")
    page.console_watch.assert_clean()
