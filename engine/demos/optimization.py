"""Demos on optimisation beyond the optimizer paths: learning-rate schedules, Momentum's
terminal velocity, AdaGrad's shrinking step, Adam's bias correction, and escaping a saddle
point. Every update is made by ``engine.optim``; the demos only choose the gradients.
"""

from __future__ import annotations

import math

import numpy as np

from engine import init as engine_init
from engine import optim
from engine.demos.optimizers import OPTIMIZER_NAMES, make_optimizer
from engine.demos.registry import (
    ChoiceParam,
    DemoResult,
    FloatParam,
    IntParam,
    ParameterError,
    Plot,
    demo,
)

SYLLABUS_OPTIMIZATION = ("3-2 深層モデルのための最適化",)
SCHEDULES = ("constant", "step", "exponential", "cosine", "warmup_cosine")
SEED_PARAM = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")


def learning_rate(schedule: str, epoch: int, lr0: float, epochs: int, step_size: int,
                  gamma: float, warmup: int) -> float:  # fmt: skip
    """The learning rate of epoch ``epoch`` (0-based) under ``schedule``:

    constant        η_t = η₀
    step            η_t = η₀ · γ^⌊t / step_size⌋            (PyTorch StepLR)
    exponential     η_t = η₀ · γ^t                           (ExponentialLR)
    cosine          η_t = η₀ · (1 + cos(π t / T)) / 2        (CosineAnnealingLR, η_min = 0)
    warmup_cosine   η_t = η₀ · (t + 1) / warmup for t < warmup, then cosine over the rest
    """
    if schedule == "constant":
        return lr0
    if schedule == "step":
        return lr0 * gamma ** (epoch // step_size)
    if schedule == "exponential":
        return lr0 * gamma**epoch
    if schedule == "warmup_cosine" and epoch < warmup:
        return lr0 * (epoch + 1) / warmup
    start = warmup if schedule == "warmup_cosine" else 0
    return lr0 * (1 + math.cos(math.pi * (epoch - start) / (epochs - start))) / 2


def noisy_quadratic_sgd(lrs: list[float], iterations: int, noise: float, seed: int) -> list[float]:
    """Mean loss ½w² after each epoch of SGD with noisy gradients w + noise·ε, for 2,000
    independent runs at once (one parameter array), starting at w = 1.

    With a constant rate SGD stops at a noise floor, E[½w²] ≈ η·noise² / (2(2 − η)); shrinking
    the rate lowers the floor, which is why schedules decay the rate late in training.
    """
    rng = np.random.default_rng(seed)
    params = {"w": np.ones(2000)}
    optimizer = optim.SGD(lr=lrs[0])
    losses = []
    for lr in lrs:
        optimizer.lr = lr  # the schedule changes the rate between epochs
        for _ in range(iterations):
            grad = params["w"] + noise * rng.standard_normal(params["w"].shape)
            optimizer.update(params, {"w": grad})
        losses.append(float(np.mean(params["w"] ** 2) / 2))
    return losses


@demo(
    "opt-lr-schedule",
    title="学習率スケジュール：学習率を徐々に小さくする",
    description=(
        "エポックごとの学習率を、一定・ステップ減衰・指数減衰・コサイン・ウォームアップ付きコサインで"
        "計算し、勾配にノイズのある 2 次関数を engine の SGD で最小化して、一定の学習率と比べる。"
    ),
    syllabus=SYLLABUS_OPTIMIZATION,
    params=(
        ChoiceParam("schedule", "step", choices=SCHEDULES, help="スケジュール"),
        FloatParam("lr0", 0.1, min=1e-5, max=1.0, help="初期学習率 η₀"),
        IntParam("epochs", 30, min=2, max=200, help="エポック数"),
        IntParam("step_size", 10, min=1, max=200, help="ステップ減衰の間隔（エポック）"),
        FloatParam("gamma", 0.1, min=0.0, max=1.0, help="減衰率 γ"),
        IntParam("warmup", 5, min=0, max=100, help="ウォームアップのエポック数"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="勾配ノイズの乱数シード"),
    ),
)
def opt_lr_schedule(
    schedule: str, lr0: float, epochs: int, step_size: int, gamma: float, warmup: int, seed: int
) -> DemoResult:
    if schedule == "warmup_cosine" and not 0 < warmup < epochs:
        raise ParameterError(
            f"In demo opt-lr-schedule warmup ({warmup}) must be between 1 and epochs − 1 "
            f"({epochs - 1}) for warmup_cosine."
        )
    lrs = [learning_rate(schedule, t, lr0, epochs, step_size, gamma, warmup) for t in range(epochs)]
    losses = noisy_quadratic_sgd(lrs, iterations=20, noise=1.0, seed=seed)
    constant = noisy_quadratic_sgd([lr0] * epochs, iterations=20, noise=1.0, seed=seed)
    narrative = "\n".join(
        [
            f"スケジュール「{schedule}」、初期学習率 {lr0:g}、{epochs} エポック。",
            "",
            "学習率: "
            + ", ".join(f"{lr:.3g}" for lr in lrs[: min(12, epochs)])
            + (" …" if epochs > 12 else "")
            + f"（最後 {lrs[-1]:.3g}）",
            "",
            "勾配にノイズがある $\\frac{1}{2}w^2$ を SGD で最小化すると、学習率が一定のままでは"
            f"損失がノイズで決まる高さ（{constant[-1]:.3g}）より下がらない。学習率を下げると"
            f"最後の損失は {losses[-1]:.3g} になった。序盤は大きな学習率で速く進み、"
            "終盤は小さな学習率で細かく合わせる、というのがスケジュールの考え方である。",
        ]
    )
    plots = [
        Plot(kind="line", title="学習率", x=list(range(1, epochs + 1)), series={"lr": lrs},
             x_label="エポック"),
        Plot(kind="line", title="損失（2,000 回の平均）", x=list(range(1, epochs + 1)),
             series={schedule: losses, "constant": constant}, x_label="エポック"),
    ]  # fmt: skip
    return DemoResult(
        values={
            "lrs": lrs,
            "final_lr": lrs[-1],
            "losses": losses,
            "final_loss": losses[-1],
            "constant_final_loss": constant[-1],
        },
        narrative=narrative,
        plots=plots,
    )


def steps_under_constant_gradient(
    optimizer: optim.Optimizer, grad: float, steps: int
) -> list[float]:
    """|Δθ| of each update when every gradient equals ``grad`` (a straight slope)."""
    params = {"theta": np.zeros(1)}
    sizes = []
    for _ in range(steps):
        before = params["theta"][0]
        optimizer.update(params, {"theta": np.array([grad])})
        sizes.append(abs(float(params["theta"][0] - before)))
    return sizes


@demo(
    "opt-momentum-velocity",
    title="Momentum の速度：同じ勾配が続くと歩幅が 1/(1 − μ) 倍になる",
    description=(
        "一定の勾配（まっすぐな坂）で engine の SGD・Momentum・Nesterov を動かし、"
        "1 回の更新幅がどう育つかを比べる。"
    ),
    syllabus=SYLLABUS_OPTIMIZATION,
    params=(
        FloatParam("lr", 0.01, min=1e-6, max=1.0, help="学習率 η"),
        FloatParam("momentum", 0.9, min=0.0, max=0.999, help="慣性 μ"),
        FloatParam("grad", 1.0, min=-100.0, max=100.0, help="一定の勾配 g"),
        IntParam("steps", 100, min=1, max=2000, help="更新回数"),
    ),
)
def opt_momentum_velocity(lr: float, momentum: float, grad: float, steps: int) -> DemoResult:
    if grad == 0:
        raise ParameterError("In demo opt-momentum-velocity grad must not be 0.")
    sgd = steps_under_constant_gradient(optim.SGD(lr=lr), grad, steps)
    heavy = steps_under_constant_gradient(optim.Momentum(lr=lr, momentum=momentum), grad, steps)
    nesterov = steps_under_constant_gradient(optim.Nesterov(lr=lr, momentum=momentum), grad, steps)
    base = lr * abs(grad)
    narrative = "\n".join(
        [
            f"勾配 g = {grad:g} が続く坂で、学習率 η = {lr:g}、慣性 μ = {momentum:g}。",
            "",
            f"- SGD の歩幅は毎回 $\\eta |g|$ = {base:.6g}。",
            f"- Momentum は $v \\leftarrow \\mu v + g$ で速度がたまり、歩幅は"
            f" {heavy[0]:.6g} → {heavy[min(9, steps - 1)]:.6g}（{min(10, steps)} 回目）→"
            f" {heavy[-1]:.6g}（{steps} 回目）。",
            f"- 極限は $\\frac{{\\eta |g|}}{{1 - \\mu}}$ = {base / (1 - momentum):.6g}（SGD の"
            f" {1 / (1 - momentum):.4g} 倍）。{steps} 回目で {heavy[-1] / base:.4g} 倍。",
            f"- Nesterov の歩幅は {nesterov[-1]:.6g}（{nesterov[-1] / base:.4g} 倍）。",
            "",
            "向きのそろった勾配では加速し、符号が入れ替わる（振動する）方向では速度が打ち消し合う。",
        ]
    )
    plot = Plot(
        kind="line",
        title="1 回の更新幅",
        x=list(range(1, steps + 1)),
        series={"SGD": sgd, "Momentum": heavy, "Nesterov": nesterov},
        x_label="更新回数",
    )
    return DemoResult(
        values={
            "sgd_steps": sgd,
            "momentum_steps": heavy,
            "nesterov_steps": nesterov,
            "momentum_ratio": heavy[-1] / base,
            "terminal_ratio": 1 / (1 - momentum),
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "opt-adagrad-step",
    title="AdaGrad の学習率は小さくなり続ける",
    description=(
        "一定の勾配のもとで engine の AdaGrad と RMSprop を動かし、1 回の更新幅を比べる。"
        "AdaGrad は勾配の 2 乗の総和で割るので、更新幅は $\\eta/\\sqrt{t}$ で 0 に向かう。"
    ),
    syllabus=SYLLABUS_OPTIMIZATION,
    params=(
        FloatParam("lr", 0.1, min=1e-6, max=10.0, help="学習率 η"),
        FloatParam("grad", 1.0, min=-100.0, max=100.0, help="一定の勾配 g"),
        FloatParam("decay_rate", 0.99, min=0.0, max=0.9999, help="RMSprop の減衰率 ρ"),
        IntParam("steps", 100, min=1, max=10000, help="更新回数"),
    ),
)
def opt_adagrad_step(lr: float, grad: float, decay_rate: float, steps: int) -> DemoResult:
    if grad == 0:
        raise ParameterError("In demo opt-adagrad-step grad must not be 0.")
    adagrad = steps_under_constant_gradient(optim.AdaGrad(lr=lr, eps=1e-10), grad, steps)
    rmsprop = steps_under_constant_gradient(
        optim.RMSprop(lr=lr, decay_rate=decay_rate, eps=1e-10), grad, steps
    )
    narrative = "\n".join(
        [
            f"勾配 g = {grad:g} が {steps} 回続くとき（学習率 η = {lr:g}）。",
            "",
            f"- AdaGrad: $h_t = t g^2$ なので歩幅は $\\frac{{\\eta |g|}}{{\\sqrt{{t g^2}}}} = \\frac{{\\eta}}{{\\sqrt{{t}}}}$。"
            f"1 回目 {adagrad[0]:.6g}、{steps} 回目 **{adagrad[-1]:.6g}**。勾配の大きさによらず、"
            "更新を重ねるだけで歩幅が縮み、いずれほとんど動かなくなる。",
            f"- RMSprop (ρ = {decay_rate:g}): 指数移動平均なので $h_t \\to g^2$ となり、歩幅は η に落ち着く。"
            f"{steps} 回目 **{rmsprop[-1]:.6g}**（1 回目は $h_1 = (1 - \\rho) g^2$ が小さいため"
            f" {rmsprop[0]:.6g}）。",
        ]
    )
    plot = Plot(
        kind="line",
        title="1 回の更新幅",
        x=list(range(1, steps + 1)),
        series={"AdaGrad": adagrad, "RMSprop": rmsprop},
        x_label="更新回数",
    )
    return DemoResult(
        values={
            "adagrad_steps": adagrad,
            "rmsprop_steps": rmsprop,
            "adagrad_last": adagrad[-1],
            "rmsprop_last": rmsprop[-1],
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "opt-adam-bias",
    title="Adam のバイアス補正",
    description=(
        "engine の Adam を一定の勾配で動かし、1 次・2 次モーメント m, v とその補正値、"
        "実際の更新幅を読み取る。補正しない場合の更新幅とも比べる。"
    ),
    syllabus=SYLLABUS_OPTIMIZATION,
    params=(
        FloatParam("lr", 0.001, min=1e-6, max=1.0, help="学習率 η"),
        FloatParam("beta1", 0.9, min=0.0, max=0.9999, help="β₁"),
        FloatParam("beta2", 0.999, min=0.0, max=0.99999, help="β₂"),
        FloatParam("grad", 0.5, min=-100.0, max=100.0, help="一定の勾配 g"),
        IntParam("steps", 10, min=1, max=10000, help="更新回数"),
    ),
)
def opt_adam_bias(lr: float, beta1: float, beta2: float, grad: float, steps: int) -> DemoResult:
    if grad == 0:
        raise ParameterError("In demo opt-adam-bias grad must not be 0.")
    adam = optim.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=1e-8)
    params = {"theta": np.zeros(1)}
    m, v, m_hat, v_hat, step_sizes, uncorrected = [], [], [], [], [], []
    for _ in range(steps):
        before = params["theta"][0]
        adam.update(params, {"theta": np.array([grad])})
        step_sizes.append(abs(float(params["theta"][0] - before)))
        m_t, v_t = float(adam.m["theta"][0]), float(adam.v["theta"][0])
        m.append(m_t)
        v.append(v_t)
        m_hat.append(m_t / (1 - beta1**adam.t))
        v_hat.append(v_t / (1 - beta2**adam.t))
        uncorrected.append(abs(lr * m_t / (math.sqrt(v_t) + 1e-8)))
    narrative = "\n".join(
        [
            f"勾配 g = {grad:g} が続くとき、Adam（η = {lr:g}、β₁ = {beta1:g}、β₂ = {beta2:g}）の 1 回目：",
            "",
            f"- $m_1 = (1 - \\beta_1) g$ = {m[0]:.6g}、$v_1 = (1 - \\beta_2) g^2$ = {v[0]:.6g}。"
            "m も v も 0 から始まるので、最初のうちは本当の平均より 0 側に偏る。",
            f"- 補正 $\\hat{{m}} = \\frac{{m}}{{1 - \\beta_1^t}}$ = {m_hat[0]:.6g}、"
            f"$\\hat{{v}} = \\frac{{v}}{{1 - \\beta_2^t}}$ = {v_hat[0]:.6g}：ちょうど g と g² に戻る。",
            f"- 更新幅 $\\eta \\frac{{\\hat{{m}}}}{{\\sqrt{{\\hat{{v}}}} + \\varepsilon}}$ = **{step_sizes[0]:.6g}**"
            "（ほぼ η。勾配の大きさによらない）。",
            f"- 補正しないと $\\eta \\frac{{m}}{{\\sqrt{{v}}}}$ = {uncorrected[0]:.6g}"
            f"（{uncorrected[0] / step_sizes[0]:.4g} 倍）。t が大きくなると $\\beta^t \\to 0$ で補正は 1 に近づく"
            f"（{steps} 回目の補正なしの更新幅は {uncorrected[-1]:.6g}）。",
        ]
    )
    plot = Plot(
        kind="line",
        title="更新幅（補正あり・なし）",
        x=list(range(1, steps + 1)),
        series={"補正あり": step_sizes, "補正なし": uncorrected},
        x_label="更新回数",
    )
    return DemoResult(
        values={
            "m": m,
            "v": v,
            "m_hat": m_hat,
            "v_hat": v_hat,
            "step_sizes": step_sizes,
            "uncorrected_steps": uncorrected,
            "first_step": step_sizes[0],
            "first_uncorrected_step": uncorrected[0],
        },
        narrative=narrative,
        plots=[plot],
    )


def saddle(x: float, y: float) -> float:
    """f(x, y) = x² + y⁴/4 − y²/2: a saddle point at (0, 0), minima at (0, ±1)."""
    return x**2 + y**4 / 4 - y**2 / 2


def saddle_gradient(x: float, y: float) -> tuple[float, float]:
    return 2 * x, y**3 - y


@demo(
    "opt-saddle",
    title="鞍点からの脱出",
    description=(
        "$f(x, y) = x^2 + \\frac{y^4}{4} - \\frac{y^2}{2}$ は原点が鞍点（x 方向には谷、y 方向には山）。"
        "鞍点のすぐ近くから engine.optim の各手法で出発し、|y| が 0.5 を超える（鞍点を抜ける）までの"
        "更新回数を数える。"
    ),
    syllabus=SYLLABUS_OPTIMIZATION,
    params=(
        FloatParam("lr", 0.01, min=1e-5, max=0.5, help="学習率（全手法で共通）"),
        FloatParam("x0", 1.0, min=-10.0, max=10.0, help="初期値 x"),
        FloatParam("y0", 1e-4, min=-1.0, max=1.0, help="初期値 y（0 だと勾配が 0 のまま）"),
        IntParam("steps", 1000, min=1, max=5000, help="最大の更新回数"),
    ),
)
def opt_saddle(lr: float, x0: float, y0: float, steps: int) -> DemoResult:
    escape_steps, final_y = [], []
    for name in OPTIMIZER_NAMES:
        optimizer = make_optimizer(name, lr)
        params = {"x": np.array([x0]), "y": np.array([y0])}
        escaped = -1
        for step in range(1, steps + 1):
            gx, gy = saddle_gradient(params["x"][0], params["y"][0])
            optimizer.update(params, {"x": np.array([gx]), "y": np.array([gy])})
            if escaped < 0 and abs(params["y"][0]) > 0.5:
                escaped = step
                break
        escape_steps.append(escaped)
        final_y.append(float(params["y"][0]))
    gradient_at_start = saddle_gradient(x0, y0)
    lines = [
        f"- {name}: " + (f"{s} 回で脱出" if s > 0 else f"{steps} 回では抜けない")
        for name, s in zip(OPTIMIZER_NAMES, escape_steps, strict=True)
    ]
    narrative = "\n".join(
        [
            f"({x0:g}, {y0:g}) から学習率 {lr:g} で出発（y 方向の勾配は {gradient_at_start[1]:.3g}）。",
            "",
            *lines,
            "",
            "鞍点の近くでは勾配がほぼ 0 なので、SGD の歩幅は勾配に比例して小さく、抜けるのに時間がかかる。"
            "Momentum は速度をため、RMSprop や Adam は勾配を自身の大きさで割るので、小さな勾配でも"
            "ほぼ学習率ぶん進める。AdaGrad も最初は同じだが、歩幅が縮み続けるため遅れる。"
            "ちょうど鞍点（y = 0）から出発すると勾配が 0 で、どの手法も動けない。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="鞍点を抜けるまでの更新回数（-1 は抜けない）",
        x=list(OPTIMIZER_NAMES),
        series={"更新回数": escape_steps},
    )
    return DemoResult(
        values={
            "optimizers": list(OPTIMIZER_NAMES),
            "escape_steps": escape_steps,
            "final_y": final_y,
            **{f"{name}_escape": s for name, s in zip(OPTIMIZER_NAMES, escape_steps, strict=True)},
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "opt-init-scale",
    title="Xavier と He の初期値：標準偏差と、1 層通した後の分散",
    description=(
        "engine.init で重み (n_in, n_out) を作り、その標準偏差と、標準正規分布の入力を 1 層通した"
        "ときの出力の分散（ReLU の後は 2 乗平均）を調べる。"
    ),
    syllabus=SYLLABUS_OPTIMIZATION,
    params=(
        ChoiceParam("init", "he", choices=("xavier", "he", "std0.01", "std1"), help="初期値"),
        IntParam("n_in", 100, min=1, max=2000, help="前の層のノード数"),
        IntParam("n_out", 100, min=1, max=2000, help="この層のノード数"),
        SEED_PARAM,
    ),
)
def opt_init_scale(init: str, n_in: int, n_out: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    expected = {
        "xavier": engine_init.xavier_std(n_in),
        "he": engine_init.he_std(n_in),
        "std0.01": 0.01,
        "std1": 1.0,
    }[init]
    shape = (n_in, n_out)
    if init in ("xavier", "he"):
        weight = engine_init.initial_weight(shape, init, rng)
    else:
        weight = engine_init.normal(shape, expected, rng)
    x = rng.standard_normal((2000, n_in))
    z = x @ weight
    z_var = float(z.var())
    relu_second_moment = float(np.mean(np.maximum(z, 0) ** 2))
    narrative = "\n".join(
        [
            f"初期値「{init}」で重み {shape} を作った。前の層のノード数は n = {n_in}。",
            "",
            f"- 重みの標準偏差: 標本 {float(weight.std()):.4f}（設定値 {expected:.4f}）",
            f"- 入力 x（平均 0・分散 1）を通した $z = xW$ の分散: **{z_var:.4g}**"
            f"（理論値 $n \\sigma^2$ = {n_in * expected**2:.4g}）",
            f"- ReLU を通した後の 2 乗平均 $E[\\max(0, z)^2]$: **{relu_second_moment:.4g}**"
            "（ReLU は負の半分を 0 にするので、z の分散の半分）",
            "",
            "Xavier（$\\sigma = \\frac{1}{\\sqrt{n}}$）は $z$ の分散を 1 に保つ。ReLU は信号の半分を捨てるので、"
            "He（$\\sigma = \\sqrt{\\frac{2}{n}}$）は分散を 2 倍にして、ReLU の後で 1 に戻す。",
        ]
    )
    counts, edges = np.histogram(weight, bins=30)
    return DemoResult(
        values={
            "weight_std": float(weight.std()),
            "expected_std": expected,
            "weight_mean": float(weight.mean()),
            "z_var": z_var,
            "relu_second_moment": relu_second_moment,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="histogram",
                title="重みの分布",
                x=edges.tolist(),
                series={"count": counts.tolist()},
            )
        ],
    )
