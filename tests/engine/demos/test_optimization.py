"""The optimisation demos against the update formulas written out here in plain Python."""

from __future__ import annotations

import math

import numpy as np
import pytest

import engine.demos.optimization  # noqa: F401  (registers the demos)
from engine.demos.registry import REGISTRY, ParameterError, run


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("constant", lambda t: 0.1),
        ("step", lambda t: 0.1 * 0.5 ** (t // 10)),
        ("exponential", lambda t: 0.1 * 0.5**t),
        ("cosine", lambda t: 0.1 * (1 + math.cos(math.pi * t / 30)) / 2),
        (
            "warmup_cosine",
            lambda t: (
                0.1 * (t + 1) / 5 if t < 5 else 0.1 * (1 + math.cos(math.pi * (t - 5) / 25)) / 2
            ),
        ),
    ],
)
def test_learning_rate_schedules(schedule, expected):
    result = values(
        "opt-lr-schedule", schedule=schedule, lr0=0.1, epochs=30, gamma=0.5, step_size=10, warmup=5
    )
    assert result["lrs"] == pytest.approx([expected(t) for t in range(30)], rel=1e-12)
    assert result["final_lr"] == result["lrs"][-1]


def test_a_decayed_rate_ends_below_the_noise_floor_of_a_constant_rate():
    result = values("opt-lr-schedule", schedule="step")
    assert result["final_loss"] < 0.2 * result["constant_final_loss"]
    # The stationary E[w²/2] of w ← w − η(w + ε) is η / (2(2 − η)); ≈ 0.0263 for η = 0.1.
    assert result["constant_final_loss"] == pytest.approx(0.1 / (2 * 1.9), rel=0.15)


def test_warmup_must_fit_the_epochs():
    with pytest.raises(ParameterError, match="warmup"):
        values("opt-lr-schedule", schedule="warmup_cosine", warmup=30, epochs=30)


def test_momentum_steps_grow_towards_one_over_one_minus_mu():
    result = values("opt-momentum-velocity", lr=0.01, momentum=0.9, grad=2.0, steps=50)
    v, heavy, nesterov = 0.0, [], []
    for _ in range(50):
        v = 0.9 * v + 2.0
        heavy.append(0.01 * v)
        nesterov.append(0.01 * (2.0 + 0.9 * v))
    assert result["sgd_steps"] == pytest.approx([0.02] * 50, rel=1e-9)
    assert result["momentum_steps"] == pytest.approx(heavy, rel=1e-9)
    assert result["nesterov_steps"] == pytest.approx(nesterov, rel=1e-9)
    assert result["terminal_ratio"] == pytest.approx(10.0)
    assert result["momentum_ratio"] == pytest.approx(heavy[-1] / 0.02)


def test_adagrad_step_is_lr_over_sqrt_t_and_rmsprop_is_not():
    result = values("opt-adagrad-step", lr=0.1, grad=3.0, decay_rate=0.9, steps=200)
    expected = [0.1 * 3.0 / (math.sqrt(t * 9.0) + 1e-10) for t in range(1, 201)]
    assert result["adagrad_steps"] == pytest.approx(expected, rel=1e-9)
    h, rms = 0.0, []
    for _ in range(200):
        h = 0.9 * h + 0.1 * 9.0
        rms.append(0.1 * 3.0 / (math.sqrt(h) + 1e-10))
    assert result["rmsprop_steps"] == pytest.approx(rms, rel=1e-9)
    assert result["adagrad_last"] == pytest.approx(0.1 / math.sqrt(200), rel=1e-9)
    assert result["rmsprop_last"] == pytest.approx(0.1, rel=1e-6)


def test_adam_bias_correction():
    result = values("opt-adam-bias", lr=0.001, beta1=0.9, beta2=0.999, grad=0.5, steps=20)
    m = v = 0.0
    for t in range(1, 21):
        m = 0.9 * m + 0.1 * 0.5
        v = 0.999 * v + 0.001 * 0.25
        assert result["m"][t - 1] == pytest.approx(m, rel=1e-12)
        assert result["v"][t - 1] == pytest.approx(v, rel=1e-12)
        assert result["m_hat"][t - 1] == pytest.approx(m / (1 - 0.9**t), rel=1e-12)
        assert result["v_hat"][t - 1] == pytest.approx(v / (1 - 0.999**t), rel=1e-12)
        step = 0.001 * (m / (1 - 0.9**t)) / (math.sqrt(v / (1 - 0.999**t)) + 1e-8)
        assert result["step_sizes"][t - 1] == pytest.approx(step, rel=1e-9)
    assert result["first_uncorrected_step"] == pytest.approx(
        0.001 * 0.05 / (math.sqrt(0.00025) + 1e-8)
    )
    assert result["first_uncorrected_step"] / result["first_step"] == pytest.approx(
        math.sqrt(10), rel=1e-6
    )


def test_saddle_escape_order():
    result = values("opt-saddle")
    escape = dict(zip(result["optimizers"], result["escape_steps"], strict=True))
    # SGD: near the saddle y ← y(1 + η), so |y| needs about ln(0.5 / 1e-4) / ln(1.01) steps.
    assert escape["sgd"] == pytest.approx(math.log(0.5 / 1e-4) / math.log(1.01), rel=0.05)
    assert escape["adam"] < escape["momentum"] < escape["sgd"]
    assert all(s > 0 for s in result["escape_steps"])
    assert all(abs(y) > 0.5 for y in result["final_y"])


def test_no_gradient_method_leaves_the_exact_saddle():
    result = values("opt-saddle", y0=0.0, steps=200)
    assert result["escape_steps"] == [-1] * 6
    assert result["final_y"] == [0.0] * 6


@pytest.mark.parametrize("demo_id", ["opt-momentum-velocity", "opt-adagrad-step", "opt-adam-bias"])
def test_a_zero_gradient_is_rejected(demo_id):
    with pytest.raises(ParameterError, match="grad"):
        values(demo_id, grad=0.0)


@pytest.mark.parametrize(
    "demo_id",
    ["opt-lr-schedule", "opt-momentum-velocity", "opt-adagrad-step", "opt-adam-bias", "opt-saddle"],
)
def test_same_parameters_give_the_same_values(demo_id):
    assert values(demo_id) == values(demo_id)
    assert np.isfinite(run(REGISTRY[demo_id]).seconds)


@pytest.mark.parametrize(
    ("init", "std"),
    [("xavier", 1 / math.sqrt(100)), ("he", math.sqrt(2 / 100)), ("std0.01", 0.01), ("std1", 1.0)],
)
def test_init_scale_std_and_forward_variance(init, std):
    result = values("opt-init-scale", init=init, n_in=100, n_out=200, seed=1)
    assert result["expected_std"] == pytest.approx(std)
    assert result["weight_std"] == pytest.approx(std, rel=0.03)
    assert result["z_var"] == pytest.approx(100 * std**2, rel=0.1)
    assert result["relu_second_moment"] == pytest.approx(result["z_var"] / 2, rel=0.1)
    assert values("opt-init-scale", init=init) == values("opt-init-scale", init=init)
