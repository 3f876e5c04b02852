"""Topics 15-17: autoencoders (compression, denoising, anomalies), a GAN on digits, and
transfer learning by freezing layers trained on another data set."""

from engine.presets.registry import add

MNIST_FLAT = {"name": "mnist", "options": {"flatten": True, "seed": 0}}


def autoencoder_layers(code=16):
    return [{"id": "enc", "type": "dense", "units": 128, "activation": "relu"},
            {"id": "code", "type": "dense", "units": code},
            {"id": "dec", "type": "dense", "units": 128, "activation": "relu"},
            {"id": "out", "type": "dense", "units": 784, "activation": "sigmoid"}]


AUTOENCODER = {"mode": "autoencoder", "input": {"shape": [784]}, "loss": "binary_cross_entropy",
               "optimizer": {"type": "adam", "lr": 0.002}, "batch_size": 64, "seed": 0,
               "layers": autoencoder_layers(), "autoencoder": {"bottleneck": "code", "noise_std": 0.3}}

add(name="denoising_autoencoder", topics=[15], title="A denoising autoencoder: squeeze, rebuild, spot the odd one",
    explanation="The network must rebuild each digit from a code of just 16 numbers, and it only ever sees noisy "
                "copies while training, so it has to keep what makes a digit a digit and drop the noise. Inputs "
                "unlike anything it trained on (here: random noise images) rebuild badly: a high reconstruction "
                "error flags them as anomalies.",
    try_this="Shrink the code to 2 units and look at the latent scatter: do the digits form groups?",
    views=["reconstructions", "metrics", "activations"],
    spec=AUTOENCODER, dataset=MNIST_FLAT, steps=400, eval_every=100,
    measures=["reconstruction_baseline", "anomaly_contrast"],
    checks=[{"that": "runs.main.reconstruction_baseline.model_mse", "op": "<",
             "than": {"path": "runs.main.reconstruction_baseline.mean_image_mse", "times": 0.5},
             "why": "16 numbers rebuild digits far better than the average digit does"},
            {"that": "runs.main.anomaly_contrast.noise_score", "op": ">",
             "than": {"path": "runs.main.anomaly_contrast.digit_score", "times": 3},
             "why": "noise images score as anomalies (3x the digits' error)"}])

DIGITS8 = {"name": "digits8", "options": {"flatten": True, "seed": 0}}
ADAM_GAN = {"type": "adam", "lr": 0.002, "betas": [0.5, 0.999]}
GAN = {"mode": "gan", "batch_size": 64, "seed": 0, "d_steps": 1, "latent": "normal",
       "generator": {"input": {"shape": [16]}, "optimizer": ADAM_GAN,
                     "layers": [{"id": "g1", "type": "dense", "units": 64, "activation": "relu"},
                                {"id": "g_out", "type": "dense", "units": 64, "activation": "sigmoid"}]},
       "discriminator": {"input": {"shape": [64]}, "optimizer": ADAM_GAN,
                         "layers": [{"id": "d1", "type": "dense", "units": 64, "activation": "leaky_relu"},
                                    {"id": "d_out", "type": "dense", "units": 1}]}}

add(name="gan_digits", topics=[16], title="A GAN draws 8x8 digits",
    explanation="Two networks play a game. The generator turns random numbers into images; the discriminator "
                "guesses whether an image is real or generated. Each improves by beating the other, so the "
                "generator's images drift from grey noise towards digit shapes. Watch the two losses: they "
                "rock back and forth instead of falling together, and a small change can tip the balance.",
    try_this="Give the discriminator 5 steps per generator step (d_steps), or raise both learning rates: "
             "watch the balance break.",
    views=["generated_samples", "metrics"],
    spec=GAN, dataset=DIGITS8, steps=2000, eval_every=250, measures=["nearest_real_distance_start", "nearest_real_distance"],
    checks=[{"that": "runs.main.nearest_real_distance.mean", "op": "<",
             "than": {"path": "runs.main.measures_at_start.nearest_real_distance_start.mean", "times": 0.7},
             "why": "generated images move a third of the way closer to real digits"}])

FASHION_SMALL = {"name": "fashion_mnist", "options": {"samples": 6000, "seed": 0}}
FEATURES = [
    {"id": "conv1", "type": "conv2d", "out_channels": 8, "kernel_size": 5, "activation": "relu"},
    {"id": "pool1", "type": "max_pool2d", "kernel_size": 2},
    {"id": "conv2", "type": "conv2d", "out_channels": 16, "kernel_size": 5, "activation": "relu"},
    {"id": "pool2", "type": "max_pool2d", "kernel_size": 2},
    {"id": "flat", "type": "flatten"},
]


def cnn(frozen=False):
    features = [{**layer, "trainable": False} if frozen and layer["type"] == "conv2d" else layer for layer in FEATURES]
    return {"input": {"shape": [1, 28, 28]}, "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.002},
            "batch_size": 32, "seed": 0, "layers": features + [{"id": "head", "type": "dense", "units": 10}]}


add(name="transfer_frozen_features", topics=[17], title="Transfer learning: reuse filters learned on digits",
    explanation="Filters learned on 8,000 handwritten digits (edges, corners, strokes) are useful for clothes "
                "too. Copy the two convolution layers, freeze them (trainable: false), and train only a new last "
                "layer on just 100 Fashion-MNIST images: it gets going faster than the same network trained from "
                "scratch. Fine-tuning copies the filters but lets them keep learning. Here the head start is the "
                "whole gain: with so small a network, scratch catches up within a hundred steps.",
    try_this="Set trainable back to true on conv1 and conv2 and compare the curves; then train on 1,000 images.",
    views=["metrics", "conv_filters", "confusion"],
    spec=cnn(), dataset={**FASHION_SMALL, "options": {**FASHION_SMALL["options"], "train_limit": 100}},
    pretrain={"spec": cnn(), "dataset": {"name": "mnist", "options": {"seed": 0}}, "steps": 600},
    runs=[{"label": "from_scratch"},
          {"label": "frozen_transfer", "changes": {"layers": cnn(frozen=True)["layers"]},
           "transfer": {"layers": ["conv1", "conv2"]}},
          {"label": "fine_tuned", "transfer": {"layers": ["conv1", "conv2"]}}],
    target={"metric": "val_accuracy", "at_least": 0.6}, steps=150, eval_every=25,
    checks=[{"that": "runs.frozen_transfer.steps_to_target", "op": "<", "than": "runs.from_scratch.steps_to_target",
             "why": "frozen digit filters reach 60% on clothes sooner than learning from scratch"},
            {"that": "runs.fine_tuned.steps_to_target", "op": "<", "than": "runs.from_scratch.steps_to_target",
             "why": "so do fine-tuned ones"},
            {"that": "runs.frozen_transfer.frozen_unchanged.conv1", "op": "is", "than": True,
             "why": "frozen layers really did not move"}])
