"""Topics 1-5 and 7: the neuron, activations, feedforward depth, hierarchical features, losses,
backpropagation with real numbers."""

from engine.presets.registry import add, dense_spec, toy

PERCEPTRON = {"input": {"shape": [2]}, "layers": [{"id": "p", "type": "dense", "units": 1, "activation": "step"}],
              "mode": "perceptron", "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1}, "batch_size": 10, "seed": 0}

add(name="perceptron_separable", topics=[1], title="A single neuron draws a line",
    explanation="One neuron adds up its weighted inputs plus a bias and fires (1) when the sum is positive. "
                "That makes a straight line across the plane. The perceptron rule nudges the weights towards "
                "every point it gets wrong, so on two groups that a line can separate it soon makes no mistakes.",
    try_this="Press step a few times and watch the line jump after each mistake; then raise the noise.",
    views=["metrics", "neuron_grid", "weights"],
    spec=PERCEPTRON, dataset=toy("gaussian"), steps=400, eval_every=20,
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.97,
             "why": "the line separates the two groups"}])

add(name="perceptron_xor", topics=[1], title="One neuron cannot learn XOR",
    explanation="XOR puts the yes-points in opposite corners. No single straight line splits them, so a lone "
                "neuron keeps correcting one corner and breaking another: its accuracy never settles.",
    try_this="Watch the line keep turning. Then open 'A hidden layer fixes XOR'.",
    views=["metrics", "neuron_grid", "weights"],
    spec=PERCEPTRON, dataset=toy("xor"), steps=400, eval_every=20,
    checks=[{"that": "runs.main.best.val_accuracy", "op": "<=", "than": 0.8,
             "why": "no line does much better than guessing on XOR"}])

add(name="xor_hidden_layer", topics=[3, 1], title="A hidden layer fixes XOR",
    explanation="Put a few neurons between the input and the output. Each hidden neuron draws its own line; "
                "the output neuron combines their answers, so together they can fence off opposite corners.",
    try_this="Use 2 hidden neurons instead of 8: it still can work, but watch how often it gets stuck.",
    views=["metrics", "neuron_grid", "weights"],
    spec=dense_spec(2, [8], "tanh", optimizer={"type": "adam", "lr": 0.03}, batch_size=10),
    dataset=toy("xor"), steps=3000, eval_every=100, target={"metric": "val_accuracy", "at_least": 0.95},
    stop_at_target=True,
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.95, "why": "the hidden layer solves XOR"}])

ACTIVATION_RUNS = [{"label": name, "changes": {"layers": dense_spec(2, [8], name)["layers"]}}
                   for name in ("step", "linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")]

add(name="activations_side_by_side", topics=[2], title="Activation functions side by side",
    explanation="The same small network learns the circle with a different activation in its hidden layer. "
                "Without a bend (linear) the best it can draw is one straight line. With any nonlinearity the "
                "hidden neurons bend the boundary around the circle. The step function is the odd one out: it is "
                "flat everywhere, so gradient descent gets no signal for the hidden weights and they keep their "
                "random starting lines; only the output layer learns to combine them.",
    try_this="Compare the decision maps: relu makes corners, tanh and gelu make smooth curves.",
    views=["metrics", "neuron_grid"],
    spec=dense_spec(2, [8], "tanh", optimizer={"type": "adam", "lr": 0.03}), dataset=toy("circle"),
    runs=ACTIVATION_RUNS, steps=1200, eval_every=100,
    checks=[{"that": "runs.linear.final.val_accuracy", "op": "<=", "than": 0.7,
             "why": "a linear hidden layer cannot draw a circle"},
            {"that": "runs.step.final.val_accuracy", "op": "<=", "than": 0.9,
             "why": "step neurons have no slope, so their weights never learn; only the output layer does"}]
           + [{"that": f"runs.{name}.final.val_accuracy", "op": ">=", "than": 0.9,
               "why": f"{name} bends the boundary around the circle"}
              for name in ("tanh", "relu", "leaky_relu", "elu", "gelu")])

add(name="deep_linear_stays_linear", topics=[2], title="A deep linear network is still a line",
    explanation="Stacking layers without activations only multiplies matrices, and a product of matrices is one "
                "matrix. Five linear layers draw the same straight boundary as one neuron; one tanh layer "
                "already does better.",
    try_this="Add more linear layers: nothing changes. Switch one of them to tanh.",
    views=["metrics", "neuron_grid"],
    spec=dense_spec(2, [8, 8, 8, 8, 8], "linear", optimizer={"type": "adam", "lr": 0.01}), dataset=toy("circle"),
    runs=[{"label": "five_linear_layers"},
          {"label": "one_tanh_layer", "changes": {"layers": dense_spec(2, [8], "tanh")["layers"]}}],
    steps=1200, eval_every=100,
    checks=[{"that": "runs.five_linear_layers.final.val_accuracy", "op": "<=", "than": 0.7,
             "why": "depth without nonlinearity stays linear"},
            {"that": "runs.one_tanh_layer.final.val_accuracy", "op": ">=", "than": 0.9,
             "why": "one nonlinear layer beats five linear ones"}])

add(name="spiral_needs_depth", topics=[3], title="The spiral needs depth",
    explanation="Two interleaved spirals wind around each other. One small hidden layer can only bend its "
                "boundary a little; stacking layers lets each one fold the plane again, so the network can "
                "follow the arms.",
    try_this="Start from the shallow run and add layers one at a time; watch the boundary follow the arms.",
    views=["metrics", "neuron_grid"],
    spec=dense_spec(2, [16, 16, 16], "tanh", optimizer={"type": "adam", "lr": 0.01}), dataset=toy("spiral"),
    runs=[{"label": "deep"}, {"label": "shallow", "changes": {"layers": dense_spec(2, [6], "tanh")["layers"]}}],
    steps=4000, eval_every=250,
    checks=[{"that": "runs.deep.best.val_accuracy", "op": ">=", "than": 0.9, "why": "three layers follow the arms"},
            {"that": "runs.shallow.best.val_accuracy", "op": "<=", "than": 0.8,
             "why": "one small layer cannot"}],
    challenge={"text": "Reach 95% validation accuracy with at most 120 parameters.",
               "conditions": [{"metric": "val_accuracy", "op": ">=", "value": 0.95},
                              {"metric": "total_params", "op": "<=", "value": 120}],
               "solution": {"changes": {"layers": dense_spec(2, [8, 8], "tanh")["layers"]}, "steps": 4000}})

add(name="hierarchical_features_2d", topics=[4], title="Early layers cut, deep layers combine",
    explanation="Look at each neuron's map. Every first-layer neuron can only split the plane with a straight "
                "line. Neurons further in combine those cuts into curves and islands: features built from "
                "features.",
    try_this="Hover over neurons of each layer and compare their shapes.",
    views=["neuron_grid", "metrics"],
    spec=dense_spec(2, [8, 8, 8], "tanh", optimizer={"type": "adam", "lr": 0.01}), dataset=toy("circle"),
    steps=1500, eval_every=250, measures=["straight_cuts"],
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.95, "why": "the net learns the circle"},
            {"that": "runs.main.straight_cuts.h1", "op": ">=", "than": 0.97,
             "why": "first-layer neurons are straight cuts"},
            {"that": "runs.main.straight_cuts.h3", "op": "<", "than": {"path": "runs.main.straight_cuts.h1", "times": 0.97},
             "why": "deeper neurons make curved regions"}])

add(name="loss_mse_regression", topics=[5], title="Regression: mean squared error",
    explanation="When the answer is a number, the loss is the average squared distance between prediction and "
                "target. Big mistakes cost a lot more than small ones, so the network first fixes the worst "
                "points.",
    try_this="Switch the loss to mae or huber and compare how the curve falls.",
    views=["metrics", "neuron_grid"],
    spec=dense_spec(2, [16, 16], "tanh", output_activation="linear", loss="mse",
                    optimizer={"type": "adam", "lr": 0.01}),
    dataset=toy("multi_gaussian"), steps=2000, eval_every=200,
    checks=[{"that": "runs.main.final.val_loss", "op": "<=", "than": {"path": "runs.main.history.0.val_loss", "times": 0.2},
             "why": "the squared error falls to a fifth of its first value"}])

add(name="loss_cross_entropy_vs_mse", topics=[5], title="Classification: cross-entropy beats squared error",
    explanation="For yes/no answers cross-entropy punishes a confident wrong answer without limit, so its "
                "gradient stays strong. Squared error on a sigmoid output flattens out exactly when the "
                "network is confidently wrong, so it learns more slowly.",
    try_this="Raise the learning rate and compare how many steps each needs to 95%.",
    views=["metrics", "neuron_grid"],
    spec=dense_spec(2, [8], "tanh", optimizer={"type": "sgd", "lr": 0.1}), dataset=toy("circle"),
    runs=[{"label": "cross_entropy"}, {"label": "mse", "changes": {"loss": "mse"}}],
    target={"metric": "val_accuracy", "at_least": 0.95}, stop_at_target=True, steps=3000, eval_every=10,
    checks=[{"that": "runs.cross_entropy.steps_to_target", "op": "<", "than": "runs.mse.steps_to_target",
             "why": "cross-entropy reaches 95% validation accuracy in fewer steps"}])

add(name="backprop_by_hand", topics=[7], title="Backpropagation with real numbers",
    explanation="A 2-2-1 network small enough to follow by hand. The loss's slope at the output (delta) is "
                "passed backwards: each weight's gradient is its input times the delta of the neuron it feeds, "
                "and each hidden delta is the sum of the deltas above weighted by the connecting weights, times "
                "the slope of its own activation. The numbers here are computed that way and match the engine's.",
    try_this="Step once and compare each weight's change with -learning rate x its gradient.",
    views=["gradients", "weights", "metrics"],
    spec=dense_spec(2, [2], "sigmoid", loss="mse", optimizer={"type": "sgd", "lr": 0.5}, batch_size=4),
    dataset=toy("xor", samples=100), steps=5, eval_every=5, measures=["backprop_numbers"],
    checks=[{"that": "runs.main.backprop_numbers.max_abs_difference", "op": "<=", "than": 1e-5,
             "why": "the chain rule by hand gives the engine's gradients"}])
