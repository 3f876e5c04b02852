"""flatten and reshape: shapes, C-order relabelling in both directions, errors naming the field."""

import numpy as np
import pytest

from engine import SpecError, build_model


def spec(layers, shape):
    return {"input": {"shape": shape}, "layers": layers, "loss": "mse", "batch_size": 4}


def test_reshape_turns_flat_pixels_into_an_image_for_conv(rng):
    model = build_model(spec([{"id": "img", "type": "reshape", "shape": [1, 28, -1]},
                              {"id": "c", "type": "conv2d", "out_channels": 2, "kernel_size": 3},
                              {"id": "flat", "type": "flatten"},
                              {"id": "out", "type": "dense", "units": 1}], [784]))
    assert [row["output_shape"] for row in model.summary()] == [[1, 28, 28], [2, 26, 26], [1352], [1]]
    x = rng.standard_normal((3, 784)).astype(np.float32)
    values = model.run(x)
    np.testing.assert_array_equal(values["img"], x.reshape(3, 1, 28, 28))
    loss, grads = model.grads(x, np.zeros((3, 1), np.float32))
    assert np.isfinite(loss) and np.abs(grads["c.weight"]).sum() > 0


def test_flatten_and_reshape_pass_gradients_back_unchanged(rng):
    model = build_model(spec([{"id": "grow", "type": "dense", "units": 12},
                              {"id": "cube", "type": "reshape", "shape": [3, 2, 2]},
                              {"id": "flat", "type": "flatten"}], [5]))
    x = rng.standard_normal((4, 5)).astype(np.float32)
    for layer_id in ("cube", "flat"):
        layer = model.layer_by_id[layer_id]
        grad = rng.standard_normal((4, *layer.output_shape)).astype(np.float32)
        (back,) = layer.backward(grad)
        np.testing.assert_array_equal(back, grad.reshape(4, *layer.input_shapes[0]))
    np.testing.assert_array_equal(model.forward(x), model.run(x)["grow"])


@pytest.mark.parametrize("shape, words", [
    ([5, 5], "cannot reshape 12 values into [5, 5]"),
    ([5, -1], "12 is not divisible by 5"),
    ([-1, -1], "only one entry of shape can be -1"),
    ([0, 12], "must be positive"),
])
def test_reshape_errors_name_the_layer_and_field(shape, words):
    with pytest.raises(SpecError) as error:
        build_model(spec([{"id": "r", "type": "reshape", "shape": shape}, {"id": "out", "type": "flatten"}], [3, 4]))
    assert any(p["layer"] == "r" and p["field"] == "layers[0].shape" and words in p["message"]
               for p in error.value.problems), error.value.problems
