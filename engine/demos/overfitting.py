"""Demos on overfitting and regularisation: learning curves and early stopping, weight decay
and dropout on a small net, L1 against L2, the strength of weight decay, dropout's training
and inference behaviour, DropConnect, and the gradient noise of small mini-batches.

The training demos use 100 images of the 8×8 digits set (engine.datasets.load_digits) and a
small MultiLayerNet, so that a net with far more weights than examples overfits in well under
a second.
"""

from __future__ import annotations

import numpy as np

from engine import functions, optim
from engine.datasets import load_digits
from engine.demos.registry import (
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)
from engine.demos.regularization import ridge_closed_form
from engine.layers import Affine, Dropout
from engine.nets import MultiLayerNet

SYLLABUS_REGULARIZATION = ("3-3 深層モデルのための正則化",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")
VALIDATION_SIZE = 300


def _digits_subset(train_size: int):
    """The first ``train_size`` training images and 300 held-out images for validation."""
    (x_train, t_train), (x_val, t_val) = load_digits()
    return (
        x_train[:train_size],
        t_train[:train_size],
        x_val[:VALIDATION_SIZE],
        t_val[:VALIDATION_SIZE],
    )


def _evaluate(net: MultiLayerNet, x, t) -> tuple[float, float]:
    """(data loss without the weight-decay term, accuracy) in inference mode, one forward pass."""
    scores = net.predict(x, train=False)
    loss = float(functions.cross_entropy_error(functions.softmax(scores), t))
    return loss, float(np.mean(np.argmax(scores, axis=1) == t))


def train_curves(
    train_size: int,
    hidden: int,
    layers: int,
    epochs: int,
    lr: float,
    batch_size: int,
    weight_decay: float,
    dropout: float,
    seed: int,
) -> dict[str, list[float] | float]:
    """Mini-batch SGD on a digits subset; losses and accuracies on both sets after each epoch."""
    x, t, x_val, t_val = _digits_subset(train_size)
    net = MultiLayerNet(
        64, [hidden] * layers, 10, activation="relu", weight_init="he",
        weight_decay_lambda=weight_decay, use_dropout=dropout > 0, dropout_ratio=dropout,
        seed=seed,
    )  # fmt: skip
    optimizer = optim.SGD(lr=lr)
    rng = np.random.default_rng(seed)
    curves: dict[str, list[float]] = {
        "train_loss": [],
        "val_loss": [],
        "train_acc": [],
        "val_acc": [],
    }
    for _ in range(epochs):
        order = rng.permutation(train_size)
        for start in range(0, train_size, batch_size):
            batch = order[start : start + batch_size]
            optimizer.update(net.params, net.gradient(x[batch], t[batch]))
        for name, (data, labels) in (("train", (x, t)), ("val", (x_val, t_val))):
            loss, accuracy = _evaluate(net, data, labels)
            curves[f"{name}_loss"].append(loss)
            curves[f"{name}_acc"].append(accuracy)
    weights = [net.params[key] for key in net.params if key.startswith("W")]
    curves["weight_norm"] = float(np.sqrt(sum(np.sum(W**2) for W in weights)))
    return curves


def early_stopping_epoch(val_loss: list[float], patience: int) -> tuple[int, int]:
    """(best epoch, stopping epoch), 1-based: training stops once the validation loss has not
    improved on its best for ``patience`` epochs in a row (or at the last epoch)."""
    best, best_epoch = float("inf"), 0
    for epoch, loss in enumerate(val_loss, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_loss)


@demo(
    "overfit-curves",
    title="過学習の学習曲線と早期終了",
    description=(
        "数字画像 100 枚だけで中間層の大きなネットを学習し、エポックごとに訓練データと検証データ"
        "（訓練に使わない 300 枚）の損失と正解率を記録する。検証損失が patience エポック続けて"
        "改善しなければ学習を打ち切る（早期終了）。weight_decay や dropout を指定すると、"
        "正則化なしの同じ学習（baseline_*）とも比べる。"
    ),
    syllabus=SYLLABUS_REGULARIZATION,
    params=(
        IntParam("train_size", 100, min=20, max=1000, help="訓練データの枚数"),
        IntParam("hidden", 50, min=2, max=200, help="中間層のユニット数"),
        IntParam("layers", 2, min=1, max=5, help="中間層の数"),
        IntParam("epochs", 60, min=2, max=300, help="エポック数"),
        FloatParam("lr", 0.3, min=1e-4, max=2.0, help="学習率"),
        IntParam("batch_size", 25, min=1, max=1000, help="ミニバッチの大きさ"),
        FloatParam("weight_decay", 0.0, min=0.0, max=1.0, help="荷重減衰 λ（L2）"),
        FloatParam("dropout", 0.0, min=0.0, max=0.9, help="ドロップアウト率"),
        IntParam("patience", 5, min=1, max=100, help="早期終了の我慢エポック数"),
        SEED,
    ),
)
def overfit_curves(
    train_size: int,
    hidden: int,
    layers: int,
    epochs: int,
    lr: float,
    batch_size: int,
    weight_decay: float,
    dropout: float,
    patience: int,
    seed: int,
) -> DemoResult:
    if batch_size > train_size:
        raise ParameterError(
            f"In demo overfit-curves batch_size ({batch_size}) must not exceed train_size "
            f"({train_size})."
        )
    setting = (train_size, hidden, layers, epochs, lr, batch_size)
    curves = train_curves(*setting, weight_decay, dropout, seed)
    regularised = weight_decay > 0 or dropout > 0
    baseline = train_curves(*setting, 0.0, 0.0, seed) if regularised else curves
    best_epoch, stop_epoch = early_stopping_epoch(curves["val_loss"], patience)

    def summary(c) -> dict[str, float]:
        return {
            "final_train_acc": c["train_acc"][-1],
            "final_val_acc": c["val_acc"][-1],
            "final_gap": c["train_acc"][-1] - c["val_acc"][-1],
            "final_train_loss": c["train_loss"][-1],
            "final_val_loss": c["val_loss"][-1],
            "min_val_loss": min(c["val_loss"]),
            "weight_norm": c["weight_norm"],
        }

    own, base = summary(curves), summary(baseline)
    narrative_lines = [
        f"数字画像 {train_size} 枚で、中間層 {hidden} ユニット × {layers} 層のネット（ReLU、He の初期値）を"
        f"学習率 {lr:g}、バッチ {batch_size} で {epochs} エポック学習した"
        + (
            f"（荷重減衰 λ = {weight_decay:g}、ドロップアウト率 {dropout:g}）。"
            if regularised
            else "。"
        ),
        "",
        f"- 最後のエポック: 訓練正解率 {own['final_train_acc']:.3f}、検証正解率 {own['final_val_acc']:.3f}"
        f"（差 **{own['final_gap']:.3f}**）、訓練損失 {own['final_train_loss']:.4f}、"
        f"検証損失 {own['final_val_loss']:.4f}。",
        f"- 検証損失は {best_epoch} エポック目に最小（{own['min_val_loss']:.4f}）。"
        f"patience = {patience} の早期終了なら {stop_epoch} エポック目で打ち切り、"
        f"{best_epoch} エポック目の重みを使う。",
    ]
    if regularised:
        narrative_lines.append(
            f"- 正則化なしの同じ学習では、正解率の差 {base['final_gap']:.3f}、"
            f"最後の検証損失 {base['final_val_loss']:.4f}、重みのノルム {base['weight_norm']:.3g}"
            f"（正則化ありは {own['weight_norm']:.3g}）。"
        )
    narrative_lines += [
        "",
        "訓練損失が下がり続けるのに検証損失が上がり始めたら、訓練データの細部（ノイズ）まで覚え始めた"
        "しるしで、これが過学習である。",
    ]
    epochs_axis = list(range(1, epochs + 1))
    plots = [
        Plot(kind="line", title="損失", x=epochs_axis,
             series={"訓練": curves["train_loss"], "検証": curves["val_loss"]}, x_label="エポック"),
        Plot(kind="line", title="正解率", x=epochs_axis,
             series={"訓練": curves["train_acc"], "検証": curves["val_acc"]}, x_label="エポック"),
    ]  # fmt: skip
    return DemoResult(
        values={
            "train_loss": curves["train_loss"],
            "val_loss": curves["val_loss"],
            "train_acc": curves["train_acc"],
            "val_acc": curves["val_acc"],
            **own,
            "best_epoch": best_epoch,
            "stop_epoch": stop_epoch,
            **{f"baseline_{key}": value for key, value in base.items()},
            "val_loss_reduction": base["final_val_loss"] - own["final_val_loss"],
            "weight_norm_ratio": own["weight_norm"] / base["weight_norm"],
        },
        narrative="\n".join(narrative_lines),
        plots=plots,
    )


@demo(
    "overfit-early-stopping",
    title="早期終了：検証損失の列から打ち切りのエポックを決める",
    description=(
        "エポックごとの検証損失の列に、overfit-curves と同じ早期終了の規則（patience エポック続けて"
        "最良値を更新しなければ打ち切り、最良のエポックの重みを使う）を当てはめる。"
    ),
    syllabus=SYLLABUS_REGULARIZATION,
    params=(
        ListParam(
            "val_loss", [0.9, 0.7, 0.62, 0.6, 0.61, 0.59, 0.63, 0.64, 0.66, 0.65],
            min=0.0, max=1e6, min_length=1, max_length=300, help="エポックごとの検証損失",
        ),
        IntParam("patience", 3, min=1, max=100, help="我慢するエポック数"),
    ),
)  # fmt: skip
def overfit_early_stopping(val_loss: list[float], patience: int) -> DemoResult:
    best_epoch, stop_epoch = early_stopping_epoch(val_loss, patience)
    stopped_early = stop_epoch < len(val_loss)
    narrative = "\n".join(
        [
            f"検証損失 {len(val_loss)} エポック分に、patience = {patience} の早期終了を当てはめた。",
            "",
            f"- 最良の検証損失は {best_epoch} エポック目の **{val_loss[best_epoch - 1]:g}**。",
            (
                f"- その後 {patience} エポック続けて更新されなかったので、**{stop_epoch} エポック目**で打ち切る。"
                if stopped_early
                else "- 最後まで打ち切りの条件を満たさなかった。"
            ),
            f"- 使う重みは {best_epoch} エポック目に保存したもの。",
            "",
            "1 回悪化しただけで止めると、検証損失のゆらぎで早く止まりすぎる。patience は"
            "「しばらく様子を見る」幅である。",
        ]
    )
    plot = Plot(
        kind="line",
        title="検証損失",
        x=list(range(1, len(val_loss) + 1)),
        series={"検証損失": val_loss},
        x_label="エポック",
    )
    return DemoResult(
        values={
            "best_epoch": best_epoch,
            "stop_epoch": stop_epoch,
            "stopped_early": stopped_early,
            "best_val_loss": val_loss[best_epoch - 1],
        },
        narrative=narrative,
        plots=[plot],
    )


# --- L1 against L2 ----------------------------------------------------------------------------


def soft_threshold(w: np.ndarray, threshold: float) -> np.ndarray:
    """The proximal step of the L1 penalty: sign(w)·max(|w| − threshold, 0).

    Every weight moves towards 0 by the same amount, and a weight that would cross 0 stops
    at exactly 0 — which is why L1 gives exact zeros and L2 (which only scales w) does not.
    """
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0) + 0.0  # + 0.0 turns −0.0 into 0.0


def fit_penalised(x, y, lam: float, penalty: str, max_steps: int = 5000) -> np.ndarray:
    """Minimise (1/2n)‖Xw − y‖² + penalty with an engine Affine layer and engine SGD:

    L2:  penalty (λ/2)‖w‖²,  gradient step on the whole loss
    L1:  penalty λ‖w‖₁,     gradient step on the data term, then soft thresholding
                           (proximal gradient descent, ISTA)
    """
    n, d = x.shape
    layer = Affine(np.zeros((d, 1)), np.zeros(1))
    curvature = np.linalg.eigvalsh(x.T @ x / n).max() + (lam if penalty == "l2" else 0.0)
    optimizer = optim.SGD(lr=1.0 / curvature)
    for _ in range(max_steps):
        before = layer.W.copy()
        layer.backward((layer.forward(x) - y) / n)
        grad = layer.dW + (lam * layer.W if penalty == "l2" else 0.0)
        optimizer.update({"W": layer.W}, {"W": grad})
        if penalty == "l1":
            layer.W[...] = soft_threshold(layer.W, optimizer.lr * lam)
        if np.abs(layer.W - before).max() < 1e-13:  # converged: a fixed point of the step
            break
    return layer.W[:, 0].copy()


@demo(
    "overfit-l1-l2",
    title="L1 正則化と L2 正則化：重みがちょうど 0 になるか",
    description=(
        "役に立つ特徴量が一部しかない線形回帰を、同じ λ の L1 罰則（ラッソ）と L2 罰則（リッジ）で"
        "engine 上で学習し、ちょうど 0 になった重みを数える。"
    ),
    syllabus=(*SYLLABUS_REGULARIZATION, "2-1 機械学習の基礎"),
    params=(
        IntParam("features", 10, min=2, max=50, help="特徴量の数"),
        IntParam("informative", 3, min=1, max=50, help="目的変数に効く特徴量の数"),
        IntParam("samples", 50, min=5, max=500, help="データ数"),
        FloatParam("lam", 0.1, min=0.0, max=100.0, help="正則化の強さ λ"),
        SEED,
    ),
)
def overfit_l1_l2(
    features: int, informative: int, samples: int, lam: float, seed: int
) -> DemoResult:
    if informative > features:
        raise ParameterError(
            f"In demo overfit-l1-l2 informative ({informative}) must not exceed features ({features})."
        )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, features))
    x -= x.mean(axis=0)
    true_w = np.zeros(features)
    true_w[:informative] = np.linspace(2.0, 1.0, informative)
    y = x @ true_w + 0.5 * rng.standard_normal(samples)
    y = (y - y.mean()).reshape(-1, 1)
    l1 = fit_penalised(x, y, lam, "l1")
    l2 = fit_penalised(x, y, lam, "l2")
    l1_zeros, l2_zeros = int(np.sum(l1 == 0.0)), int(np.sum(l2 == 0.0))
    narrative = "\n".join(
        [
            f"{features} 個の特徴量のうち {informative} 個だけが効く線形回帰（{samples} 件）を、λ = {lam:g} で学習した。",
            "",
            f"- L1（$\\lambda \\|w\\|_1$）: ちょうど 0 の重みが **{l1_zeros} 個**。"
            f" 重み: {', '.join(f'{w:.3g}' for w in l1)}",
            f"- L2（$\\frac{{\\lambda}}{{2}} \\|w\\|_2^2$）: ちょうど 0 の重みは **{l2_zeros} 個**。"
            f" 重み: {', '.join(f'{w:.3g}' for w in l2)}",
            "",
            "L1 の勾配（劣勾配）は重みの大きさによらず $\\lambda \\, \\mathrm{sign}(w)$ なので、小さな重みも"
            "同じ力で 0 へ押され、0 で止まる（スパースな解）。L2 の勾配 $\\lambda w$ は 0 に近づくほど弱まり、"
            "重みは小さくなるだけで 0 にはならない。等高線で見ると、L1 の制約領域はひし形で角（軸上）で"
            "誤差の等高線と接しやすく、L2 の円には角がない。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="学習した重み",
        x=[f"w{i + 1}" for i in range(features)],
        series={"L1": l1.tolist(), "L2": l2.tolist(), "真の値": true_w.tolist()},
    )
    return DemoResult(
        values={
            "l1_weights": l1.tolist(),
            "l2_weights": l2.tolist(),
            "true_weights": true_w.tolist(),
            "l1_zeros": l1_zeros,
            "l2_zeros": l2_zeros,
            "l1_norm": float(np.sum(np.abs(l1))),
            "l2_norm": float(np.linalg.norm(l2)),
        },
        narrative=narrative,
        plots=[plot],
    )


# --- the strength of weight decay ----------------------------------------------------------------


def _polynomial_features(x: np.ndarray, degree: int) -> np.ndarray:
    return np.stack([x**k for k in range(1, degree + 1)], axis=1)


@demo(
    "overfit-weight-decay",
    title="荷重減衰の強さと訓練誤差・テスト誤差",
    description=(
        "sin 曲線から取った少数の点に高次の多項式を当てはめ、L2 罰則の強さ λ を変えて、"
        "訓練誤差・テスト誤差・重みのノルムを比べる（リッジ回帰の閉形式解）。"
    ),
    syllabus=(*SYLLABUS_REGULARIZATION, "2-1 機械学習の基礎"),
    params=(
        IntParam("degree", 9, min=1, max=15, help="多項式の次数"),
        IntParam("train_size", 10, min=3, max=200, help="訓練データの数"),
        ListParam(
            "lams", [0.0, 1e-6, 1e-4, 1e-2, 1.0], min=0.0, max=1e6, min_length=1, max_length=20,
            help="比べる λ の一覧",
        ),
        FloatParam("noise", 0.2, min=0.0, max=2.0, help="ノイズの標準偏差"),
        SEED,
    ),
)  # fmt: skip
def overfit_weight_decay(
    degree: int, train_size: int, lams: list[float], noise: float, seed: int
) -> DemoResult:
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1, 1, train_size))
    y_train = np.sin(np.pi * x_train) + noise * rng.standard_normal(train_size)
    x_test = np.linspace(-1, 1, 200)
    y_test = np.sin(np.pi * x_test)
    features = _polynomial_features(x_train, degree)
    mean_f, mean_y = features.mean(axis=0), y_train.mean()
    centred = features - mean_f  # centring makes the optimal bias ȳ, unpenalised
    test_features = _polynomial_features(x_test, degree) - mean_f
    train_mse, test_mse, norms = [], [], []
    for lam in lams:
        w = ridge_closed_form(centred, (y_train - mean_y).reshape(-1, 1), lam)
        train_mse.append(float(np.mean((centred @ w + mean_y - y_train) ** 2)))
        test_mse.append(float(np.mean((test_features @ w + mean_y - y_test) ** 2)))
        norms.append(float(np.linalg.norm(w)))
    best = int(np.argmin(test_mse))
    narrative = "\n".join(
        [
            f"$\\sin(\\pi x)$ にノイズ（標準偏差 {noise:g}）を加えた {train_size} 点に {degree} 次の多項式を当てはめた。",
            "",
            *[
                f"- λ = {lam:g}: 訓練 MSE {tr:.4g}、テスト MSE {te:.4g}、重みのノルム {nm:.4g}"
                for lam, tr, te, nm in zip(lams, train_mse, test_mse, norms, strict=True)
            ],
            "",
            f"λ を大きくするほど重みは小さくなり訓練誤差は増える。テスト誤差は λ = {lams[best]:g} で最小："
            "弱すぎる正則化は過学習を止められず、強すぎると単純すぎて訓練データにも合わない（未学習）。",
        ]
    )
    plot = Plot(
        kind="line",
        title="λ と誤差（横軸は λ の順番）",
        x=[f"{lam:g}" for lam in lams],
        series={"訓練 MSE": train_mse, "テスト MSE": test_mse},
        x_label="λ",
    )
    return DemoResult(
        values={
            "train_mse": train_mse,
            "test_mse": test_mse,
            "weight_norms": norms,
            "best_index": best,
            "best_lambda": lams[best],
        },
        narrative=narrative,
        plots=[plot],
    )


# --- dropout and DropConnect --------------------------------------------------------------------


@demo(
    "overfit-dropout",
    title="ドロップアウト：学習時と推論時の違い",
    description=(
        "すべて 1 の入力を engine の Dropout（書籍の方式）に学習モードと推論モードで通し、"
        "残ったユニットの割合と出力の平均を調べる。逆ドロップアウト（学習時に 1/(1 − p) 倍）とも比べる。"
    ),
    syllabus=SYLLABUS_REGULARIZATION,
    params=(
        FloatParam("ratio", 0.5, min=0.0, max=0.95, help="ドロップアウト率 p（消す割合）"),
        IntParam("units", 10000, min=10, max=1000000, help="ユニット数"),
        SEED,
    ),
)
def overfit_dropout(ratio: float, units: int, seed: int) -> DemoResult:
    x = np.ones((1, units))
    layer = Dropout(ratio, rng=seed)
    train_out = layer.forward(x, train=True)
    mask = layer.mask
    dx = layer.backward(np.ones_like(x))
    test_out = layer.forward(x, train=False)
    # Inverted dropout (PyTorch, Keras): scale the kept units up while training instead.
    inverted_train = x * mask / (1 - ratio)
    inverted_test = x
    second = Dropout(ratio, rng=seed + 1)
    second.forward(x, train=True)
    narrative = "\n".join(
        [
            f"ドロップアウト率 p = {ratio:g} の Dropout レイヤに、{units:,} 個の 1 を通した。",
            "",
            f"- 学習時: 乱数 $u > p$ のユニットだけ残る。残った割合は {mask.mean():.4f}、出力の平均は"
            f" **{train_out.mean():.4f}**（期待値 $1 - p$ = {1 - ratio:g}）。",
            f"- 逆伝播でも同じマスクを掛けるので、消えたユニットの勾配は 0（0 の割合 {np.mean(dx == 0):.4f}）。",
            f"- 推論時: すべてのユニットを使い、出力に $1 - p$ を掛ける → どの出力も **{test_out[0, 0]:g}**。"
            "学習時の出力の期待値と合わせるためである。",
            f"- 逆ドロップアウト: 学習時に残ったユニットを $\\frac{{1}}{{1 - p}}$ 倍する（平均 {inverted_train.mean():.4f}）"
            "代わりに、推論時は何もしない（出力 1）。",
            "",
            f"ミニバッチごとに別のユニットが消える（次のマスクとの一致率 {np.mean(second.mask == mask):.3f}）ので、"
            "毎回違う小さなネットを学習し、推論時にそれらを平均する一種のアンサンブルとみなせる。",
        ]
    )
    return DemoResult(
        values={
            "kept_fraction": float(mask.mean()),
            "train_output_mean": float(train_out.mean()),
            "test_output": float(test_out[0, 0]),
            "grad_zero_fraction": float(np.mean(dx == 0)),
            "inverted_train_output_mean": float(inverted_train.mean()),
            "inverted_test_output": float(inverted_test[0, 0]),
            "mask_agreement": float(np.mean(second.mask == mask)),
        },
        narrative=narrative,
    )


@demo(
    "overfit-dropconnect",
    title="DropConnect：ユニットではなく重みを消す",
    description=(
        "全結合層の入力にドロップアウトを掛けるのは、重み行列の行をまとめて 0 にするのと同じである。"
        "DropConnect は重みを 1 つずつ独立に 0 にする。engine の Affine で両者を比べる。"
    ),
    syllabus=SYLLABUS_REGULARIZATION,
    params=(
        IntParam("inputs", 100, min=2, max=1000, help="入力ユニット数"),
        IntParam("outputs", 50, min=2, max=1000, help="出力ユニット数"),
        FloatParam("ratio", 0.5, min=0.0, max=0.95, help="消す割合 p"),
        SEED,
    ),
)
def overfit_dropconnect(inputs: int, outputs: int, ratio: float, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, inputs))
    W, b = rng.standard_normal((inputs, outputs)), np.zeros(outputs)
    unit_mask = rng.random(inputs) > ratio  # dropout on the Affine's inputs
    y_dropout = Affine(W, b).forward(x * unit_mask)
    row_mask = np.repeat(unit_mask[:, None], outputs, axis=1)
    y_rows = Affine(W * row_mask, b).forward(x)
    dropout_as_rows_diff = float(np.abs(y_dropout - y_rows).max())
    weight_mask = rng.random((inputs, outputs)) > ratio  # DropConnect: each weight on its own
    y_dropconnect = Affine(W * weight_mask, b).forward(x)
    dropped_rows_dropout = float(np.mean(~row_mask.any(axis=1)))
    dropped_rows_dropconnect = float(np.mean(~weight_mask.any(axis=1)))
    narrative = "\n".join(
        [
            f"入力 {inputs}、出力 {outputs} の全結合層で、消す割合 p = {ratio:g}。",
            "",
            f"- ドロップアウト: 入力ユニットを消すのは、重み行列の対応する行（そのユニットから出る重み全部）を"
            f"0 にするのと同じ（出力の差 {dropout_as_rows_diff:.3g}）。行ごと消えた割合 {dropped_rows_dropout:.3f}。",
            f"- DropConnect: 重みを 1 本ずつ独立に消す。0 になった重みの割合 {np.mean(~weight_mask):.3f}、"
            f"行ごと全部消えた割合は {dropped_rows_dropconnect:.3f}（$p^{{{outputs}}}$ 程度でほぼ 0）。",
            "",
            "DropConnect はドロップアウトを一般化したもので、マスクの組み合わせがはるかに多い"
            "（重みの数 × 2 通りの選択）。どちらも学習時だけ使う。",
            f"DropConnect の出力の一例: {y_dropconnect[0, :3].round(4).tolist()} …",
        ]
    )
    return DemoResult(
        values={
            "dropout_as_rows_diff": dropout_as_rows_diff,
            "dropout_weight_zero_fraction": float(np.mean(~row_mask)),
            "dropconnect_weight_zero_fraction": float(np.mean(~weight_mask)),
            "dropped_rows_dropout": dropped_rows_dropout,
            "dropped_rows_dropconnect": dropped_rows_dropconnect,
        },
        narrative=narrative,
    )


# --- batch size as an implicit regulariser -------------------------------------------------------


@demo(
    "overfit-batch-noise",
    title="ミニバッチの大きさと勾配のノイズ",
    description=(
        "学習途中のネットで、ミニバッチから求めた勾配が全データの勾配からどれだけずれるかを、"
        "バッチの大きさを変えて測る。小さなバッチほど勾配のノイズが大きい。"
    ),
    syllabus=SYLLABUS_REGULARIZATION,
    params=(
        ListParam(
            "batch_sizes", [1, 4, 16, 64, 256], min=1, max=1000, min_length=1, max_length=10,
            help="比べるバッチの大きさ",
        ),
        IntParam("draws", 20, min=2, max=200, help="各バッチの大きさで勾配を求める回数"),
        SEED,
    ),
)  # fmt: skip
def overfit_batch_noise(batch_sizes: list[float], draws: int, seed: int) -> DemoResult:
    sizes = [int(b) for b in batch_sizes]
    if any(b != s for b, s in zip(batch_sizes, sizes, strict=True)):
        raise ParameterError("In demo overfit-batch-noise batch_sizes must be whole numbers.")
    (x, t), _ = load_digits()
    x, t = x[:1000], t[:1000]  # batch_sizes are capped at 1000 by the parameter
    net = MultiLayerNet(64, [50], 10, seed=seed)
    full = net.gradient(x, t)["W1"].copy()
    rng = np.random.default_rng(seed)
    variances = []
    for size in sizes:
        deviations = [
            np.sum((net.gradient(x[batch], t[batch])["W1"] - full) ** 2)
            for batch in (rng.choice(len(x), size, replace=False) for _ in range(draws))
        ]
        variances.append(float(np.mean(deviations)))
    narrative = "\n".join(
        [
            "中間層 50 ユニットのネットの W1 の勾配を、全 1,000 枚から求めた値とミニバッチから求めた値で比べた"
            "（ずれの 2 乗の平均）。",
            "",
            *[f"- バッチ {s}: {v:.4g}" for s, v in zip(sizes, variances, strict=True)],
            "",
            "ずれの大きさはおよそバッチの大きさに反比例する（非復元抽出なので $\\frac{N - B}{B(N - 1)}$ に比例）。"
            "小さなバッチの SGD はこのノイズのおかげで鋭い谷に留まりにくく、平らな解にたどり着きやすい、"
            "と考えられている（学習率を大きくしても同じ向きに働く）。これが陰的正則化の一つである。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="ミニバッチ勾配のずれ（2 乗の平均）",
        x=[str(s) for s in sizes],
        series={"ずれ": variances},
    )
    return DemoResult(
        values={"batch_sizes": sizes, "grad_variance": variances},
        narrative=narrative,
        plots=[plot],
    )
