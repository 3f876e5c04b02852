"""Accessibility basics in a real browser: every control has a name a screen reader can say, the
keyboard reaches the controls in order, and Space plays and pauses."""
import pytest

from browser_harness import open_app

pytestmark = pytest.mark.browser

UNNAMED_CONTROLS = """() => [...document.querySelectorAll('button, input, select, a[href], [tabindex="0"]')]
  .filter((el) => el.offsetParent !== null || el.type === 'file')
  .filter((el) => {
    const labelled = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title
      || (el.labels && [...el.labels].some((l) => l.textContent.trim())) || el.textContent.trim();
    return !labelled;
  })
  .map((el) => el.outerHTML.slice(0, 120))"""


def test_every_control_has_an_accessible_name(page, server_url):
    open_app(page, server_url)
    assert page.evaluate(UNNAMED_CONTROLS) == []
    page.console_watch.assert_clean()


def test_keyboard_reaches_play_and_space_toggles_training(page, server_url):
    open_app(page, server_url)
    reached = set()
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.dataset.testid || document.activeElement.id || ''"))
    assert "play" in reached
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.startsWith('running')")
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.startsWith('paused')")
    page.console_watch.assert_clean()
