"""Cross-checks against PyTorch, float64: recurrent layers (forward and every gradient) and
optimizer trajectories. Skipped when torch is not installed (the ``torch`` extra)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import optim
from engine.rnn import GRU, LSTM, RNN, TimeBidirectional, TimeLSTM, TimeRNN

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

RTOL = 1e-10


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny tensors: with its default thread pool, torch interleaved with NumPy spends ~30 ms
    per backward waiting on threads here; one thread takes well under 1 ms."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tensor(array: np.ndarray, requires_grad: bool = False):
    return torch.tensor(array, dtype=torch.float64, requires_grad=requires_grad)


def assert_close(engine_value: np.ndarray, torch_value, rtol: float = RTOL):
    reference = torch_value.detach().numpy() if hasattr(torch_value, "detach") else torch_value
    scale = np.abs(reference).max()
    assert engine_value.shape == reference.shape
    assert np.abs(engine_value - reference).max() <= rtol * scale


def load_weights(module, Wx, Wh, b, suffix=""):
    """The engine's packing into PyTorch's: weight_ih = Wxᵀ, weight_hh = Whᵀ, b all in b_ih."""
    with torch.no_grad():
        getattr(module, f"weight_ih{suffix}").copy_(tensor(Wx.T))
        getattr(module, f"weight_hh{suffix}").copy_(tensor(Wh.T))
        getattr(module, f"bias_ih{suffix}").copy_(tensor(b))
        getattr(module, f"bias_hh{suffix}").zero_()


def assert_weight_grads(layer, module, suffix=""):
    assert_close(layer.dWx, getattr(module, f"weight_ih{suffix}").grad.T)
    assert_close(layer.dWh, getattr(module, f"weight_hh{suffix}").grad.T)
    assert_close(layer.db, getattr(module, f"bias_ih{suffix}").grad)


def random_weights(rng, D, H, gates):
    return (
        rng.normal(0, 0.5, (D, gates * H)),
        rng.normal(0, 0.5, (H, gates * H)),
        rng.normal(0, 0.3, gates * H),
    )


@pytest.mark.parametrize("seed", range(3))
def test_rnn_cell_matches_rnncell(seed):
    rng = np.random.default_rng(seed)
    N, D, H = 5, 4, 3
    Wx, Wh, b = random_weights(rng, D, H, 1)
    x, h, dh_next = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    cell = RNN(Wx, Wh, b)
    module = torch.nn.RNNCell(D, H, nonlinearity="tanh").double()
    load_weights(module, Wx, Wh, b)
    x_t, h_t = tensor(x, True), tensor(h, True)
    out = module(x_t, h_t)
    out.backward(tensor(dh_next))

    assert_close(cell.forward(x, h), out)
    dx, dh_prev = cell.backward(dh_next)
    assert_close(dx, x_t.grad)
    assert_close(dh_prev, h_t.grad)
    assert_weight_grads(cell, module)


@pytest.mark.parametrize("seed", range(3))
def test_lstm_cell_matches_lstmcell(seed):
    rng = np.random.default_rng(seed)
    N, D, H = 4, 3, 5
    Wx, Wh, b = random_weights(rng, D, H, 4)
    x, h, c = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    dh_next, dc_next = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    cell = LSTM(Wx, Wh, b)
    module = torch.nn.LSTMCell(D, H).double()
    load_weights(module, Wx, Wh, b)
    x_t, h_t, c_t = tensor(x, True), tensor(h, True), tensor(c, True)
    h_next_t, c_next_t = module(x_t, (h_t, c_t))
    torch.autograd.backward((h_next_t, c_next_t), (tensor(dh_next), tensor(dc_next)))

    h_next, c_next = cell.forward(x, h, c)
    assert_close(h_next, h_next_t)
    assert_close(c_next, c_next_t)
    dx, dh_prev, dc_prev = cell.backward(dh_next, dc_next)
    assert_close(dx, x_t.grad)
    assert_close(dh_prev, h_t.grad)
    assert_close(dc_prev, c_t.grad)
    assert_weight_grads(cell, module)


@pytest.mark.parametrize(("layer_class", "module_class"), [(TimeRNN, "RNN"), (TimeLSTM, "LSTM")])
def test_time_layer_matches_torch_over_a_sequence_with_an_initial_state(layer_class, module_class):
    rng = np.random.default_rng(7)
    N, T, D, H = 3, 9, 4, 5
    weights = random_weights(rng, D, H, layer_class.gates)
    xs, dhs = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, H))
    initial = [rng.normal(size=(N, H)) for _ in range(2 if layer_class is TimeLSTM else 1)]

    layer = layer_class(*weights, stateful=True)
    layer.set_state(*initial)
    hs = layer.forward(xs)
    dxs = layer.backward(dhs)

    module = getattr(torch.nn, module_class)(D, H, batch_first=True).double()
    load_weights(module, *weights, suffix="_l0")
    xs_t = tensor(xs, True)
    initial_t = [tensor(state[None], True) for state in initial]
    hs_t, _ = module(xs_t, tuple(initial_t) if layer_class is TimeLSTM else initial_t[0])
    hs_t.backward(tensor(dhs))

    assert_close(hs, hs_t)
    assert_close(dxs, xs_t.grad)
    assert_weight_grads(layer, module, suffix="_l0")
    assert_close(layer.dh, initial_t[0].grad[0])
    if layer_class is TimeLSTM:
        assert_close(layer.dc, initial_t[1].grad[0])


def test_bidirectional_lstm_matches_torch_bidirectional_lstm():
    rng = np.random.default_rng(8)
    N, T, D, H = 2, 6, 3, 4
    forward_weights, backward_weights = (random_weights(rng, D, H, 4) for _ in range(2))
    xs, dhs = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, 2 * H))
    layer = TimeBidirectional(TimeLSTM(*forward_weights), TimeLSTM(*backward_weights))
    hs = layer.forward(xs)
    dxs = layer.backward(dhs)

    module = torch.nn.LSTM(D, H, batch_first=True, bidirectional=True).double()
    load_weights(module, *forward_weights, suffix="_l0")
    load_weights(module, *backward_weights, suffix="_l0_reverse")
    xs_t = tensor(xs, True)
    hs_t, _ = module(xs_t)
    hs_t.backward(tensor(dhs))

    assert_close(hs, hs_t)
    assert_close(dxs, xs_t.grad)
    assert_weight_grads(layer.forward_layer, module, suffix="_l0")
    assert_weight_grads(layer.backward_layer, module, suffix="_l0_reverse")


def course_gru_in_torch(x, h, Wx, Wh, b):
    """The course's GRU written with torch operations, for autograd to differentiate."""
    H = h.shape[1]
    z = torch.sigmoid(x @ Wx[:, :H] + h @ Wh[:, :H] + b[:H])
    r = torch.sigmoid(x @ Wx[:, H : 2 * H] + h @ Wh[:, H : 2 * H] + b[H : 2 * H])
    h_tilde = torch.tanh(x @ Wx[:, 2 * H :] + (r * h) @ Wh[:, 2 * H :] + b[2 * H :])
    return (1 - z) * h + z * h_tilde


@pytest.mark.parametrize("seed", range(3))
def test_gru_backward_matches_torch_autograd_of_the_course_formula(seed):
    rng = np.random.default_rng(seed)
    N, D, H = 4, 3, 5
    Wx, Wh, b = random_weights(rng, D, H, 3)
    x, h, dh_next = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    cell = GRU(Wx, Wh, b)
    inputs = [tensor(array, True) for array in (x, h, Wx, Wh, b)]
    out = course_gru_in_torch(*inputs)
    out.backward(tensor(dh_next))

    assert_close(cell.forward(x, h), out)
    dx, dh_prev = cell.backward(dh_next)
    for engine_grad, torch_input in zip(
        (dx, dh_prev, cell.dWx, cell.dWh, cell.db), inputs, strict=True
    ):
        assert_close(engine_grad, torch_input.grad)


def test_gru_equals_torch_grucell_only_in_the_documented_special_case():
    """Diagonal Whh, b_hn = 0 and negated z weights: then r ⊙ (h·Whh) = (r ⊙ h)·Whh and
    torch's z is the course's 1 − z. A full Whh breaks the equality."""
    rng = np.random.default_rng(9)
    N, D, H = 4, 3, 5
    Wx, Wh, b = random_weights(rng, D, H, 3)
    Wh[:, 2 * H :] = np.diag(rng.normal(size=H))
    x, h = rng.normal(size=(N, D)), rng.normal(size=(N, H))

    def torch_grucell_output(Wh_course):
        module = torch.nn.GRUCell(D, H).double()
        blocks_x, blocks_h, blocks_b = (np.split(w, 3, axis=-1) for w in (Wx, Wh_course, b))
        # torch packs (r, z, n) and its z weights the old state: negate the course's z
        reorder = lambda blocks: np.concatenate((blocks[1], -blocks[0], blocks[2]), axis=-1)  # noqa: E731
        load_weights(module, reorder(blocks_x), reorder(blocks_h), reorder(blocks_b))
        return module(tensor(x), tensor(h)).detach().numpy()

    assert_close(GRU(Wx, Wh, b).forward(x, h), torch_grucell_output(Wh))
    Wh_full = Wh.copy()
    Wh_full[:, 2 * H :] = rng.normal(size=(H, H))
    difference = GRU(Wx, Wh_full, b).forward(x, h) - torch_grucell_output(Wh_full)
    assert np.abs(difference).max() > 1e-3


# --- optimizers ------------------------------------------------------------------------------


def softmax_regression_problem(seed: int = 0):
    """Softmax regression on random data: the loss and its gradient in NumPy and in torch."""
    rng = np.random.default_rng(seed)
    X, labels = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    Y = np.eye(3)[labels]
    start = {"W": rng.normal(0, 1.0, (4, 3)), "b": rng.normal(0, 1.0, 3)}

    def numpy_grads(params):
        scores = X @ params["W"] + params["b"]
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        d_scores = (p - Y) / len(X) + 0.05 * scores**3 / len(X)  # a cubic term: less tame
        return {"W": X.T @ d_scores, "b": d_scores.sum(axis=0)}

    def torch_loss(W, b):
        scores = tensor(X) @ W + b
        cross_entropy = torch.nn.functional.cross_entropy(scores, torch.tensor(labels))
        return cross_entropy + 0.05 * (scores**4).sum() / 4 / len(X)

    return start, numpy_grads, torch_loss


OPTIMIZER_PAIRS = [
    ("SGD", lambda: optim.SGD(lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (
        "Momentum",
        lambda: optim.Momentum(lr=0.05, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    ),
    (
        "Nesterov",
        lambda: optim.Nesterov(lr=0.05, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    ),
    ("AdaGrad", lambda: optim.AdaGrad(lr=0.1), lambda p: torch.optim.Adagrad(p, lr=0.1)),
    (
        "RMSprop",
        lambda: optim.RMSprop(lr=0.01, decay_rate=0.9),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9),
    ),
    ("RMSprop-defaults", lambda: optim.RMSprop(), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    ("Adam", lambda: optim.Adam(lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
    (
        "Adam-betas",
        lambda: optim.Adam(lr=0.003, beta1=0.5, beta2=0.9, eps=1e-6),
        lambda p: torch.optim.Adam(p, lr=0.003, betas=(0.5, 0.9), eps=1e-6),
    ),
]


@pytest.mark.parametrize(
    ("make_engine", "make_torch"),
    [pair[1:] for pair in OPTIMIZER_PAIRS],
    ids=[pair[0] for pair in OPTIMIZER_PAIRS],
)
def test_optimizer_trajectory_matches_torch_optim(make_engine, make_torch):
    start, numpy_grads, torch_loss = softmax_regression_problem()
    params = {key: value.copy() for key, value in start.items()}
    torch_params = {key: tensor(value, True) for key, value in start.items()}
    engine_optimizer, torch_optimizer = make_engine(), make_torch(list(torch_params.values()))
    for step in range(60):
        torch_optimizer.zero_grad()
        torch_loss(**torch_params).backward()
        torch_optimizer.step()
        engine_optimizer.update(params, numpy_grads(params))
        for key in params:
            reference = torch_params[key].detach().numpy()
            relative = np.abs(params[key] - reference).max() / np.abs(reference).max()
            assert relative < 1e-12, (key, step, relative)
    assert np.abs(params["W"] - start["W"]).max() > 0.05, "the path went somewhere"


def test_momentum_follows_torch_when_the_learning_rate_changes_midway():
    start, numpy_grads, torch_loss = softmax_regression_problem(seed=1)
    params = {key: value.copy() for key, value in start.items()}
    torch_params = {key: tensor(value, True) for key, value in start.items()}
    engine_optimizer = optim.Momentum(lr=0.05, momentum=0.9)
    torch_optimizer = torch.optim.SGD(list(torch_params.values()), lr=0.05, momentum=0.9)
    for step in range(40):
        if step == 20:
            engine_optimizer.lr = torch_optimizer.param_groups[0]["lr"] = 0.01
        torch_optimizer.zero_grad()
        torch_loss(**torch_params).backward()
        torch_optimizer.step()
        engine_optimizer.update(params, numpy_grads(params))
    for key in params:
        assert_close(params[key], torch_params[key], rtol=1e-12)


@pytest.mark.parametrize("optimizer_name", ["SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"])
def test_float32_trajectory_matches_torch_to_float32_precision(optimizer_name):
    pair = next(pair for pair in OPTIMIZER_PAIRS if pair[0] == optimizer_name)
    rng = np.random.default_rng(2)
    target = rng.normal(size=(3, 4)).astype(np.float32)
    params = {"W": np.zeros((3, 4), dtype=np.float32)}
    W_t = torch.zeros(3, 4, dtype=torch.float32, requires_grad=True)
    engine_optimizer, torch_optimizer = pair[1](), pair[2]([W_t])
    for _ in range(30):
        engine_optimizer.update(params, {"W": params["W"] - target})
        W_t.grad = W_t.detach() - torch.from_numpy(target)
        torch_optimizer.step()
    assert params["W"].dtype == np.float32
    np.testing.assert_allclose(params["W"], W_t.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_clip_grads_matches_clip_grad_norm():
    rng = np.random.default_rng(3)
    arrays = [rng.normal(size=(3, 4)) * 5, rng.normal(size=6)]
    tensors = [tensor(array, True) for array in arrays]
    for t, array in zip(tensors, arrays, strict=True):
        t.grad = tensor(array)
    torch_norm = torch.nn.utils.clip_grad_norm_(tensors, max_norm=2.0)
    grads = {f"g{i}": array.copy() for i, array in enumerate(arrays)}
    norm = optim.clip_grads(grads, max_norm=2.0)
    assert norm == pytest.approx(float(torch_norm), rel=1e-14)
    for grad, t in zip(grads.values(), tensors, strict=True):
        assert_close(grad, t.grad, rtol=1e-14)
