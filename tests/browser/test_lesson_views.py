"""The predictions and saliency of lessons that are not about pictures, drawn in a real page from a
real training session: a forecast as the input window with the true and the predicted next value,
review and name classifiers as a table of samples with their true and predicted class, and a
tabular classifier's saliency as one labelled bar per measurement.
"""
import re

import msgpack
import pytest

from browser_harness import open_app, shot
from engine.data import load_dataset
from engine.presets import PRESETS

pytestmark = pytest.mark.browser

# Per canvas of the forecast charts: whether it holds the target's blue and the prediction's orange.
FORECAST_COLOURS = """() => [...document.querySelectorAll('[data-testid=forecast]:not([hidden]) canvas')].map((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const near = (r, g, b) => { for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40 && data[i + 3] > 200) return true; }
      return false; };
    return {target: near(33, 102, 172), predicted: near(179, 88, 6), window: near(89, 96, 110)}; })"""

SAMPLE_ROWS = """() => [...document.querySelectorAll('[data-testid=gallery-card] [data-testid=sample-row]')].map((r) => ({
    wrong: r.classList.contains('wrong'), cells: [...r.cells].map((c) => c.textContent)}))"""

SALIENCY_BARS = """() => [...document.querySelectorAll('[data-testid=saliency-bars] [data-testid=signed-bar]')].map((b) => ({
    label: b.querySelector('.signed-label').textContent, value: b.querySelector('.signed-value').textContent,
    width: b.querySelector('.signed-fill').getBoundingClientRect().width}))"""


# A property set on a view's element (one per selector): still there after later frames only if the
# view refilled that element instead of building a new one.
TAG_NODES = """(selectors) => selectors.map((s) => { const node = document.querySelector(s);
    if (node) node.keptAcrossFrames = s; return Boolean(node); })"""
TAGGED_NODES = """(selectors) => selectors.map((s) => document.querySelector(s)?.keptAcrossFrames === s)"""


class ViewFrames:
    """How many frames the page has received carrying each view, read off its real WebSocket."""

    def __init__(self, page):
        self.counts: dict[str, int] = {}
        page.on("websocket", lambda socket: socket.on("framereceived", self._received))

    def _received(self, payload):
        if not isinstance(payload, bytes):
            return
        message = msgpack.unpackb(payload, raw=False)
        if message.get("type") == "frame":
            for view in message.get("views") or {}:
                self.counts[view] = self.counts.get(view, 0) + 1

    def wait_for_more(self, page, views: list[str], more: int = 2, timeout_ms: int = 30_000) -> None:
        wanted = {view: self.counts.get(view, 0) + more for view in views}
        for _ in range(timeout_ms // 100):
            if all(self.counts.get(view, 0) >= count for view, count in wanted.items()):
                page.wait_for_timeout(300)  # the page handles the last of them
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"fewer than {more} new frames of {views}: {self.counts}")


def check_nodes_kept_across_frames(page, frames: ViewFrames, selectors: list[str], views: list[str]) -> None:
    """Tags the first element of each selector, trains on until the views were redrawn twice, and
    checks each element is the very same DOM node: the views refill their rows, bars and canvases."""
    assert page.evaluate(TAG_NODES, selectors) == [True] * len(selectors), selectors
    page.click("[data-testid=play]")
    frames.wait_for_more(page, views)
    page.click("[data-testid=pause]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.startsWith('paused')")
    assert page.evaluate(TAGGED_NODES, selectors) == [True] * len(selectors), selectors


def class_names(lesson: str) -> list[str]:
    dataset = PRESETS[lesson]["dataset"]
    return [str(name) for name in load_dataset(dataset["name"], **dataset.get("options", {})).class_names]


def train_lesson(page, server_url, lesson: str, ready: str) -> None:
    """Opens the lesson from the menu, trains until `ready` (a selector) is drawn, then pauses."""
    open_app(page, server_url)
    page.select_option("[data-testid=presets]", lesson)
    page.wait_for_selector("[data-testid=gallery-card]:not([hidden])")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.click("[data-testid=play]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.match(/step [1-9]/)",
                           timeout=60_000)
    page.wait_for_selector(ready, timeout=30_000)
    page.click("[data-testid=pause]")
    page.wait_for_function("document.querySelector('[data-testid=status]').textContent.startsWith('paused')")
    page.wait_for_timeout(400)  # the frame of the stopping step


def check_class_rows(rows: list[dict], names: list[str]) -> None:
    """Every row: a validation index, an input, a true class and a predicted one; mistakes marked."""
    assert len(rows) >= 16, rows
    for row in rows:
        index, text, true, predicted = row["cells"]
        assert index.isdigit() and text.strip(), row
        assert true in names, row
        guess = re.fullmatch(r"(.+) (\d+)%( ✗)?", predicted)
        assert guess and guess.group(1) in names and 0 <= int(guess.group(2)) <= 100, row
        assert row["wrong"] == (guess.group(1) != true) == bool(guess.group(3)), row


def test_the_forecast_lesson_draws_windows_with_the_true_and_the_predicted_value(page, server_url):
    train_lesson(page, server_url, "sine_forecast_gru", "[data-testid=forecast-charts][data-points]")
    assert page.get_attribute("[data-testid=gallery-card]", "data-form") == "forecast"
    charts = page.locator("[data-testid=forecast]:not([hidden])")
    assert charts.count() == 6  # the first six of the server's 16 samples
    # Each chart: a 40-step window, the true next value and the predicted one.
    assert int(page.get_attribute("[data-testid=forecast-charts]", "data-points")) == 6 * (40 + 1 + 1)
    for caption in charts.locator("figcaption").all_text_contents():
        assert re.fullmatch(r"sample \d+: off by \d+\.\d{3}", caption), caption
    page.wait_for_timeout(100)  # the charts draw on the next animation frame
    for colours in page.evaluate(FORECAST_COLOURS):
        assert colours == {"target": True, "predicted": True, "window": True}, colours
    assert page.is_hidden("[data-testid=gallery-card] [data-testid=sample-table]")
    page.locator("[data-testid=gallery-card]").scroll_into_view_if_needed()
    shot(page, "lesson-view-forecast")
    page.console_watch.assert_clean()


@pytest.mark.parametrize("lesson", ["lstm_sentiment", "names_char_lstm"])
def test_a_sequence_classifier_lists_samples_with_true_and_predicted_class(page, server_url, lesson):
    train_lesson(page, server_url, lesson, "[data-testid=gallery-card] [data-testid=sample-row]")
    assert page.get_attribute("[data-testid=gallery-card]", "data-form") == "classes"
    rows = page.evaluate(SAMPLE_ROWS)
    check_class_rows(rows, class_names(lesson))
    summary = page.text_content("[data-testid=gallery-card] .sample-summary")
    assert re.match(r"\d+ of \d+ validation samples misclassified", summary), summary
    if lesson == "names_char_lstm":  # the letters typed so far, in the model's own alphabet
        assert all(re.fullmatch(r"[a-z.-]+|\(start\)", row["cells"][1]) for row in rows), rows
    else:  # a review's tokens (by id until the page knows the vocabulary), never taken for measurements
        assert all(re.fullmatch(r"\S+( \S+)*", row["cells"][1]) and "feature" not in row["cells"][1] for row in rows), rows
    page.locator("[data-testid=gallery-card]").scroll_into_view_if_needed()
    shot(page, f"lesson-view-{lesson}")
    page.console_watch.assert_clean()


def test_the_tabular_lesson_lists_samples_and_draws_saliency_per_measurement(page, server_url):
    frames = ViewFrames(page)
    train_lesson(page, server_url, "tabular_feature_importance", "[data-testid=saliency-bars] [data-testid=signed-bar]")
    page.wait_for_selector("[data-testid=gallery-card] [data-testid=sample-row]")
    check_class_rows(page.evaluate(SAMPLE_ROWS), ["malignant", "benign"])
    assert page.get_attribute("[data-testid=saliency-card]", "data-form") == "features"
    bars = page.evaluate(SALIENCY_BARS)
    assert len(bars) == 12, bars  # the strongest 12 of the 30 measurements
    assert all(bar["label"].strip() for bar in bars), bars
    magnitudes = [abs(float(bar["value"])) for bar in bars]
    assert magnitudes == sorted(magnitudes, reverse=True) and magnitudes[0] > 0, bars
    assert bars[0]["width"] > 0
    caption = page.text_content("[data-testid=saliency-card] .tile-title:not([hidden])")
    assert "12 strongest of 30 measurements" in caption, caption
    page.locator("[data-testid=saliency-card]").scroll_into_view_if_needed()
    shot(page, "lesson-view-tabular-saliency")
    page.locator("[data-testid=gallery-card]").scroll_into_view_if_needed()
    shot(page, "lesson-view-tabular-predictions")
    check_nodes_kept_across_frames(page, frames, ["[data-testid=gallery-card] [data-testid=sample-row]",
                                                  "[data-testid=saliency-bars] [data-testid=signed-bar]"],
                                   ["predictions", "saliency"])
    page.console_watch.assert_clean()


def test_a_sequence_of_symbols_shows_them_and_its_saliency_per_time_step(page, server_url):
    train_lesson(page, server_url, "transformer_attention", "[data-testid=saliency-bars] [data-testid=signed-bar]")
    page.wait_for_selector("[data-testid=gallery-card] [data-testid=sample-row]")
    rows = page.evaluate(SAMPLE_ROWS)
    check_class_rows(rows, class_names("transformer_attention"))
    for row in rows:  # 20 one-hot steps, each read back as the symbol it carries
        assert re.fullmatch(r"\d( \d){19}", row["cells"][1]), row
    assert page.get_attribute("[data-testid=saliency-card]", "data-form") == "steps"
    bars = page.evaluate(SALIENCY_BARS)
    assert [bar["label"] for bar in bars] == [f"step {t}" for t in range(1, 21)]  # in time order
    assert all(float(bar["value"]) >= 0 for bar in bars) and max(bar["width"] for bar in bars) > 0, bars
    page.locator("[data-testid=saliency-card]").scroll_into_view_if_needed()
    shot(page, "lesson-view-sequence-saliency")
    page.console_watch.assert_clean()


def test_a_regression_over_sequences_lists_targets_and_predictions(page, server_url):
    train_lesson(page, server_url, "rnn_vs_lstm_memory", "[data-testid=gallery-card] [data-testid=sample-row]")
    assert page.get_attribute("[data-testid=gallery-card]", "data-form") == "values"  # (30, 2) steps: not a forecast
    rows = page.evaluate(SAMPLE_ROWS)
    assert len(rows) == 16, rows
    for row in rows:
        index, text, target, predicted, off = row["cells"]
        assert index.isdigit() and text == "30 steps × 2", row
        assert abs(abs(float(target) - float(predicted)) - float(off)) < 0.01, row
    summary = page.text_content("[data-testid=gallery-card] .sample-summary")
    assert re.match(r"mean absolute error [0-9.e+-]+ over these 16 validation samples", summary), summary
    page.console_watch.assert_clean()


def test_an_image_classifier_keeps_its_gallery(page, server_url):
    frames = ViewFrames(page)
    train_lesson(page, server_url, "mnist_mlp", "[data-testid=gallery] .gallery-tile")
    assert page.get_attribute("[data-testid=gallery-card]", "data-form") == "gallery"
    captions = page.locator("[data-testid=gallery] .gallery-tile figcaption").all_text_contents()
    assert len(captions) >= 16 and all(re.fullmatch(r"\d( ✗)?", c) for c in captions), captions
    assert page.is_hidden("[data-testid=gallery-card] [data-testid=sample-table]")
    assert page.is_hidden("[data-testid=gallery-card] [data-testid=forecast-charts]")
    check_nodes_kept_across_frames(page, frames, ["[data-testid=gallery] .gallery-tile canvas"], ["predictions"])
    page.console_watch.assert_clean()


def test_the_views_name_words_and_measurements_once_they_are_given_the_names(page, server_url):
    """The page's own modules, given the data sets' real vocabulary and feature names (which
    sync.js passes on from `dataset_loaded`), put them where the ids and numbers are."""
    open_app(page, server_url)
    reviews = load_dataset("sentiment", representation="token_ids", max_len=32, vocab_size=2000, seed=0)
    vocabulary, ids = list(reviews.extras["vocabulary"]), reviews.x_val[0].tolist()
    cancer = load_dataset("breast_cancer")
    features = list(cancer.extras["feature_names"])
    saliency = [((k * 7) % 30 + 1) / 10 * (-1) ** k for k in range(30)]  # distinct magnitudes, both signs
    named = page.evaluate("""async ([ids, vocabulary, saliency, features]) => {
        const {tokensText} = await import('/js/views/samples.js');
        const {featureBars} = await import('/js/views/saliency.js');
        return {text: tokensText(ids, vocabulary),
                bars: featureBars(Float32Array.from(saliency), new Float32Array(30), features).map((b) => b.label)}; }""",
                          [ids, vocabulary, saliency, features])
    first = next(k for k, i in enumerate(ids) if i)  # the review starts after its padding
    assert named["text"] == " ".join(vocabulary[i] for i in ids[first:])
    strongest = sorted(range(30), key=lambda k: -abs(saliency[k]))[:12]
    assert named["bars"] == [features[k] for k in strongest]
    page.console_watch.assert_clean()


def test_measurements_and_words_are_named_as_the_data_set_names_them(page, server_url):
    train_lesson(page, server_url, "tabular_feature_importance", "[data-testid=saliency-bars] [data-testid=signed-bar]")
    names = set(load_dataset("breast_cancer").extras["feature_names"])
    assert {bar["label"] for bar in page.evaluate(SALIENCY_BARS)} <= names
    page.select_option("[data-testid=presets]", "lstm_sentiment")
    page.click("[data-testid=play]")
    page.wait_for_selector("[data-testid=gallery-card] [data-testid=sample-row]", timeout=30_000)
    texts = [row["cells"][1] for row in page.evaluate(SAMPLE_ROWS)]
    assert not any("#" in text for text in texts), texts  # words, not token ids
