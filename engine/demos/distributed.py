"""Demos on distributed training (syllabus 5-2): synchronous data parallelism, stale gradients
of asynchronous SGD, model parallelism, ring all-reduce versus a parameter server, and
Federated Averaging.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from engine import functions, optim, parallel
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
from engine.layers import Affine, Relu, SoftmaxWithLoss
from engine.nets import MultiLayerNet

SYLLABUS_DIST = ("5-2 分散処理",)


@cache
def _digits(seed: int):
    (x_train, t_train), (x_test, t_test) = load_digits(seed=seed)
    for array in (x_train, t_train, x_test, t_test):
        array.flags.writeable = False
    return x_train, t_train, x_test, t_test


# --- data parallelism ------------------------------------------------------------------------------


@demo(
    "dist-data-parallel",
    title="データ並列（同期型）：k 台の勾配の平均 ＝ 大きなミニバッチの勾配",
    description=(
        "digits のミニバッチを k 台のワーカーに分け、同じ重みのネット（64-32-10）で各ワーカーが"
        "自分の分の勾配を計算し、平均する。ミニバッチ全体で 1 台が計算した勾配と比べる。"
    ),
    syllabus=SYLLABUS_DIST,
    params=(
        IntParam("workers", 4, min=1, max=64, help="ワーカー数 k"),
        IntParam("batch", 128, min=1, max=1024, help="ミニバッチ全体の大きさ"),
        BoolParam("weighted", True, help="データ数で重み付けして平均する（False なら単純平均）"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def data_parallel(workers: int, batch: int, weighted: bool, seed: int) -> DemoResult:
    if workers > batch:
        raise ParameterError(
            "In demo dist-data-parallel workers must not exceed batch (every worker needs data)."
        )
    x_train, t_train, _, _ = _digits(seed)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(x_train), batch, replace=False)
    x, t = x_train[chosen], t_train[chosen]
    net = MultiLayerNet(64, [32], 10, seed=seed)  # every worker holds a copy of these weights

    def grad_fn(xs, ts):
        return net.gradient(xs, ts)

    averaged, per_worker, sizes = parallel.data_parallel_gradient(grad_fn, x, t, workers, weighted)
    full = {key: value.copy() for key, value in net.gradient(x, t).items()}
    max_diff = max(float(np.abs(averaged[k] - full[k]).max()) for k in full)
    max_grad = max(float(np.abs(full[k]).max()) for k in full)
    norms = [float(np.sqrt(sum(np.sum(g[k] ** 2) for k in g))) for g in per_worker]
    narrative = "\n".join(
        [
            f"ミニバッチ {batch} 個を {workers} 台に分けた（各ワーカー {sizes} 個）。各ワーカーは同じ重みで自分の分の"
            "平均損失の勾配を計算し、"
            + ("データ数で重み付けして平均した。" if weighted else "単純に平均した。"),
            "",
            f"- 平均した勾配と、ミニバッチ全体の勾配との差の最大値: **{max_diff:.3e}**（勾配の大きさの最大 {max_grad:.3g}）",
            f"- ワーカーごとの勾配のノルム: {np.round(norms, 4).tolist()}",
            "",
            "平均損失の勾配は各サンプルの勾配の平均なので、分けて計算して（データ数で重み付けして）平均しても"
            "全く同じになる。同期型では全ワーカーの勾配がそろうまで待ってから、全員が同じ更新をする。",
        ]
    )
    return DemoResult(
        values={
            "max_abs_diff": max_diff,
            "max_abs_grad": max_grad,
            "shard_sizes": sizes,
            "worker_grad_norms": norms,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="ワーカーごとの勾配のノルム",
                x=[f"worker {i}" for i in range(workers)],
                series={"norm": norms},
            )
        ],
    )


# --- asynchronous SGD: stale gradients ------------------------------------------------------------


def _regression_problem(seed: int):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((64, 2)) * np.array([1.0, 3.0])  # an elongated valley
    y = x @ np.array([1.5, -0.5]) + 0.1 * rng.standard_normal(64)
    return x, y


@demo(
    "dist-async-staleness",
    title="データ並列（非同期型）：古い勾配（staleness）の影響",
    description=(
        "線形回帰を勾配降下法で学習する。非同期型では、ワーカーが勾配を計算している間に他のワーカーの"
        "更新が τ 回進むので、τ ステップ前のパラメータで計算した勾配で更新することになる。"
    ),
    syllabus=SYLLABUS_DIST,
    params=(
        IntParam("staleness", 4, min=0, max=50, help="勾配の古さ τ（ステップ数）"),
        FloatParam("lr", 0.05, min=1e-4, max=1.0, help="学習率 η"),
        IntParam("steps", 100, min=1, max=2000, help="更新の回数"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="データの乱数シード"),
    ),
)
def async_staleness(staleness: int, lr: float, steps: int, seed: int) -> DemoResult:
    x, y = _regression_problem(seed)
    layer = Affine(np.zeros((2, 1)), np.zeros(1))

    def loss(theta):
        layer.W[:, 0] = theta
        return float(functions.mean_squared_error(layer.forward(x), y[:, None]))

    def grad(theta):
        layer.W[:, 0] = theta
        prediction = layer.forward(x)
        layer.backward(2 * (prediction - y[:, None]) / len(x))
        return layer.dW[:, 0].copy()

    optimum = np.linalg.lstsq(x, y, rcond=None)[0]
    best = loss(optimum)
    curves = {}
    for tau in sorted({0, staleness}):
        path = parallel.stale_gradient_descent(grad, np.zeros(2), lr, steps, tau)
        curves[tau] = [loss(theta) - best for theta in path]
    final_gap = curves[staleness][-1]
    fresh_gap = curves[0][-1]
    diverged = not np.isfinite(final_gap) or final_gap > curves[staleness][0]
    narrative = "\n".join(
        [
            f"学習率 η = {lr:g} で {steps} 回更新した。最適解との損失の差：",
            "",
            f"- 同期型（τ = 0）: {fresh_gap:.3e}",
            f"- 非同期型で τ = {staleness} ステップ古い勾配: **{final_gap:.3e}**"
            + ("（発散した）" if diverged else ""),
            "",
            "古い勾配は今のパラメータでの勾配とずれているので、同じ学習率でも振動・発散しやすい。"
            "非同期型は待ち時間がない代わりに、学習率を下げるなどの対策が要る。",
        ]
    )
    clipped = {tau: [min(v, 1e6) for v in curve] for tau, curve in curves.items()}
    return DemoResult(
        values={
            "final_loss_gap": final_gap if np.isfinite(final_gap) else 1e300,
            "sync_final_loss_gap": fresh_gap,
            "diverged": bool(diverged),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="最適解との損失の差",
                x=list(range(steps + 1)),
                series={f"τ = {tau}": curve for tau, curve in clipped.items()},
                x_label="step",
            )
        ],
    )


# --- model parallelism ---------------------------------------------------------------------------


@demo(
    "dist-model-parallel",
    title="モデル並列：層ごとの分割とテンソルの分割",
    description=(
        "2 層のネットを 2 台の装置に分ける。層ごとに分ける（パイプライン）場合は中間の活性を送り、"
        "重み行列を列ごとに分ける（テンソル並列）場合は各装置が出力の一部を計算して連結する。"
        "どちらも 1 台で計算した出力と一致することを確かめる。"
    ),
    syllabus=SYLLABUS_DIST,
    params=(
        IntParam("batch", 32, min=1, max=512, help="バッチサイズ"),
        IntParam("hidden", 256, min=2, max=2048, help="中間層のユニット数（偶数）"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def model_parallel(batch: int, hidden: int, seed: int) -> DemoResult:
    if hidden % 2:
        raise ParameterError(
            "In demo dist-model-parallel hidden must be even, to split it between two devices."
        )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, 64))
    W1, b1 = rng.standard_normal((64, hidden)) * 0.1, np.zeros(hidden)
    W2, b2 = rng.standard_normal((hidden, 10)) * 0.1, np.zeros(10)
    single = Affine(W2, b2).forward(Relu().forward(Affine(W1, b1).forward(x)))
    # Pipeline (layer-wise): device 0 holds layer 1, device 1 holds layer 2.
    activation = Relu().forward(Affine(W1, b1).forward(x))  # on device 0
    sent_pipeline = activation.size  # sent from device 0 to device 1
    pipeline = Affine(W2, b2).forward(activation)  # on device 1
    # Tensor parallel: each device holds half the columns of W1 and the matching rows of W2.
    half = hidden // 2
    parts = [
        Affine(W2[s], np.zeros(10)).forward(Relu().forward(Affine(W1[:, s], b1[s]).forward(x)))
        for s in (slice(0, half), slice(half, hidden))
    ]
    tensor = parts[0] + parts[1] + b2  # an all-reduce (sum) of the two partial outputs
    sent_tensor = parts[1].size
    params_total = W1.size + b1.size + W2.size + b2.size
    narrative = "\n".join(
        [
            f"ネット 64 → {hidden} → 10（パラメータ {params_total:,} 個）を 2 台に分けた。",
            "",
            f"- 層ごとの分割：装置 0 が 1 層目、装置 1 が 2 層目。送るのは中間の活性 {batch}×{hidden} = {sent_pipeline:,} 個。"
            f"1 台との差の最大 {np.abs(pipeline - single).max():.1e}",
            f"- テンソル（行列）の分割：各装置が中間ユニットの半分ずつを持ち、部分的な出力 {batch}×10 を足し合わせる"
            f"（送るのは {sent_tensor:,} 個）。1 台との差の最大 {np.abs(tensor - single).max():.1e}",
            "",
            "モデル並列は 1 台のメモリに載らない大きなモデルのための方法。データ並列と違い、"
            "各装置はモデルの一部だけを持ち、同じデータを順に、または分担して処理する。",
        ]
    )
    return DemoResult(
        values={
            "pipeline_max_diff": float(np.abs(pipeline - single).max()),
            "tensor_max_diff": float(np.abs(tensor - single).max()),
            "pipeline_sent": int(sent_pipeline),
            "tensor_sent": int(sent_tensor),
            "params_total": int(params_total),
            "params_device0_pipeline": int(W1.size + b1.size),
            "params_device1_pipeline": int(W2.size + b2.size),
        },
        narrative=narrative,
    )


# --- communication: all-reduce versus a parameter server ---------------------------------------------


@demo(
    "dist-allreduce",
    title="Ring All-Reduce とパラメータサーバの通信量",
    description=(
        "k 台のワーカーの勾配（N 要素）の和を、リング状に隣へ送る Ring All-Reduce（Reduce-Scatter と"
        "All-Gather）でメッセージ単位にシミュレートし、各ワーカーが送った要素数を数える。"
        "パラメータサーバ方式の通信量と比べる。"
    ),
    syllabus=SYLLABUS_DIST,
    params=(
        IntParam("workers", 4, min=1, max=64, help="ワーカー数 k"),
        IntParam("elements", 1000000, min=1, max=10_000_000, help="勾配の要素数 N"),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="勾配の乱数シード"),
    ),
)
def allreduce(workers: int, elements: int, seed: int) -> DemoResult:
    if elements < workers:
        raise ParameterError(
            "In demo dist-allreduce elements must be at least workers (one chunk per worker)."
        )
    rng = np.random.default_rng(seed)
    size = min(elements, 4096)  # simulate with a short vector, then count for N elements
    grads = [rng.standard_normal(size) for _ in range(workers)]
    result = parallel.ring_allreduce(grads)
    expected = np.sum(grads, axis=0)
    error = max(float(np.abs(out - expected).max()) for out in result.outputs)
    # The simulation's counts scale exactly with N when N is a multiple of k: count per element.
    sent_per_element = max(result.sent_per_worker) / size
    ring_sent = parallel.ring_allreduce_volume(elements, workers)
    ps = parallel.parameter_server_volume(elements, workers)
    narrative = "\n".join(
        [
            f"{workers} 台のワーカーが {size:,} 要素の勾配を Ring All-Reduce で合計した（{result.steps} ステップ）。"
            f"全員が同じ和を得た（誤差の最大 {error:.1e}）。",
            "",
            f"- 各ワーカーが送った要素数: {result.sent_per_worker}（= $2(k-1)/k \\cdot N$ = {2 * (workers - 1) / workers * size:,.1f}）",
            f"- N = {elements:,} なら各ワーカーの送信量は **{ring_sent:,.0f}** 要素（k によらず 2N 未満）",
            f"- パラメータサーバ方式：各ワーカーは {ps['worker_sent']:,} 送り {ps['worker_received']:,} 受け取るが、"
            f"サーバは {ps['server_received']:,} 受け取り {ps['server_sent']:,} 送る（k に比例してサーバがボトルネックになる）",
        ]
    )
    ks = list(range(2, 17))
    return DemoResult(
        values={
            "max_error": error,
            "steps": result.steps,
            "sent_per_worker_simulated": result.sent_per_worker,
            "simulated_elements": size,
            "sent_fraction": sent_per_element,
            "ring_sent_per_worker": ring_sent,
            "ps_worker_sent": ps["worker_sent"],
            "ps_server_received": ps["server_received"],
            "ps_server_sent": ps["server_sent"],
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="1 ワーカーの送信量（N の何倍か）",
                x=ks,
                series={
                    "ring all-reduce": [2 * (k - 1) / k for k in ks],
                    "パラメータサーバ（サーバの受信）": [float(k) for k in ks],
                },
                x_label="k",
            )
        ],
    )


# --- federated learning ---------------------------------------------------------------------------------


@demo(
    "dist-fedavg",
    title="連合学習：Federated Averaging の重み付き平均",
    description="クライアントごとのモデルの重みを、クライアントが持つデータ数 n_k で重み付けして平均する。",
    syllabus=SYLLABUS_DIST,
    params=(
        MatrixParam(
            "client_weights",
            [[1.0, 2.0], [3.0, 0.0], [2.0, 4.0]],
            min=-1e6,
            max=1e6,
            help="行がクライアント、列がモデルのパラメータ",
        ),
        ListParam(
            "client_sizes",
            [100.0, 300.0, 600.0],
            min=0.0,
            max=1e9,
            help="各クライアントのデータ数 n_k",
        ),
    ),
)
def fedavg(client_weights, client_sizes) -> DemoResult:
    w = np.asarray(client_weights, dtype=np.float64)
    n = np.asarray(client_sizes, dtype=np.float64)
    if len(n) != w.shape[0]:
        raise ParameterError(
            "In demo dist-fedavg client_sizes needs one count per row of client_weights."
        )
    if n.sum() <= 0:
        raise ParameterError("In demo dist-fedavg client_sizes must not all be zero.")
    averaged = parallel.federated_average([{"w": row} for row in w], n)["w"]
    plain = w.mean(axis=0)
    narrative = "\n".join(
        [
            f"クライアント {w.shape[0]} 台、データ数 {n.astype(int).tolist()}（計 {int(n.sum())}）。",
            "",
            f"- $w = \\sum_k \\frac{{n_k}}{{n}} w_k$ = **{np.round(averaged, 6).tolist()}**",
            f"- 単純平均なら {np.round(plain, 6).tolist()}",
            "",
            "データ数の多いクライアントのモデルほど大きく反映される。サーバに送られるのはモデル（重み）だけで、"
            "データはクライアントから出ない。",
        ]
    )
    return DemoResult(
        values={
            "averaged": averaged.tolist(),
            "plain_mean": plain.tolist(),
            "fractions": (n / n.sum()).tolist(),
        },
        narrative=narrative,
    )


@demo(
    "dist-fedavg-train",
    title="連合学習：Federated Averaging で digits を学習する",
    description=(
        "digits の訓練データを K 台のクライアントに分け（IID または ラベルの偏った non-IID）、各ラウンドで"
        "クライアントがソフトマックス回帰を手元のデータで E エポック学習し、サーバがデータ数で重み付けして平均する。"
    ),
    syllabus=SYLLABUS_DIST,
    params=(
        IntParam("clients", 5, min=1, max=20, help="クライアント数 K"),
        IntParam("rounds", 10, min=1, max=50, help="通信ラウンド数"),
        IntParam("local_epochs", 1, min=1, max=10, help="各ラウンドのローカルのエポック数 E"),
        ChoiceParam(
            "split",
            "iid",
            choices=("iid", "non_iid"),
            help="データの分け方（non_iid: 各クライアントが 2 種類の数字だけを持つ）",
        ),
        IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード"),
    ),
)
def fedavg_train(clients: int, rounds: int, local_epochs: int, split: str, seed: int) -> DemoResult:
    x_train, t_train, x_test, t_test = _digits(seed)
    rng = np.random.default_rng(seed)
    if split == "iid":
        shards = np.array_split(rng.permutation(len(x_train)), clients)
    else:  # sorted by label and dealt out in 2·K blocks: each client sees about two digits
        blocks = np.array_split(np.argsort(t_train, kind="stable"), 2 * clients)
        order = rng.permutation(2 * clients)
        shards = [
            np.concatenate([blocks[order[2 * c]], blocks[order[2 * c + 1]]]) for c in range(clients)
        ]
    sizes = [len(s) for s in shards]
    global_params = {"W": np.zeros((64, 10)), "b": np.zeros(10)}
    history = []
    for _ in range(rounds):
        local = []
        for shard in shards:
            layer, loss = (
                Affine(global_params["W"].copy(), global_params["b"].copy()),
                SoftmaxWithLoss(),
            )
            optimizer = optim.SGD(lr=0.5)
            for _ in range(local_epochs):
                for batch in np.array_split(rng.permutation(shard), max(1, len(shard) // 32)):
                    loss.forward(layer.forward(x_train[batch]), t_train[batch])
                    layer.backward(loss.backward())
                    optimizer.update({"W": layer.W, "b": layer.b}, {"W": layer.dW, "b": layer.db})
            local.append({"W": layer.W, "b": layer.b})
        global_params = parallel.federated_average(local, sizes)
        scores = Affine(global_params["W"], global_params["b"]).forward(x_test)
        history.append(float(np.mean(scores.argmax(axis=1) == t_test)))
    n_params = global_params["W"].size + global_params["b"].size
    narrative = "\n".join(
        [
            f"{clients} 台のクライアント（{'IID' if split == 'iid' else 'non-IID：各クライアントがほぼ 2 種類の数字だけ'}、"
            f"データ数 {sizes}）で {rounds} ラウンド、各ラウンド E = {local_epochs} エポックのローカル学習。",
            "",
            f"- 最終ラウンド後のグローバルモデルのテスト精度: **{history[-1]:.4f}**",
            f"- 1 ラウンドの通信：各クライアントが {n_params:,} 個の重みを受け取り、{n_params:,} 個を送る（データは送らない）",
            "",
            "non-IID ではクライアントごとのモデルが別々の方向に学習されるので、平均したモデルの精度が上がりにくい。",
        ]
    )
    return DemoResult(
        values={
            "accuracy_history": history,
            "final_accuracy": history[-1],
            "client_sizes": sizes,
            "params_per_message": int(n_params),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title="グローバルモデルのテスト精度",
                x=list(range(1, rounds + 1)),
                series={"accuracy": history},
                x_label="round",
            )
        ],
    )
