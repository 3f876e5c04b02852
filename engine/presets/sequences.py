"""Topics 13 and 14 on sequences: RNN vs LSTM/GRU memory, forecasting, sentiment, names
character by character, and a transformer with its attention maps."""

from engine.presets.registry import add

COPY = {"name": "copy", "options": {"samples": 2000, "length": 20, "recall": 1, "seed": 0}}


def recurrent_spec(kind, hidden=32, head=8, loss="cross_entropy", lr=0.01, shape=(20, 10), **extra):
    return {"input": {"shape": list(shape)}, "loss": loss, "optimizer": {"type": "adam", "lr": lr},
            "batch_size": 32, "seed": 0,
            "layers": [{"id": "memory", "type": kind, "hidden_size": hidden},
                       {"id": "out", "type": "dense", "units": head, **extra}]}


ADDING = {"name": "adding", "options": {"samples": 2000, "length": 30, "seed": 0}}
TRIVIAL_ADDING_MSE = 1 / 6  # always answering 1.0 (the average sum of two uniform numbers)

add(name="rnn_vs_lstm_memory", topics=[13], title="Memory: a plain RNN forgets, LSTM and GRU remember",
    explanation="Thirty random numbers go by; two of them are marked, one in each half. Output their sum. A plain "
                "RNN rewrites its whole memory at every step, and the gradient linking the answer to the first "
                "mark shrinks with every step it passes back, so it settles for always answering about 1 "
                "(error 0.167). LSTM and GRU gates can leave a memory untouched, so the first mark (and its "
                "gradient) survives the wait.",
    try_this="Shorten the sequence to 5 steps: now the plain RNN learns too. Then lengthen it to 60.",
    views=["metrics", "sequence_state", "gradients"],
    spec=recurrent_spec("lstm", hidden=16, head=1, loss="mse", shape=(30, 2)), dataset=ADDING,
    runs=[{"label": "rnn", "changes": {"layers": recurrent_spec("rnn", hidden=16, head=1)["layers"]}},
          {"label": "lstm"},
          {"label": "gru", "changes": {"layers": recurrent_spec("gru", hidden=16, head=1)["layers"]}}],
    steps=1200, eval_every=100,
    checks=[{"that": "runs.rnn.final.val_loss", "op": ">=", "than": 0.7 * TRIVIAL_ADDING_MSE,
             "why": "the plain RNN stays near the trivial answer"},
            {"that": "runs.lstm.final.val_loss", "op": "<=", "than": 0.05, "why": "the LSTM adds the marked numbers"},
            {"that": "runs.gru.final.val_loss", "op": "<=", "than": 0.05, "why": "the GRU adds the marked numbers"}])

add(name="sine_forecast_gru", topics=[13], title="Forecasting a wave with a GRU",
    explanation="From the last 40 noisy values of a wave, predict the next one. Copying the last value is a fair "
                "first guess; the GRU learns the wave's rhythm and beats it, because it averages out the noise "
                "and knows where the wave is heading.",
    try_this="Raise the noise and the horizon: when does it stop beating the copy-the-last-value guess?",
    views=["metrics", "predictions", "activations"],
    spec=recurrent_spec("gru", hidden=16, head=1, loss="mse", shape=(40, 1)),
    dataset={"name": "sine_wave", "options": {"seed": 0}}, steps=600, eval_every=100, measures=["naive_forecast"],
    checks=[{"that": "runs.main.final.val_loss", "op": "<", "than": {"path": "runs.main.naive_forecast.val_mse", "times": 0.5},
             "why": "the GRU's error is under half of copying the last value"}])

SENTIMENT = {"name": "sentiment", "options": {"representation": "token_ids", "max_len": 32, "vocab_size": 2000,
                                              "seed": 0}}
add(name="lstm_sentiment", topics=[13], title="Sentiment of short reviews with an LSTM",
    explanation="Each word becomes a learned vector (an embedding); the LSTM reads the review word by word and "
                "its final memory decides: positive or negative. With 2,400 short reviews it learns words like "
                "'great' and 'waste', and a little about 'not'.",
    try_this="Type your own review into the prediction box, then try a negation like 'not good'.",
    views=["metrics", "predictions", "sequence_state"],
    spec={"input": {"shape": [32]}, "loss": "binary_cross_entropy", "optimizer": {"type": "adam", "lr": 0.005},
          "batch_size": 32, "seed": 0,
          "layers": [{"id": "words", "type": "embedding", "num_embeddings": 2000, "embedding_dim": 16},
                     {"id": "reader", "type": "lstm", "hidden_size": 16},
                     {"id": "out", "type": "dense", "units": 1, "activation": "sigmoid"}]},
    dataset=SENTIMENT, steps=600, eval_every=100,
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.7,
             "why": "it gets 7 in 10 unseen reviews right"}])

add(name="names_char_lstm", topics=[13], title="Inventing names, one character at a time",
    explanation="The network sees the last 8 characters of a name and predicts the next one (or the end). "
                "Sampled one character at a time, feeding each guess back in, it makes up new names that sound "
                "right, because it learned which letters tend to follow which.",
    try_this="Watch the sampled names improve as the validation loss falls.",
    views=["metrics", "predictions"],
    spec={"input": {"shape": [8]}, "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.01},
          "batch_size": 64, "seed": 0,
          "layers": [{"id": "letters", "type": "embedding", "num_embeddings": 28, "embedding_dim": 16},
                     {"id": "reader", "type": "lstm", "hidden_size": 64},
                     {"id": "out", "type": "dense", "units": 28}]},
    dataset={"name": "first_names", "options": {"context": 8, "seed": 0}}, steps=800, eval_every=200,
    measures=["sampled_names"],
    checks=[{"that": "runs.main.final.val_loss", "op": "<=", "than": 2.4,
             "why": "it predicts the next letter far better than the 3.3 of a blind guess"}])

TRANSFORMER_LAYERS = [
    {"id": "embed", "type": "dense", "units": 32},
    {"id": "position", "type": "positional_encoding", "kind": "sinusoidal", "max_len": 64},
    {"id": "block1", "type": "transformer_block", "num_heads": 4, "ff_dim": 64},
    {"id": "pool", "type": "sequence_pool", "mode": "last"},
    {"id": "out", "type": "dense", "units": 8},
]

add(name="transformer_attention", topics=[14], title="Self-attention finds the step that matters",
    explanation="Same memory task as the RNN lesson, but a transformer has no memory to carry: at the cue, "
                "attention compares the cue with every step at once and copies from the one that matters. In "
                "the attention map the cue's row lights up at the first position once it has learned.",
    try_this="Open the attention map of block1 and watch the last row change while it trains.",
    views=["metrics", "sequence_state"],
    spec={"input": {"shape": [20, 10]}, "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.003},
          "batch_size": 32, "seed": 0, "layers": TRANSFORMER_LAYERS},
    dataset=COPY, steps=300, eval_every=50, measures=["attention_to_first_step"],
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.9, "why": "attention solves the recall"},
            {"that": "runs.main.attention_to_first_step.cue_to_symbol", "op": ">",
             "than": {"path": "runs.main.attention_to_first_step.uniform", "times": 3},
             "why": "the cue attends to the symbol's step far more than to an average step"}])
