"""engine.rnn: the cells' formulas, every backward against numerical gradients, BPTT, state."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import optim
from engine.gradcheck import check_gradient
from engine.rnn import GRU, LSTM, RNN, TimeBidirectional, TimeGRU, TimeLSTM, TimeRNN

GATES = {RNN: 1, TimeRNN: 1, LSTM: 4, TimeLSTM: 4, GRU: 3, TimeGRU: 3}
SIZES = settings(max_examples=12, deadline=None)
sizes = st.integers(min_value=1, max_value=4)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def sigma(a):
    return 1 / (1 + np.exp(-a))


def make_weights(layer_class, D, H, rng, dtype=np.float64):
    width = GATES[layer_class] * H
    return (
        rng.normal(0, 0.6, (D, width)).astype(dtype),
        rng.normal(0, 0.6, (H, width)).astype(dtype),
        rng.normal(0, 0.3, width).astype(dtype),
    )


def assert_gradients_match(loss, analytic: dict, arrays: dict):
    """Every analytic gradient equals the central difference of ``loss`` (float64)."""
    for name, array in arrays.items():
        assert check_gradient(lambda _: loss(), array, analytic[name]) < 1e-7, name


# --- the cells' forward formulas, written out gate by gate ----------------------------------


def test_rnn_forward_is_tanh_of_the_affine_sum():
    rng = np.random.default_rng(0)
    Wx, Wh, b = make_weights(RNN, 3, 4, rng)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    np.testing.assert_allclose(RNN(Wx, Wh, b).forward(x, h), np.tanh(h @ Wh + x @ Wx + b))


def test_lstm_forward_follows_pytorch_gate_order_i_f_g_o():
    rng = np.random.default_rng(1)
    D, H = 3, 2
    Wx, Wh, b = make_weights(LSTM, D, H, rng)
    x, h, c = rng.normal(size=(5, D)), rng.normal(size=(5, H)), rng.normal(size=(5, H))
    a = x @ Wx + h @ Wh + b
    i, f, g, o = (
        sigma(a[:, :H]),
        sigma(a[:, H : 2 * H]),
        np.tanh(a[:, 2 * H : 3 * H]),
        sigma(a[:, 3 * H :]),
    )
    c_expected = f * c + i * g
    h_next, c_next = LSTM(Wx, Wh, b).forward(x, h, c)
    np.testing.assert_allclose(c_next, c_expected, rtol=1e-13)
    np.testing.assert_allclose(h_next, o * np.tanh(c_expected), rtol=1e-13)


def test_lstm_with_forget_gate_open_and_input_gate_shut_keeps_its_memory():
    H = 3
    b = np.zeros(4 * H)
    b[:H], b[H : 2 * H] = -50, 50  # i ≈ 0, f ≈ 1
    c = np.array([[0.3, -1.2, 2.0]])
    _, c_next = LSTM(np.zeros((2, 4 * H)), np.zeros((H, 4 * H)), b).forward(
        np.ones((1, 2)), np.ones((1, H)), c
    )
    np.testing.assert_allclose(c_next, c, atol=1e-12)


def test_gru_forward_is_the_course_formula_with_z_r_h_packing():
    rng = np.random.default_rng(2)
    D, H = 4, 3
    Wx, Wh, b = make_weights(GRU, D, H, rng)
    x, h = rng.normal(size=(6, D)), rng.normal(size=(6, H))
    Wxz, Wxr, Wxh = np.split(Wx, 3, axis=1)
    Whz, Whr, Whh = np.split(Wh, 3, axis=1)
    bz, br, bh = np.split(b, 3)
    z = sigma(x @ Wxz + h @ Whz + bz)
    r = sigma(x @ Wxr + h @ Whr + br)
    h_tilde = np.tanh(x @ Wxh + (r * h) @ Whh + bh)
    np.testing.assert_allclose(GRU(Wx, Wh, b).forward(x, h), (1 - z) * h + z * h_tilde, rtol=1e-13)


def test_gru_update_gate_near_zero_keeps_the_old_state_and_near_one_takes_the_candidate():
    H = 2
    b = np.zeros(3 * H)
    h = np.array([[0.7, -0.4]])
    x = np.ones((1, 1))
    b[:H] = -50
    np.testing.assert_allclose(GRU(np.zeros((1, 3 * H)), np.zeros((H, 3 * H)), b).forward(x, h), h)
    b[:H], b[2 * H :] = 50, 0.5
    np.testing.assert_allclose(
        GRU(np.zeros((1, 3 * H)), np.zeros((H, 3 * H)), b).forward(x, h), np.tanh([[0.5, 0.5]])
    )


@pytest.mark.parametrize("layer_class", [RNN, LSTM, GRU, TimeRNN, TimeLSTM, TimeGRU])
def test_weights_of_the_wrong_shape_are_refused_with_the_expected_shapes(layer_class):
    Wx, Wh, b = make_weights(layer_class, 3, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"Wx \(D, \d?H\)"):
        layer_class(Wx[:, :-1], Wh, b)
    with pytest.raises(ValueError):
        layer_class(Wx, Wh, b[:-1])


# --- cells: backward against numerical gradients ---------------------------------------------


@SIZES
@given(N=sizes, D=sizes, H=sizes, seed=seeds)
def test_rnn_backward_matches_numerical_gradients(N, D, H, seed):
    rng = np.random.default_rng(seed)
    cell = RNN(*make_weights(RNN, D, H, rng))
    x, h_prev, dh_next = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))

    def loss():
        return np.sum(cell.forward(x, h_prev) * dh_next)

    loss()
    dx, dh_prev = cell.backward(dh_next)
    assert_gradients_match(
        loss,
        {"x": dx, "h_prev": dh_prev, **cell.grads},
        {"x": x, "h_prev": h_prev, **cell.params},
    )


@SIZES
@given(N=sizes, D=sizes, H=sizes, seed=seeds)
def test_lstm_backward_matches_numerical_gradients(N, D, H, seed):
    rng = np.random.default_rng(seed)
    cell = LSTM(*make_weights(LSTM, D, H, rng))
    x, h_prev, c_prev = (rng.normal(size=shape) for shape in ((N, D), (N, H), (N, H)))
    dh_next, dc_next = rng.normal(size=(N, H)), rng.normal(size=(N, H))

    def loss():
        h_next, c_next = cell.forward(x, h_prev, c_prev)
        return np.sum(h_next * dh_next) + np.sum(c_next * dc_next)

    loss()
    dx, dh_prev, dc_prev = cell.backward(dh_next, dc_next)
    assert_gradients_match(
        loss,
        {"x": dx, "h_prev": dh_prev, "c_prev": dc_prev, **cell.grads},
        {"x": x, "h_prev": h_prev, "c_prev": c_prev, **cell.params},
    )


@SIZES
@given(N=sizes, D=sizes, H=sizes, seed=seeds)
def test_gru_backward_matches_numerical_gradients(N, D, H, seed):
    rng = np.random.default_rng(seed)
    cell = GRU(*make_weights(GRU, D, H, rng))
    x, h_prev, dh_next = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))

    def loss():
        return np.sum(cell.forward(x, h_prev) * dh_next)

    loss()
    dx, dh_prev = cell.backward(dh_next)
    assert_gradients_match(
        loss,
        {"x": dx, "h_prev": dh_prev, **cell.grads},
        {"x": x, "h_prev": h_prev, **cell.params},
    )


# --- Time layers: BPTT against numerical gradients ------------------------------------------


@SIZES
@given(
    layer_class=st.sampled_from([TimeRNN, TimeLSTM, TimeGRU]),
    N=sizes,
    T=sizes,
    D=sizes,
    H=sizes,
    seed=seeds,
)
def test_time_layer_backward_matches_numerical_gradients_including_the_initial_state(
    layer_class, N, T, D, H, seed
):
    rng = np.random.default_rng(seed)
    layer = layer_class(*make_weights(layer_class, D, H, rng), stateful=True)
    xs, dhs = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, H))
    initial = {"h0": rng.normal(size=(N, H))}
    if layer_class is TimeLSTM:
        initial["c0"] = rng.normal(size=(N, H))

    def loss():
        layer.set_state(*initial.values())
        return np.sum(layer.forward(xs) * dhs)

    loss()
    dxs = layer.backward(dhs)
    analytic = {"xs": dxs, "h0": layer.dh, **layer.grads}
    if layer_class is TimeLSTM:
        analytic["c0"] = layer.dc
    assert_gradients_match(loss, analytic, {"xs": xs, **initial, **layer.params})


@SIZES
@given(N=sizes, T=sizes, D=sizes, H=sizes, seed=seeds)
def test_bidirectional_backward_matches_numerical_gradients(N, T, D, H, seed):
    rng = np.random.default_rng(seed)
    layer = TimeBidirectional(
        TimeLSTM(*make_weights(TimeLSTM, D, H, rng)), TimeGRU(*make_weights(TimeGRU, D, H + 1, rng))
    )
    xs, dhs = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, 2 * H + 1))

    def loss():
        return np.sum(layer.forward(xs) * dhs)

    loss()
    dxs = layer.backward(dhs)
    assert_gradients_match(loss, {"xs": dxs, **layer.grads}, {"xs": xs, **layer.params})


def test_bidirectional_concatenates_a_forward_and_a_reversed_reading():
    rng = np.random.default_rng(3)
    weights_forward, weights_backward = (make_weights(TimeRNN, 2, 3, rng) for _ in range(2))
    xs = rng.normal(size=(2, 5, 2))
    hs = TimeBidirectional(TimeRNN(*weights_forward), TimeRNN(*weights_backward)).forward(xs)
    np.testing.assert_array_equal(hs[:, :, :3], TimeRNN(*weights_forward).forward(xs))
    np.testing.assert_array_equal(
        hs[:, :, 3:], TimeRNN(*weights_backward).forward(xs[:, ::-1])[:, ::-1]
    )
    # the backward reading at t = 0 has seen the whole sequence, the forward one only x_0
    changed = xs.copy()
    changed[:, -1] += 1
    hs_changed = TimeBidirectional(TimeRNN(*weights_forward), TimeRNN(*weights_backward)).forward(
        changed
    )
    np.testing.assert_array_equal(hs_changed[:, 0, :3], hs[:, 0, :3])
    assert not np.allclose(hs_changed[:, 0, 3:], hs[:, 0, 3:])


# --- Time layers: unrolling, state, dtypes ---------------------------------------------------


@pytest.mark.parametrize("layer_class", [TimeRNN, TimeGRU])
def test_time_layer_equals_its_cell_applied_step_by_step(layer_class):
    rng = np.random.default_rng(4)
    weights = make_weights(layer_class, 3, 4, rng)
    xs = rng.normal(size=(2, 6, 3))
    cell = layer_class.cell(*weights)
    h = np.zeros((2, 4))
    expected = []
    for t in range(6):
        h = cell.forward(xs[:, t], h)
        expected.append(h)
    np.testing.assert_array_equal(layer_class(*weights).forward(xs), np.stack(expected, axis=1))


def test_time_lstm_equals_the_cell_applied_step_by_step():
    rng = np.random.default_rng(5)
    weights = make_weights(TimeLSTM, 3, 4, rng)
    xs = rng.normal(size=(2, 6, 3))
    cell = LSTM(*weights)
    h = c = np.zeros((2, 4))
    expected = []
    for t in range(6):
        h, c = cell.forward(xs[:, t], h, c)
        expected.append(h)
    layer = TimeLSTM(*weights)
    np.testing.assert_array_equal(layer.forward(xs), np.stack(expected, axis=1))
    np.testing.assert_array_equal(layer.c, c)


@pytest.mark.parametrize("layer_class", [TimeRNN, TimeLSTM, TimeGRU])
def test_stateful_layer_fed_in_blocks_equals_one_pass_and_reset_forgets(layer_class):
    rng = np.random.default_rng(6)
    weights = make_weights(layer_class, 2, 3, rng)
    xs = rng.normal(size=(4, 7, 2))
    whole = layer_class(*weights).forward(xs)

    layer = layer_class(*weights, stateful=True)
    in_blocks = np.concatenate((layer.forward(xs[:, :3]), layer.forward(xs[:, 3:])), axis=1)
    np.testing.assert_allclose(in_blocks, whole, rtol=1e-14)

    layer.reset_state()
    np.testing.assert_array_equal(layer.forward(xs[:, :3]), whole[:, :3])


@pytest.mark.parametrize("layer_class", [TimeRNN, TimeLSTM, TimeGRU])
def test_stateless_layer_starts_every_sequence_from_zero(layer_class):
    rng = np.random.default_rng(7)
    layer = layer_class(*make_weights(layer_class, 2, 3, rng))
    xs = rng.normal(size=(2, 4, 2))
    first = layer.forward(xs)
    layer.forward(rng.normal(size=(2, 4, 2)))
    np.testing.assert_array_equal(layer.forward(xs), first)


def test_bptt_sums_the_parameter_gradients_of_every_step():
    rng = np.random.default_rng(8)
    weights = make_weights(TimeRNN, 2, 3, rng)
    xs, dhs = rng.normal(size=(2, 5, 2)), rng.normal(size=(2, 5, 3))
    layer = TimeRNN(*weights)
    layer.forward(xs)
    layer.backward(dhs)
    per_step = [cell.dWx.copy() for cell in layer.cells]
    np.testing.assert_allclose(layer.dWx, np.sum(per_step, axis=0), rtol=1e-14)
    # a second backward overwrites, it does not add to the first
    layer.backward(dhs)
    np.testing.assert_allclose(layer.dWx, np.sum(per_step, axis=0), rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layer_class", [TimeRNN, TimeLSTM, TimeGRU])
def test_dtype_in_is_dtype_out_forward_and_backward(layer_class, dtype):
    rng = np.random.default_rng(9)
    layer = layer_class(*make_weights(layer_class, 3, 2, rng, dtype))
    xs = rng.normal(size=(2, 4, 3)).astype(dtype)
    hs = layer.forward(xs)
    dxs = layer.backward(np.ones_like(hs))
    assert hs.dtype == dxs.dtype == layer.dh.dtype == dtype
    assert all(grad.dtype == dtype for grad in layer.grads.values())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cells_keep_the_dtype(dtype):
    rng = np.random.default_rng(10)
    x, h = rng.normal(size=(2, 3)).astype(dtype), rng.normal(size=(2, 2)).astype(dtype)
    lstm = LSTM(*make_weights(LSTM, 3, 2, rng, dtype))
    outputs = [*lstm.forward(x, h, h), *lstm.backward(h, h)]
    for cell_class in (RNN, GRU):
        cell = cell_class(*make_weights(cell_class, 3, 2, rng, dtype))
        outputs += [cell.forward(x, h), *cell.backward(h)]
    assert {output.dtype for output in outputs} == {np.dtype(dtype)}


def test_optimizer_updates_reach_the_layer_through_params_and_grads():
    rng = np.random.default_rng(11)
    layer = TimeLSTM(*make_weights(TimeLSTM, 2, 3, rng))
    xs, dhs = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 4, 3))
    layer.forward(xs)
    layer.backward(dhs)
    before = layer.Wx.copy()
    optim.SGD(lr=0.1).update(layer.params, layer.grads)
    np.testing.assert_allclose(layer.Wx, before - 0.1 * layer.dWx)
    assert all(cell.Wx is layer.Wx for cell in layer.cells)
