"""Every kind of data set gets a network that fits it and trains, with no console errors: tables,
sequences, text, series and images, picked through the data panel like a learner would."""
import pytest

from browser_harness import open_app

pytestmark = pytest.mark.browser

KINDS = [("classics", "iris"), ("sequences", "sine_wave"), ("text", "sentiment"), ("series", "co2"),
         ("images", "digits8"), ("toy2d", "blobs")]


def test_each_kind_of_data_set_gets_a_fitting_network_that_trains(page, server_url):
    open_app(page, server_url)
    for group, name in KINDS:
        choice = page.locator(f"[data-testid=dataset-{name}]")
        if choice.is_hidden():
            page.click(f"[data-testid=dataset-group-{group}]")
        choice.click()
        page.wait_for_selector("[data-testid=play]:not([disabled])")
        page.click("[data-testid=step]")
        page.wait_for_function("/step [1-9]/.test(document.querySelector('[data-testid=status]').textContent)")
        assert page.locator("#notice.error").is_hidden(), f"{name}: {page.inner_text('#notice')}"
    page.console_watch.assert_clean()
