"""Topics 6, 8, 9 and 11: learning rate, optimizers, batch size, vanishing gradients."""

from engine.presets.registry import add, dense_spec, toy

REGRESSION = dense_spec(2, [16, 16], "relu", output_activation="linear", loss="mse",
                        optimizer={"type": "sgd", "lr": 0.05}, batch_size=16)

add(name="learning_rate_sizes", topics=[6, 9], title="Learning rate: too small, right, too large",
    explanation="The learning rate is the length of each downhill step. Tiny steps are safe but the loss "
                "crawls. Steps that are too long overshoot the valley, land higher up the other side, and "
                "each overshoot is bigger than the last until the numbers overflow: training diverges.",
    try_this="Raise the rate a little at a time and find the largest one that still trains.",
    views=["metrics", "neuron_grid", "gradients"],
    spec=REGRESSION, dataset=toy("multi_gaussian"),
    runs=[{"label": "too_small", "changes": {"optimizer": {"lr": 0.0001}}},
          {"label": "just_right"},
          {"label": "too_large", "changes": {"optimizer": {"lr": 3.0}}}],
    steps=1500, eval_every=100,
    checks=[{"that": "runs.too_small.final.val_loss", "op": ">=", "than": {"path": "runs.just_right.final.val_loss", "times": 4},
             "why": "tiny steps: after the same steps the loss is still over 4x the good rate's"},
            {"that": "runs.just_right.final.val_loss", "op": "<=", "than": {"path": "runs.just_right.history.0.val_loss", "times": 0.2},
             "why": "a good rate cuts the loss to a fifth"},
            {"that": "runs.too_large.diverged.message", "op": "contains", "than": "smaller learning rate",
             "why": "too large a rate diverges, and the message says what to do"}])

RACE_RUNS = [
    {"label": "sgd", "changes": {"optimizer": {"type": "sgd", "lr": 0.05}}},
    {"label": "momentum", "changes": {"optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.9}}},
    {"label": "rmsprop", "changes": {"optimizer": {"type": "rmsprop", "lr": 0.01}}},
    {"label": "adagrad", "changes": {"optimizer": {"type": "adagrad", "lr": 0.1}}},
    {"label": "adam", "changes": {"optimizer": {"type": "adam", "lr": 0.01}}},
]

add(name="optimizer_race", topics=[8], title="Optimizer race",
    explanation="Five optimizers start from the same weights and see the same batches. Plain SGD steps straight "
                "down the current slope. Momentum keeps a running direction, so it speeds up along long valleys. "
                "AdaGrad, RMSprop and Adam give every weight its own step size from the history of its "
                "gradients, so weights with small gradients still move.",
    try_this="Overlay the loss curves; then give SGD a larger learning rate and see if it catches up.",
    views=["metrics", "neuron_grid"],
    spec=dense_spec(2, [16, 16], "tanh"), dataset=toy("spiral"), runs=RACE_RUNS,
    target={"metric": "loss", "at_most": 0.3}, steps=4000, eval_every=50,
    checks=[{"that": f"runs.{fast}.steps_to_target", "op": "<", "than": "runs.sgd.steps_to_target",
             "why": f"{fast} gets the training loss under 0.3 before plain SGD"}
            for fast in ("momentum", "rmsprop", "adam")])

add(name="batch_size_noise", topics=[9], title="Batch size: noisy small steps or smooth big ones",
    explanation="Each step estimates the downhill direction from one batch. A small batch gives a rough, noisy "
                "estimate (a jumpy loss curve) but is cheap; a large batch averages more samples, so the curve "
                "is smooth, yet each step costs more and one epoch has fewer steps.",
    try_this="Set batch size 1, then 256, and compare the loss curves' wiggle.",
    views=["metrics", "neuron_grid"],
    spec=dense_spec(2, [8, 8], "tanh", optimizer={"type": "adam", "lr": 0.01}), dataset=toy("moons", noise=0.2),
    runs=[{"label": "batch_4", "changes": {"batch_size": 4}},
          {"label": "batch_32", "changes": {"batch_size": 32}},
          {"label": "batch_256", "changes": {"batch_size": 256}}],
    steps=1500, eval_every=250,
    checks=[{"that": "runs.batch_4.batch_loss_noise", "op": ">", "than": {"path": "runs.batch_256.batch_loss_noise", "times": 2},
             "why": "small batches make a far noisier loss curve"}]
           + [{"that": f"runs.{label}.final.val_accuracy", "op": ">=", "than": 0.85, "why": f"{label} still learns"}
              for label in ("batch_4", "batch_32", "batch_256")])


def residual_stack(depth, width):
    """relu + batch norm + a shortcut around every block: the gradient has a direct path back.
    Three layers a block (the relu inside the dense layer, normalized after it), so eight blocks
    fit the server's 32-layer quota and the lesson opens live."""
    layers = [{"id": "stem", "type": "dense", "units": width, "activation": "relu"}]
    previous = "stem"
    for i in range(1, depth + 1):
        layers += [{"id": f"d{i}", "type": "dense", "units": width, "activation": "relu", "inputs": [previous]},
                   {"id": f"bn{i}", "type": "batch_norm"},
                   {"id": f"res{i}", "type": "add", "inputs": [previous, f"bn{i}"]}]
        previous = f"res{i}"
    layers.append({"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"})
    return layers


DEEP_SIGMOID = dense_spec(2, [16] * 8, "sigmoid", optimizer={"type": "sgd", "lr": 0.1, "momentum": 0.9},
                          batch_size=32)

add(name="vanishing_gradients", topics=[11], title="Vanishing gradients: deep sigmoid vs ReLU + batch norm + residual",
    explanation="Each sigmoid layer multiplies the gradient passing back by its slope, at most 0.25. Through eight "
                "layers that shrinks it thousands of times, so the first layers barely move and training stalls. "
                "ReLU passes gradients at slope 1, batch norm keeps each layer's values in a healthy range, and "
                "residual shortcuts give the gradient a direct road back to the first layer.",
    try_this="Open the gradients view: compare the first layer's gradient size with the last one's in both runs.",
    views=["gradients", "weight_histograms", "metrics"],
    spec=DEEP_SIGMOID, dataset=toy("circle"),
    runs=[{"label": "deep_sigmoid"}, {"label": "relu_bn_residual", "changes": {"layers": residual_stack(8, 16)}}],
    steps=1500, eval_every=250, measures=["gradient_norms_start"],
    checks=[{"that": "runs.deep_sigmoid.measures_at_start.gradient_norms_start.first_over_last", "op": "<", "than": 1e-4,
             "why": "the first sigmoid layer gets under 0.01% of the last layer's gradient"},
            {"that": "runs.relu_bn_residual.measures_at_start.gradient_norms_start.first_over_last", "op": ">", "than": 0.02,
             "why": "with relu, batch norm and shortcuts the first layer gets a real share"},
            {"that": "runs.deep_sigmoid.final.val_accuracy", "op": "<=", "than": 0.7, "why": "the sigmoid stack stalls"},
            {"that": "runs.relu_bn_residual.final.val_accuracy", "op": ">=", "than": 0.95, "why": "the fixed stack learns"}])
