"""Demos on recurrent networks: the RNN's forward pass and shapes, BPTT and the gradient's
norm over time, gradient clipping, the LSTM's gates and cell state, the GRU's gates,
bidirectional RNNs, and seq2seq on a toy task (with and without teacher forcing, with and
without attention). Every cell is engine.rnn's; these demos only wire and read them.
"""

from __future__ import annotations

import numpy as np

from engine import optim
from engine.demos.registry import (
    BoolParam,
    ChoiceParam,
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)
from engine.generative import reparameterize
from engine.init import xavier
from engine.layers import Affine, SoftmaxWithLoss
from engine.rnn import GRU, LSTM, TimeBidirectional, TimeGRU, TimeLSTM, TimeRNN
from engine.transformer import scaled_dot_product_attention

SYLLABUS_RNN = ("3-5 リカレントニューラルネットワーク",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")
TIME_LAYERS = {"rnn": TimeRNN, "lstm": TimeLSTM, "gru": TimeGRU}
CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def _weights(layer_class, D: int, H: int, rng, scale: float = 1.0):
    """Xavier-initialised Wx (D, gates·H), Wh (H, gates·H) and a zero b for a layer class."""
    width = layer_class.gates * H
    return scale * xavier((D, width), rng), scale * xavier((H, width), rng), np.zeros(width)


def _f(value: float, digits: int = 6) -> str:
    return f"{value:.{digits}g}"


# --- the simple RNN ----------------------------------------------------------------------------


@demo(
    "rnn-scalar-forward",
    title="RNN の順伝播（1 次元の例）",
    description=(
        "入力も隠れ状態も 1 次元の engine.rnn.TimeRNN に系列を通し、"
        "h_t = tanh(h_{t−1}·w_h + x_t·w_x + b) を時刻ごとに示す。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        ListParam(
            "x", [1.0, 2.0], min=-100.0, max=100.0, max_length=32, help="入力系列 x_1, x_2, …"
        ),
        FloatParam("wx", 0.5, min=-10.0, max=10.0, help="入力の重み w_x"),
        FloatParam("wh", 1.0, min=-10.0, max=10.0, help="隠れ状態の重み w_h（全時刻で共有）"),
        FloatParam("b", 0.0, min=-10.0, max=10.0, help="バイアス b"),
        FloatParam("h0", 0.0, min=-1.0, max=1.0, help="初期状態 h_0"),
    ),
)
def rnn_scalar_forward(x: list[float], wx: float, wh: float, b: float, h0: float) -> DemoResult:
    layer = TimeRNN(np.array([[wx]]), np.array([[wh]]), np.array([b]), stateful=True)
    layer.set_state(np.array([[h0]]))
    xs = np.array(x).reshape(1, -1, 1)
    h = layer.forward(xs)[0, :, 0]
    lines = [
        f"$h_0 = {_f(h0)}$ から始めて、同じ $w_x = {_f(wx)}$、$w_h = {_f(wh)}$、$b = {_f(b)}$ を全時刻で使う。",
        "",
    ]
    previous = h0
    for t, (x_t, h_t) in enumerate(zip(x, h, strict=True), start=1):
        lines.append(
            f"- $h_{{{t}}} = \\tanh({_f(previous, 4)} \\times {_f(wh)} + {_f(x_t)} \\times {_f(wx)} + {_f(b)})"
            f" = \\tanh({_f(previous * wh + x_t * wx + b, 6)}) = {_f(h_t, 6)}$"
        )
        previous = h_t
    plot = Plot(
        kind="line",
        title="隠れ状態 h_t",
        x=list(range(1, len(x) + 1)),
        series={"h_t": h.tolist()},
        x_label="t",
    )
    return DemoResult(
        values={"h": h.tolist(), "h_last": float(h[-1])}, narrative="\n".join(lines), plots=[plot]
    )


@demo(
    "rnn-shapes",
    title="RNN・LSTM・GRU の形とパラメータ数",
    description=(
        "engine.rnn の Time レイヤに (N, T, D) の入力を通して出力の形を読み、"
        "重みが全時刻で共有されていること、3 種のセルのパラメータ数を示す。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        ChoiceParam("cell", "rnn", choices=("rnn", "lstm", "gru"), help="セルの種類"),
        IntParam("N", 2, min=1, max=64, help="バッチサイズ"),
        IntParam("T", 5, min=1, max=64, help="系列長"),
        IntParam("D", 3, min=1, max=512, help="入力の次元"),
        IntParam("H", 4, min=1, max=512, help="隠れ状態の次元"),
        SEED,
    ),
)
def rnn_shapes(cell: str, N: int, T: int, D: int, H: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    counts = {}
    for name, layer_class in TIME_LAYERS.items():
        layer = layer_class(*_weights(layer_class, D, H, rng))
        counts[name] = sum(p.size for p in layer.params.values())
        if name == cell:
            chosen = layer
    hs = chosen.forward(rng.standard_normal((N, T, D)))
    # Every time step's cell holds the very same arrays: one set of weights for all t.
    shared = all(c.Wx is chosen.Wx and c.Wh is chosen.Wh and c.b is chosen.b for c in chosen.cells)
    gates = chosen.gates
    narrative = "\n".join(
        [
            f"{CELL_NAMES[cell]} に入力 (N, T, D) = ({N}, {T}, {D}) を通すと、隠れ状態の列 hs は"
            f" **{tuple(hs.shape)}**、最後の隠れ状態 $h_T$ は **{(N, H)}** になった。",
            "",
            f"重み $W_x$ {chosen.Wx.shape}、$W_h$ {chosen.Wh.shape}、$b$ {chosen.b.shape} は"
            f" {T} 個の時刻すべてで同じ配列を使う（共有: {shared}）。時刻が増えてもパラメータは増えない。",
            "",
            "パラメータ数 $g(DH + H^2 + H)$（$g$ はゲートのブロック数）:",
            f"- RNN ($g = 1$): {counts['rnn']}",
            f"- LSTM ($g = 4$): {counts['lstm']}",
            f"- GRU ($g = 3$): {counts['gru']}",
        ]
    )
    plot = Plot(
        kind="bar",
        title=f"パラメータ数（D = {D}, H = {H}）",
        x=["RNN", "LSTM", "GRU"],
        series={"パラメータ数": [counts["rnn"], counts["lstm"], counts["gru"]]},
    )
    return DemoResult(
        values={
            "hs_shape": list(hs.shape),
            "h_shape": list(chosen.h.shape),
            "wx_shape": list(chosen.Wx.shape),
            "wh_shape": list(chosen.Wh.shape),
            "b_shape": list(chosen.b.shape),
            "gates": gates,
            "shared_weights": shared,
            "n_params": counts[cell],
            "params_rnn": counts["rnn"],
            "params_lstm": counts["lstm"],
            "params_gru": counts["gru"],
        },
        narrative=narrative,
        plots=[plot],
    )


def _orthogonal(H: int, rng) -> np.ndarray:
    """A random orthogonal matrix (all singular values 1), from the QR decomposition."""
    q, r = np.linalg.qr(rng.standard_normal((H, H)))
    return q * np.sign(np.diag(r))


@demo(
    "rnn-bptt-gradients",
    title="BPTT：時間を遡る勾配の大きさ（勾配消失・爆発）",
    description=(
        "W_h = (スケール)×(直交行列) の TimeRNN で最後の時刻だけに誤差を与えて逆伝播し、"
        "各時刻の隠れ状態に届く勾配のノルムと、時刻ごとの ∂L/∂W_h の寄与を示す。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        IntParam("T", 20, min=2, max=200, help="系列長"),
        IntParam("H", 8, min=1, max=128, help="隠れ状態の次元"),
        FloatParam("wh_scale", 0.8, min=0.0, max=5.0, help="W_h の特異値（すべて同じ値）"),
        FloatParam(
            "input_scale", 0.5, min=0.0, max=10.0, help="入力の標準偏差（0 なら h はずっと 0）"
        ),
        SEED,
    ),
)
def rnn_bptt_gradients(
    T: int, H: int, wh_scale: float, input_scale: float, seed: int
) -> DemoResult:
    rng = np.random.default_rng(seed)
    Wh = wh_scale * _orthogonal(H, rng)
    Wx = xavier((H, H), rng)
    layer = TimeRNN(Wx, Wh, np.zeros(H))
    xs = input_scale * rng.standard_normal((1, T, H))
    layer.forward(xs)
    # L = u·h_T with a unit vector u: only the last step receives an error from the loss.
    u = rng.standard_normal(H)
    dhs = np.zeros((1, T, H))
    dhs[0, -1] = u / np.linalg.norm(u)
    # Read ∂L/∂h_t on the way back: the gradient that reaches cell t's output.
    dh = np.zeros((1, H))
    grad_norms = [0.0] * T
    for t in reversed(range(T)):
        grad_norms[t] = float(np.linalg.norm(dhs[0, t] + dh))
        _, dh = layer.cells[t].backward(dhs[:, t] + dh)
    layer.backward(dhs)  # the same pass again, through the layer: sums the shared weights' grads
    contributions = [float(np.linalg.norm(cell.dWh)) for cell in layer.cells]
    total_is_sum = bool(
        np.allclose(layer.dWh, sum(cell.dWh for cell in layer.cells), rtol=1e-12, atol=0)
    )
    ratio = grad_norms[0] / grad_norms[-1]
    saturation = float(np.mean([1 - np.mean(c.cache[2] ** 2) for c in layer.cells]))
    narrative = "\n".join(
        [
            f"系列長 {T}、$W_h$ の特異値はすべて {_f(wh_scale)}、入力の標準偏差 {_f(input_scale)}。"
            " 損失 $L = u \\cdot h_T$ は最後の時刻にだけ誤差を与える。",
            "",
            "逆伝播では 1 時刻遡るごとにヤコビ行列 $\\frac{\\partial h_t}{\\partial h_{t-1}} = "
            "\\mathrm{diag}(1 - h_t^2) W_h^\\top$ が掛かる。",
            f"$\\|\\partial L / \\partial h_1\\| / \\|\\partial L / \\partial h_T\\|$ = **{ratio:.6g}**"
            f"（$W_h$ だけなら ${_f(wh_scale)}^{{{T - 1}}} = {wh_scale ** (T - 1):.6g}$）。",
            "",
            "特異値が 1 より小さいと勾配は指数的に消え、1 より大きいと指数的に爆発する。"
            f" tanh の微分 $1 - h^2 \\le 1$ はさらに縮める（平均 {saturation:.4g}）。",
            "",
            f"$W_h$ は全時刻で共有されるので、$\\partial L / \\partial W_h$ は各時刻の寄与の和"
            f"（合計のノルム {np.linalg.norm(layer.dWh):.6g}）。",
        ]
    )
    plot = Plot(
        kind="line",
        title="‖∂L/∂h_t‖（対数で見ると直線）",
        x=list(range(1, T + 1)),
        series={"‖∂L/∂h_t‖": grad_norms},
        x_label="t",
    )
    return DemoResult(
        values={
            "grad_norms": grad_norms,
            "ratio_first_last": ratio,
            "wh_power": wh_scale ** (T - 1),
            "step_contributions": contributions,
            "dWh_norm": float(np.linalg.norm(layer.dWh)),
            "total_is_sum_of_steps": total_is_sum,
            "mean_tanh_derivative": saturation,
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "rnn-gradient-clipping",
    title="勾配クリッピング（ノルムによる）",
    description=(
        "engine.optim.clip_grads で勾配ベクトルのノルムを閾値に抑え、向きが変わらないことを"
        "要素ごとのクリップ（np.clip）と比べる。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        ListParam("grads", [3.0, 4.0], min=-1e6, max=1e6, help="勾配ベクトル"),
        FloatParam("max_norm", 1.0, min=1e-6, max=1e6, help="閾値（ノルムの上限）"),
    ),
)
def rnn_gradient_clipping(grads: list[float], max_norm: float) -> DemoResult:
    g = np.array(grads)
    clipped = g.copy()
    norm_before = optim.clip_grads({"g": clipped}, max_norm)
    norm_after = float(np.linalg.norm(clipped))
    by_value = np.clip(g, -max_norm, max_norm)

    def cosine(a: np.ndarray) -> float:
        denominator = np.linalg.norm(g) * np.linalg.norm(a)
        return float(g @ a / denominator) if denominator else 1.0

    applied = norm_before > max_norm
    narrative = "\n".join(
        [
            f"勾配のノルムは $\\|g\\| = {norm_before:.6g}$、閾値は {_f(max_norm)}。",
            "",
            (
                f"閾値を超えたので $g \\leftarrow g \\cdot \\frac{{{_f(max_norm)}}}{{\\|g\\|}}$ と全要素を"
                f"同じ倍率 {max_norm / (norm_before + 1e-6):.6g} で縮め、ノルムは {norm_after:.6g} になった。"
                if applied
                else "閾値以下なので勾配はそのまま。"
            ),
            "",
            f"ノルムでクリップした勾配と元の勾配のコサイン類似度は {cosine(clipped):.6g}（向きは変わらない）。"
            f" 要素ごとに ±{_f(max_norm)} で切ると {cosine(by_value):.6g} で、向きが変わりうる。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="勾配の各要素",
        x=[f"g{i}" for i in range(len(g))],
        series={
            "元の勾配": g.tolist(),
            "ノルムでクリップ": clipped.tolist(),
            "値でクリップ": by_value.tolist(),
        },
    )
    return DemoResult(
        values={
            "clipped": clipped.tolist(),
            "norm_before": norm_before,
            "norm_after": norm_after,
            "clipped_by_value": by_value.tolist(),
            "cosine_norm_clip": cosine(clipped),
            "cosine_value_clip": cosine(by_value),
            "applied": bool(applied),
        },
        narrative=narrative,
        plots=[plot],
    )


# --- LSTM and GRU ----------------------------------------------------------------------------


@demo(
    "lstm-cell-state",
    title="LSTM のゲートと記憶セル（忘却ゲートの働き）",
    description=(
        "1 次元の engine.rnn.LSTM セルを、ゲートの値がバイアスだけで決まるようにして数時刻動かし、"
        "記憶セル c_t と、c_T から c_0 へ戻る勾配 ∂c_T/∂c_0 を示す。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        FloatParam(
            "f_bias",
            10.0,
            min=-30.0,
            max=30.0,
            help="忘却ゲートの入力（大きいと f ≈ 1、小さいと f ≈ 0）",
        ),
        FloatParam("i_bias", -10.0, min=-30.0, max=30.0, help="入力ゲートの入力"),
        FloatParam("o_bias", 10.0, min=-30.0, max=30.0, help="出力ゲートの入力"),
        FloatParam("g_input", 1.0, min=-30.0, max=30.0, help="新しい記憶の候補 g = tanh(この値)"),
        FloatParam("c0", 1.0, min=-10.0, max=10.0, help="記憶セルの初期値 c_0"),
        IntParam("steps", 5, min=1, max=100, help="時刻の数 T"),
    ),
)
def lstm_cell_state(
    f_bias: float, i_bias: float, o_bias: float, g_input: float, c0: float, steps: int
) -> DemoResult:
    # Zero weights: every gate's argument is its bias, the same at every step (order i, f, g, o).
    b = np.array([i_bias, f_bias, g_input, o_bias])
    cells = [LSTM(np.zeros((1, 4)), np.zeros((1, 4)), b) for _ in range(steps)]
    h, c = np.zeros((1, 1)), np.array([[c0]])
    cs, hs = [], []
    for cell in cells:
        h, c = cell.forward(np.zeros((1, 1)), h, c)
        cs.append(float(c[0, 0]))
        hs.append(float(h[0, 0]))
    # Backward from c_T alone: ∂c_T/∂c_0 = Π_t f_t, the constant error carousel when f ≈ 1.
    dh, dc = np.zeros((1, 1)), np.ones((1, 1))
    for cell in reversed(cells):
        _, dh, dc = cell.backward(dh, dc)
    _, _, i, f, g, o, _ = cells[0].cache[1:]
    i, f, g, o = (float(v[0, 0]) for v in (i, f, g, o))
    narrative = "\n".join(
        [
            f"ゲートの値: 入力ゲート $i = {i:.6g}$、忘却ゲート $f = {f:.6g}$、出力ゲート $o = {o:.6g}$、"
            f"候補 $g = \\tanh({_f(g_input)}) = {g:.6g}$。",
            "",
            f"記憶セルの更新 $c_t = f \\odot c_{{t-1}} + i \\odot g$ を {steps} 回: $c_0 = {_f(c0)}$ → "
            + ", ".join(f"{v:.6g}" for v in cs),
            "",
            "f ≈ 1・i ≈ 0 なら $c_0$ をそのまま保持し、f ≈ 0 なら 1 時刻で $c_0$ を忘れて $i \\odot g$ に置き換わる。",
            "",
            f"逆伝播: $\\partial c_T / \\partial c_0 = \\prod_t f_t = {float(dc[0, 0]):.6g}$。"
            " f ≈ 1 なら誤差は減衰せずに過去へ届く（CEC）。",
        ]
    )
    plot = Plot(
        kind="line",
        title="記憶セル c_t と出力 h_t",
        x=list(range(steps + 1)),
        series={"c_t": [c0, *cs], "h_t": [0.0, *hs]},
        x_label="t",
    )
    return DemoResult(
        values={
            "i": i,
            "f": f,
            "g": g,
            "o": o,
            "c": cs,
            "h": hs,
            "c_last": cs[-1],
            "dc_last_dc0": float(dc[0, 0]),
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "gru-gates",
    title="GRU の更新ゲートとリセットゲート",
    description=(
        "1 次元の engine.rnn.GRU セル（z, r はバイアスだけで決まる）を数時刻動かし、"
        "h_t = (1 − z)·h_{t−1} + z·h̃_t と h̃_t = tanh(x_t·w_x + (r·h_{t−1})·w_h) を示す。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        FloatParam("z_bias", -10.0, min=-30.0, max=30.0, help="更新ゲートの入力（大きいと z ≈ 1）"),
        FloatParam(
            "r_bias", 10.0, min=-30.0, max=30.0, help="リセットゲートの入力（小さいと r ≈ 0）"
        ),
        FloatParam("wx", 1.0, min=-10.0, max=10.0, help="候補の入力の重み"),
        FloatParam("wh", 2.0, min=-10.0, max=10.0, help="候補の隠れ状態の重み"),
        FloatParam("x", 0.5, min=-10.0, max=10.0, help="各時刻の入力（一定）"),
        FloatParam("h0", 0.8, min=-1.0, max=1.0, help="初期状態 h_0"),
        IntParam("steps", 5, min=1, max=100, help="時刻の数 T"),
    ),
)
def gru_gates(
    z_bias: float, r_bias: float, wx: float, wh: float, x: float, h0: float, steps: int
) -> DemoResult:
    # Packed (z, r, h̃): only the candidate reads x and h; the gates are set by their biases.
    cell_weights = (
        np.array([[0.0, 0.0, wx]]),
        np.array([[0.0, 0.0, wh]]),
        np.array([z_bias, r_bias, 0.0]),
    )
    h = np.array([[h0]])
    hs, candidates = [], []
    for _ in range(steps):
        cell = GRU(*cell_weights)
        h = cell.forward(np.array([[x]]), h)
        hs.append(float(h[0, 0]))
        candidates.append(float(cell.cache[4][0, 0]))
    z, r = (float(v[0, 0]) for v in cell.cache[2:4])
    narrative = "\n".join(
        [
            f"更新ゲート $z = {z:.6g}$、リセットゲート $r = {r:.6g}$。",
            "",
            f"$h_0 = {_f(h0)}$ → " + ", ".join(f"{v:.4g}" for v in hs),
            "",
            "z ≈ 0 なら $h_t \\approx h_{t-1}$（過去を保持）、z ≈ 1 なら $h_t \\approx \\tilde{h}_t$（候補で置き換え）。"
            " r ≈ 0 なら候補 $\\tilde{h}_t$ は過去の状態を見ず、入力だけから作られる。",
            "",
            "GRU はゲートが 2 つ（z, r）で記憶セルを持たず、LSTM（ゲート 3 つ + 記憶セル）より"
            "パラメータが 4 分の 3 に減る。",
        ]
    )
    plot = Plot(
        kind="line",
        title="隠れ状態 h_t と候補 h̃_t",
        x=list(range(1, steps + 1)),
        series={"h_t": hs, "h̃_t": candidates},
        x_label="t",
    )
    return DemoResult(
        values={"z": z, "r": r, "h": hs, "h_tilde": candidates, "h_last": hs[-1]},
        narrative=narrative,
        plots=[plot],
    )


# --- bidirectional RNN ------------------------------------------------------------------------


@demo(
    "birnn-dependency",
    title="双方向 RNN：各時刻の出力がどの入力に依存するか",
    description=(
        "engine.rnn.TimeBidirectional(TimeRNN, TimeRNN) の入力を 1 時刻ずつ変え、"
        "順方向・逆方向の隠れ状態のどの時刻が変わるかを調べる。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        IntParam("T", 5, min=1, max=32, help="系列長"),
        IntParam("D", 2, min=1, max=64, help="入力の次元"),
        IntParam("H", 3, min=1, max=64, help="各方向の隠れ状態の次元"),
        SEED,
    ),
)
def birnn_dependency(T: int, D: int, H: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    layer = TimeBidirectional(
        TimeRNN(*_weights(TimeRNN, D, H, rng)), TimeRNN(*_weights(TimeRNN, D, H, rng))
    )
    xs = rng.standard_normal((1, T, D))
    hs = layer.forward(xs)
    forward_depends = np.zeros((T, T), dtype=int)  # [output t, input s]
    backward_depends = np.zeros((T, T), dtype=int)
    for s in range(T):
        changed = xs.copy()
        changed[0, s] += 1.0
        diff = np.abs(layer.forward(changed) - hs)[0]
        forward_depends[:, s] = diff[:, :H].max(axis=1) > 1e-12
        backward_depends[:, s] = diff[:, H:].max(axis=1) > 1e-12
    narrative = "\n".join(
        [
            f"入力 (1, {T}, {D}) に対し、出力は順方向と逆方向の隠れ状態を連結した **{tuple(hs.shape)}**"
            f"（各時刻 $[h^{{f}}_t ; h^{{b}}_t]$ で 2H = {2 * H} 次元）。",
            "",
            "入力を 1 時刻ずつ変えてみると、順方向の $h^{f}_t$ は $x_1 … x_t$ にだけ、"
            "逆方向の $h^{b}_t$ は $x_t … x_T$ にだけ依存する。",
            "",
            f"時刻 1 の出力も最後の入力 $x_{{{T}}}$ で変わる（逆方向: {bool(backward_depends[0, -1])}）。"
            "系列の最後まで読まないと出力が決まらないので、1 語ずつ逐次に出力するリアルタイム処理や"
            "文の生成には使えない。",
        ]
    )
    plot = Plot(
        kind="heatmap",
        title="出力（行: 時刻 t）が入力（列: 時刻 s）に依存するか（1: 順方向、2: 逆方向、3: 両方）",
        z=(forward_depends + 2 * backward_depends).tolist(),
        x=[f"x{s + 1}" for s in range(T)],
        y_ticks=[f"h{t + 1}" for t in range(T)],
    )
    return DemoResult(
        values={
            "out_shape": list(hs.shape),
            "forward_depends": forward_depends.tolist(),
            "backward_depends": backward_depends.tolist(),
            "first_output_depends_on_last_input": bool(backward_depends[0, -1]),
            "forward_first_depends_on_last_input": bool(forward_depends[0, -1]),
        },
        narrative=narrative,
        plots=[plot],
    )


# --- seq2seq -----------------------------------------------------------------------------------


class _Seq2Seq:
    """A GRU encoder and a GRU decoder on one-hot symbols, with optional dot-product attention.

    Encoder: TimeGRU over x_1 … x_T; its last state h_T (the context vector) starts the
    decoder. Decoder: one GRU cell per step t reads the previous symbol (⟨bos⟩ first) and
    scores the next one with an Affine layer; with attention, the scores read [s_t ; c_t]
    with c_t = Σ_j a_tj·h_j and a_t = softmax(s_t·h_jᵀ / √H) over the encoder states.
    """

    def __init__(self, V: int, H: int, attention: bool, rng):
        self.V, self.H, self.attention = V, H, attention
        self.encoder = TimeGRU(*_weights(TimeGRU, V, H, rng))
        self.dec_params = dict(
            zip(("Wx", "Wh", "b"), _weights(TimeGRU, V + 1, H, rng), strict=True)
        )
        width = 2 * H if attention else H
        self.affine = Affine(xavier((width, V), rng), np.zeros(V))

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {
            **{f"enc.{k}": v for k, v in self.encoder.params.items()},
            **{f"dec.{k}": v for k, v in self.dec_params.items()},
            "out.W": self.affine.W,
            "out.b": self.affine.b,
        }

    def run(self, xs_ids: np.ndarray, ys_ids: np.ndarray | None, teacher_forcing: bool):
        """Forward; returns the scores (N, T, V). With teacher forcing the decoder reads the
        true previous symbols ys_ids, otherwise its own previous predictions (argmax)."""
        N, T = xs_ids.shape
        eye = np.eye(self.V + 1)
        self.enc_hs = self.encoder.forward(eye[xs_ids][:, :, : self.V])
        s = self.enc_hs[:, -1]  # the context vector
        previous = np.full(N, self.V)  # ⟨bos⟩
        self.cells, self.steps, scores = [], [], []
        for t in range(T):
            cell = GRU(self.dec_params["Wx"], self.dec_params["Wh"], self.dec_params["b"])
            s = cell.forward(eye[previous], s)
            features = s
            weights = None
            if self.attention:
                weights, context = scaled_dot_product_attention(
                    s[:, None, :], self.enc_hs, self.enc_hs
                )
                weights, context = weights[:, 0], context[:, 0]
                features = np.concatenate([s, context], axis=1)
            self.cells.append(cell)
            self.steps.append((s, weights, features))
            score = features @ self.affine.W + self.affine.b
            scores.append(score)
            previous = ys_ids[:, t] if teacher_forcing else score.argmax(axis=1)
        return np.stack(scores, axis=1)

    def backward(self, dscores: np.ndarray) -> dict[str, np.ndarray]:
        """BPTT through the decoder, the attention and the encoder; returns the gradients."""
        N, T, _ = dscores.shape
        grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        d_enc_hs = np.zeros_like(self.enc_hs)
        ds_next = np.zeros((N, self.H))
        for t in reversed(range(T)):
            s, weights, features = self.steps[t]
            grads["out.W"] += features.T @ dscores[:, t]
            grads["out.b"] += dscores[:, t].sum(axis=0)
            dfeatures = dscores[:, t] @ self.affine.W.T
            ds = dfeatures[:, : self.H] + ds_next
            if self.attention:
                # c = a·hs with a = softmax(s·hsᵀ/√H): back through the weighted sum and softmax.
                dcontext = dfeatures[:, self.H :]
                d_enc_hs += weights[:, :, None] * dcontext[:, None, :]
                da = np.einsum("nh,nth->nt", dcontext, self.enc_hs)
                dscore = (
                    weights * (da - np.sum(weights * da, axis=1, keepdims=True)) / np.sqrt(self.H)
                )
                ds += np.einsum("nt,nth->nh", dscore, self.enc_hs)
                d_enc_hs += dscore[:, :, None] * s[:, None, :]
            _, ds_next = self.cells[t].backward(ds)
            for k in ("Wx", "Wh", "b"):
                grads[f"dec.{k}"] += self.cells[t].grads[k]
        d_enc_hs[:, -1] += ds_next  # the context vector started the decoder
        self.encoder.backward(d_enc_hs)
        for k, v in self.encoder.grads.items():
            grads[f"enc.{k}"] = v.copy()
        return grads


def _toy_task(task: str, V: int, T: int) -> tuple[np.ndarray, np.ndarray]:
    """Every sequence of T symbols from 0 … V−1 and its target."""
    xs = np.array(np.meshgrid(*[np.arange(V)] * T, indexing="ij")).reshape(T, -1).T
    ys = {"reverse": xs[:, ::-1], "copy": xs, "sort": np.sort(xs, axis=1)}[task]
    return xs, np.ascontiguousarray(ys)


def _train_seq2seq(task, T, V, H, steps, lr, teacher_forcing, attention, seed):
    """Adam on all V**T sequences at once (one batch); returns (model, losses, xs, ys)."""
    rng = np.random.default_rng(seed)
    xs, ys = _toy_task(task, V, T)
    model = _Seq2Seq(V, H, attention, rng)
    optimizer = optim.Adam(lr=lr)
    loss_layer = SoftmaxWithLoss()
    losses = []
    for _ in range(steps):
        scores = model.run(xs, ys, teacher_forcing)
        losses.append(float(loss_layer.forward(scores.reshape(-1, V), ys.reshape(-1))))
        grads = model.backward(loss_layer.backward().reshape(scores.shape))
        optim.clip_grads(grads, 5.0)
        optimizer.update(model.params, grads)
    return model, losses, xs, ys


def _check_toy_size(demo_id: str, V: int, T: int) -> None:
    if V**T > 1024:
        raise ParameterError(
            f"In demo {demo_id} V**T (the number of training sequences, {V**T}) must be at most 1024."
        )


SEQ2SEQ_PARAMS = (
    ChoiceParam(
        "task", "reverse", choices=("reverse", "copy", "sort"), help="課題（逆順・コピー・整列）"
    ),
    IntParam("T", 3, min=1, max=6, help="系列長"),
    IntParam("V", 4, min=2, max=6, help="記号の種類"),
    IntParam("H", 16, min=2, max=64, help="隠れ状態の次元"),
    IntParam("steps", 40, min=0, max=1000, help="Adam の更新回数（全系列で 1 バッチ）"),
    FloatParam("lr", 0.05, min=1e-5, max=1.0, help="学習率"),
)


@demo(
    "seq2seq-toy",
    title="Seq2Seq（エンコーダ・デコーダ）をおもちゃの課題で学習",
    description=(
        "GRU のエンコーダが入力系列を文脈ベクトルにまとめ、GRU のデコーダが 1 記号ずつ出力する。"
        "自分の予測を次の入力に戻す推論（greedy）の正解率と、Attention の重みを示す。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        *SEQ2SEQ_PARAMS,
        BoolParam("teacher_forcing", True, help="学習時に正解の 1 つ前の記号をデコーダに入れる"),
        BoolParam("attention", False, help="デコーダがエンコーダの全状態に注意する"),
        SEED,
    ),
)
def seq2seq_toy(
    task: str,
    T: int,
    V: int,
    H: int,
    steps: int,
    lr: float,
    teacher_forcing: bool,
    attention: bool,
    seed: int,
) -> DemoResult:
    _check_toy_size("seq2seq-toy", V, T)
    model, losses, xs, ys = _train_seq2seq(
        task, T, V, H, steps, lr, teacher_forcing, attention, seed
    )
    forced = model.run(xs, ys, teacher_forcing=True).argmax(axis=2)
    greedy = model.run(xs, None, teacher_forcing=False).argmax(axis=2)
    token_accuracy_forced = float(np.mean(forced == ys))
    token_accuracy_greedy = float(np.mean(greedy == ys))
    sequence_accuracy = float(np.mean(np.all(greedy == ys, axis=1)))
    values = {
        "loss_history": losses,
        "final_loss": losses[-1] if losses else None,
        "token_accuracy_forced": token_accuracy_forced,
        "token_accuracy_greedy": token_accuracy_greedy,
        "sequence_accuracy_greedy": sequence_accuracy,
        "context_shape": list(model.enc_hs[:, -1].shape),
        "n_sequences": len(xs),
    }
    # The trained encoder on inputs of other lengths: its states grow with the length, the
    # context vector (its last state) does not.
    lengths = [1, T, 2 * T, 4 * T]
    probe = np.random.default_rng(seed + 1)
    encoded = [
        model.encoder.forward(np.eye(V)[probe.integers(V, size=(4, length))]) for length in lengths
    ]
    values["probe_lengths"] = lengths
    values["encoder_states_by_length"] = [hs.shape[1] for hs in encoded]
    values["context_sizes_by_length"] = [hs[:, -1].shape[1] for hs in encoded]
    narrative = [
        f"課題「{task}」: 長さ {T}、記号 {V} 種類の全 {len(xs)} 系列で学習（{steps} 回、"
        f"教師強制 {'あり' if teacher_forcing else 'なし'}、Attention {'あり' if attention else 'なし'}）。",
        "",
        f"エンコーダは入力系列を文脈ベクトル（バッチ全体で形 {tuple(model.enc_hs[:, -1].shape)}）にまとめ、"
        "デコーダはそれを初期状態として、⟨bos⟩ から 1 記号ずつ出力する。",
        "",
        f"長さ {', '.join(map(str, lengths))} の入力を通すと、エンコーダの状態の数は"
        f" {values['encoder_states_by_length']} と長さに比例するが、文脈ベクトルはどれも"
        f" {H} 次元のまま。",
        "",
        f"- 正解の前の記号を入力したときの記号正解率: {token_accuracy_forced:.4f}",
        f"- 自分の予測を次の入力にする推論（greedy）での記号正解率: {token_accuracy_greedy:.4f}、"
        f"系列全体の正解率: {sequence_accuracy:.4f}",
    ]
    plots = [
        Plot(
            kind="line",
            title="学習の損失",
            x=list(range(1, steps + 1)),
            series={"loss": losses},
            x_label="step",
        )
    ]
    if attention:
        sample = len(xs) // 2 + 1 if len(xs) > 1 else 0
        model.run(xs[sample : sample + 1], None, teacher_forcing=False)
        weights = np.stack([w[0] for _, w, _ in model.steps])
        values["attention_weights"] = weights.tolist()
        values["attention_argmax"] = (weights.argmax(axis=1) + 1).tolist()
        narrative += [
            "",
            f"入力 {xs[sample].tolist()} について、出力の各時刻が最も注意した入力の位置: "
            f"{values['attention_argmax']}（行: 出力、列: 入力の図を参照）。",
        ]
        plots.append(
            Plot(
                kind="heatmap",
                title=f"Attention の重み（入力 {xs[sample].tolist()}）",
                z=weights.tolist(),
                x=[f"x{j + 1}" for j in range(T)],
                y_ticks=[f"y{t + 1}" for t in range(T)],
            )
        )
    return DemoResult(values=values, narrative="\n".join(narrative), plots=plots)


@demo(
    "seq2seq-teacher-forcing",
    title="Seq2Seq：教師強制あり・なしの学習の速さ",
    description=(
        "同じ初期値の Seq2Seq を、デコーダに正解の前の記号を入れる（教師強制）学習と、"
        "自分の予測を入れる学習で同じ回数だけ更新し、損失を比べる。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        *SEQ2SEQ_PARAMS[:4],
        IntParam("steps", 20, min=1, max=500, help="Adam の更新回数"),
        SEQ2SEQ_PARAMS[5],
        SEED,
    ),
)
def seq2seq_teacher_forcing(
    task: str, T: int, V: int, H: int, steps: int, lr: float, seed: int
) -> DemoResult:
    _check_toy_size("seq2seq-teacher-forcing", V, T)
    _, forced, _, _ = _train_seq2seq(task, T, V, H, steps, lr, True, False, seed)
    _, free, _, _ = _train_seq2seq(task, T, V, H, steps, lr, False, False, seed)
    narrative = "\n".join(
        [
            f"課題「{task}」（長さ {T}、記号 {V} 種類）を同じ初期値から {steps} 回ずつ学習した。",
            "",
            f"- 教師強制あり（デコーダの入力は正解 $y_{{t-1}}$）: 最後の損失 **{forced[-1]:.4g}**",
            f"- 教師強制なし（デコーダの入力は自分の予測 $\\hat{{y}}_{{t-1}}$）: 最後の損失 **{free[-1]:.4g}**",
            "",
            "学習の初めは予測がでたらめなので、自分の予測を入力にすると後の時刻は誤った文脈から学ぶことになる。"
            "教師強制は正しい文脈を与えるので速く安定して学習できる。その代わり推論時には自分の予測しか使えず、"
            "学習時と入力の分布が食い違う（exposure bias）。",
        ]
    )
    plot = Plot(
        kind="line",
        title="学習の損失",
        x=list(range(1, steps + 1)),
        series={"教師強制あり": forced, "教師強制なし": free},
        x_label="step",
    )
    return DemoResult(
        values={
            "loss_teacher_forcing": forced[-1],
            "loss_free_running": free[-1],
            "history_teacher_forcing": forced,
            "history_free_running": free,
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "seq2seq-attention-context",
    title="Attention：エンコーダの全状態の重み付き和",
    description=(
        "engine.rnn.TimeGRU でエンコードした T 個の隠れ状態に、デコーダの状態をクエリとして"
        "注意し、重み（和は 1）と文脈ベクトルの形を示す。"
    ),
    syllabus=SYLLABUS_RNN,
    params=(
        IntParam("T", 6, min=1, max=64, help="入力系列の長さ"),
        IntParam("D", 4, min=1, max=64, help="入力の次元"),
        IntParam("H", 8, min=1, max=64, help="隠れ状態の次元"),
        SEED,
    ),
)
def seq2seq_attention_context(T: int, D: int, H: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    encoder = TimeGRU(*_weights(TimeGRU, D, H, rng, scale=2.0))
    hs = encoder.forward(rng.standard_normal((1, T, D)))[0]  # (T, H)
    query = hs[rng.integers(T)] + 0.1 * rng.standard_normal(H)  # a decoder state
    weights, context = scaled_dot_product_attention(query[None, :], hs, hs)
    weights, context = weights[0], context[0]
    narrative = "\n".join(
        [
            f"エンコーダの隠れ状態 hs は ({T}, {H})。Seq2Seq の基本形は最後の $h_T$ だけをデコーダに渡すが、"
            "Attention は全時刻の状態を使う。",
            "",
            "デコーダの状態 $s$ と各 $h_j$ の内積から重み $a_j = \\mathrm{softmax}_j(s \\cdot h_j / \\sqrt{H})$ を作り、"
            f"文脈ベクトル $c = \\sum_j a_j h_j$（形 ({H},)）を得る。重みの和は {weights.sum():.12g}。",
            "",
            f"最も重みが大きいのは時刻 {int(weights.argmax()) + 1}（{weights.max():.4g}）。"
            "入力が長くなっても、1 つの固定長ベクトルに詰め込む必要がない。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="Attention の重み",
        x=[f"h{j + 1}" for j in range(T)],
        series={"a_j": weights.tolist()},
    )
    return DemoResult(
        values={
            "weights": weights.tolist(),
            "weights_sum": float(weights.sum()),
            "context": context.tolist(),
            "context_shape": list(context.shape),
            "hs_shape": list(hs.shape),
            "argmax": int(weights.argmax()) + 1,
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "hred-shapes",
    title="HRED と VHRED：発話の階層と潜在変数",
    description=(
        "発話ごとに engine.rnn.TimeGRU でエンコードし（発話エンコーダ）、その列をもう 1 つの GRU"
        "（文脈 RNN）で読む HRED の形を示す。VHRED は文脈から μ, σ を作り z = μ + σ⊙ε を加える。"
    ),
    syllabus=(*SYLLABUS_RNN, "4-6 生成モデル"),
    params=(
        IntParam("utterances", 3, min=1, max=16, help="過去の発話の数"),
        IntParam("words", 5, min=1, max=32, help="1 発話の単語数"),
        IntParam("D", 4, min=1, max=64, help="単語ベクトルの次元"),
        IntParam("H", 6, min=1, max=64, help="発話エンコーダの隠れ状態の次元"),
        IntParam("C", 8, min=1, max=64, help="文脈 RNN の隠れ状態の次元"),
        IntParam("Z", 2, min=1, max=64, help="VHRED の潜在変数の次元"),
        SEED,
    ),
)
def hred_shapes(
    utterances: int, words: int, D: int, H: int, C: int, Z: int, seed: int
) -> DemoResult:
    rng = np.random.default_rng(seed)
    dialogue = rng.standard_normal((utterances, words, D))  # each row: one utterance's words
    utterance_encoder = TimeGRU(*_weights(TimeGRU, D, H, rng))
    utterance_vectors = utterance_encoder.forward(dialogue)[
        :, -1
    ]  # (U, H): one vector per utterance
    context_rnn = TimeGRU(*_weights(TimeGRU, H, C, rng))
    context_states = context_rnn.forward(utterance_vectors[None])[0]  # (U, C)
    W_mu, W_logvar = xavier((C, Z), rng), xavier((C, Z), rng)
    mu, log_var = context_states[-1] @ W_mu, context_states[-1] @ W_logvar
    z = reparameterize(mu, log_var, rng.standard_normal(Z))
    decoder_init = np.concatenate([context_states[-1], z])
    narrative = "\n".join(
        [
            f"対話 = {utterances} 発話 × {words} 単語 × {D} 次元。",
            "",
            f"1. 発話エンコーダ（単語レベルの RNN）が各発話を 1 つのベクトルに: {tuple(utterance_vectors.shape)}",
            f"2. 文脈 RNN（発話レベルの RNN）が発話ベクトルの列を読む: 状態の列 {tuple(context_states.shape)}",
            f"3. HRED のデコーダは最後の文脈状態 ({C},) から次の発話を生成する。",
            "",
            f"VHRED は文脈から $\\mu$, $\\log \\sigma^2$（各 ({Z},)）を作り、$z = \\mu + \\sigma \\odot \\varepsilon$ を"
            f"文脈に連結してデコーダに渡す（{tuple(decoder_init.shape)}）。同じ文脈からも z により多様な応答が出る。",
        ]
    )
    return DemoResult(
        values={
            "utterance_vectors_shape": list(utterance_vectors.shape),
            "context_states_shape": list(context_states.shape),
            "z_shape": list(z.shape),
            "decoder_init_shape": list(decoder_init.shape),
        },
        narrative=narrative,
    )
