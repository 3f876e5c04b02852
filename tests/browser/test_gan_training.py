"""A GAN's own hyperparameters in the training panel, in a real browser against a real server:
the GAN lesson shows discriminator steps, the latent and each network's optimizer instead of the
single network's loss and optimizer; d_steps and a network's learning rate change while it trains
(the server's `hyper_applied` spec carries them, no new build, the step counter goes on); an
out-of-range d_steps is named on its control and not sent, a refusal only the engine knows lands
on the network's control; a new latent size builds the GAN anew with the new input shape."""
import pytest

from browser_harness import shot, status, wait_for_step
from test_gan_builder import open_gan_lesson, show_network
from test_training_panel import ServerMessages, type_into, wait_for_applied

pytestmark = pytest.mark.browser

GAN = "#training-panel [data-testid=gan-settings]"


def gan_field(name: str, network: str | None = None) -> str:
    within = f"{GAN} [data-testid=gan-network-{network}]" if network else GAN
    return f"{within} [data-field={name}]"


def shot_panel(page, name: str, showing: str = GAN):
    """A screenshot with the GAN settings in view (the training panel sits below the data sets)."""
    page.locator(showing).scroll_into_view_if_needed()
    shot(page, name)


def wait_for_builds(page, messages: ServerMessages, count: int, timeout_ms: int = 15_000) -> None:
    """Until the server has answered `built` count times."""
    for _ in range(timeout_ms // 100):
        if len(messages.of_type("built")) >= count:
            return
        page.wait_for_timeout(100)


def test_gan_settings_change_live_and_the_latent_rebuilds(page, server_url):
    messages = ServerMessages(page)
    open_gan_lesson(page, server_url)

    # One network's controls do not apply to a GAN; its own settings show the lesson's spec.
    for hidden in ("loss", "optimizer", "lr", "regularization"):
        assert not page.is_visible(f"#training-panel > .control-grid [data-field={hidden}]"), hidden
    assert not page.is_visible("[data-testid=training-advanced]")
    assert page.is_visible("#training-panel [data-field=batch_size]")
    assert page.input_value(f"{gan_field('d_steps')} input") == "1"
    assert page.input_value(f"{gan_field('latent')} select") == "normal"
    assert page.input_value(f"{gan_field('latent_size')} input") == "16"
    for network in ("generator", "discriminator"):
        assert page.input_value(f"{gan_field('optimizer', network)} select") == "adam"
        assert page.input_value(f"{gan_field('lr', network)} input[type=number]") == "0.002"
        assert page.input_value(f"{gan_field('betas', network)} input") == "0.5,0.999"
    shot_panel(page, "gan-training-panel")

    page.click("[data-testid=play]")
    wait_for_step(page, 50)
    builds = len(messages.of_type("built"))

    # The lesson's "try this": 5 discriminator steps per generator step, and a faster discriminator.
    mark = messages.applied_so_far()
    type_into(page, f"{gan_field('d_steps')} input", "5")
    wait_for_applied(page, messages, lambda s: s.get("d_steps") == 5, mark)
    mark = messages.applied_so_far()
    type_into(page, f"{gan_field('lr', 'discriminator')} input[type=number]", "0.01")
    applied = wait_for_applied(page, messages, lambda s: s["discriminator"]["optimizer"]["lr"] == 0.01, mark)
    assert applied["d_steps"] == 5, "the learning-rate change kept d_steps"
    assert applied["generator"]["optimizer"]["lr"] == 0.002, "the generator's rate is its own"
    assert applied["discriminator"]["optimizer"]["betas"] == [0.5, 0.999]
    # ... and the generator's rate from its log-scale slider: 10^-2.
    mark = messages.applied_so_far()
    page.locator(f"{gan_field('lr', 'generator')} .lr-slider").evaluate(
        "(slider) => { slider.value = '-2'; slider.dispatchEvent(new Event('input')); }")
    applied = wait_for_applied(page, messages, lambda s: s["generator"]["optimizer"]["lr"] == 0.01, mark)
    assert applied["discriminator"]["optimizer"]["lr"] == 0.01 and applied["d_steps"] == 5
    assert page.input_value(f"{gan_field('lr', 'generator')} input[type=number]") == "0.01"
    sent = messages.of_type("hyper", sent=True)[-1]["changes"]
    assert set(sent) == {"d_steps", "batch_size", "generator", "discriminator"}, sent

    # Same weights, same run: no new build, and the step counter keeps counting.
    before = status(page)["step"]
    wait_for_step(page, before + 100)
    assert len(messages.of_type("built")) == builds
    assert status(page)["state"] == "running"
    shot_panel(page, "gan-training-live")

    # Out of range: named on d_steps by the catalog's bounds, and not sent.
    hypers = len(messages.of_type("hyper", sent=True))
    type_into(page, f"{gan_field('d_steps')} input", "50")
    assert page.inner_text(f"{gan_field('d_steps')} .field-error") == "d_steps must be at most 20, got 50"
    page.wait_for_timeout(300)
    assert len(messages.of_type("hyper", sent=True)) == hypers
    shot_panel(page, "gan-training-error")
    type_into(page, f"{gan_field('d_steps')} input", "5")
    assert page.inner_text(f"{gan_field('d_steps')} .field-error") == ""

    # A refusal only the engine knows (Nesterov needs momentum) lands on that network's optimizer.
    page.select_option(f"{gan_field('optimizer', 'discriminator')} select", "sgd")
    assert page.input_value(f"{gan_field('momentum', 'discriminator')} input") == "0"
    page.check(f"{gan_field('nesterov', 'discriminator')} input")
    page.wait_for_function(f"document.querySelector('{gan_field('optimizer', 'discriminator')} .field-error')"
                           ".textContent.includes('nesterov')")
    assert page.inner_text(f"{gan_field('optimizer', 'generator')} .field-error") == ""
    mark = messages.applied_so_far()
    page.uncheck(f"{gan_field('nesterov', 'discriminator')} input")
    applied = wait_for_applied(page, messages, lambda s: s["discriminator"]["optimizer"]["type"] == "sgd", mark)
    assert applied["generator"]["optimizer"]["type"] == "adam"
    assert page.inner_text(f"{gan_field('optimizer', 'discriminator')} .field-error") == ""
    assert len(messages.of_type("built")) == builds
    page.click("[data-testid=pause]")

    # The latent size is the generator's input: a change builds the GAN anew with that input.
    type_into(page, f"{gan_field('latent_size')} input", "8")
    wait_for_builds(page, messages, builds + 1)
    assert len(messages.of_type("built")) == builds + 1, "a new latent size builds a new GAN"
    built_spec = messages.of_type("build", sent=True)[-1]["spec"]
    assert built_spec["generator"]["input"]["shape"] == [8]
    assert built_spec["discriminator"]["optimizer"]["type"] == "sgd", "the network settings stay"
    assert built_spec["d_steps"] == 5
    show_network(page, "generator")
    page.wait_for_function("document.querySelector('[data-testid=layer-input]').textContent.includes('(8)')")
    page.wait_for_selector("[data-testid=play]:not([disabled])")
    page.click("[data-testid=play]")
    wait_for_step(page, 20)
    shot_panel(page, "gan-training-latent-8", gan_field("latent_size"))
    page.click("[data-testid=pause]")

    # So does the latent distribution: it is how the GAN draws its inputs, not a hyperparameter.
    builds = len(messages.of_type("built"))
    page.select_option(f"{gan_field('latent')} select", "uniform")
    wait_for_builds(page, messages, builds + 1)
    assert len(messages.of_type("built")) == builds + 1, "a new latent distribution builds a new GAN"
    built_spec = messages.of_type("build", sent=True)[-1]["spec"]
    assert built_spec["latent"] == "uniform" and built_spec["generator"]["input"]["shape"] == [8]
    page.console_watch.assert_clean()
