"""Demos on regularisation: ridge (L2) shrinkage of a linear model's weights."""

from __future__ import annotations

import numpy as np

from engine import functions, optim
from engine.demos.registry import DemoResult, FloatParam, IntParam, Plot, demo
from engine.layers import Affine

SYLLABUS_REGULARIZATION = ("3-3 深層モデルのための正則化", "2-1 機械学習の基礎")


def regression_data(seed: int, samples: int = 40, features: int = 5):
    """A centred linear-regression problem y = X w* + noise with known true weights w*.

    Centring X and y makes the optimal bias exactly 0, so the demos train the weights only.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, features))
    x -= x.mean(axis=0)
    true_w = np.linspace(2.0, -2.0, features)
    y = x @ true_w + 0.3 * rng.standard_normal(samples)
    return x, (y - y.mean()).reshape(-1, 1), true_w


def ridge_closed_form(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Minimiser of (1/n)‖Xw − y‖² + (λ/2)‖w‖² on centred data: w = (2XᵀX/n + λI)⁻¹ 2Xᵀy/n."""
    n, d = x.shape
    return np.linalg.solve(2 * x.T @ x / n + lam * np.eye(d), 2 * x.T @ y / n)[:, 0]


def ridge_by_gradient_descent(x, y, lam: float, tolerance: float = 1e-12, max_steps: int = 20000):
    """Train an Affine layer on MSE + (λ/2)‖W‖² with engine.optim.SGD until the gradient vanishes.

    The learning rate 1/L, with L the largest curvature 2·λ_max(XᵀX/n) + λ, makes plain
    gradient descent converge for every λ ≥ 0. The data are centred, so the bias stays 0.
    """
    n, d = x.shape
    layer = Affine(np.zeros((d, 1)), np.zeros(1))
    curvature = 2 * np.linalg.eigvalsh(x.T @ x / n).max() + lam
    optimizer = optim.SGD(lr=1.0 / curvature)
    steps = 0
    while steps < max_steps:
        prediction = layer.forward(x)
        layer.backward(2 * (prediction - y) / n)  # d MSE / d prediction
        grads = {"W": layer.dW + lam * layer.W}
        optimizer.update({"W": layer.W}, grads)
        steps += 1
        if np.abs(grads["W"]).max() < tolerance:
            break
    loss = functions.mean_squared_error(layer.forward(x), y)
    return layer.W[:, 0].copy(), steps, float(loss)


@demo(
    "ridge-shrinkage",
    title="リッジ回帰（L2 正則化）による重みの縮小",
    description=(
        "線形モデルを L2 罰則付きの勾配降下法で engine 上で学習し、閉形式の解と比べる。"
        "λ を大きくするとすべての重みが 0 に近づく。"
    ),
    syllabus=SYLLABUS_REGULARIZATION,
    params=(
        FloatParam("lam", 1.0, min=0.0, max=1e6, help="正則化の強さ λ"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="データの乱数シード"),
    ),
)
def ridge_shrinkage(lam: float, seed: int) -> DemoResult:
    x, y, true_w = regression_data(seed)
    weights, steps, train_mse = ridge_by_gradient_descent(x, y, lam)
    closed = ridge_closed_form(x, y, lam)
    weight_norm, closed_form_norm = float(np.linalg.norm(weights)), float(np.linalg.norm(closed))
    unregularised_norm = float(np.linalg.norm(ridge_closed_form(x, y, 0.0)))
    narrative = "\n".join(
        [
            f"{x.shape[0]} 個のデータ・{x.shape[1]} 次元の線形回帰を、損失"
            " $\\frac{1}{n}\\|Xw - y\\|^2 + \\frac{\\lambda}{2}\\|w\\|^2$ の勾配降下法で学習した"
            f"（λ = {lam:g}、{steps} 回で収束）。",
            "",
            f"- 勾配降下法で得た重みのノルム: **{weight_norm:.6g}**",
            f"- 閉形式 $w = (\\frac{{2}}{{n}}X^\\top X + \\lambda I)^{{-1}} \\frac{{2}}{{n}}X^\\top y$ のノルム: {closed_form_norm:.6g}",
            f"- 正則化なし (λ = 0) のノルム: {unregularised_norm:.6g}",
            "",
            "L2 罰則は重みを原点へ引き寄せる。λ を大きくするほどノルムは単調に小さくなり、"
            "λ → ∞ ですべての重みが 0 に近づく（ちょうど 0 にはならない。0 になりやすいのは L1）。",
        ]
    )
    grid = np.logspace(-3, 3, 61)
    trace = np.array([ridge_closed_form(x, y, g) for g in grid])
    plot = Plot(
        kind="line",
        title="リッジトレース（閉形式の各重み、横軸 log10 λ）",
        x=np.log10(grid).tolist(),
        series={f"w{i + 1}": trace[:, i].tolist() for i in range(trace.shape[1])},
        x_label="log10 λ",
    )
    return DemoResult(
        values={
            "weight_norm": weight_norm,
            "closed_form_norm": closed_form_norm,
            "unregularized_norm": unregularised_norm,
            "weights": weights.tolist(),
            "true_weights": true_w.tolist(),
            "steps": steps,
            "train_mse": train_mse,
        },
        narrative=narrative,
        plots=[plot],
    )
