"""Demos of engine/demos/recurrent.py against computations written out here."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo
from engine.demos.recurrent import _Seq2Seq, _toy_task
from engine.functions import numerical_gradient


def sigmoid(a: float) -> float:
    return 1 / (1 + math.exp(-a))


def test_rnn_scalar_forward_is_the_tanh_recursion():
    values = run_demo("rnn-scalar-forward", x=[1, 2, -0.5], wx=0.5, wh=0.9, b=0.1, h0=0.2).values
    h, expected = 0.2, []
    for x in (1, 2, -0.5):
        h = math.tanh(h * 0.9 + x * 0.5 + 0.1)
        expected.append(h)
    assert values["h"] == pytest.approx(expected, rel=1e-14)
    assert values["h_last"] == pytest.approx(expected[-1], rel=1e-14)


@pytest.mark.parametrize(("cell", "gates"), [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_rnn_shapes_and_parameter_counts(cell, gates):
    N, T, D, H = 3, 7, 5, 6
    values = run_demo("rnn-shapes", cell=cell, N=N, T=T, D=D, H=H).values
    assert values["hs_shape"] == [N, T, H] and values["h_shape"] == [N, H]
    assert values["wx_shape"] == [D, gates * H] and values["wh_shape"] == [H, gates * H]
    assert values["n_params"] == gates * (D * H + H * H + H)
    assert values["params_rnn"] == D * H + H * H + H
    assert values["params_lstm"] == 4 * values["params_rnn"]
    assert values["params_gru"] == 3 * values["params_rnn"]
    assert values["shared_weights"] is True


@pytest.mark.parametrize("scale", [0.8, 1.0, 1.5])
def test_bptt_gradient_norms_are_powers_of_the_singular_value_without_input(scale):
    T = 12
    values = run_demo("rnn-bptt-gradients", T=T, H=5, wh_scale=scale, input_scale=0.0).values
    expected = [scale ** (T - 1 - t) for t in range(T)]
    assert values["grad_norms"] == pytest.approx(expected, rel=1e-12)
    assert values["ratio_first_last"] == pytest.approx(scale ** (T - 1), rel=1e-12)
    assert values["wh_power"] == pytest.approx(scale ** (T - 1), rel=1e-15)
    assert values["step_contributions"] == [0.0] * T  # h stays 0, so h_{t−1}ᵀ·∂L/∂a_t = 0
    assert values["mean_tanh_derivative"] == 1.0


def test_bptt_with_inputs_shrinks_further_and_sums_the_steps():
    values = run_demo("rnn-bptt-gradients", T=15, H=6, wh_scale=1.0, input_scale=1.0, seed=3).values
    norms = values["grad_norms"]
    assert norms[-1] == pytest.approx(1.0)
    # Each step multiplies by diag(1 − h²)·W_hᵀ with W_h orthogonal: the norm can only shrink.
    assert all(a <= b * (1 + 1e-12) for a, b in itertools.pairwise(norms))
    assert values["mean_tanh_derivative"] < 1
    assert values["total_is_sum_of_steps"] is True
    assert sum(c > 0 for c in values["step_contributions"]) >= 14


def test_gradient_clipping_by_norm_against_the_formula():
    g = np.array([3.0, -4.0, 12.0])
    values = run_demo("rnn-gradient-clipping", grads=g.tolist(), max_norm=2.0).values
    norm = 13.0
    assert values["norm_before"] == pytest.approx(norm)
    assert values["clipped"] == pytest.approx((g * 2.0 / (norm + 1e-6)).tolist(), rel=1e-12)
    assert values["norm_after"] == pytest.approx(2.0, rel=1e-6)
    assert values["clipped_by_value"] == [2.0, -2.0, 2.0]
    assert values["cosine_norm_clip"] == pytest.approx(1.0, rel=1e-12)
    assert values["cosine_value_clip"] == pytest.approx(
        (3 * 2 + 4 * 2 + 12 * 2) / (13 * math.sqrt(12))
    )
    assert values["applied"] is True
    small = run_demo("rnn-gradient-clipping", grads=[0.3, 0.4], max_norm=1.0).values
    assert small["clipped"] == [0.3, 0.4] and small["applied"] is False


@pytest.mark.parametrize(
    ("f_bias", "i_bias", "o_bias", "g_input", "c0", "steps"),
    [
        (10, -10, 10, 1.0, 1.0, 5),
        (-10, 10, 10, 1.0, 1.0, 3),
        (0, -30, 1, 0.5, 0.8, 4),
        (-1, 2, 1, 0.5, 0.8, 1),
    ],
)
def test_lstm_cell_state_follows_the_gate_equations(f_bias, i_bias, o_bias, g_input, c0, steps):
    values = run_demo(
        "lstm-cell-state",
        f_bias=f_bias,
        i_bias=i_bias,
        o_bias=o_bias,
        g_input=g_input,
        c0=c0,
        steps=steps,
    ).values
    i, f, o, g = sigmoid(i_bias), sigmoid(f_bias), sigmoid(o_bias), math.tanh(g_input)
    c, cs, hs = c0, [], []
    for _ in range(steps):
        c = f * c + i * g
        cs.append(c)
        hs.append(o * math.tanh(c))
    assert (values["i"], values["f"], values["o"], values["g"]) == pytest.approx(
        (i, f, o, g), rel=1e-12
    )
    assert values["c"] == pytest.approx(cs, rel=1e-12)
    assert values["h"] == pytest.approx(hs, rel=1e-12)
    assert values["dc_last_dc0"] == pytest.approx(f**steps, rel=1e-12)


@pytest.mark.parametrize(("z_bias", "r_bias"), [(-10, 10), (10, -10), (2, -1), (0, 0)])
def test_gru_gates_follow_the_course_formula(z_bias, r_bias):
    wx, wh, x, h0, steps = 1.0, 2.0, 0.5, 0.8, 4
    values = run_demo(
        "gru-gates", z_bias=z_bias, r_bias=r_bias, wx=wx, wh=wh, x=x, h0=h0, steps=steps
    ).values
    z, r = sigmoid(z_bias), sigmoid(r_bias)
    h, hs, candidates = h0, [], []
    for _ in range(steps):
        candidate = math.tanh(x * wx + r * h * wh)
        h = (1 - z) * h + z * candidate
        hs.append(h)
        candidates.append(candidate)
    assert values["z"] == pytest.approx(z) and values["r"] == pytest.approx(r)
    assert values["h"] == pytest.approx(hs, rel=1e-12)
    assert values["h_tilde"] == pytest.approx(candidates, rel=1e-12)


def test_bidirectional_dependencies_are_triangular():
    T = 6
    values = run_demo("birnn-dependency", T=T, D=2, H=3, seed=4).values
    assert values["out_shape"] == [1, T, 6]
    lower = np.tril(np.ones((T, T), dtype=int))
    assert values["forward_depends"] == lower.tolist()
    assert values["backward_depends"] == lower.T.tolist()
    assert values["first_output_depends_on_last_input"] is True
    assert values["forward_first_depends_on_last_input"] is False


def test_toy_tasks():
    xs, ys = _toy_task("reverse", 3, 2)
    assert xs.shape == (9, 2) and sorted(map(tuple, xs)) == [
        (a, b) for a in range(3) for b in range(3)
    ]
    np.testing.assert_array_equal(ys, xs[:, ::-1])
    xs, ys = _toy_task("sort", 3, 3)
    np.testing.assert_array_equal(ys, np.sort(xs, axis=1))


@pytest.mark.parametrize("attention", [False, True])
def test_seq2seq_backward_matches_numerical_gradients(attention):
    rng = np.random.default_rng(0)
    model = _Seq2Seq(V=3, H=4, attention=attention, rng=rng)
    xs, ys = _toy_task("reverse", 3, 3)
    xs, ys = xs[:5], ys[:5]

    def loss():
        scores = model.run(xs, ys, teacher_forcing=True)
        e = np.exp(scores - scores.max(axis=2, keepdims=True))
        p = e / e.sum(axis=2, keepdims=True)
        return -np.mean(np.log(np.take_along_axis(p, ys[:, :, None], axis=2)))

    scores = model.run(xs, ys, teacher_forcing=True)
    e = np.exp(scores - scores.max(axis=2, keepdims=True))
    p = e / e.sum(axis=2, keepdims=True)
    dscores = (p - np.eye(3)[ys]) / (ys.size)
    grads = model.backward(dscores)
    for name, array in model.params.items():
        numeric = numerical_gradient(lambda _: loss(), array)
        scale = np.linalg.norm(grads[name]) + np.linalg.norm(numeric)
        assert np.linalg.norm(grads[name] - numeric) / scale < 1e-6, name


def test_seq2seq_learns_to_reverse_and_attends_to_the_mirrored_position():
    plain = run_demo("seq2seq-toy").values
    assert plain["loss_history"][-1] < plain["loss_history"][0] / 10
    assert plain["sequence_accuracy_greedy"] == 1.0
    assert plain["context_shape"] == [64, 16] and plain["n_sequences"] == 64
    # Encoder states grow with the input's length; the context vector stays H wide.
    assert plain["probe_lengths"] == [1, 3, 6, 12]
    assert plain["encoder_states_by_length"] == plain["probe_lengths"]
    assert plain["context_sizes_by_length"] == [16] * 4
    attended = run_demo("seq2seq-toy", attention=True).values
    assert attended["attention_argmax"] == [3, 2, 1]
    np.testing.assert_allclose(np.sum(attended["attention_weights"], axis=1), 1.0, rtol=1e-12)


def test_teacher_forcing_demo_reuses_the_same_training():
    compare = run_demo("seq2seq-teacher-forcing", steps=10).values
    forced = run_demo("seq2seq-toy", steps=10, teacher_forcing=True).values
    free = run_demo("seq2seq-toy", steps=10, teacher_forcing=False).values
    assert compare["history_teacher_forcing"] == forced["loss_history"]
    assert compare["history_free_running"] == free["loss_history"]
    default = run_demo("seq2seq-teacher-forcing").values
    assert default["loss_teacher_forcing"] < default["loss_free_running"]


def test_attention_context_is_a_convex_combination():
    values = run_demo("seq2seq-attention-context", T=5, D=3, H=4, seed=2).values
    weights = np.array(values["weights"])
    assert np.all(weights > 0) and weights.sum() == pytest.approx(1.0, rel=1e-14)
    assert values["context_shape"] == [4] and values["hs_shape"] == [5, 4]
    assert values["argmax"] == int(np.argmax(weights)) + 1


def test_hred_shapes():
    values = run_demo("hred-shapes", utterances=4, words=3, D=2, H=5, C=7, Z=3).values
    assert values["utterance_vectors_shape"] == [4, 5]
    assert values["context_states_shape"] == [4, 7]
    assert values["z_shape"] == [3]
    assert values["decoder_init_shape"] == [10]


def test_parameter_problems_are_one_sentence():
    with pytest.raises(ParameterError, match="seq2seq-toy"):
        run_demo("seq2seq-toy", V=6, T=5)
    with pytest.raises(ParameterError, match="must be ≥ 2"):
        run_demo("rnn-bptt-gradients", T=1)


@pytest.mark.parametrize(
    ("demo_id", "params"),
    [
        ("rnn-bptt-gradients", {"input_scale": 0.7, "seed": 5}),
        ("birnn-dependency", {"seed": 9}),
        ("seq2seq-toy", {"steps": 5, "attention": True, "seed": 1}),
        ("seq2seq-attention-context", {"seed": 3}),
        ("hred-shapes", {"seed": 2}),
        ("rnn-shapes", {"cell": "lstm", "seed": 8}),
    ],
)
def test_same_parameters_same_values(demo_id, params):
    assert run_demo(demo_id, **params).values == run_demo(demo_id, **params).values
