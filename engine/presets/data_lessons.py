"""Topic 19, data: normalization, augmentation, class balance and "more data helps"."""

from engine.presets.registry import add, dense_spec, toy

WINE_NET = dense_spec(13, [16], "tanh", outputs=3, output_activation="linear", loss="cross_entropy",
                      optimizer={"type": "sgd", "lr": 0.05, "momentum": 0.9}, batch_size=16)

add(name="normalization_matters", topics=[19], title="Normalization: put every feature on the same scale",
    explanation="The wine data mixes features around 0.1 with one (proline) in the thousands. Unscaled, that one "
                "feature dominates every weighted sum and its huge gradients force a learning rate far too small "
                "for the rest. Standardizing each feature (zero mean, unit spread, from training statistics "
                "only) lets one learning rate suit them all.",
    try_this="Turn standardize off and lower the learning rate until it stops diverging: how far does it get?",
    views=["metrics", "weights", "gradients"],
    spec=WINE_NET, dataset={"name": "wine", "options": {"standardize": True, "seed": 0}},
    runs=[{"label": "standardized"}, {"label": "raw", "dataset": {"options": {"standardize": False}}}],
    steps=500, eval_every=50,
    checks=[{"that": "runs.standardized.final.val_accuracy", "op": ">=", "than": 0.9,
             "why": "standardized features train well"},
            {"that": "runs.raw.best.val_accuracy", "op": "<=", "than": {"path": "runs.standardized.final.val_accuracy",
                                                                          "times": 0.8},
             "why": "raw features, same settings, do far worse"}])

SMALL_MNIST = {"name": "mnist", "options": {"flatten": True, "val_split": 0.9, "seed": 0}}
SMALL_MLP = dense_spec(784, [64], "relu", outputs=10, output_activation="linear", loss="cross_entropy",
                       optimizer={"type": "adam", "lr": 0.002}, batch_size=32)

add(name="augmentation_helps", topics=[19], title="Augmentation: more examples from the ones you have",
    explanation="With only 1,000 training digits the network memorises them. Shifting and rotating each digit "
                "a little makes new, plausible examples for free: the network learns that a digit moved by two "
                "pixels is still the same digit, and does better on digits it has never seen.",
    try_this="Raise the shift to 4 pixels, or add noise instead: which kind of change helps most?",
    views=["metrics", "confusion", "predictions"],
    spec=SMALL_MLP, dataset=SMALL_MNIST,
    runs=[{"label": "plain"},
          {"label": "augmented", "dataset": {"options": {"shift_px": 2.0, "rotate_deg": 10.0, "augmented_copies": 3}}}],
    steps=1200, eval_every=200,
    checks=[{"that": "runs.augmented.final.val_accuracy", "op": ">", "than": {"path": "runs.plain.final.val_accuracy",
                                                                              "times": 1.01},
             "why": "augmented training reads unseen digits better"}])

add(name="more_data_helps", topics=[19, 10], title="More data helps",
    explanation="The same network, the same validation digits, trained on 200, 1,000 or 8,000 examples. With few "
                "examples it learns the quirks of those few; more examples cover more ways of writing each digit, "
                "so validation accuracy climbs with the size of the training set.",
    try_this="Compare the gap between training and validation accuracy for each size.",
    views=["metrics", "confusion"],
    spec=SMALL_MLP, dataset={"name": "mnist", "options": {"flatten": True, "seed": 0}},
    runs=[{"label": "train_200", "dataset": {"options": {"train_limit": 200}}},
          {"label": "train_1000", "dataset": {"options": {"train_limit": 1000}}},
          {"label": "train_8000"}],
    steps=800, eval_every=200,
    checks=[{"that": "runs.train_200.best.val_accuracy", "op": "<", "than": "runs.train_1000.best.val_accuracy",
             "why": "1,000 examples beat 200"},
            {"that": "runs.train_1000.best.val_accuracy", "op": "<", "than": "runs.train_8000.best.val_accuracy",
             "why": "8,000 examples beat 1,000"}])

IMBALANCED = toy("moons", noise=0.3, rare_class=1, rare_fraction=0.02)

add(name="class_imbalance", topics=[19], title="Class balance: a rare class gets ignored",
    explanation="Keep only 2% of one class in the training set (4 points). The network can score well by mostly answering "
                "the common class, so it learns to miss the rare one: its recall (the share of rare points it "
                "finds) drops, even though overall accuracy looks respectable. Balanced data, or weighting the "
                "rare class, fixes that.",
    try_this="Look at the confusion matrix of both runs, not only the accuracy.",
    views=["metrics", "confusion", "neuron_grid"],
    spec=dense_spec(2, [8, 8], "tanh", optimizer={"type": "adam", "lr": 0.01}), dataset=toy("moons", noise=0.3),
    runs=[{"label": "balanced"}, {"label": "imbalanced", "dataset": IMBALANCED}],
    steps=1500, eval_every=250, measures=["class_recall"],
    checks=[{"that": "runs.imbalanced.class_recall.1", "op": "<",
             "than": {"path": "runs.balanced.class_recall.1", "times": 0.8},
             "why": "the rare class is found far less often"},
            {"that": "runs.imbalanced.class_recall.0", "op": ">=", "than": 0.9,
             "why": "while the common class is still found"}])
