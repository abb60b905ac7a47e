"""Recurrent layers: RNN, LSTM and GRU cells, and their time-unrolled versions (BPTT).

Shapes are those of 『ゼロから作るDeep Learning ❷』: a cell maps x (N, D) and h_prev (N, H) to
h_next (N, H); a Time layer maps xs (N, T, D) to hs (N, T, H). Row vectors multiply weights
from the left (x·Wx), and the weights of all gates are packed side by side in one matrix:

    RNN   Wx (D, H),   Wh (H, H),   b (H,)
    LSTM  Wx (D, 4H),  Wh (H, 4H),  b (4H,)   gates (i, f, g, o), PyTorch's order
    GRU   Wx (D, 3H),  Wh (H, 3H),  b (3H,)   gates (z, r, h̃), the book's and the course's order

Every layer keeps its parameters as ``Wx``, ``Wh``, ``b`` and, after ``backward``, their
gradients as ``dWx``, ``dWh``, ``db`` (same shapes and dtypes, overwritten in place); the
``params`` and ``grads`` dicts hold the same arrays, ready for ``engine.optim``.
"""

from __future__ import annotations

import numpy as np

from engine import functions


class _Parameters:
    """Packed weights Wx, Wh, b (``gates`` blocks of H columns each) and their gradients."""

    gates: int  # blocks of H columns in Wx, Wh and b: set by each layer

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray):
        H = Wh.shape[0]
        width = self.gates * H
        if Wh.shape != (H, width) or Wx.ndim != 2 or Wx.shape[1] != width or b.shape != (width,):
            raise ValueError(
                f"{type(self).__name__} needs Wx (D, {self.gates}H), Wh (H, {self.gates}H) and "
                f"b ({self.gates}H,); got Wx {Wx.shape}, Wh {Wh.shape}, b {b.shape}"
            )
        self.Wx, self.Wh, self.b = Wx, Wh, b
        self.dWx, self.dWh, self.db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)

    @property
    def hidden_size(self) -> int:
        return self.Wh.shape[0]

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {"Wx": self.Wx, "Wh": self.Wh, "b": self.b}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {"Wx": self.dWx, "Wh": self.dWh, "b": self.db}

    def _set_grads(self, x: np.ndarray, h_prev: np.ndarray, da: np.ndarray) -> None:
        """Gradients of a = x·Wx + h_prev·Wh + b given ∂L/∂a (N, gates·H)."""
        self.dWx[...] = x.T @ da
        self.dWh[...] = h_prev.T @ da
        self.db[...] = da.sum(axis=0)


class RNN(_Parameters):
    """Simple RNN cell.

        h_next = tanh(h_prev·Wh + x·Wx + b)

    Backward, with a the argument of tanh and tanh′(a) = 1 − tanh(a)²:

        ∂L/∂a = ∂L/∂h_next ⊙ (1 − h_next²)
        ∂L/∂Wx = xᵀ·∂L/∂a,  ∂L/∂Wh = h_prevᵀ·∂L/∂a,  ∂L/∂b = Σ_n ∂L/∂a
        ∂L/∂x = ∂L/∂a·Wxᵀ,  ∂L/∂h_prev = ∂L/∂a·Whᵀ

    Same as ``torch.nn.RNNCell(D, H, nonlinearity="tanh")`` with weight_ih = Wxᵀ,
    weight_hh = Whᵀ and bias_ih + bias_hh = b.
    """

    gates = 1

    def forward(self, x: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
        h_next = functions.tanh(h_prev @ self.Wh + x @ self.Wx + self.b)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Returns (∂L/∂x, ∂L/∂h_prev) and sets dWx, dWh, db."""
        x, h_prev, h_next = self.cache
        da = dh_next * (1 - h_next**2)
        self._set_grads(x, h_prev, da)
        return da @ self.Wx.T, da @ self.Wh.T


class LSTM(_Parameters):
    """LSTM cell, gates in PyTorch's order (i, f, g, o).

        a = x·Wx + h_prev·Wh + b, split into four blocks of H columns
        i = σ(a_i)   input gate        f = σ(a_f)   forget gate
        g = tanh(a_g) new memory       o = σ(a_o)   output gate
        c_next = f ⊙ c_prev + i ⊙ g
        h_next = o ⊙ tanh(c_next)

    Backward, with dc the gradient reaching c_next both directly and through h_next:

        dc = ∂L/∂c_next + ∂L/∂h_next ⊙ o ⊙ (1 − tanh²(c_next))
        ∂L/∂i = dc ⊙ g,  ∂L/∂f = dc ⊙ c_prev,  ∂L/∂g = dc ⊙ i,  ∂L/∂o = ∂L/∂h_next ⊙ tanh(c_next)
        ∂L/∂c_prev = dc ⊙ f
        then through σ′ = σ(1 − σ) and tanh′ = 1 − tanh² to ∂L/∂a, and on as in RNN.

    Same as ``torch.nn.LSTMCell(D, H)`` with weight_ih = Wxᵀ (4H, D), weight_hh = Whᵀ and
    bias_ih + bias_hh = b. (The book packs the gates as (f, g, i, o).)
    """

    gates = 4

    def forward(
        self, x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        a = x @ self.Wx + h_prev @ self.Wh + self.b
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
        i, f, o = functions.sigmoid(a_i), functions.sigmoid(a_f), functions.sigmoid(a_o)
        g = functions.tanh(a_g)
        c_next = f * c_prev + i * g
        tanh_c_next = functions.tanh(c_next)
        h_next = o * tanh_c_next
        self.cache = (x, h_prev, c_prev, i, f, g, o, tanh_c_next)
        return h_next, c_next

    def backward(
        self, dh_next: np.ndarray, dc_next: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Returns (∂L/∂x, ∂L/∂h_prev, ∂L/∂c_prev) and sets dWx, dWh, db."""
        x, h_prev, c_prev, i, f, g, o, tanh_c_next = self.cache
        dc = dc_next + dh_next * o * (1 - tanh_c_next**2)
        da = np.concatenate(
            (
                dc * g * i * (1 - i),
                dc * c_prev * f * (1 - f),
                dc * i * (1 - g**2),
                dh_next * tanh_c_next * o * (1 - o),
            ),
            axis=1,
        )
        self._set_grads(x, h_prev, da)
        return da @ self.Wx.T, da @ self.Wh.T, dc * f


class GRU(_Parameters):
    """GRU cell in the course's form (Chung et al. 2014; 『ゼロから作るDeep Learning ❷』 付録C).

        z = σ(x·Wxz + h_prev·Whz + bz)              update gate
        r = σ(x·Wxr + h_prev·Whr + br)              reset gate
        h̃ = tanh(x·Wxh + (r ⊙ h_prev)·Whh + bh)     candidate
        h_next = (1 − z) ⊙ h_prev + z ⊙ h̃

    Packed as Wx = [Wxz Wxr Wxh] (D, 3H), Wh = [Whz Whr Whh] (H, 3H), b = [bz br bh] (3H,):
    the order (z, r, h̃) of the book's GRU and the course's exercise (the book's GRU has no b).

    ``torch.nn.GRU`` is a different cell: its gates are packed (r, z, n); its z weights the
    old state, h′ = (1 − z) ⊙ n + z ⊙ h (torch's z is this 1 − z, since σ(−a) = 1 − σ(a));
    and its reset gate acts after the product, n = tanh(x·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn)).
    The two agree only when Whh is diagonal, b_hn = 0 and z's weights are negated.

    Backward, with a_z, a_r, a_h the arguments of σ, σ, tanh:

        ∂L/∂z = ∂L/∂h_next ⊙ (h̃ − h_prev),   ∂L/∂h̃ = ∂L/∂h_next ⊙ z
        ∂L/∂a_h = ∂L/∂h̃ ⊙ (1 − h̃²),   ∂L/∂(r ⊙ h_prev) = ∂L/∂a_h·Whhᵀ
        ∂L/∂r = ∂L/∂(r ⊙ h_prev) ⊙ h_prev
        ∂L/∂h_prev = ∂L/∂h_next ⊙ (1 − z) + ∂L/∂(r ⊙ h_prev) ⊙ r + [∂L/∂a_z ∂L/∂a_r]·[Whz Whr]ᵀ
    """

    gates = 3

    def forward(self, x: np.ndarray, h_prev: np.ndarray) -> np.ndarray:
        H = self.hidden_size
        a = x @ self.Wx + self.b
        # z and r read h_prev directly; h̃ reads it only through the reset gate.
        a[:, : 2 * H] += h_prev @ self.Wh[:, : 2 * H]
        z = functions.sigmoid(a[:, :H])
        r = functions.sigmoid(a[:, H : 2 * H])
        h_tilde = functions.tanh(a[:, 2 * H :] + (r * h_prev) @ self.Wh[:, 2 * H :])
        h_next = (1 - z) * h_prev + z * h_tilde
        self.cache = (x, h_prev, z, r, h_tilde)
        return h_next

    def backward(self, dh_next: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Returns (∂L/∂x, ∂L/∂h_prev) and sets dWx, dWh, db."""
        H = self.hidden_size
        x, h_prev, z, r, h_tilde = self.cache
        Wh_zr, Whh = self.Wh[:, : 2 * H], self.Wh[:, 2 * H :]

        da_h = dh_next * z * (1 - h_tilde**2)
        d_reset_h = da_h @ Whh.T
        da_z = dh_next * (h_tilde - h_prev) * z * (1 - z)
        da_r = d_reset_h * h_prev * r * (1 - r)
        da_zr = np.concatenate((da_z, da_r), axis=1)
        da = np.concatenate((da_zr, da_h), axis=1)

        self.dWx[...] = x.T @ da
        self.dWh[:, : 2 * H] = h_prev.T @ da_zr
        self.dWh[:, 2 * H :] = (r * h_prev).T @ da_h
        self.db[...] = da.sum(axis=0)
        dh_prev = dh_next * (1 - z) + d_reset_h * r + da_zr @ Wh_zr.T
        return da @ self.Wx.T, dh_prev


class TimeRNN(_Parameters):
    """T RNN cells sharing Wx, Wh, b: xs (N, T, D) → hs (N, T, H).

        h_t = tanh(h_{t−1}·Wh + x_t·Wx + b),  h_0 = 0 (or the carried state)

    ``backward(dhs)`` is backpropagation through time: the cells run in reverse, each gets
    ∂L/∂h_t from the output plus the gradient flowing back from step t + 1, and the
    parameter gradients of all steps add up, ∂L/∂Wx = Σ_t xᵀ_t·∂L/∂a_t and so on.
    Afterwards ``dh`` holds ∂L/∂h_0.

    With ``stateful=True`` the last hidden state of one ``forward`` is the first of the next,
    so a long sequence can be fed in blocks (truncated BPTT: gradients stop at the block
    boundary); ``reset_state()`` forgets it and ``set_state(h)`` sets it (a layer that is not
    stateful starts every forward from zero and ignores it).
    """

    cell = RNN
    gates = cell.gates

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, stateful: bool = False):
        super().__init__(Wx, Wh, b)
        self.stateful = stateful
        self.h: np.ndarray | None = None
        self.dh: np.ndarray | None = None
        self.cells: list = []

    def set_state(self, h: np.ndarray) -> None:
        self.h = h

    def reset_state(self) -> None:
        self.h = None

    def _start(self, xs: np.ndarray) -> np.ndarray:
        """Makes one cell per time step and returns the empty hs (N, T, H) they will fill."""
        N, T, _ = xs.shape
        self.cells = [self.cell(self.Wx, self.Wh, self.b) for _ in range(T)]
        return np.empty((N, T, self.hidden_size), dtype=np.result_type(xs, self.Wx))

    def _sum_grads(self) -> None:
        """∂L/∂W = Σ_t (∂L/∂W at step t): the weights are shared by every step."""
        for name, total in self.grads.items():
            total[...] = sum(cell.grads[name] for cell in self.cells)

    def forward(self, xs: np.ndarray) -> np.ndarray:
        hs = self._start(xs)
        if not self.stateful or self.h is None:
            self.h = np.zeros_like(hs[:, 0, :])
        for t, cell in enumerate(self.cells):
            self.h = cell.forward(xs[:, t, :], self.h)
            hs[:, t, :] = self.h
        return hs

    def backward(self, dhs: np.ndarray) -> np.ndarray:
        N, T, _ = dhs.shape
        dxs = np.empty((N, T, self.Wx.shape[0]), dtype=np.result_type(dhs, self.Wx))
        dh = np.zeros_like(dhs[:, 0, :])
        for t in reversed(range(T)):
            dxs[:, t, :], dh = self.cells[t].backward(dhs[:, t, :] + dh)
        self._sum_grads()
        self.dh = dh
        return dxs


class TimeGRU(TimeRNN):
    """T GRU cells sharing Wx, Wh, b: xs (N, T, D) → hs (N, T, H); see ``GRU`` for the cell
    and ``TimeRNN`` for BPTT and ``stateful``."""

    cell = GRU
    gates = cell.gates


class TimeLSTM(TimeRNN):
    """T LSTM cells sharing Wx, Wh, b: xs (N, T, D) → hs (N, T, H); see ``LSTM`` for the cell
    and ``TimeRNN`` for BPTT and ``stateful``.

    The memory cell c travels along with h and is not an output: backward starts with
    ∂L/∂c_T = 0, and afterwards ``dh`` and ``dc`` hold ∂L/∂h_0 and ∂L/∂c_0.
    """

    cell = LSTM
    gates = cell.gates

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, stateful: bool = False):
        super().__init__(Wx, Wh, b, stateful)
        self.c: np.ndarray | None = None
        self.dc: np.ndarray | None = None

    def set_state(self, h: np.ndarray, c: np.ndarray | None = None) -> None:
        """Sets h (and c; without one, c starts at 0 on the next forward)."""
        self.h, self.c = h, c

    def reset_state(self) -> None:
        self.h, self.c = None, None

    def forward(self, xs: np.ndarray) -> np.ndarray:
        hs = self._start(xs)
        if not self.stateful or self.h is None:
            self.h = np.zeros_like(hs[:, 0, :])
        if not self.stateful or self.c is None:
            self.c = np.zeros_like(hs[:, 0, :])
        for t, cell in enumerate(self.cells):
            self.h, self.c = cell.forward(xs[:, t, :], self.h, self.c)
            hs[:, t, :] = self.h
        return hs

    def backward(self, dhs: np.ndarray) -> np.ndarray:
        N, T, _ = dhs.shape
        dxs = np.empty((N, T, self.Wx.shape[0]), dtype=np.result_type(dhs, self.Wx))
        dh = dc = np.zeros_like(dhs[:, 0, :])
        for t in reversed(range(T)):
            dxs[:, t, :], dh, dc = self.cells[t].backward(dhs[:, t, :] + dh, dc)
        self._sum_grads()
        self.dh, self.dc = dh, dc
        return dxs


class TimeBidirectional:
    """A bidirectional layer: one Time layer reads the sequence forwards, the other reads it
    backwards, and their hidden states are concatenated per time step.

        hs_t = [→h_t ; ←h_t]   (N, T, H_forward + H_backward)

    where →h_t has seen x_1 … x_t and ←h_t has seen x_T … x_t. Any two of TimeRNN,
    TimeLSTM, TimeGRU (not stateful) can be combined, e.g.
    ``TimeBidirectional(TimeLSTM(Wx1, Wh1, b1), TimeLSTM(Wx2, Wh2, b2))``.
    ``params`` / ``grads`` prefix the keys with "forward." and "backward.".
    """

    def __init__(self, forward_layer: TimeRNN, backward_layer: TimeRNN):
        self.forward_layer = forward_layer
        self.backward_layer = backward_layer

    @property
    def params(self) -> dict[str, np.ndarray]:
        return self._prefixed("params")

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return self._prefixed("grads")

    def _prefixed(self, attribute: str) -> dict[str, np.ndarray]:
        layers = {"forward": self.forward_layer, "backward": self.backward_layer}
        return {
            f"{direction}.{key}": value
            for direction, layer in layers.items()
            for key, value in getattr(layer, attribute).items()
        }

    def forward(self, xs: np.ndarray) -> np.ndarray:
        hs_forward = self.forward_layer.forward(xs)
        hs_backward = self.backward_layer.forward(xs[:, ::-1])[:, ::-1]
        return np.concatenate((hs_forward, hs_backward), axis=2)

    def backward(self, dhs: np.ndarray) -> np.ndarray:
        H = self.forward_layer.hidden_size
        dxs = self.forward_layer.backward(dhs[:, :, :H])
        dxs += self.backward_layer.backward(dhs[:, :, H:][:, ::-1])[:, ::-1]
        return dxs
