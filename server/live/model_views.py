"""Views for particular kinds of network: convolutional, recurrent and attention layers, saliency,
GANs and autoencoders. Each answers None when the network has nothing of its kind, so a client
may subscribe to all of them and receive what applies.
"""
import numpy as np

from server.live.codec import encode_tensor
from server.live.views import compact, single_network, view

MAX_CHANNELS = 64  # feature maps and filters beyond this are left out of a frame


def _sample(context, options) -> tuple[int, np.ndarray]:
    """The validation sample a view looks at (option `sample`, default 0): (index, batch of one)."""
    x_val = context.data.x_val
    index = int(np.clip(options.get("sample", 0), 0, max(0, len(x_val) - 1)))
    return index, x_val[index: index + 1]


@view("conv_filters", max_fps=10)
def conv_filters_view(context, options):
    """Every conv layer's filters, torch layout (out, in, kh, kw), first 64 output channels."""
    from engine.probes import conv_filters, conv_layers
    layers = conv_layers(context.model) if hasattr(context.model, "layers") else []
    return {layer: compact(conv_filters(context.model, layer)[:MAX_CHANNELS]) for layer in layers} or None


@view("feature_maps", max_fps=15, needs_data=True)
def feature_maps_view(context, options):
    """For one validation image: each conv layer's output maps (C, H, W), per-map uint8 ranges."""
    from engine.probes import activations, conv_layers
    layers = conv_layers(context.model) if hasattr(context.model, "layers") else []
    if not layers or not len(context.data.x_val):
        return None
    index, sample = _sample(context, options)
    values = activations(context.model, sample)
    maps = {layer: encode_tensor(values[layer][0][:MAX_CHANNELS], "uint8", per_slice=True) for layer in layers}
    return {"sample": index, "input": compact(sample[0]), "layers": maps}


@view("sequence_state", max_fps=10, needs_data=True)
def sequence_state_view(context, options):
    """Inside recurrent layers (hidden and cell states, gates over time) and attention layers
    (weights per head, query step by key step), for one validation sequence."""
    from engine.probes import sequence_layers, sequence_state
    layers = sequence_layers(context.model) if hasattr(context.model, "layers") else []
    if not layers or not len(context.data.x_val):
        return None
    index, sample = _sample(context, options)
    return {"sample": index, "layers": {layer: _encode_nested(sequence_state(context.model, sample, layer))
                                        for layer in layers}}


def _encode_nested(state):
    """{"hidden": array, "gates": {"i": array}} -> the same with each array's first sample encoded."""
    if isinstance(state, dict):
        return {key: _encode_nested(value) for key, value in state.items()}
    return compact(np.asarray(state)[0])


@view("saliency", max_fps=5, needs_data=True)
def saliency_view(context, options):
    """How much each input value moves the predicted class's score, for one validation sample."""
    from engine.probes import saliency
    if not single_network(context) or not len(context.data.x_val):
        return None
    if any(layer.get("type") == "embedding" for layer in context.layers):
        return None  # the inputs are word or letter ids: there is no slope along an id
    index, sample = _sample(context, options)
    return {"sample": index, "input": compact(sample[0]), "saliency": compact(saliency(context.model, sample)[0])}


@view("generated_samples", max_fps=10)
def generated_samples_view(context, options):
    """A GAN's generator on a fixed batch of latents: the same z every frame, so a client sees
    the same samples take shape as training goes on."""
    from engine.modes import generated_samples
    if context.spec.get("mode") != "gan":
        return None
    samples = generated_samples(context.model, int(np.clip(options.get("count", 16), 1, 16)))
    return {"samples": compact(samples)}


@view("reconstructions", max_fps=10, needs_data=True)
def reconstructions_view(context, options):
    """An autoencoder's input and output side by side for a few validation samples, and the
    bottleneck codes of up to 500 (a 2-unit code is a scatter plot, coloured by label)."""
    from engine.modes import latent_codes, reconstructions
    if context.spec.get("mode") != "autoencoder" or not len(context.data.x_val):
        return None
    count = int(np.clip(options.get("count", 8), 1, 32))
    x = context.data.x_val
    codes = latent_codes(context.model, x[:500])
    labels = np.asarray(context.data.y_val[:500]).reshape(len(codes), -1)[:, 0]
    return {"inputs": compact(x[:count]), "outputs": compact(reconstructions(context.model, x[:count])),
            "codes": encode_tensor(codes.reshape(len(codes), -1)), "labels": encode_tensor(labels)}
