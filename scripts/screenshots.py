"""Makes the README's screenshots of the playground into docs/screenshots/, from a real server.

    .venv/bin/python scripts/screenshots.py            # all shots
    .venv/bin/python scripts/screenshots.py spiral     # only the named ones

Each shot opens the page at 1280×720 (a classroom projector), sets a scene through the UI (a
share link, clicks, a drawn digit), lets it train for a moment and saves a PNG.
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
from browser_harness import ROOT, VIEWPORT, chromium, open_app, serve  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SPIRAL = ("#lr=0.01&layers=%5B%7B%22id%22%3A%22h1%22%2C%22type%22%3A%22dense%22%2C%22units%22%3A12%2C%22activation%22"
          "%3A%22tanh%22%7D%2C%7B%22id%22%3A%22h2%22%2C%22type%22%3A%22dense%22%2C%22units%22%3A12%2C%22activation%22"
          "%3A%22tanh%22%7D%2C%7B%22id%22%3A%22out%22%2C%22type%22%3A%22dense%22%2C%22units%22%3A1%2C%22activation%22"
          "%3A%22sigmoid%22%7D%5D")


def current_step(page) -> int:
    match = re.search(r"step (\d+)", page.inner_text("[data-testid=status]"))
    return int(match.group(1)) if match else 0


def train_for(page, steps: int, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.click("[data-testid=play]")
    page.wait_for_function(
        f"(+(document.querySelector('[data-testid=status]').textContent.match(/step (\\d+)/) || [0, 0])[1]) >= {steps}",
        timeout=timeout_ms)
    page.click("[data-testid=pause]")
    page.wait_for_timeout(800)


def spiral(page, url):
    """The playground training a spiral: curves, decision boundary, network."""
    open_app(page, url, SPIRAL)
    train_for(page, 60000)


def mnist(page, url):
    """An MNIST classifier with a hand-drawn digit."""
    open_app(page, url)
    page.click("[data-testid=dataset-group-images]")
    page.click("[data-testid=dataset-mnist]")
    page.wait_for_function("document.querySelector('[data-testid=shape-out]')?.textContent.includes('(10)')")
    train_for(page, 800)
    page.locator("[data-testid=digit-card]").scroll_into_view_if_needed()
    box = page.locator("[data-testid=digit-canvas]").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    for x, y in [(0.7, 0.25), (0.45, 0.8)]:
        page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * y, steps=10)
    page.mouse.up()
    page.wait_for_selector("[data-testid=digit-prediction] .digit-bar.best")


SHOTS = {"spiral": spiral, "mnist": mnist}


def main(names: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with serve() as url, chromium() as browser:
        for name in names or SHOTS:
            page = browser.new_page(viewport=VIEWPORT)
            SHOTS[name](page, url)
            path = OUT / f"{name}.png"
            page.screenshot(path=str(path))
            print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
            page.close()


if __name__ == "__main__":
    main(sys.argv[1:])
