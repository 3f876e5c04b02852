"""Recurrent layers rnn, lstm and gru: torch.nn.RNN/LSTM/GRU with batch_first=True, one layer.

Input (T, F) per sample, output (T, H) with ``return_sequences`` else the last state (H,).
Parameters with torch's names, shapes and gate order (lstm i, f, g, o; gru r, z, n):
weight_ih (G*H, F), weight_hh (G*H, H), bias_ih (G*H,), bias_hh (G*H,), all U(-1/sqrt(H), 1/sqrt(H)).

How a pass runs (engine/kernels/recurrent.py): the input is turned time-major once, all input
projections are one GEMM (dense_fwd over T*N rows), the cell kernels run the time loop on a
transposed copy of weight_hh (made once per pass), and backward ends with whole-sequence GEMMs for
the weight gradients (one joined GEMM for rnn and lstm, two dense_bwd for gru).
After a forward pass ``probe_state()`` returns hidden (and cell) states and gate activations.
"""

import math
from typing import Literal

import numpy as np
from pydantic import Field

from engine.kernels.dense import dense_bwd, dense_fwd
from engine.kernels.recurrent import (
    CELL_GRU,
    CELL_LSTM,
    CELL_RNN_RELU,
    CELL_RNN_TANH,
    GATES_PER_CELL,
    joined_dense_bwd,
    recurrent_seq_bwd,
    recurrent_seq_fwd,
)
from engine.layers.base import Layer
from engine.layers.sequence import check_backward, forward_in_chunks, sequence_shape
from engine.spec_models import MAX_WIDTH, LayerSpecBase

GATE_NAMES = {CELL_RNN_TANH: ("h",), CELL_RNN_RELU: ("h",), CELL_LSTM: ("i", "f", "g", "o"),
              CELL_GRU: ("r", "z", "n")}

HiddenSize = Field(ge=1, le=MAX_WIDTH, description="Size of the hidden state (the layer's memory).")
ReturnSequences = Field(False, description="Output the hidden state of every step (for stacking recurrent "
                                           "layers or per-step predictions) instead of only the last one.")


class RNNSpec(LayerSpecBase):
    type: Literal["rnn"] = "rnn"
    hidden_size: int = HiddenSize
    return_sequences: bool = ReturnSequences
    nonlinearity: Literal["tanh", "relu"] = Field("tanh", description="Activation of the new hidden state.")


class LSTMSpec(LayerSpecBase):
    type: Literal["lstm"] = "lstm"
    hidden_size: int = HiddenSize
    return_sequences: bool = ReturnSequences


class GRUSpec(LayerSpecBase):
    type: Literal["gru"] = "gru"
    hidden_size: int = HiddenSize
    return_sequences: bool = ReturnSequences


class Recurrent(Layer):
    """Shared by the three cell types; subclasses only name their cell code."""

    def cell(self):
        raise NotImplementedError

    @classmethod
    def infer_output_shape(cls, spec, input_shapes):
        steps = sequence_shape(spec, input_shapes)[0]
        return (steps, spec.hidden_size) if spec.return_sequences else (spec.hidden_size,)

    def _gate_width(self):
        return GATES_PER_CELL[self.cell()] * self.spec.hidden_size

    def param_shapes(self):
        width, features, hidden = self._gate_width(), self.input_shapes[0][1], self.spec.hidden_size
        return [("weight_ih", (width, features)), ("weight_hh", (width, hidden)),
                ("bias_ih", (width,)), ("bias_hh", (width,))]

    def regularized_params(self):
        return ["weight_ih", "weight_hh"]

    def init_params(self, rng):
        bound = 1.0 / math.sqrt(self.spec.hidden_size)  # torch's init for every recurrent tensor
        for name, shape in self.param_shapes():
            self.params[name][...] = rng.uniform(-bound, bound, shape)

    def _biases(self):
        """(bias of the input projection, bias of each step's recurrent projection). rnn and lstm
        only ever use bias_ih + bias_hh, so it joins the one big input GEMM and the per-step
        products skip their bias loop; gru's n gate needs bias_hh inside r * (...), kept apart."""
        p = self.params
        if self.cell() == CELL_GRU:
            return p["bias_ih"], p["bias_hh"]
        joined = self.workspace("joined_bias", p["bias_ih"].shape)
        np.add(p["bias_ih"], p["bias_hh"], out=joined)
        return joined, self.workspace("no_bias", (0,))

    def forward(self, inputs, training, rng):
        return forward_in_chunks(self, inputs[0], training, self._forward_rows)

    def _forward_rows(self, x):
        batch, (steps, features) = x.shape[0], self.input_shapes[0]
        hidden, width = self.spec.hidden_size, self._gate_width()
        x_tm = self.workspace("x_tm", (steps, batch, features))
        x_tm[...] = x.transpose(1, 0, 2)
        xw = self.workspace("xw", (steps, batch, width))
        p = self.params
        input_bias, recurrent_bias = self._biases()
        dense_fwd(x_tm.reshape(-1, features), p["weight_ih"], input_bias, xw.reshape(-1, width))
        self._hw = self.workspace("hw", (steps if self.cell() == CELL_GRU else 1, batch, width))  # see kernels
        self._gates = self.workspace("gates", (steps, batch, width))
        self._hs = self.workspace("hs", (steps + 1, batch, hidden))
        self._cs = self.workspace("cs", (steps + 1, batch, hidden))
        w_hh_t = self.workspace("w_hh_t", (hidden, width))
        w_hh_t[...] = p["weight_hh"].T
        recurrent_seq_fwd(self.cell(), xw, w_hh_t, recurrent_bias, self._hw, self._gates, self._hs, self._cs)
        self._x_tm = x_tm
        if not self.spec.return_sequences:
            return self._hs[steps]
        out = self.workspace("out", (batch, steps, hidden))
        out[...] = self._hs[1:].transpose(1, 0, 2)
        return out

    def backward(self, grad_out, from_logits=False):
        check_backward(self)
        steps, batch, features = self._x_tm.shape
        hidden, width = self.spec.hidden_size, self._gate_width()
        if self.spec.return_sequences:
            grad_hs = self.workspace("grad_hs", (steps, batch, hidden))
            grad_hs[...] = grad_out.transpose(1, 0, 2)
        else:  # only the last state reaches the output: a one-step grad_hs (see the kernel)
            grad_hs = self.workspace("grad_last", (1, batch, hidden))
            grad_hs[0] = grad_out
        grad_xw = self.workspace("grad_xw", (steps, batch, width))
        grad_hw = self.workspace("grad_hw", grad_xw.shape) if self.cell() == CELL_GRU else grad_xw
        scratch = [self.workspace(f"scratch{k}", (batch, hidden)) for k in range(3)]
        g, no_bias = self.grads, self.workspace("no_bias", (0,))
        shared = grad_hw is grad_xw  # rnn, lstm: bias_hh gets bias_ih's gradient, copied below
        recurrent_seq_bwd(self.cell(), self.params["weight_hh"], self._hw, self._gates, self._hs, self._cs,
                          grad_hs, grad_xw, grad_hw, g["bias_ih"], no_bias if shared else g["bias_hh"], *scratch)
        need_x = self.needs_input_grad[0]
        grad_x_tm = self.workspace("grad_x_tm", self._x_tm.shape)
        self._weight_grads(grad_xw.reshape(-1, width), grad_hw.reshape(-1, width), grad_x_tm.reshape(-1, features),
                           need_x, shared)
        if not need_x:
            return [None]
        return [np.ascontiguousarray(grad_x_tm.transpose(1, 0, 2))]

    def _weight_grads(self, grad_xw, grad_hw, grad_x, need_x, shared):
        """Whole-sequence gradients of both weights (and the input's, if need_x) from dL/d(xw) and
        dL/d(hw), (T*N, G*H) each; the time loop has already summed the biases' gradients.
        ``shared``: rnn and lstm, where the two are one array (reshaped views are new objects,
        so an ``is`` test here would always fail)."""
        steps, _, features = self._x_tm.shape
        x, h_prev = self._x_tm.reshape(-1, features), self._hs[:steps].reshape(-1, self.spec.hidden_size)
        p, g, no_bias = self.params, self.grads, self.workspace("no_bias", (0,))
        if shared:  # one gradient for both projections and both biases
            joined = self.workspace("joined_inputs", (x.shape[0], features + h_prev.shape[1]))
            joined_grad = self.workspace("joined_grad", (grad_xw.shape[1], joined.shape[1]))
            joined_dense_bwd(x, h_prev, p["weight_ih"], grad_xw, joined, joined_grad, grad_x,
                             g["weight_ih"], g["weight_hh"], no_bias, need_x)
            g["bias_hh"][...] = g["bias_ih"]
            return
        dense_bwd(x, p["weight_ih"], grad_xw, grad_x, g["weight_ih"], no_bias, need_x)
        dense_bwd(h_prev, p["weight_hh"], grad_hw, grad_x, g["weight_hh"], no_bias, False)

    def probe_state(self) -> dict:
        """States and gates of the last forward pass, batch first: {"hidden": (N, T, H),
        "cell": (N, T, H) for lstm, "gates": {name: (N, T, H)}}."""
        hidden = self.spec.hidden_size
        state = {"hidden": self._hs[1:].transpose(1, 0, 2).copy()}
        if self.cell() == CELL_LSTM:
            state["cell"] = self._cs[1:].transpose(1, 0, 2).copy()
        if self.cell() in (CELL_LSTM, CELL_GRU):
            gates = self._gates.transpose(1, 0, 2)
            state["gates"] = {name: gates[:, :, k * hidden:(k + 1) * hidden].copy()
                              for k, name in enumerate(GATE_NAMES[self.cell()])}
        return state


class RNN(Recurrent):
    def cell(self):
        return CELL_RNN_RELU if self.spec.nonlinearity == "relu" else CELL_RNN_TANH


class LSTM(Recurrent):
    def cell(self):
        return CELL_LSTM


class GRU(Recurrent):
    def cell(self):
        return CELL_GRU
