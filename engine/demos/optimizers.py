"""Demos on optimizers: their paths on the elongated bowl f(x, y) = x²/20 + y²."""

from __future__ import annotations

import numpy as np

from engine import optim
from engine.demos.registry import ChoiceParam, DemoResult, FloatParam, IntParam, Plot, demo

SYLLABUS_OPTIMIZATION = ("3-2 深層モデルのための最適化",)
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def make_optimizer(name: str, lr: float) -> optim.Optimizer:
    """The engine optimizer ``name`` with the course's usual hyper-parameters."""
    return {
        "sgd": lambda: optim.SGD(lr=lr),
        "momentum": lambda: optim.Momentum(lr=lr, momentum=0.9),
        "nesterov": lambda: optim.Nesterov(lr=lr, momentum=0.9),
        "adagrad": lambda: optim.AdaGrad(lr=lr, eps=1e-8),
        "rmsprop": lambda: optim.RMSprop(lr=lr, decay_rate=0.99, eps=1e-8),
        "adam": lambda: optim.Adam(lr=lr, beta1=0.9, beta2=0.999, eps=1e-8),
    }[name]()


def bowl(x: float, y: float) -> float:
    """f(x, y) = x²/20 + y²: gentle along x, steep along y (the book's example)."""
    return x**2 / 20 + y**2


def bowl_gradient(x: float, y: float) -> tuple[float, float]:
    return x / 10, 2 * y


def descend(name: str, lr: float, steps: int, x0: float, y0: float) -> np.ndarray:
    """The points visited by optimizer ``name`` from (x0, y0), start included: (steps + 1, 2)."""
    optimizer = make_optimizer(name, lr)
    params = {"x": np.array([x0]), "y": np.array([y0])}
    path = [(x0, y0)]
    for _ in range(steps):
        dx, dy = bowl_gradient(params["x"][0], params["y"][0])
        optimizer.update(params, {"x": np.array([dx]), "y": np.array([dy])})
        path.append((params["x"][0], params["y"][0]))
    return np.array(path)


@demo(
    "optimizer-path",
    title="最適化手法の経路（f(x, y) = x²/20 + y²）",
    description="engine.optim の各手法で、x 方向に緩く y 方向に急な谷を下る経路を描く。",
    syllabus=SYLLABUS_OPTIMIZATION,
    params=(
        ChoiceParam("optimizer", "momentum", choices=OPTIMIZER_NAMES, help="最適化手法"),
        FloatParam("lr", 0.1, min=1e-6, max=10.0, help="学習率"),
        IntParam("steps", 30, min=1, max=1000, help="更新回数"),
        FloatParam("x0", -7.0, min=-100.0, max=100.0, help="初期値 x"),
        FloatParam("y0", 2.0, min=-100.0, max=100.0, help="初期値 y"),
    ),
)
def optimizer_path(optimizer: str, lr: float, steps: int, x0: float, y0: float) -> DemoResult:
    path = descend(optimizer, lr, steps, x0, y0)
    final_x, final_y = float(path[-1, 0]), float(path[-1, 1])
    final_loss = bowl(final_x, final_y)
    losses = [bowl(px, py) for px, py in path]
    narrative = "\n".join(
        [
            f"{optimizer} (学習率 {lr:g}) で ({x0:g}, {y0:g}) から {steps} 回更新した。",
            "",
            f"最終位置は ({final_x:.6g}, {final_y:.6g})、損失は **{final_loss:.6g}**"
            f"（初期値 {losses[0]:.6g}）。",
            "",
            "$f(x, y) = \\frac{x^2}{20} + y^2$ の勾配は $(\\frac{x}{10}, 2y)$。y 方向の勾配が x 方向の"
            " 20 倍あるため、SGD は y 方向に振動しながら x 方向にはゆっくりしか進まない。"
            "Momentum は振動を打ち消し合い、AdaGrad・RMSprop・Adam は軸ごとに学習率を調整する。",
        ]
    )
    plots = [
        Plot(
            kind="line",
            title="経路（x に対する y）",
            x=path[:, 0].tolist(),
            series={optimizer: path[:, 1].tolist()},
            x_label="x",
            y_label="y",
        ),
        Plot(
            kind="line",
            title="損失の推移",
            x=list(range(steps + 1)),
            series={"f(x, y)": losses},
            x_label="更新回数",
        ),
    ]
    return DemoResult(
        values={
            "path": path.tolist(),
            "final_x": final_x,
            "final_y": final_y,
            "final_loss": final_loss,
            "losses": losses,
        },
        narrative=narrative,
        plots=plots,
    )
