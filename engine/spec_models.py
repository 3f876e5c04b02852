"""Leaf pydantic models of the network spec (DESIGN.md section 2).

Everything a spec can hold besides the layer list: the input, optimizers, regularization,
gradient clipping and learning-rate schedules, plus ``LayerSpecBase`` that every layer's own
spec model extends (layer models live next to their layer classes in engine/layers/).

All models are strict: unknown fields are rejected, NaN/Inf are rejected, every number has
bounds, and no value is silently coerced from another type (``"8"`` is not ``8``).
Defaults follow torch.optim.

    >>> AdamSpec().lr, RMSpropSpec().alpha
    (0.001, 0.99)
"""

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.kernels.codes import ACTIVATION_CODES, LOSS_CODES

ActivationName = Literal[tuple(ACTIVATION_CODES)]
LossName = Literal[tuple(LOSS_CODES)]
InitName = Literal["default", "glorot", "xavier", "he", "kaiming", "normal", "zeros"]

LAYER_ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_\-]{0,31}$"
INPUT_ID = "input"  # reserved: `inputs: ["input"]` names the network input
MAX_LAYERS = 64
MAX_INPUTS = 8
MAX_WIDTH = 4096
MAX_DIM = 65536

PositiveLR = Annotated[float, Field(gt=0.0, le=10.0, description="Learning rate: the size of each step.")]
WeightDecay = Annotated[float, Field(ge=0.0, le=1.0, description="Shrinks every parameter a little each step (L2).")]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class InputSpec(StrictModel):
    shape: list[Annotated[int, Field(ge=1, le=MAX_DIM)]] = Field(
        min_length=1, max_length=3, description="Shape of one sample, batch excluded: [features] or [C, H, W]."
    )


class LayerSpecBase(StrictModel):
    id: str = Field(pattern=LAYER_ID_PATTERN, description="Unique name; parameters are called '<id>.weight'.")
    inputs: list[str] | None = Field(
        None, min_length=1, max_length=MAX_INPUTS,
        description="Ids of the layers feeding this one ('input' is the network input); default: the previous layer.",
    )
    trainable: bool = Field(True, description="False freezes the layer: its parameters (and batch-norm "
                            "statistics) keep their values while the rest trains (transfer learning).")


# ------------------------------------------------------------------------------ optimizers


class SGDSpec(StrictModel):
    type: Literal["sgd"] = "sgd"
    lr: PositiveLR = 1e-3
    momentum: float = Field(0.0, ge=0.0, lt=1.0, description="Keeps a running direction; 0.9 is common.")
    dampening: float = Field(0.0, ge=0.0, le=1.0, description="Scales down the new gradient inside momentum.")
    nesterov: bool = Field(False, description="Looks ahead along the momentum before stepping.")
    weight_decay: WeightDecay = 0.0

    @model_validator(mode="after")
    def _nesterov_needs_momentum(self):
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("nesterov needs momentum > 0 and dampening 0")
        return self


Betas = Annotated[
    list[Annotated[float, Field(ge=0.0, lt=1.0)]],
    Field(min_length=2, max_length=2, description="Decay rates of the running mean and variance of the gradient."),
]
Eps = Annotated[float, Field(gt=0.0, le=1.0, description="Added to the denominator for numerical safety.")]


class AdamSpec(StrictModel):
    type: Literal["adam"] = "adam"
    lr: PositiveLR = 1e-3
    betas: Betas = [0.9, 0.999]  # pydantic copies mutable defaults per instance
    eps: Eps = 1e-8
    weight_decay: WeightDecay = 0.0
    amsgrad: bool = Field(False, description="Divide by the largest second moment seen so far (AMSGrad), "
                                             "so a burst of large gradients keeps the steps small afterwards.")


class AdamWSpec(AdamSpec):
    type: Literal["adamw"] = "adamw"
    weight_decay: WeightDecay = 0.01


class RMSpropSpec(StrictModel):
    type: Literal["rmsprop"] = "rmsprop"
    lr: PositiveLR = 1e-2
    alpha: float = Field(0.99, ge=0.0, lt=1.0, description="Decay rate of the running mean of squared gradients.")
    eps: Eps = 1e-8
    weight_decay: WeightDecay = 0.0
    momentum: float = Field(0.0, ge=0.0, lt=1.0)
    centered: bool = Field(False, description="Divide by the gradient's variance instead of its second moment.")


class AdagradSpec(StrictModel):
    type: Literal["adagrad"] = "adagrad"
    lr: PositiveLR = 1e-2
    lr_decay: float = Field(0.0, ge=0.0, le=1.0)
    weight_decay: WeightDecay = 0.0
    initial_accumulator_value: float = Field(0.0, ge=0.0, le=100.0)
    eps: Eps = 1e-10


OptimizerSpec = Annotated[
    Union[SGDSpec, AdamSpec, AdamWSpec, RMSpropSpec, AdagradSpec], Field(discriminator="type")
]
OPTIMIZER_SPECS = {"sgd": SGDSpec, "adam": AdamSpec, "adamw": AdamWSpec, "rmsprop": RMSpropSpec, "adagrad": AdagradSpec}


# ------------------------------------------------------- regularization, clipping, schedules


class RegularizationSpec(StrictModel):
    type: Literal["none", "l1", "l2"] = "l2"
    rate: float = Field(0.0, ge=0.0, le=1.0, description="Strength of the penalty on weights (biases excluded).")


class ClipNormSpec(StrictModel):
    type: Literal["norm"] = "norm"
    max_norm: float = Field(1.0, gt=0.0, le=1e6, description="Largest allowed length of the whole gradient.")


class ClipValueSpec(StrictModel):
    type: Literal["value"] = "value"
    clip_value: float = Field(1.0, gt=0.0, le=1e6, description="Every gradient entry is clamped to +-clip_value.")


GradClipSpec = Annotated[Union[ClipNormSpec, ClipValueSpec], Field(discriminator="type")]


class StepScheduleSpec(StrictModel):
    type: Literal["step"] = "step"
    step_size: int = Field(ge=1, le=10_000_000, description="Multiply the learning rate by gamma every step_size steps.")
    gamma: float = Field(0.1, gt=0.0, le=1.0)


class CosineScheduleSpec(StrictModel):
    type: Literal["cosine"] = "cosine"
    T_max: int = Field(ge=1, le=10_000_000, description="Steps of one half cosine from lr down to eta_min.")
    eta_min: float = Field(0.0, ge=0.0, le=10.0)


ScheduleSpec = Annotated[Union[StepScheduleSpec, CosineScheduleSpec], Field(discriminator="type")]


# --------------------------------------------------------------------------- composite modes


class AutoencoderSpec(StrictModel):
    """Settings of ``mode: "autoencoder"`` (the network learns to output its own input)."""
    bottleneck: str | None = Field(None, pattern=LAYER_ID_PATTERN, description="Id of the layer whose output is "
                                   "the code shown in latent views; default: the narrowest layer.")
    noise_std: float = Field(0.0, ge=0.0, le=10.0, description="Gaussian noise added to the inputs while "
                             "training (denoising); the target stays the clean input.")
    mask_fraction: float = Field(0.0, ge=0.0, le=0.95, description="Fraction of input values set to zero while "
                                 "training (denoising); the target stays the clean input.")


class GanSettings(StrictModel):
    """Top-level settings of ``mode: "gan"`` (the two network specs: engine/modes/gan_spec.py)."""
    mode: Literal["gan"] = "gan"
    d_steps: int = Field(1, ge=1, le=20, description="Discriminator updates per generator update.")
    latent: Literal["normal", "uniform"] = Field("normal", description="Distribution of the generator's "
                                                  "input noise z: standard normal, or uniform on [-1, 1].")
    batch_size: int = Field(32, ge=1, le=4096, description="Real samples (and as many fakes) per update.")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Seeds both networks, the latents and batch order.")
