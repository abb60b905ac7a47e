"""engine.optim: first steps by hand, whole trajectories against the formulas written out
element by element, the book's forms where they agree, dtypes, and gradient clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.optim import SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSprop, clip_grads

ALL = [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam]


def rosenbrock_gradient(params: dict) -> dict:
    """∇ of Σ_i 100(y_i − x_i²)² + (1 − x_i)²: curved and badly scaled, so every optimizer
    takes a different path."""
    x, y = params["x"], params["y"]
    return {"x": -400 * x * (y - x**2) - 2 * (1 - x), "y": 200 * (y - x**2)}


def start() -> dict:
    return {"x": np.array([-1.2, 0.5, 2.0]), "y": np.array([1.0, -0.3, 3.5])}


def run(optimizer: Optimizer, steps: int = 60) -> list[dict]:
    params = start()
    path = []
    for _ in range(steps):
        optimizer.update(params, rosenbrock_gradient(params))
        path.append({key: value.copy() for key, value in params.items()})
    return path


def reference_path(step_rule, steps: int = 60) -> list[dict]:
    """The same descent with one scalar at a time and the formula written out: ``step_rule``
    maps (θ, g, state, t) to the new θ, keeping its own state per scalar."""
    params = start()
    states = {key: [{} for _ in value] for key, value in params.items()}
    path = []
    for t in range(1, steps + 1):
        grads = rosenbrock_gradient(params)
        params = {
            key: np.array(
                [
                    step_rule(float(theta), float(g), state, t)
                    for theta, g, state in zip(params[key], grads[key], states[key], strict=True)
                ]
            )
            for key in params
        }
        path.append(params)
    return path


def assert_same_path(path, expected, rtol=1e-12):
    for step, (got, want) in enumerate(zip(path, expected, strict=True)):
        for key in want:
            np.testing.assert_allclose(got[key], want[key], rtol=rtol, err_msg=f"step {step}")


def sgd_rule(lr):
    return lambda theta, g, state, t: theta - lr * g


def momentum_rule(lr, mu, nesterov=False):
    def rule(theta, g, state, t):
        state["v"] = mu * state.get("v", 0.0) + g
        return theta - lr * (g + mu * state["v"] if nesterov else state["v"])

    return rule


def adagrad_rule(lr, eps):
    def rule(theta, g, state, t):
        state["h"] = state.get("h", 0.0) + g * g
        return theta - lr * g / (math.sqrt(state["h"]) + eps)

    return rule


def rmsprop_rule(lr, rho, eps):
    def rule(theta, g, state, t):
        state["h"] = rho * state.get("h", 0.0) + (1 - rho) * g * g
        return theta - lr * g / (math.sqrt(state["h"]) + eps)

    return rule


def adam_rule(lr, beta1, beta2, eps):
    def rule(theta, g, state, t):
        state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
        state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g * g
        m_hat = state["m"] / (1 - beta1**t)
        v_hat = state["v"] / (1 - beta2**t)
        return theta - lr * m_hat / (math.sqrt(v_hat) + eps)

    return rule


@pytest.mark.parametrize(
    ("optimizer", "rule"),
    [
        (SGD(lr=1e-4), sgd_rule(1e-4)),
        (Momentum(lr=1e-4, momentum=0.9), momentum_rule(1e-4, 0.9)),
        (Nesterov(lr=1e-4, momentum=0.8), momentum_rule(1e-4, 0.8, nesterov=True)),
        (AdaGrad(lr=0.05, eps=1e-10), adagrad_rule(0.05, 1e-10)),
        (RMSprop(lr=0.01, decay_rate=0.9, eps=1e-8), rmsprop_rule(0.01, 0.9, 1e-8)),
        (Adam(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-8), adam_rule(0.02, 0.8, 0.99, 1e-8)),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Optimizer) else "",
)
def test_trajectory_follows_the_formula(optimizer, rule):
    assert_same_path(run(optimizer), reference_path(rule))


def test_defaults_are_the_books_learning_rates_and_pytorchs_eps():
    assert [cls().lr for cls in ALL] == [0.01, 0.01, 0.01, 0.01, 0.01, 0.001]
    assert Momentum().momentum == Nesterov().momentum == 0.9
    assert (AdaGrad().eps, RMSprop().eps, Adam().eps) == (1e-10, 1e-8, 1e-8)
    assert RMSprop().decay_rate == 0.99
    assert (Adam().beta1, Adam().beta2) == (0.9, 0.999)


def test_first_steps_by_hand():
    g = np.array([2.0, -0.5])

    def first_step(optimizer, steps=1):
        theta = {"w": np.zeros(2)}
        for _ in range(steps):
            optimizer.update(theta, {"w": g})
        return theta["w"]

    np.testing.assert_allclose(first_step(SGD(lr=0.1)), -0.1 * g)
    # Momentum: v = g, then v = 0.9g + g; θ = −0.1g − 0.19g
    np.testing.assert_allclose(first_step(Momentum(lr=0.1), 2), -0.29 * g)
    # Nesterov's first step looks ahead: −0.1(g + 0.9g)
    np.testing.assert_allclose(first_step(Nesterov(lr=0.1)), -0.19 * g)
    # AdaGrad, RMSprop and Adam first steps are sign(g) times a rate
    np.testing.assert_allclose(first_step(AdaGrad(lr=0.1, eps=0)), -0.1 * np.sign(g))
    np.testing.assert_allclose(first_step(RMSprop(lr=0.1, eps=0)), -1.0 * np.sign(g))
    np.testing.assert_allclose(first_step(Adam(lr=0.1, eps=0)), -0.1 * np.sign(g))


def test_adam_puts_eps_outside_the_bias_corrected_square_root():
    theta = {"w": np.zeros(1)}
    Adam(lr=1.0, eps=0.5).update(theta, {"w": np.array([1.0])})
    # m̂ = v̂ = 1 after one step, so θ = −1/(√1 + 0.5). The book's form, ε added to
    # √v = √0.001, would step only −√0.001/0.1 · 0.1/(√0.001 + 0.5) ≈ −0.06.
    np.testing.assert_allclose(theta["w"], [-1 / 1.5])


def test_momentum_equals_the_books_form_with_a_constant_learning_rate():
    lr, mu = 1e-4, 0.9
    params, v = start(), {key: 0.0 for key in start()}
    book_path = []
    for _ in range(60):
        grads = rosenbrock_gradient(params)
        for key in params:
            v[key] = mu * v[key] - lr * grads[key]
            params[key] = params[key] + v[key]
        book_path.append({key: value.copy() for key, value in params.items()})
    assert_same_path(run(Momentum(lr=lr, momentum=mu)), book_path)


def test_nesterov_equals_bengios_form_with_the_old_velocity():
    lr, mu = 1e-4, 0.9
    params, u = start(), {key: 0.0 for key in start()}
    paper_path = []
    for _ in range(60):
        grads = rosenbrock_gradient(params)
        for key in params:
            params[key] = params[key] + mu * mu * u[key] - (1 + mu) * lr * grads[key]
            u[key] = mu * u[key] - lr * grads[key]
        paper_path.append({key: value.copy() for key, value in params.items()})
    assert_same_path(run(Nesterov(lr=lr, momentum=mu)), paper_path)


@pytest.mark.parametrize("optimizer_class", ALL)
def test_float32_parameters_and_state_stay_float32(optimizer_class):
    optimizer = optimizer_class()
    params = {"W": np.ones((2, 3), dtype=np.float32), "b": np.zeros(3, dtype=np.float32)}
    W = params["W"]
    for _ in range(3):
        optimizer.update(
            params, {"W": np.full((2, 3), 0.5, np.float32), "b": np.ones(3, np.float32)}
        )
    assert params["W"] is W, "updated in place"
    assert params["W"].dtype == params["b"].dtype == np.float32
    state = [value for value in vars(optimizer).values() if isinstance(value, dict)]
    assert all(array.dtype == np.float32 for table in state for array in table.values())
    assert not np.array_equal(params["W"], np.ones((2, 3)))


@pytest.mark.parametrize("optimizer_class", ALL)
def test_every_optimizer_descends_a_bowl(optimizer_class):
    # AdaGrad's steps shrink as its sums grow, so it needs a larger rate to get as far.
    optimizer = optimizer_class(lr=0.5 if optimizer_class is AdaGrad else 0.05)
    params = {"w": np.array([3.0, -2.0])}
    for _ in range(200):
        optimizer.update(params, {"w": params["w"] * np.array([1.0, 4.0])})
    assert np.abs(params["w"]).max() < 1.0


# --- gradient clipping ---------------------------------------------------------------------


def test_clip_grads_scales_every_gradient_by_one_factor_to_the_max_norm():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}
    norm = clip_grads(grads, max_norm=1.0)
    assert norm == 5.0
    factor = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(grads["a"], [3 * factor, 0])
    np.testing.assert_allclose(grads["b"], [[0], [4 * factor]])


def test_clip_grads_leaves_small_gradients_alone_and_accepts_a_list():
    grads = [np.array([0.3, 0.4]), np.array([0.0])]
    assert clip_grads(grads, max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(grads[0], [0.3, 0.4])


@settings(max_examples=25, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=12),
    max_norm=st.floats(0.01, 100),
)
def test_clipped_norm_never_exceeds_max_norm_and_direction_is_kept(values, max_norm):
    original = np.array(values)
    grads = {"g": original.copy()}
    norm = clip_grads(grads, max_norm)
    assert norm == pytest.approx(np.linalg.norm(original))
    assert np.linalg.norm(grads["g"]) <= max_norm * (1 + 1e-12) or norm <= max_norm
    scale = min(1.0, max_norm / (norm + 1e-6))
    np.testing.assert_allclose(grads["g"], original * scale, rtol=1e-12)


def test_clip_grads_keeps_float32():
    grads = {"g": np.full(4, 10, dtype=np.float32)}
    clip_grads(grads, 1.0)
    assert grads["g"].dtype == np.float32
    assert np.linalg.norm(grads["g"]) == pytest.approx(1.0, rel=1e-5)
