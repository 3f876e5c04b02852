"""Topics 10 and 9: overfitting a small training set, and its fixes (dropout, L2, early stopping
with the best checkpoint)."""

from engine.presets.registry import add, dense_spec, toy

SMALL_SET = toy("circle", samples=500, noise=0.4, train_limit=50)
BIG_NET = dense_spec(2, [64, 64], "relu", optimizer={"type": "adam", "lr": 0.003}, batch_size=10)


def with_dropout(rate):
    layers = dense_spec(2, [64, 64], "relu")["layers"]
    return [{**layer, "dropout": rate} if layer["id"] != "out" else layer for layer in layers]


add(name="overfitting_and_fixes", topics=[10, 9], title="Overfitting a small set, and three fixes",
    explanation="With 50 noisy training points and thousands of weights, the network can memorise every point, "
                "noise included: the training loss heads to zero while the validation loss turns and climbs. "
                "Dropout (randomly silencing neurons) and L2 (keeping weights small) make memorising harder (here L2 helps more than dropout). "
                "Early stopping watches the validation loss and keeps the best checkpoint, from before the climb.",
    try_this="Watch the two loss curves part ways; then raise the dropout rate or the L2 rate until they stay close.",
    views=["metrics", "neuron_grid", "weight_histograms"],
    spec=BIG_NET, dataset=SMALL_SET,
    runs=[{"label": "overfit"},
          {"label": "dropout", "changes": {"layers": with_dropout(0.5)}},
          {"label": "l2", "changes": {"regularization": {"type": "l2", "rate": 0.01}}},
          {"label": "early_stopping", "early_stopping": {"metric": "val_loss", "patience": 5, "restore_best": True}}],
    steps=3000, eval_every=50,
    checks=[{"that": "runs.overfit.final.loss", "op": "<", "than": {"path": "runs.overfit.final.val_loss", "times": 0.25},
             "why": "without help, training loss ends far below validation loss"},
            {"that": "runs.overfit.final.val_loss", "op": ">", "than": {"path": "runs.overfit.best.val_loss", "times": 1.5},
             "why": "the validation loss climbs after its best point"},
            {"that": "runs.dropout.final.val_loss", "op": "<", "than": "runs.overfit.final.val_loss",
             "why": "dropout ends with a lower validation loss"},
            {"that": "runs.l2.final.val_loss", "op": "<", "than": {"path": "runs.overfit.final.val_loss", "times": 0.7},
             "why": "L2 ends with a lower validation loss"},
            {"that": "runs.early_stopping.stopped_early", "op": "is", "than": True,
             "why": "early stopping ends training once validation stops improving"},
            {"that": "runs.early_stopping.final.val_loss", "op": "<=", "than": {"path": "runs.early_stopping.best.val_loss", "times": 1.0001},
             "why": "the restored checkpoint is the best one seen"}])
