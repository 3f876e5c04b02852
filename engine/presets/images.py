"""Topics 12, 4, 14 and 18 on images: the MNIST MLP and CNN (filters, feature maps),
Fashion-MNIST, a small vision transformer, and saliency."""

from engine.presets.registry import add, dense_spec

MNIST_FLAT = {"name": "mnist", "options": {"flatten": True, "seed": 0}}
MNIST_IMAGES = {"name": "mnist", "options": {"seed": 0}}
MLP = dense_spec(784, [128, 64], "relu", outputs=10, output_activation="linear", loss="cross_entropy",
                 optimizer={"type": "adam", "lr": 0.001}, batch_size=64)

add(name="mnist_mlp", topics=[12], title="Handwritten digits with a 784-128-64-10 network",
    explanation="Each 28x28 digit is unrolled into 784 numbers. Two hidden layers of 128 and 64 neurons learn "
                "strokes and their combinations, and ten outputs score the digits. It works well, but the "
                "network has no idea that neighbouring pixels belong together: move the digits two pixels and "
                "its accuracy falls from about 95% to about 40%.",
    try_this="Draw a digit in the corner of the canvas and see it fail; then open the CNN lesson.",
    views=["metrics", "confusion", "predictions", "weights"],
    spec=MLP, dataset=MNIST_FLAT, steps=1500, eval_every=250, measures=["shifted_accuracy"],
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.94,
             "why": "the MLP reads more than 94% of unseen digits correctly"},
            {"that": "runs.main.shifted_accuracy.shifted", "op": "<=", "than": 0.5,
             "why": "digits moved two pixels: it reads half of them or fewer"}],
    challenge={"text": "Reach 94% validation accuracy with at most 30,000 parameters.",
               "conditions": [{"metric": "val_accuracy", "op": ">=", "value": 0.94},
                              {"metric": "total_params", "op": "<=", "value": 30000}],
               "solution": {"changes": {"layers": dense_spec(784, [32, 32], "relu", outputs=10,
                                                             output_activation="linear")["layers"]},
                            "steps": 3000}})

CNN_LAYERS = [
    {"id": "conv1", "type": "conv2d", "out_channels": 8, "kernel_size": 5, "activation": "relu"},
    {"id": "pool1", "type": "max_pool2d", "kernel_size": 2},
    {"id": "conv2", "type": "conv2d", "out_channels": 16, "kernel_size": 5, "activation": "relu"},
    {"id": "pool2", "type": "max_pool2d", "kernel_size": 2},
    {"id": "flat", "type": "flatten"},
    {"id": "out", "type": "dense", "units": 10},
]
CNN = {"input": {"shape": [1, 28, 28]}, "layers": CNN_LAYERS, "loss": "cross_entropy",
       "optimizer": {"type": "adam", "lr": 0.002}, "batch_size": 32, "seed": 0}

add(name="mnist_cnn", topics=[12, 4], title="A convolutional network: filters and feature maps",
    explanation="A convolution slides the same small 5x5 filter over the whole image, so a stroke is found "
                "wherever it is. The first layer's filters become edge and blob detectors; their feature maps "
                "light up where each edge is. Pooling keeps the strongest answer in each 2x2 window, so small "
                "shifts matter less (moved two pixels, it still reads about 65%, the MLP about 40%; larger shifts "
                "still hurt), and the second layer combines edges into parts of digits. About 6,000 weights do "
                "as well as the MLP's 110,000.",
    try_this="Open a conv1 filter and its feature map for a drawn digit; then shift your drawing and compare.",
    views=["metrics", "conv_filters", "feature_maps", "confusion", "predictions"],
    spec=CNN, dataset=MNIST_IMAGES, steps=900, eval_every=300, measures=["shifted_accuracy"],
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.95,
             "why": "the CNN reads 95% of unseen digits correctly after 900 steps"},
            {"that": "runs.main.shifted_accuracy.shifted", "op": ">=", "than": 0.55,
             "why": "digits moved two pixels: it still reads more than half"},
            {"that": "runs.main.params", "op": "<", "than": 10000, "why": "with under 10,000 weights"}],
    challenge={"text": "Reach 97% validation accuracy with at most 10,000 parameters.",
               "conditions": [{"metric": "val_accuracy", "op": ">=", "value": 0.97},
                              {"metric": "total_params", "op": "<=", "value": 10000}],
               "solution": {"changes": {}, "steps": 3000}})

add(name="fashion_mnist_cnn", topics=[12], title="Fashion-MNIST: clothes are harder than digits",
    explanation="The same CNN on 28x28 photos of clothes. Shirts, pullovers and coats share outlines, so the "
                "confusion matrix shows where texture and detail matter; accuracy ends well below the digits'.",
    try_this="Look at the confusion matrix: which classes does it mix up, and why?",
    views=["metrics", "confusion", "feature_maps", "conv_filters"],
    spec=CNN, dataset={"name": "fashion_mnist", "options": {"samples": 10000, "seed": 0}},
    steps=600, eval_every=200,
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.75,
             "why": "the CNN gets three in four garments right after 600 steps"}])

VIT_LAYERS = [
    {"id": "patches", "type": "patch_embed", "patch_size": 7, "embed_dim": 32},
    {"id": "position", "type": "positional_encoding", "kind": "learned", "max_len": 16},
    {"id": "block1", "type": "transformer_block", "num_heads": 4, "ff_dim": 64},
    {"id": "pool", "type": "sequence_pool", "mode": "mean"},
    {"id": "out", "type": "dense", "units": 10},
]

add(name="vision_transformer", topics=[14], title="A small vision transformer",
    explanation="The image is cut into 16 patches of 7x7 pixels; each patch becomes a vector, plus a learned "
                "note of where it sits. Self-attention lets every patch look at every other patch and decide "
                "which ones matter, with no built-in idea of neighbourhood: it has to learn that from data.",
    try_this="Compare its accuracy and step count with the CNN on the same digits.",
    views=["metrics", "sequence_state", "confusion"],
    spec={**CNN, "layers": VIT_LAYERS, "optimizer": {"type": "adam", "lr": 0.003}},
    dataset=MNIST_IMAGES, steps=800, eval_every=200,
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.85,
             "why": "attention over patches reads 85% of unseen digits"}])

add(name="saliency_digits", topics=[18], title="Saliency: which pixels made the decision",
    explanation="For a digit, the gradient of the winning score with respect to every pixel says how much a "
                "small change there would move the answer. Multiplied by the pixel, it highlights the strokes "
                "the network relied on. A check that it is not decoration: blank the 10% most salient pixels "
                "and accuracy falls far more than when blanking 10% at random.",
    try_this="Draw a 7 and a 1: which strokes does the network look at to tell them apart?",
    views=["saliency", "predictions", "metrics"],
    spec=MLP, dataset=MNIST_FLAT, steps=800, eval_every=400, measures=["saliency_deletion"],
    checks=[{"that": "runs.main.saliency_deletion.accuracy_without_salient", "op": "<",
             "than": {"path": "runs.main.saliency_deletion.accuracy_without_random", "times": 0.5},
             "why": "blanking the salient pixels hurts at least twice as much as blanking random ones"}])

add(name="tabular_feature_importance", topics=[18], title="What mattered in a diagnosis (breast cancer data)",
    explanation="A network reads 30 measurements of a tissue sample. Averaging |gradient x input| over many "
                "samples ranks the measurements by how much they move the answer. Removing the top-ranked one "
                "costs more accuracy than removing the bottom one; but the network is still a black box: the "
                "ranking says where it looks, not why.",
    try_this="Compare the top features with the weights of the first layer: do they agree?",
    views=["metrics", "saliency", "weights", "predictions"],
    spec=dense_spec(30, [16], "relu", optimizer={"type": "adam", "lr": 0.01}, batch_size=32),
    dataset={"name": "breast_cancer", "options": {"seed": 0}}, steps=600, eval_every=100,
    measures=["feature_importance"],
    checks=[{"that": "runs.main.final.val_accuracy", "op": ">=", "than": 0.93, "why": "the network diagnoses well"},
            {"that": "runs.main.feature_importance.accuracy_without_most", "op": "<=",
             "than": "runs.main.feature_importance.accuracy_without_least",
             "why": "the top-ranked measurement matters at least as much as the bottom one"}])
