"""The live views a client can subscribe to: one function each, one registry line each.

A view turns the session's model (and data) into a small payload of tensors and metadata. It runs
on the session's worker thread, only while subscribed, at most `max_fps` times a second. To add
a view (feature maps, attention, GAN samples come with their layers):

    @view("my_view", max_fps=10, needs_data=True)
    def my_view(context, options):
        return {"values": encode_tensor(...)}
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from server.live.codec import encode_tensor

SMALL_TENSOR = 16_384  # values; bigger tensors travel quantized to uint8


@dataclass
class ViewContext:
    model: object
    spec: dict
    data: object | None
    layers: list[dict]   # the `built` summary: id, type, output_shape, params
    step: int


@dataclass(frozen=True)
class View:
    name: str
    compute: Callable[[ViewContext, dict], dict | None]
    max_fps: float
    needs_data: bool
    help: str


VIEWS: dict[str, View] = {}


def view(name: str, max_fps: float = 60.0, needs_data: bool = False):
    def register(compute):
        VIEWS[name] = View(name, compute, max_fps, needs_data, (compute.__doc__ or "").strip())
        return compute
    return register


def catalog() -> list[dict]:
    return [{"name": v.name, "max_fps": v.max_fps, "needs_data": v.needs_data, "help": v.help}
            for v in VIEWS.values()]


def single_network(context) -> bool:
    """Views of one network's insides do not apply to a GAN's pair (it has its own views)."""
    return context.spec.get("mode") != "gan"


def compact(values: np.ndarray) -> dict:
    """float32 while small, else uint8: a 784x128 weight matrix becomes 100 KB instead of 400."""
    return encode_tensor(values, "float32" if np.size(values) <= SMALL_TENSOR else "uint8")


# ---- views --------------------------------------------------------------------------------------
# "metrics" is always in every frame (step, epoch, losses, evaluations); the name is accepted so
# a client can list it with the others.

@view("metrics")
def metrics_view(context, options):
    """Loss and accuracy: every frame carries them whether subscribed or not."""
    return None


@view("weights", max_fps=30)
def weights_view(context, options):
    """Every parameter tensor (dense matrices as (out, in), conv filters as (out, in, kh, kw))."""
    return {name: compact(values) for name, values in context.model.params().items()}


@view("weight_histograms", max_fps=10)
def weight_histograms_view(context, options):
    """Per parameter tensor: norm, mean, std, min, max and a histogram (bins, edges); the client
    stacks them over time."""
    from engine.probes import weight_stats
    return weight_stats(context.model, bins=int(np.clip(options.get("bins", 32), 4, 128)))


from server.live import model_views, probe_views  # noqa: E402,F401  (they register themselves)
