"""Demos on ways of learning (syllabus 4-8): transfer learning and fine-tuning, domain
adaptation, self-training and co-training, contrastive learning (InfoNCE), active learning,
metric learning (contrastive and triplet losses, a Siamese net), MAML and GCN.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from engine import functions, graph, metric_learning, optim
from engine.datasets import load_digits
from engine.demos.registry import (
    BoolParam,
    ChoiceParam,
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    MatrixParam,
    ParameterError,
    Plot,
    demo,
)
from engine.layers import Affine, SoftmaxWithLoss
from engine.nets import MultiLayerNet, train

SYLLABUS_METHODS = ("4-8 様々な学習方法",)


def _fit(net, x, t, keys, steps: int, lr: float) -> None:
    """Full-batch Adam on the parameters named in ``keys`` only; the others stay frozen."""
    optimizer = optim.Adam(lr=lr)
    for _ in range(steps):
        grads = net.gradient(x, t)
        optimizer.update({k: net.params[k] for k in keys}, {k: grads[k] for k in keys})


# --- transfer learning ------------------------------------------------------------------------------


@cache
def _digits_split(seed: int):
    (x_train, t_train), (x_test, t_test) = load_digits(seed=seed)
    for array in (x_train, t_train, x_test, t_test):
        array.flags.writeable = False
    return x_train, t_train, x_test, t_test


@cache
def _source_net_params(seed: int) -> dict[str, np.ndarray]:
    """A 64-64-10 net pre-trained on the clean digits (the source domain, every label)."""
    x_train, t_train, _, _ = _digits_split(seed)
    net = MultiLayerNet(64, [64], 10, seed=seed)
    # Mini-batches of 100 keep each matrix product small (and quick on a busy machine).
    train(
        net,
        optim.Adam(lr=0.01),
        x_train,
        t_train,
        epochs=5,
        batch_size=100,
        seed=seed,
        evaluate=False,
    )
    return {key: value.copy() for key, value in net.params.items()}


def noisy_scans(x, seed: int) -> np.ndarray:
    """The target domain: faint, noisy scans x' = clip(0.6x + 0.2 + 0.15ε, 0, 1)."""
    noise = np.random.default_rng(seed).standard_normal(x.shape)
    return np.clip(0.6 * x + 0.2 + 0.15 * noise, 0.0, 1.0)


TRANSFER_MODES = ("scratch", "feature_extraction", "fine_tune")


def _transfer(mode: str, per_class: int, steps: int, seed: int):
    """Train on the target task (the digits as faint noisy scans, ``per_class`` labelled
    images per class) and return (net, initial params, test accuracy on the target domain)."""
    x_train, t_train, x_test, t_test = _digits_split(seed)
    rng = np.random.default_rng(seed)
    chosen = np.concatenate(
        [rng.permutation(np.flatnonzero(t_train == c))[:per_class] for c in range(10)]
    )
    x_small, t_small = noisy_scans(x_train[chosen], seed), t_train[chosen]
    net = MultiLayerNet(64, [64], 10, seed=seed + 1)  # W2, b2: a freshly initialised head
    if mode != "scratch":
        source = _source_net_params(seed)
        net.params["W1"][...] = source["W1"]
        net.params["b1"][...] = source["b1"]
    initial = {key: value.copy() for key, value in net.params.items()}
    trainable = ["W2", "b2"] if mode == "feature_extraction" else list(net.params)
    lr = 0.003 if mode == "fine_tune" else 0.01  # fine-tuning: small steps keep what was learnt
    _fit(net, x_small, t_small, trainable, steps, lr)
    return net, initial, net.accuracy(noisy_scans(x_test, seed + 7), t_test)


@demo(
    "transfer-freeze",
    title="転移学習：層の凍結とファインチューニング",
    description=(
        "きれいな digits（元ドメイン、全ラベル）で事前学習したネットの中間層を、かすれてノイズの乗った"
        "digits（転移先、クラスごとに数枚のラベル）の分類に転用する。中間層を凍結して新しい出力層だけ学習"
        "（特徴抽出）、全体を小さな学習率で再学習（ファインチューニング）、ゼロから学習の 3 つを比べ、"
        "どのパラメータが変化したかを調べる。"
    ),
    syllabus=SYLLABUS_METHODS,
    params=(
        ChoiceParam("mode", "feature_extraction", choices=TRANSFER_MODES, help="学習のしかた"),
        IntParam("per_class", 1, min=1, max=50, help="転移先のクラスごとのラベル付き画像の数"),
        IntParam("steps", 100, min=1, max=500, help="転移先での学習のステップ数（全バッチ Adam）"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def transfer_freeze(mode: str, per_class: int, steps: int, seed: int) -> DemoResult:
    net, initial, accuracy = _transfer(mode, per_class, steps, seed)
    changed = [k for k in net.params if not np.array_equal(net.params[k], initial[k])]
    unchanged = [k for k in net.params if k not in changed]
    trainable = int(sum(net.params[k].size for k in changed))
    accuracies = {
        m: accuracy if m == mode else _transfer(m, per_class, steps, seed)[2]
        for m in TRANSFER_MODES
    }
    labels = {
        "scratch": "ゼロから学習",
        "feature_extraction": "特徴抽出（中間層を凍結）",
        "fine_tune": "ファインチューニング",
    }
    best = max(TRANSFER_MODES, key=lambda m: accuracies[m])
    narrative = "\n".join(
        [
            f"転移先（かすれてノイズの乗った digits）のラベル付き画像はクラスごとに {per_class} 枚、計 {10 * per_class} 枚。"
            f"モード **{labels[mode]}** で {steps} ステップ学習した。",
            "",
            f"- 値が変化したパラメータ: {', '.join(changed) or 'なし'}（{trainable:,} 個）",
            f"- 変化しなかったパラメータ: {', '.join(unchanged) or 'なし'}",
            "",
            "転移先のテスト精度：",
            *[f"- {labels[m]}: {accuracies[m]:.4f}" for m in TRANSFER_MODES],
            "",
            f"この設定で最も精度が高かったのは「{labels[best]}」。凍結した層のパラメータは更新されず、"
            "学習するパラメータが少ないぶん、少ないラベルでも過学習しにくい。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="転移先のテスト精度",
        x=[labels[m] for m in TRANSFER_MODES],
        series={"accuracy": [accuracies[m] for m in TRANSFER_MODES]},
    )
    return DemoResult(
        values={
            "changed_params": changed,
            "unchanged_params": unchanged,
            "trainable_count": trainable,
            "accuracy": accuracy,
            "accuracy_scratch": accuracies["scratch"],
            "accuracy_feature_extraction": accuracies["feature_extraction"],
            "accuracy_fine_tune": accuracies["fine_tune"],
            "labelled_images": 10 * per_class,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- domain adaptation (AdaBN) --------------------------------------------------------------------


@cache
def _bn_net_params(seed: int):
    """A 64-32-10 net with batch normalisation trained on the (source-domain) digits."""
    x_train, t_train, _, _ = _digits_split(seed)
    net = MultiLayerNet(64, [32], 10, use_batchnorm=True, seed=seed)
    rng = np.random.default_rng(seed)
    optimizer = optim.Adam(lr=0.01)
    for _ in range(8):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), 100):
            batch = order[start : start + 100]
            optimizer.update(net.params, net.gradient(x_train[batch], t_train[batch]))
    bn = net.layers["BatchNorm1"]
    return (
        {k: v.copy() for k, v in net.params.items()},
        bn.running_mean.copy(),
        bn.running_var.copy(),
    )


@demo(
    "domain-adaptation-adabn",
    title="ドメイン適応：BN の統計量を転移先で取り直す（AdaBN）",
    description=(
        "元ドメインの digits で学習したネット（BN 付き）を、コントラストと明るさを変えた転移先ドメインで評価する。"
        "転移先のラベルは使わず、BN の平均・分散だけを転移先の入力で計算し直すと精度が戻る。"
    ),
    syllabus=SYLLABUS_METHODS,
    params=(
        FloatParam(
            "contrast",
            0.4,
            min=0.05,
            max=2.0,
            help="転移先ドメインの画素 = contrast × x + brightness",
        ),
        FloatParam("brightness", 0.5, min=-1.0, max=1.0, help="転移先ドメインの明るさのずれ"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def domain_adaptation_adabn(contrast: float, brightness: float, seed: int) -> DemoResult:
    params, running_mean, running_var = _bn_net_params(seed)
    _, _, x_test, t_test = _digits_split(seed)
    x_target = contrast * x_test + brightness
    net = MultiLayerNet(64, [32], 10, use_batchnorm=True, seed=seed)
    for key, value in params.items():
        net.params[key][...] = value
    bn = net.layers["BatchNorm1"]
    bn.running_mean[...], bn.running_var[...] = running_mean, running_var
    source_accuracy = net.accuracy(x_test, t_test)
    shifted_accuracy = net.accuracy(x_target, t_test)
    # AdaBN: the statistics of the first affine layer's outputs on the unlabelled target inputs.
    h = net.layers["Affine1"].forward(x_target)
    bn.running_mean[...], bn.running_var[...] = h.mean(axis=0), h.var(axis=0)
    adapted_accuracy = net.accuracy(x_target, t_test)
    narrative = "\n".join(
        [
            f"転移先ドメインの画素は $x' = {contrast:g}x + {brightness:g}$（入力の分布がずれる＝ドメインシフト）。",
            "",
            f"- 元ドメインのテスト精度: {source_accuracy:.4f}",
            f"- そのまま転移先で使う: **{shifted_accuracy:.4f}**",
            f"- BN の統計量を転移先の（ラベルなし）入力で取り直す: **{adapted_accuracy:.4f}**",
            "",
            "重みは 1 つも変えていない。転移先のラベルを使わずに入力の分布のずれを補正する、"
            "教師なしドメイン適応の簡単な例（Li et al. 2016, AdaBN）。",
        ]
    )
    return DemoResult(
        values={
            "source_accuracy": source_accuracy,
            "shifted_accuracy": shifted_accuracy,
            "adapted_accuracy": adapted_accuracy,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="テスト精度",
                x=["元ドメイン", "転移先（そのまま）", "転移先（AdaBN）"],
                series={"accuracy": [source_accuracy, shifted_accuracy, adapted_accuracy]},
            )
        ],
    )


# --- semi-supervised learning -------------------------------------------------------------------


def _softmax_classifier(x, t, steps: int = 100, lr: float = 1.0):
    """Multinomial logistic regression (Affine + softmax) by full-batch gradient descent."""
    layer, loss = Affine(np.zeros((x.shape[1], 10)), np.zeros(10)), SoftmaxWithLoss()
    optimizer = optim.SGD(lr=lr)
    for _ in range(steps):
        loss.forward(layer.forward(x), t)
        layer.backward(loss.backward())
        optimizer.update({"W": layer.W, "b": layer.b}, {"W": layer.dW, "b": layer.db})
    return layer


def _predict(layer, x):
    probs = functions.softmax(layer.forward(x))
    return probs.argmax(axis=1), probs.max(axis=1)


VIEWS = (
    slice(None),
    np.r_[0:64].reshape(8, 8)[:, :4].ravel(),
    np.r_[0:64].reshape(8, 8)[:, 4:].ravel(),
)


@demo(
    "semi-supervised-self-training",
    title="半教師あり学習：自己訓練（Self-Training）と共訓練（Co-Training）",
    description=(
        "digits の少数のラベル付き画像で分類器（ソフトマックス回帰）を学習し、ラベルなし画像のうち"
        "確信度の高い予測をクラスごとに上位から疑似ラベルとして加えて学習し直す。共訓練では画像の"
        "左半分と右半分を 2 つのビューとし、それぞれの分類器が相手の訓練データに疑似ラベルを加える。"
    ),
    syllabus=SYLLABUS_METHODS,
    params=(
        ChoiceParam(
            "method", "self_training", choices=("self_training", "co_training"), help="手法"
        ),
        IntParam("labelled", 30, min=10, max=500, help="ラベル付き画像の数"),
        IntParam("per_class", 10, min=1, max=100, help="1 回にクラスごとに加える疑似ラベルの数"),
        IntParam("rounds", 3, min=1, max=6, help="疑似ラベル付けの回数"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def self_training(method: str, labelled: int, per_class: int, rounds: int, seed: int) -> DemoResult:
    x_train, t_train, x_test, t_test = _digits_split(seed)
    order = np.random.default_rng(seed).permutation(len(x_train))
    lab, unlab = order[:labelled], order[labelled:]
    views = [VIEWS[0]] if method == "self_training" else [VIEWS[1], VIEWS[2]]
    # Each view keeps its own training set: image indices and their (pseudo) labels.
    sets = [(list(lab), list(t_train[lab])) for _ in views]

    def fit_and_test():
        models = [
            _softmax_classifier(x_train[np.array(idx)][:, v], np.array(labels_))
            for v, (idx, labels_) in zip(views, sets, strict=True)
        ]
        probs = sum(
            functions.softmax(m.forward(x_test[:, v])) for m, v in zip(models, views, strict=True)
        )
        return models, float(np.mean(probs.argmax(axis=1) == t_test))

    remaining = np.array(unlab)
    history, added, correct = [], 0, 0
    for round_ in range(rounds + 1):
        models, accuracy = fit_and_test()
        history.append(accuracy)
        if round_ == rounds:
            break
        picked = np.zeros(remaining.size, dtype=bool)
        for i, (model, v) in enumerate(zip(models, views, strict=True)):
            probs = functions.softmax(model.forward(x_train[remaining][:, v]))
            predicted, confidence = probs.argmax(axis=1), probs.max(axis=1)
            # Self-training teaches itself; in co-training each view teaches the other one.
            receiver = sets[i] if method == "self_training" else sets[1 - i]
            for c in range(10):  # the most confident per class, so no class takes over
                candidates = np.flatnonzero((predicted == c) & ~picked)
                top = candidates[np.argsort(-confidence[candidates], kind="stable")[:per_class]]
                receiver[0].extend(remaining[top])
                receiver[1].extend(predicted[top])
                picked[top] = True
                added += top.size
                correct += int(np.sum(t_train[remaining[top]] == c))
        remaining = remaining[~picked]
    pseudo_accuracy = correct / added if added else 0.0
    name = "自己訓練" if method == "self_training" else "共訓練（左半分と右半分の 2 ビュー）"
    narrative = "\n".join(
        [
            f"ラベル付き {labelled} 枚、ラベルなし {len(unlab)} 枚で **{name}** を {rounds} 回行った"
            f"（1 回にクラスごと {per_class} 枚まで）。",
            "",
            f"- ラベル付きデータだけで学習したテスト精度: {history[0]:.4f}",
            f"- 疑似ラベルを加えて学習したテスト精度: **{history[-1]:.4f}**",
            f"- 加えた疑似ラベル: {added} 枚（うち正しいもの {pseudo_accuracy:.1%}）",
            "",
            "確信度の高い予測だけを疑似ラベルにするのは、誤ったラベルで学習すると誤りが強化される"
            "（確証バイアス）からである。共訓練は、互いに補い合う 2 つのビューで別々の分類器を作り、"
            "一方が自信を持って付けたラベルで他方を教える。",
        ]
    )
    plot = Plot(
        kind="line",
        title="テスト精度（0 回目はラベル付きデータのみ）",
        x=list(range(rounds + 1)),
        series={"accuracy": history},
        x_label="round",
    )
    return DemoResult(
        values={
            "baseline_accuracy": history[0],
            "final_accuracy": history[-1],
            "improvement": history[-1] - history[0],
            "accuracy_history": history,
            "pseudo_labels": added,
            "pseudo_label_accuracy": pseudo_accuracy,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- contrastive self-supervised learning ---------------------------------------------------------


@demo(
    "contrastive-infonce",
    title="自己教師あり学習：対照学習の InfoNCE（NT-Xent）損失",
    description=(
        "N 個のデータのそれぞれから 2 つのビュー（同じ埋め込みにノイズを加えたもの）を作り、"
        "SimCLR の NT-Xent 損失を計算する。正例の組を崩した場合や、全く区別できない場合と比べる。"
    ),
    syllabus=SYLLABUS_METHODS,
    params=(
        IntParam("n", 8, min=2, max=256, help="データの数 N（ビューは 2N 個）"),
        IntParam("dim", 16, min=2, max=256, help="埋め込みの次元"),
        FloatParam(
            "noise", 0.3, min=0.0, max=10.0, help="ビューを作るときに加えるノイズの標準偏差"
        ),
        FloatParam("temperature", 0.5, min=0.01, max=10.0, help="温度 τ"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def contrastive_infonce(
    n: int, dim: int, noise: float, temperature: float, seed: int
) -> DemoResult:
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((n, dim))
    z1 = base + noise * rng.standard_normal((n, dim))
    z2 = base + noise * rng.standard_normal((n, dim))
    loss = metric_learning.nt_xent(z1, z2, temperature)
    shuffled = metric_learning.nt_xent(z1, np.roll(z2, 1, axis=0), temperature)
    collapsed = metric_learning.nt_xent(np.ones((n, dim)), np.ones((n, dim)), temperature)
    sim = metric_learning.cosine_similarity_matrix(z1, z2)
    positive = float(np.mean(np.diag(sim)))
    negative = float((sim.sum() - np.trace(sim)) / (n * n - n))
    temperatures = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
    curve = [metric_learning.nt_xent(z1, z2, t) for t in temperatures]
    narrative = "\n".join(
        [
            f"N = {n} 個のデータから 2 ビューずつ、計 {2 * n} 個の埋め込みを作った。各埋め込みにとって、"
            f"正例は同じデータのもう一方のビュー 1 個、負例は残りの {2 * n - 2} 個。",
            "",
            f"- 正例どうしのコサイン類似度の平均 {positive:.4f}、異なるデータどうし {negative:.4f}",
            f"- NT-Xent 損失（τ = {temperature:g}）: **{loss:.4f}**",
            f"- 正例の組を 1 つずらして崩した場合: {shuffled:.4f}",
            f"- 全部同じ埋め込み（区別できない）場合: {collapsed:.4f} $= \\log(2N - 1) = \\log {2 * n - 1}$",
            "",
            "損失は正例を当てる $(2N-1)$ クラス分類のクロスエントロピー。正例が近く負例が遠いほど小さい。",
        ]
    )
    plot = Plot(
        kind="line",
        title="温度 τ と NT-Xent 損失",
        x=temperatures,
        series={"loss": curve},
        x_label="τ",
    )
    return DemoResult(
        values={
            "loss": loss,
            "loss_shuffled": shuffled,
            "loss_collapsed": collapsed,
            "log_2n_minus_1": float(np.log(2 * n - 1)),
            "positive_similarity": positive,
            "negative_similarity": negative,
            "negatives_per_anchor": 2 * n - 2,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- active learning ----------------------------------------------------------------------------


def uncertainty_scores(probs: np.ndarray) -> dict[str, np.ndarray]:
    """Uncertainty of each row of class probabilities (higher = more worth labelling):

    least confidence 1 − max_k p_k;  margin −(p₍₁₎ − p₍₂₎) (a small gap between the two most
    probable classes is uncertain);  entropy −Σ_k p_k log p_k.
    """
    ordered = np.sort(probs, axis=1)[:, ::-1]
    return {
        "least_confidence": 1 - ordered[:, 0],
        "margin": -(ordered[:, 0] - ordered[:, 1]),
        "entropy": -np.sum(probs * np.log(np.maximum(probs, np.finfo(float).tiny)), axis=1),
    }


@demo(
    "active-uncertainty-sampling",
    title="能動学習：不確実性サンプリング",
    description=(
        "ラベルなしデータ（行）ごとのモデルの予測確率から、最小確信度・マージン・エントロピーの"
        "3 つの基準で不確実さを計算し、次にラベルを付けてもらうデータを選ぶ。"
    ),
    syllabus=SYLLABUS_METHODS,
    params=(
        MatrixParam(
            "probs",
            [[0.9, 0.05, 0.05], [0.5, 0.45, 0.05], [0.4, 0.3, 0.3], [0.6, 0.2, 0.2]],
            min=0.0,
            max=1.0,
            max_rows=64,
            help="各データの予測確率（行の和が 1）",
        ),
    ),
)
def active_uncertainty(probs) -> DemoResult:
    p = np.asarray(probs, dtype=np.float64)
    if p.shape[1] < 2:
        raise ParameterError(
            "In demo active-uncertainty-sampling probs needs at least two classes per row."
        )
    if not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise ParameterError(
            "In demo active-uncertainty-sampling every row of probs must sum to 1."
        )
    scores = uncertainty_scores(p)
    chosen = {name: int(np.argmax(s)) for name, s in scores.items()}
    narrative = "\n".join(
        [
            f"{p.shape[0]} 個のラベルなしデータについて不確実さを計算し、最も不確実なものを選んだ（番号は 0 始まり）。",
            "",
            f"- 最小確信度 $1 - \\max_k p_k$: {np.round(scores['least_confidence'], 4).tolist()} → データ {chosen['least_confidence']}",
            f"- マージン（上位 2 クラスの確率の差が小さいほど不確実）: {np.round(-scores['margin'], 4).tolist()} → データ {chosen['margin']}",
            f"- エントロピー $-\\sum_k p_k \\log p_k$: {np.round(scores['entropy'], 4).tolist()} → データ {chosen['entropy']}",
            "",
            "モデルが迷っているデータからラベルを付けてもらえば、少ないラベル付けのコストで精度を上げやすい。"
            "基準によって選ばれるデータが変わることがある。",
        ]
    )
    return DemoResult(
        values={
            "least_confidence": scores["least_confidence"].tolist(),
            "margin_gap": (-scores["margin"]).tolist(),
            "entropy": scores["entropy"].tolist(),
            "chosen_least_confidence": chosen["least_confidence"],
            "chosen_margin": chosen["margin"],
            "chosen_entropy": chosen["entropy"],
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="エントロピー",
                x=[f"データ {i}" for i in range(p.shape[0])],
                series={"entropy": scores["entropy"].tolist()},
            )
        ],
    )


# --- metric learning ----------------------------------------------------------------------------


@demo(
    "metric-triplet-loss",
    title="距離学習：Triplet loss",
    description="アンカー・正例・負例の埋め込みから Triplet loss max(0, d(a,p) − d(a,n) + m) を計算する。",
    syllabus=SYLLABUS_METHODS,
    params=(
        ListParam(
            "anchor", [0.0, 0.0], min=-1e3, max=1e3, max_length=64, help="アンカーの埋め込み a"
        ),
        ListParam(
            "positive",
            [0.6, 0.8],
            min=-1e3,
            max=1e3,
            max_length=64,
            help="正例（同じクラス）の埋め込み p",
        ),
        ListParam(
            "negative",
            [1.2, 0.5],
            min=-1e3,
            max=1e3,
            max_length=64,
            help="負例（違うクラス）の埋め込み n",
        ),
        FloatParam("margin", 0.5, min=0.0, max=100.0, help="マージン m"),
        BoolParam("squared", False, help="距離の 2 乗を使う（FaceNet の形）"),
    ),
)
def triplet_loss_demo(anchor, positive, negative, margin: float, squared: bool) -> DemoResult:
    if not len(anchor) == len(positive) == len(negative):
        raise ParameterError(
            "In demo metric-triplet-loss anchor, positive and negative must have the same length."
        )
    loss, d_ap, d_an = metric_learning.triplet_loss(anchor, positive, negative, margin, squared)
    d = "d^2" if squared else "d"
    narrative = "\n".join(
        [
            f"- ${d}(a, p) = {d_ap[0]:.6g}$、${d}(a, n) = {d_an[0]:.6g}$、マージン $m = {margin:g}$",
            f"- $L = \\max(0, {d}(a,p) - {d}(a,n) + m) = \\max(0, {d_ap[0] - d_an[0] + margin:.6g})$ = **{loss:.6g}**",
            "",
            "負例が正例よりマージン以上遠ければ損失は 0 で、勾配も 0（そのトリプレットからは学ばない）。"
            "そうでなければ正例を近づけ負例を遠ざける向きに勾配が流れる。",
        ]
    )
    return DemoResult(
        values={
            "d_ap": float(d_ap[0]),
            "d_an": float(d_an[0]),
            "loss": loss,
            "active": bool(loss > 0),
        },
        narrative=narrative,
    )


@demo(
    "metric-contrastive-loss",
    title="距離学習：Contrastive loss（Siamese network）",
    description=(
        "2 つの埋め込みの距離 d から Contrastive loss ½[y d² + (1 − y) max(0, m − d)²] を計算する"
        "（y = 1 は同じクラスの組）。"
    ),
    syllabus=SYLLABUS_METHODS,
    params=(
        ListParam("x1", [0.0, 0.0], min=-1e3, max=1e3, max_length=64, help="1 つ目の埋め込み"),
        ListParam("x2", [0.3, 0.4], min=-1e3, max=1e3, max_length=64, help="2 つ目の埋め込み"),
        BoolParam("similar", False, help="同じクラスの組か（y = 1）"),
        FloatParam("margin", 1.0, min=0.0, max=100.0, help="マージン m"),
    ),
)
def contrastive_loss_demo(x1, x2, similar: bool, margin: float) -> DemoResult:
    if len(x1) != len(x2):
        raise ParameterError("In demo metric-contrastive-loss x1 and x2 must have the same length.")
    loss, dx1, _ = metric_learning.contrastive_loss([x1], [x2], [1.0 if similar else 0.0], margin)
    distance = float(metric_learning.euclidean_distance([x1], [x2])[0])
    grid = np.linspace(0, 2 * max(margin, 0.5), 41)
    pos = [0.5 * d**2 for d in grid]
    neg = [0.5 * max(0.0, margin - d) ** 2 for d in grid]
    narrative = "\n".join(
        [
            f"距離 $d = {distance:.6g}$、{'同じクラス (y = 1)' if similar else '違うクラス (y = 0)'}、マージン $m = {margin:g}$。",
            "",
            f"損失 $L = \\frac{{1}}{{2}}[y d^2 + (1 - y)\\max(0, m - d)^2]$ = **{loss:.6g}**",
            "",
            "同じクラスの組は距離が 0 になるまで引き寄せられ、違うクラスの組は距離がマージン m を超えると"
            "損失 0 になり、それ以上は押し離されない。",
        ]
    )
    plot = Plot(
        kind="line",
        title="距離と損失",
        x=grid.tolist(),
        series={"y = 1（同じ）": pos, "y = 0（違う）": neg},
        x_label="d",
    )
    return DemoResult(
        values={"distance": distance, "loss": loss, "grad_x1": dx1[0].tolist()},
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "metric-siamese-train",
    title="距離学習：重みを共有する Siamese network の学習",
    description=(
        "digits の画像の組を同じ Affine 層（重み共有）で 2 次元に埋め込み、Contrastive loss で学習する。"
        "2 つの枝の勾配は共有する重みの上で足し合わされる。"
    ),
    syllabus=SYLLABUS_METHODS,
    params=(
        IntParam("steps", 150, min=0, max=1000, help="学習のステップ数"),
        FloatParam("margin", 1.0, min=0.1, max=10.0, help="マージン m"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def siamese_train(steps: int, margin: float, seed: int) -> DemoResult:
    x_train, t_train, x_test, t_test = _digits_split(seed)
    rng = np.random.default_rng(seed)
    W, b = rng.standard_normal((64, 2)) * 0.1, np.zeros(2)
    # Two branches, one set of weights: both Affine layers hold the very same arrays W and b.
    branch1, branch2 = Affine(W, b), Affine(W, b)
    optimizer = optim.Adam(lr=0.01)

    def pairs(x, t, count, generator):
        i = generator.integers(0, len(x), count)
        same = generator.random(count) < 0.5
        j = np.array(
            [
                generator.choice(np.flatnonzero(t == t[a])) if s else generator.integers(0, len(x))
                for a, s in zip(i, same, strict=True)
            ]
        )
        return x[i], x[j], (t[i] == t[j]).astype(np.float64)

    test_pairs = pairs(x_test, t_test, 400, np.random.default_rng(seed + 1))

    def mean_distances():
        d = metric_learning.euclidean_distance(
            branch1.forward(test_pairs[0]), branch2.forward(test_pairs[1])
        )
        return float(d[test_pairs[2] == 1].mean()), float(d[test_pairs[2] == 0].mean())

    before = mean_distances()
    branch_sum_error = 0.0
    for step in range(steps):
        a, c, y = pairs(x_train, t_train, 64, rng)
        _, g1, g2 = metric_learning.contrastive_loss(
            branch1.forward(a), branch2.forward(c), y, margin
        )
        branch1.backward(g1)
        branch2.backward(g2)
        dW, db = branch1.dW + branch2.dW, branch1.db + branch2.db  # the shared weight gets both
        if step == 0:
            branch_sum_error = float(np.abs(dW - (a.T @ g1 + c.T @ g2)).max())
        optimizer.update({"W": W, "b": b}, {"W": dW, "b": db})
    after = mean_distances()
    narrative = "\n".join(
        [
            f"同じ重みの Affine 層（64 → 2）で画像の組を埋め込み、Contrastive loss（m = {margin:g}）で {steps} ステップ学習した。",
            "",
            f"- 学習前: 同じ数字の組の平均距離 {before[0]:.4f}、違う数字の組 {before[1]:.4f}",
            f"- 学習後: 同じ数字の組 **{after[0]:.4f}**、違う数字の組 **{after[1]:.4f}**",
            "",
            "重みを共有するので、2 つの枝の勾配 $x_1^\\top g_1 + x_2^\\top g_2$ を足して 1 つの重みを更新する。",
        ]
    )
    return DemoResult(
        values={
            "same_distance_before": before[0],
            "different_distance_before": before[1],
            "same_distance_after": after[0],
            "different_distance_after": after[1],
            "ratio_after": after[1] / after[0],
            "branch_sum_error": branch_sum_error,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="テスト組の平均距離",
                x=["学習前", "学習後"],
                series={"同じ数字": [before[0], after[0]], "違う数字": [before[1], after[1]]},
            )
        ],
    )


# --- MAML ------------------------------------------------------------------------------------------


def _mse_grad(theta, x, y):
    """L(θ) = mean((θ₀ + θ₁x − y)²) and ∂L/∂θ through an engine Affine layer."""
    layer = Affine(np.array([[theta[1]]]), np.array([theta[0]]))
    pred = layer.forward(x[:, None])
    loss = functions.mean_squared_error(pred, y[:, None])
    layer.backward(2 * (pred - y[:, None]) / len(x))
    return float(loss), np.array([layer.db[0], layer.dW[0, 0]])


def _adapt(theta, x, y, alpha, steps):
    for _ in range(steps):
        theta = theta - alpha * _mse_grad(theta, x, y)[1]
    return theta


def _hessian(x):
    """∂²L/∂θ² of the MSE above: (2/n) X̃ᵀX̃ with X̃ = [1, x] — constant, the loss is quadratic."""
    design = np.stack([np.ones_like(x), x], axis=1)
    return 2 * design.T @ design / len(x)


def _sample_tasks(rng, count, shots):
    """Tasks y = a·x + b (a ~ U(0.5, 2.5), b ~ U(−1, 1)); support and query sets of ``shots``."""
    a, b = rng.uniform(0.5, 2.5, count), rng.uniform(-1, 1, count)
    xs, xq = rng.uniform(-1, 3, (count, shots)), rng.uniform(-1, 3, (count, shots))
    return [(xs[i], a[i] * xs[i] + b[i], xq[i], a[i] * xq[i] + b[i]) for i in range(count)]


def _meta_gradient(theta, task, alpha, steps, first_order):
    xs, ys, xq, yq = task
    adapted = _adapt(theta, xs, ys, alpha, steps)
    grad_query = _mse_grad(adapted, xq, yq)[1]
    if first_order:
        return grad_query  # FOMAML: treat θ' as if it did not depend on θ
    jacobian = np.linalg.matrix_power(np.eye(2) - alpha * _hessian(xs), steps)  # ∂θ'/∂θ
    return jacobian.T @ grad_query


@demo(
    "maml-linear-regression",
    title="MAML：1 次元回帰での内側・外側ループと 2 次の勾配",
    description=(
        "タスク y = a x + b の族で、直線 f(x) = θ₀ + θ₁x の初期値 θ を MAML で学習する。"
        "メタ勾配を 2 次の項まで（∂θ'/∂θ = I − αH）と 1 次近似（FOMAML）で計算し、数値微分と比べる。"
    ),
    syllabus=SYLLABUS_METHODS,
    params=(
        FloatParam("alpha", 0.1, min=0.001, max=0.3, help="内側ループの学習率 α"),
        IntParam("inner_steps", 1, min=1, max=5, help="内側ループの勾配降下の回数"),
        FloatParam("beta", 0.05, min=0.0001, max=1.0, help="外側ループの学習率 β"),
        IntParam("meta_steps", 200, min=0, max=2000, help="外側ループの回数"),
        IntParam("shots", 5, min=2, max=50, help="タスクごとのサポート・クエリのデータ数"),
        BoolParam("first_order", False, help="1 次近似（FOMAML）で外側ループを回す"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def maml_linear(
    alpha: float,
    inner_steps: int,
    beta: float,
    meta_steps: int,
    shots: int,
    first_order: bool,
    seed: int,
) -> DemoResult:
    rng = np.random.default_rng(seed)
    # The meta-gradient at θ = (0, 0) for one task, three ways.
    probe = _sample_tasks(rng, 1, shots)[0]
    theta0 = np.zeros(2)

    def meta_loss(theta):
        return _mse_grad(_adapt(theta, probe[0], probe[1], alpha, inner_steps), probe[2], probe[3])[
            0
        ]

    numerical = functions.numerical_gradient(meta_loss, theta0.copy())
    second = _meta_gradient(theta0, probe, alpha, inner_steps, first_order=False)
    first = _meta_gradient(theta0, probe, alpha, inner_steps, first_order=True)
    # Meta-training: the outer loop over batches of 4 tasks.
    theta = theta0.copy()
    for _ in range(meta_steps):
        tasks = _sample_tasks(rng, 4, shots)
        theta = theta - beta * np.mean(
            [_meta_gradient(theta, t, alpha, inner_steps, first_order) for t in tasks], axis=0
        )
    # Evaluation on new tasks: query loss after the inner loop, from the learned θ and from 0.
    test = _sample_tasks(np.random.default_rng(seed + 12345), 100, shots)

    def adapted_loss(start):
        return float(
            np.mean(
                [
                    _mse_grad(_adapt(start, xs, ys, alpha, inner_steps), xq, yq)[0]
                    for xs, ys, xq, yq in test
                ]
            )
        )

    loss_maml, loss_zero = adapted_loss(theta), adapted_loss(theta0)
    narrative = "\n".join(
        [
            f"内側ループ: $\\theta' = \\theta - \\alpha \\nabla L_{{\\text{{tr}}}}(\\theta)$ を {inner_steps} 回（α = {alpha:g}）。"
            "外側ループ: $\\theta \\leftarrow \\theta - \\beta \\nabla_\\theta L_{\\text{te}}(\\theta')$。",
            "",
            "θ = (0, 0) での 1 タスクのメタ勾配：",
            f"- 2 次まで（$(I - \\alpha H)^\\top \\nabla L_{{\\text{{te}}}}(\\theta')$）: {np.round(second, 6).tolist()}",
            f"- 1 次近似（FOMAML、$\\nabla L_{{\\text{{te}}}}(\\theta')$ のまま）: {np.round(first, 6).tolist()}",
            f"- 数値微分: {np.round(numerical, 6).tolist()}",
            "",
            f"メタ学習した初期値 θ = {np.round(theta, 4).tolist()}。新しいタスクで内側ループ後のクエリ損失は "
            f"**{loss_maml:.4f}**（初期値 0 からだと {loss_zero:.4f}）。",
        ]
    )
    return DemoResult(
        values={
            "meta_grad_second_order": second.tolist(),
            "meta_grad_first_order": first.tolist(),
            "meta_grad_numerical": numerical.tolist(),
            "second_order_error": float(np.abs(second - numerical).max()),
            "first_order_error": float(np.abs(first - numerical).max()),
            "theta": theta.tolist(),
            "adapted_loss_maml": loss_maml,
            "adapted_loss_zero_init": loss_zero,
        },
        narrative=narrative,
    )


# --- GCN ---------------------------------------------------------------------------------------------


@demo(
    "gcn-layer",
    title="GCN：正規化した隣接行列による 1 層のグラフ畳み込み",
    description="隣接行列 A から Â = D̃^(−1/2)(A + I)D̃^(−1/2) を作り、H' = ReLU(Â H W) を計算する。",
    syllabus=SYLLABUS_METHODS,
    params=(
        MatrixParam(
            "A",
            [[0, 1, 0, 0], [1, 0, 1, 1], [0, 1, 0, 0], [0, 1, 0, 0]],
            min=0.0,
            max=1.0,
            help="隣接行列（対称）",
        ),
        MatrixParam(
            "H",
            [[1.0], [2.0], [3.0], [4.0]],
            min=-1e3,
            max=1e3,
            help="ノードの特徴量（ノード数 × 特徴数）",
        ),
        MatrixParam("W", [[1.0]], min=-1e3, max=1e3, help="重み（特徴数 × 出力の特徴数）"),
        BoolParam("self_loops", True, help="自己ループ A + I を加える"),
        BoolParam("relu", True, help="出力に ReLU をかける"),
    ),
)
def gcn_layer_demo(A, H, W, self_loops: bool, relu: bool) -> DemoResult:
    adjacency, features, weights = (np.asarray(m, dtype=np.float64) for m in (A, H, W))
    n = adjacency.shape[0]
    if adjacency.shape != (n, n) or not np.array_equal(adjacency, adjacency.T):
        raise ParameterError("In demo gcn-layer A must be a symmetric square matrix.")
    if features.shape[0] != n:
        raise ParameterError(f"In demo gcn-layer H must have one row per node ({n}).")
    if weights.shape[0] != features.shape[1]:
        raise ParameterError(
            f"In demo gcn-layer W must have one row per feature of H ({features.shape[1]})."
        )
    a_hat = graph.normalized_adjacency(adjacency, self_loops)
    out = graph.gcn_layer(adjacency, features, weights, "relu" if relu else None, self_loops)
    degree = (adjacency + (np.eye(n) if self_loops else 0)).sum(axis=1)
    relu_name = "\\mathrm{ReLU}" if relu else ""
    narrative = "\n".join(
        [
            f"ノード {n} 個のグラフ。{'自己ループを加えた' if self_loops else ''}次数 $\\tilde{{d}}$ = {degree.tolist()}。",
            "",
            f"$\\hat{{A}}_{{ij}} = \\tilde{{A}}_{{ij}} / \\sqrt{{\\tilde{{d}}_i \\tilde{{d}}_j}}$ → {np.round(a_hat, 4).tolist()}",
            "",
            f"$H' = {relu_name}(\\hat{{A}} H W)$ → {np.round(out, 4).tolist()}",
            "",
            "各ノードの新しい特徴は、自分と隣接ノードの特徴を次数で正規化して足し合わせ、全ノード共通の W で変換したもの。",
        ]
    )
    return DemoResult(
        values={"a_hat": a_hat.tolist(), "degree": degree.tolist(), "output": out.tolist()},
        narrative=narrative,
        plots=[Plot(kind="heatmap", title="正規化した隣接行列 Â", z=a_hat.tolist())],
    )
