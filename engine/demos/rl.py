"""Demos on (deep) reinforcement learning: returns, ε-greedy, Bellman equations, Q-learning
and SARSA on grid worlds, DQN, REINFORCE, actor–critic / A3C, and AlphaGo's MCTS selection."""

from __future__ import annotations

import numpy as np

from engine import rl
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

SYLLABUS_RL = ("4-7 深層強化学習",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")
WORLDS = ("simple", "cliff")
WORLD_LABELS = {
    "simple": "3×4 の迷路（ゴール +1、落とし穴 −1、移動の報酬 0）",
    "cliff": "4×12 の崖歩き（1 歩 −1、崖 −100 でスタートに戻る）",
}


def _grid_text(lines: list[str]) -> str:
    return "\n".join(["```", *lines, "```"])


def _moving_average(values: list[float], window: int) -> list[float]:
    values_array = np.asarray(values, dtype=np.float64)
    cumulative = np.cumsum(np.concatenate([[0.0], values_array]))
    out = []
    for i in range(1, len(values_array) + 1):
        lo = max(0, i - window)
        out.append(float((cumulative[i] - cumulative[lo]) / (i - lo)))
    return out


# --- returns and one-step updates ---------------------------------------------------------


@demo(
    "rl-return",
    title="割引率と収益（リターン）",
    description="報酬の列から収益 G_t = r_{t+1} + γ G_{t+1} を後ろから計算する。",
    syllabus=SYLLABUS_RL,
    params=(
        ListParam(
            "rewards", [1.0, 0.0, 2.0, 3.0], min=-1e4, max=1e4, max_length=64, help="報酬 r₁, r₂, …"
        ),
        FloatParam("gamma", 0.9, min=0.0, max=1.0, help="割引率 γ"),
    ),
)
def rl_return(rewards: list[float], gamma: float) -> DemoResult:
    g = rl.returns(rewards, gamma)
    g0 = rl.discounted_return(rewards, gamma)
    terms = " + ".join(f"{gamma:g}^{{{k}}} \\cdot {r:g}" for k, r in enumerate(rewards[:6]))
    if len(rewards) > 6:
        terms += " + \\cdots"
    narrative = "\n".join(
        [
            f"報酬 {rewards}、割引率 $\\gamma = {gamma:g}$。",
            "",
            f"$G_0 = {terms} = {g0:.6g}$",
            "",
            "後ろから $G_t = r_{t+1} + \\gamma G_{t+1}$ で計算すると、各時刻の収益は "
            + ", ".join(f"{v:.6g}" for v in g)
            + "。γ が小さいほど目先の報酬を重視し、γ = 1 に近いほど遠い将来の報酬も同じように数える。",
        ]
    )
    return DemoResult(values={"G0": g0, "returns": g.tolist()}, narrative=narrative)


@demo(
    "rl-q-update",
    title="Q 学習と SARSA の 1 回の更新",
    description=(
        "Q(s, a) を TD 誤差で更新する。Q 学習は次状態の最大の Q を、SARSA は実際に選んだ"
        "次の行動の Q を目標に使う。"
    ),
    syllabus=SYLLABUS_RL,
    params=(
        FloatParam("q_sa", 2.0, min=-1e4, max=1e4, help="更新前の Q(s, a)"),
        FloatParam("reward", 1.0, min=-1e4, max=1e4, help="報酬 r"),
        ListParam(
            "next_q",
            [3.0, 5.0, 4.0],
            min=-1e4,
            max=1e4,
            max_length=16,
            help="次状態 s' の Q(s', ·)",
        ),
        IntParam("next_action", 0, min=0, max=15, help="SARSA: s' で実際に選んだ行動 a'"),
        FloatParam("alpha", 0.1, min=0.0, max=1.0, help="学習率 α"),
        FloatParam("gamma", 0.9, min=0.0, max=1.0, help="割引率 γ"),
        BoolParam("terminal", False, help="s' が終端状態か"),
    ),
)
def rl_q_update(q_sa, reward, next_q, next_action, alpha, gamma, terminal) -> DemoResult:
    if next_action >= len(next_q):
        raise ParameterError(
            f"In demo rl-q-update next_action must index next_q (0 … {len(next_q) - 1})."
        )
    # A two-state table: row 0 is s (action 0 is a), row 1 is s'.
    table = np.zeros((2, len(next_q)))
    table[1] = next_q
    table[0, 0] = q_sa
    q_table = table.copy()
    q_error = rl.q_learning_update(q_table, 0, 0, reward, 1, terminal, alpha, gamma)
    sarsa_table = table.copy()
    sarsa_error = rl.sarsa_update(sarsa_table, 0, 0, reward, 1, next_action, terminal, alpha, gamma)
    q_target = q_error + q_sa
    sarsa_target = sarsa_error + q_sa
    narrative = "\n".join(
        [
            f"$Q(s, a) = {q_sa:g}$、$r = {reward:g}$、$Q(s', \\cdot) = {next_q}$、"
            f"$\\alpha = {alpha:g}$、$\\gamma = {gamma:g}$"
            + ("（s' は終端）" if terminal else "")
            + "。",
            "",
            f"- Q 学習：目標 $r + \\gamma \\, \\max_{{a'}} Q(s', a') = {q_target:.6g}$、TD 誤差 {q_error:.6g}、"
            f"更新後 $Q(s, a) = {q_sa:g} + {alpha:g} \\times {q_error:.6g} = {q_table[0, 0]:.6g}$",
            f"- SARSA（a' = {next_action}）：目標 $r + \\gamma \\, Q(s', a') = {sarsa_target:.6g}$、"
            f"TD 誤差 {sarsa_error:.6g}、更新後 {sarsa_table[0, 0]:.6g}",
            "",
            "終端状態の先には報酬がないので、終端では目標は $r$ だけになる。",
        ]
    )
    return DemoResult(
        values={
            "q_learning_target": q_target,
            "q_learning_td_error": q_error,
            "q_learning_new_q": float(q_table[0, 0]),
            "sarsa_target": sarsa_target,
            "sarsa_td_error": sarsa_error,
            "sarsa_new_q": float(sarsa_table[0, 0]),
        },
        narrative=narrative,
    )


@demo(
    "rl-td-vs-mc",
    title="TD(0) とモンテカルロ法：ランダムウォークの状態価値",
    description=(
        "Sutton と Barto のランダムウォークで、同じエピソードから TD(0) と定数 α の"
        "モンテカルロ法で状態価値を推定し、真の価値との誤差を比べる。"
    ),
    syllabus=SYLLABUS_RL,
    params=(
        FloatParam("alpha", 0.1, min=0.001, max=1.0, help="学習率 α"),
        IntParam("episodes", 100, min=1, max=200, help="エピソード数"),
        IntParam("runs", 50, min=1, max=100, help="誤差を平均する独立な試行の数"),
        IntParam("states", 5, min=3, max=9, help="終端でない状態の数（奇数）"),
        SEED,
    ),
)
def rl_td_vs_mc(alpha: float, episodes: int, runs: int, states: int, seed: int) -> DemoResult:
    if states % 2 == 0:
        raise ParameterError(
            f"In demo rl-td-vs-mc states must be odd (the walk starts in the middle), got {states}."
        )
    rng = np.random.default_rng(seed)
    true_values = np.arange(1, states + 1) / (states + 1)
    walks = [[rl.random_walk_episode(states, rng) for _ in range(episodes)] for _ in range(runs)]
    tds = [rl.td0_prediction(walk, states, alpha) for walk in walks]
    mcs = [rl.mc_prediction(walk, states, alpha) for walk in walks]

    def mean_rms_error(results: list[rl.PredictionResult]) -> np.ndarray:
        """Per episode, the RMS error against the true values, averaged over the runs."""
        values = np.stack([result.values for result in results])  # (runs, episodes + 1, states)
        return np.sqrt(np.mean((values - true_values) ** 2, axis=2)).mean(axis=0)

    td_error, mc_error = mean_rms_error(tds), mean_rms_error(mcs)
    first_td, first_mc = tds[0], mcs[0]
    narrative = "\n".join(
        [
            f"状態 {states} 個のランダムウォーク（中央から左右に等確率で移動し、右端から出ると報酬 1）。"
            f"真の価値は $1/{states + 1}, \\ldots, {states}/{states + 1}$。"
            f"同じ {episodes} エピソードを TD(0) と定数 α のモンテカルロ法（$\\alpha = {alpha:g}$）に与えた。",
            "",
            f"- TD(0)：1 ステップごとに $V(s) \\leftarrow V(s) + \\alpha [r + V(s') - V(s)]$。"
            f"1 回目の試行で、エピソードの途中に価値を変えた更新は **{first_td.changes_before_episode_end}** 回。",
            "- モンテカルロ法：収益 $G_t$ はエピソードが終わるまで分からないので、更新はすべて終了後。",
            f"- 真の価値との二乗平均誤差（{runs} 試行の平均、最後のエピソードの後）："
            f"TD(0) **{td_error[-1]:.4f}**、モンテカルロ法 **{mc_error[-1]:.4f}**",
            "",
            "TD は推定値 $V(s')$ で目標を作る（ブートストラップ）ので、エピソードの終わりを待たずに学べ、"
            "このような課題ではモンテカルロ法より分散が小さく、速く正確になることが多い。",
        ]
    )
    return DemoResult(
        values={
            "true_values": true_values.tolist(),
            "td_values": first_td.values[-1].tolist(),
            "mc_values": first_mc.values[-1].tolist(),
            "td_rms": float(td_error[-1]),
            "mc_rms": float(mc_error[-1]),
            "td_changes_before_episode_end": first_td.changes_before_episode_end,
            "mc_changes_before_episode_end": first_mc.changes_before_episode_end,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="line",
                title=f"真の価値との二乗平均誤差（{runs} 試行の平均）",
                x=list(range(episodes + 1)),
                series={"TD(0)": td_error.tolist(), "モンテカルロ法": mc_error.tolist()},
                x_label="エピソード",
            )
        ],
    )


@demo(
    "rl-epsilon-greedy",
    title="ε-greedy 方策",
    description=(
        "確率 ε で一様ランダムに行動し、それ以外は Q が最大の行動を選ぶ。何度も選ばせて、"
        "各行動が選ばれた割合を理論値と比べる。"
    ),
    syllabus=SYLLABUS_RL,
    params=(
        FloatParam("epsilon", 0.1, min=0.0, max=1.0, help="探索の確率 ε"),
        ListParam(
            "q",
            [1.0, 3.0, 2.0, 0.5],
            min=-1e4,
            max=1e4,
            min_length=2,
            max_length=16,
            help="Q(s, ·)",
        ),
        IntParam("draws", 20000, min=1, max=200000, help="行動を選ぶ回数"),
        SEED,
    ),
)
def rl_epsilon_greedy(epsilon: float, q: list[float], draws: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    q_row = np.asarray(q)
    counts = np.zeros(len(q), dtype=int)
    for _ in range(draws):
        counts[rl.epsilon_greedy(q_row, epsilon, rng)] += 1
    greedy = int(np.argmax(q_row))
    n = len(q)
    p_greedy = 1 - epsilon + epsilon / n
    p_other = epsilon / n
    frequencies = counts / draws
    narrative = "\n".join(
        [
            f"$\\varepsilon = {epsilon:g}$、行動 {n} 個、Q が最大の行動は {greedy}。",
            "",
            f"- 理論値：最大の行動 $1 - \\varepsilon + \\varepsilon / |A| = {p_greedy:.4f}$、"
            f"ほかの行動はそれぞれ $\\varepsilon / |A| = {p_other:.4f}$（ランダムに選んだ結果が"
            "最大の行動になることもあるので、$1 - \\varepsilon$ ではない）",
            f"- {draws} 回選んだ割合：" + ", ".join(f"{f:.4f}" for f in frequencies),
            "",
            "ε は探索（まだよく知らない行動を試す）と活用（今の知識で最善の行動をとる）の釣り合いを決める。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="行動が選ばれた割合",
        x=[f"a{i}" for i in range(n)],
        series={
            "実測": frequencies.tolist(),
            "理論": [p_greedy if i == greedy else p_other for i in range(n)],
        },
    )
    return DemoResult(
        values={
            "p_greedy": p_greedy,
            "p_other": p_other,
            "frequencies": frequencies.tolist(),
            "greedy_action": greedy,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- Bellman equations --------------------------------------------------------------------


@demo(
    "rl-bellman",
    title="ベルマン方程式：価値反復と方策評価",
    description=(
        "グリッドワールドで、ベルマン最適方程式を価値反復で解いて V* と最適方策を求め、"
        "一様ランダム方策の V^π をベルマン方程式（連立一次方程式）から求める。"
    ),
    syllabus=SYLLABUS_RL,
    params=(
        ChoiceParam("world", "simple", choices=WORLDS, help="環境"),
        FloatParam("gamma", 0.9, min=0.0, max=0.999, help="割引率 γ"),
    ),
)
def rl_bellman(world: str, gamma: float) -> DemoResult:
    env = rl.make_world(world)
    v_star, q_star, iterations = rl.value_iteration(env, gamma)
    uniform = np.full((env.n_states, env.n_actions), 0.25)
    v_random = rl.policy_evaluation(env, uniform, gamma)
    # Check both fixed points: plug V back into the right-hand side of its Bellman equation.
    residual_star, residual_random = 0.0, 0.0
    for s in env.free_states():
        backups = []
        for a in range(env.n_actions):
            s_next, r, done = env.step(s, a)
            backups.append(r + (0.0 if done else gamma * v_star[s_next]))
        residual_star = max(residual_star, abs(v_star[s] - max(backups)))
        expected = 0.0
        for a in range(env.n_actions):
            s_next, r, done = env.step(s, a)
            expected += 0.25 * (r + (0.0 if done else gamma * v_random[s_next]))
        residual_random = max(residual_random, abs(v_random[s] - expected))
    start = env.start_state
    grid = [
        " ".join(
            f"{v_star[env.state((i, j))]:7.3f}"
            if env.state((i, j)) in env.free_states()
            else "      ·"
            for j in range(env.cols)
        )
        for i in range(env.rows)
    ]
    narrative = "\n".join(
        [
            f"環境：{WORLD_LABELS[world]}、$\\gamma = {gamma:g}$。",
            "",
            "ベルマン最適方程式 $V^*(s) = \\max_a \\{ r(s, a) + \\gamma V^*(s') \\}$ を、"
            f"右辺を繰り返し代入する価値反復で {iterations} 回目に解いた。$V^*$：",
            "",
            _grid_text(grid),
            "",
            "最適方策（V* に対して貪欲）：",
            "",
            _grid_text(rl.greedy_arrows(env, q_star)),
            "",
            f"スタートの価値は $V^*(s_0) = {v_star[start]:.6g}$、一様ランダム方策では "
            f"$V^\\pi(s_0) = {v_random[start]:.6g}$。"
            f"それぞれベルマン方程式に代入し直した残差は {residual_star:.1g} と {residual_random:.1g}。",
        ]
    )
    return DemoResult(
        values={
            "v_star_start": float(v_star[start]),
            "v_random_start": float(v_random[start]),
            "iterations": iterations,
            "residual_optimal": residual_star,
            "residual_random": residual_random,
            "optimal_policy": rl.greedy_arrows(env, q_star),
        },
        narrative=narrative,
    )


# --- Q-learning and SARSA -----------------------------------------------------------------


@demo(
    "rl-gridworld",
    title="グリッドワールドで Q 学習・SARSA",
    description=(
        "ε-greedy で行動しながら Q 学習または SARSA で Q 表を学習し、学習した Q に対して貪欲な"
        "方策と、スタートからの経路、Q の値を示す。"
    ),
    syllabus=SYLLABUS_RL,
    params=(
        ChoiceParam("algorithm", "q-learning", choices=("q-learning", "sarsa"), help="学習法"),
        ChoiceParam("world", "simple", choices=WORLDS, help="環境"),
        IntParam("episodes", 300, min=1, max=2000, help="エピソード数"),
        FloatParam("alpha", 0.5, min=0.0, max=1.0, help="学習率 α"),
        FloatParam("gamma", 0.9, min=0.0, max=1.0, help="割引率 γ"),
        FloatParam("epsilon", 0.1, min=0.0, max=1.0, help="探索の確率 ε"),
        SEED,
    ),
)
def rl_gridworld(algorithm, world, episodes, alpha, gamma, epsilon, seed) -> DemoResult:
    env = rl.make_world(world)
    result = rl.td_control(env, algorithm, episodes, alpha, gamma, epsilon, seed)
    path = rl.greedy_path(env, result.q)
    reached = env.is_terminal(path[-1]) and env.terminals[env.cell(path[-1])] >= 0
    start = env.start_state
    q_start = result.q[start].tolist()
    v_star = float(rl.value_iteration(env, gamma)[0][start])
    last = result.episode_returns[-min(100, episodes) :]
    mean_last = float(np.mean(last))
    label = "Q 学習" if algorithm == "q-learning" else "SARSA"
    update = (
        "$Q(s, a) \\leftarrow Q(s, a) + \\alpha [r + \\gamma \\, \\max_{a'} Q(s', a') - Q(s, a)]$（方策オフ型）"
        if algorithm == "q-learning"
        else "$Q(s, a) \\leftarrow Q(s, a) + \\alpha [r + \\gamma \\, Q(s', a') - Q(s, a)]$、"
        "a' は実際に選ぶ次の行動（方策オン型）"
    )
    narrative = "\n".join(
        [
            f"環境：{WORLD_LABELS[world]}。{label}（{update}）、$\\alpha = {alpha:g}$、"
            f"$\\gamma = {gamma:g}$、$\\varepsilon = {epsilon:g}$、{episodes} エピソード、シード {seed}。",
            "",
            "学習した Q に対する貪欲方策（# 壁、C 崖、G ゴール、P 落とし穴）：",
            "",
            _grid_text(rl.greedy_arrows(env, result.q)),
            "",
            f"スタートから貪欲に進むと **{len(path) - 1} 歩**で"
            + ("ゴールに着く。" if reached else "ゴールに着かない。"),
            "スタートの Q(s₀, ·)（↑→↓←）= "
            + ", ".join(f"{v:.4f}" for v in q_start)
            + f"、最適値 V*(s₀) = {v_star:.4f}。",
            f"最後の {len(last)} エピソードの平均収益（ε-greedy で行動したときの実績）は {mean_last:.2f}。",
        ]
    )
    plot = Plot(
        kind="line",
        title="エピソードごとの収益（20 エピソードの移動平均）",
        x=list(range(1, episodes + 1)),
        series={label: _moving_average(result.episode_returns, 20)},
        x_label="エピソード",
    )
    return DemoResult(
        values={
            "policy": rl.greedy_arrows(env, result.q),
            "path_length": len(path) - 1,
            "reached_goal": bool(reached),
            "q_start": q_start,
            "max_q_start": float(max(q_start)),
            "v_star_start": v_star,
            "mean_return_last": mean_last,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- DQN ----------------------------------------------------------------------------------


@demo(
    "rl-dqn",
    title="DQN：Experience Replay とターゲットネットワーク",
    description=(
        "Q 表の代わりにニューラルネット（Affine → ReLU → Affine）で Q(s, ·) を近似し、"
        "経験をリプレイバッファから無作為に取り出して学習する。目標値はターゲットネットワークで計算する。"
    ),
    syllabus=SYLLABUS_RL,
    params=(
        IntParam("episodes", 50, min=1, max=300, help="エピソード数"),
        IntParam(
            "target_update", 20, min=1, max=1000, help="ターゲットネットワークを同期する更新間隔"
        ),
        IntParam("buffer_size", 500, min=1, max=10000, help="リプレイバッファの容量"),
        IntParam("batch_size", 32, min=1, max=256, help="ミニバッチの大きさ"),
        FloatParam("lr", 0.01, min=1e-5, max=1.0, help="学習率（Adam）"),
        FloatParam("gamma", 0.9, min=0.0, max=0.999, help="割引率 γ"),
        FloatParam("epsilon", 0.2, min=0.0, max=1.0, help="探索の確率 ε"),
        SEED,
    ),
)
def rl_dqn(episodes, target_update, buffer_size, batch_size, lr, gamma, epsilon, seed):
    env = rl.simple_world()
    result = rl.dqn(
        env, episodes, gamma, epsilon, lr, batch_size, buffer_size, target_update, 16, seed
    )
    path = rl.greedy_path(env, result.q)
    reached = env.is_terminal(path[-1]) and env.terminals[env.cell(path[-1])] > 0
    v_star = rl.value_iteration(env, gamma)[0][env.start_state]
    q_start = result.q[env.start_state]
    narrative = "\n".join(
        [
            f"{WORLD_LABELS['simple']}で、Q ネットワーク（one-hot の状態 → 16 ユニット → 4 行動）を"
            f" {episodes} エピソード学習した（{result.updates} 回の更新）。",
            "",
            "- **Experience replay**：遷移 (s, a, r, s') を容量 "
            f"{buffer_size} のバッファにため、{batch_size} 個ずつ無作為に取り出して学習する。"
            "連続した経験の相関を断ち、同じ経験を何度も使える。",
            f"- **ターゲットネットワーク**：目標 $y = r + \\gamma \\, \\max_{{a'}} Q(s', a'; \\theta^-)$ の"
            f" $\\theta^-$ は {target_update} 回の更新ごとに本体からコピーする（{result.target_syncs} 回同期）。"
            "目標が毎回動くのを防ぎ、学習を安定させる。",
            "",
            "学習した Q に対する貪欲方策：",
            "",
            _grid_text(rl.greedy_arrows(env, result.q)),
            "",
            f"スタートから {len(path) - 1} 歩で"
            + ("ゴールに着く。" if reached else "ゴールに着かない。")
            + f" $\\max_a Q(s_0, a) = {q_start.max():.4f}$（最適値 {v_star:.4f}）。",
        ]
    )
    plot = Plot(
        kind="line",
        title="TD 誤差の二乗（50 更新の移動平均）",
        x=list(range(1, len(result.losses) + 1)),
        series={"loss": _moving_average(result.losses, 50)},
        x_label="更新",
    )
    return DemoResult(
        values={
            "path_length": len(path) - 1,
            "reached_goal": bool(reached),
            "max_q_start": float(q_start.max()),
            "v_star_start": float(v_star),
            "updates": result.updates,
            "target_syncs": result.target_syncs,
        },
        narrative=narrative,
        plots=[plot] if result.losses else [],
    )


# --- policy gradient, actor–critic, A3C ---------------------------------------------------


@demo(
    "rl-reinforce",
    title="方策勾配法 REINFORCE（多腕バンディット）",
    description=(
        "ソフトマックス方策 π = softmax(θ) で腕を選び、得た報酬で θ ← θ + α (r − b) ∇ log π(a) と"
        "更新する。ベースライン b（平均報酬）の有無を選べる。"
    ),
    syllabus=SYLLABUS_RL,
    params=(
        ListParam(
            "means",
            [0.2, 0.5, 1.0],
            min=-100,
            max=100,
            min_length=2,
            max_length=10,
            help="各腕の報酬の平均",
        ),
        IntParam("steps", 1000, min=1, max=20000, help="試行回数"),
        FloatParam("lr", 0.1, min=1e-4, max=10.0, help="学習率 α"),
        BoolParam("baseline", True, help="平均報酬をベースラインとして引く"),
        SEED,
    ),
)
def rl_reinforce(means: list[float], steps: int, lr: float, baseline: bool, seed: int):
    result = rl.reinforce_bandit(means, steps, lr, baseline, seed)
    final = result.probs[-1]
    best = int(np.argmax(means))
    narrative = "\n".join(
        [
            f"報酬の平均 {means} の腕を {steps} 回選んだ（報酬には標準偏差 1 の雑音）。",
            "",
            "ソフトマックス方策では $\\nabla_\\theta \\log \\pi(a) = \\mathrm{onehot}(a) - \\pi$。"
            "方策勾配定理により、報酬（収益）を重みにしたこの勾配の期待値が、期待報酬の勾配になる。",
            "",
            f"最後の方策 π = {np.round(final, 4).tolist()}：最もよい腕 {best} を選ぶ確率は **{final[best]:.4f}**。"
            + (
                "平均報酬をベースラインとして引くと、勾配の期待値を変えずに分散を小さくできる。"
                if baseline
                else ""
            ),
        ]
    )
    plot = Plot(
        kind="line",
        title="各腕を選ぶ確率",
        x=list(range(steps + 1)),
        series={f"腕 {k}": result.probs[:, k].tolist() for k in range(len(means))},
        x_label="試行",
    )
    return DemoResult(
        values={
            "final_probs": final.tolist(),
            "best_arm": best,
            "best_arm_prob": float(final[best]),
            "mean_reward_last": float(np.mean(result.rewards[-min(100, steps) :])),
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "rl-actor-critic",
    title="Actor–Critic と A3C（非同期の並列ワーカー）",
    description=(
        "方策（Actor）と状態価値（Critic）を同時に学習する。workers > 1 では、各ワーカーが共有"
        "パラメータのコピーで環境と相互作用し、計算した更新を非同期に共有パラメータへ足す（A3C）。"
    ),
    syllabus=SYLLABUS_RL,
    params=(
        IntParam("workers", 4, min=1, max=16, help="並列ワーカーの数"),
        IntParam("episodes", 200, min=1, max=2000, help="全ワーカー合計のエピソード数"),
        IntParam("t_max", 5, min=1, max=50, help="1 回の更新までに進むステップ数（n-step）"),
        FloatParam("lr", 0.2, min=1e-4, max=1.0, help="学習率（Actor と Critic 共通）"),
        FloatParam("gamma", 0.9, min=0.0, max=0.999, help="割引率 γ"),
        SEED,
    ),
)
def rl_actor_critic(workers, episodes, t_max, lr, gamma, seed) -> DemoResult:
    env = rl.simple_world()
    result = rl.actor_critic(env, episodes, lr, lr, gamma, workers, t_max, seed)
    path = rl.greedy_path(env, result.theta)
    reached = env.is_terminal(path[-1]) and env.terminals[env.cell(path[-1])] > 0
    v_star = rl.value_iteration(env, gamma)[0][env.start_state]
    narrative = "\n".join(
        [
            f"{WORLD_LABELS['simple']}、ワーカー {workers} 個、{t_max} ステップごとに更新。",
            "",
            "- Actor：方策 $\\pi(a|s) = \\mathrm{softmax}(\\theta_s)$ を "
            "$\\theta \\leftarrow \\theta + \\alpha A \\nabla \\log \\pi(a|s)$ で更新",
            "- Critic：状態価値 $V(s)$ を学習し、アドバンテージ $A = R - V(s)$"
            "（R は n ステップ先までの報酬と $\\gamma^n V$ で作った収益）を Actor に渡す",
            "",
            f"共有パラメータへの更新は {result.applied_updates} 回。そのうち {result.stale_updates} 回は、"
            "ワーカーがコピーを取った後に他のワーカーが共有パラメータを書き換えていた（非同期更新）。"
            "A3C はこうした並列ワーカーで経験の相関を減らし、Experience replay なしで方策オン型の学習を安定させる。",
            "",
            "学習した方策で確率最大の行動：",
            "",
            _grid_text(rl.greedy_arrows(env, result.theta)),
            "",
            f"Critic の $V(s_0) = {result.v[env.start_state]:.4f}$（最適値 {v_star:.4f}）、"
            f"スタートから {len(path) - 1} 歩で"
            + ("ゴールに着く。" if reached else "ゴールに着かない。"),
        ]
    )
    return DemoResult(
        values={
            "path_length": len(path) - 1,
            "reached_goal": bool(reached),
            "v_start": float(result.v[env.start_state]),
            "v_star_start": float(v_star),
            "applied_updates": result.applied_updates,
            "stale_updates": result.stale_updates,
        },
        narrative=narrative,
    )


# --- AlphaGo ------------------------------------------------------------------------------


@demo(
    "rl-puct",
    title="AlphaGo の MCTS：手の選択と葉の評価",
    description=(
        "モンテカルロ木探索の各節点で Q(s, a) + u(s, a) が最大の手を選ぶ。u は方策ネットワークの"
        "事前確率 P が大きく、訪問回数 N が少ない手ほど大きい。葉は価値ネットワークとロールアウトの"
        "結果を混ぜて評価する。"
    ),
    syllabus=SYLLABUS_RL,
    params=(
        ListParam("q", [0.5, 0.6, 0.0], min=-1.0, max=1.0, max_length=32, help="行動価値 Q(s, a)"),
        ListParam("n", [10, 30, 0], min=0, max=1e6, max_length=32, help="訪問回数 N(s, a)"),
        ListParam(
            "prior",
            [0.3, 0.2, 0.5],
            min=0.0,
            max=1.0,
            max_length=32,
            help="方策ネットワークの事前確率 P(s, a)",
        ),
        FloatParam("c_puct", 1.0, min=0.0, max=100.0, help="探索の強さ c_puct"),
        FloatParam("value_net", 0.4, min=-1.0, max=1.0, help="葉での価値ネットワークの出力 v"),
        FloatParam("rollout", 1.0, min=-1.0, max=1.0, help="葉からのロールアウトの勝敗 z"),
        FloatParam("lam", 0.5, min=0.0, max=1.0, help="混合の重み λ"),
    ),
)
def rl_puct(q, n, prior, c_puct, value_net, rollout, lam) -> DemoResult:
    if not len(q) == len(n) == len(prior):
        raise ParameterError("In demo rl-puct q, n and prior must have the same length.")
    scores = rl.puct_scores(q, n, prior, c_puct)
    bonus = scores - np.asarray(q)
    selected = int(np.argmax(scores))
    leaf = rl.alphago_leaf_value(value_net, rollout, lam)
    lines = [
        f"- 手 {a}：Q = {q[a]:g}、N = {n[a]:g}、P = {prior[a]:g} → u = {bonus[a]:.4f}、Q + u = {scores[a]:.4f}"
        for a in range(len(q))
    ]
    narrative = "\n".join(
        [
            "$u(s, a) = c_{\\mathrm{puct}} P(s, a) \\frac{\\sqrt{\\sum_b N(s, b)}}{1 + N(s, a)}$"
            f"（$c_{{\\mathrm{{puct}}}} = {c_puct:g}$）：",
            "",
            *lines,
            "",
            f"選ばれるのは **手 {selected}**。まだ訪れていない手でも、方策ネットワークが有望とみれば探索される。"
            "訪問回数が増えるほど u は小さくなり、Q（実際の評価）が効いてくる。",
            "",
            f"葉の評価（AlphaGo 2016）：$V = (1 - \\lambda) v_\\theta + \\lambda z = (1 - {lam:g}) \\times {value_net:g}"
            f" + {lam:g} \\times {rollout:g} = {leaf:.4g}$。探索後は、根で最も多く訪問した手を打つ。",
        ]
    )
    return DemoResult(
        values={
            "scores": scores.tolist(),
            "bonus": bonus.tolist(),
            "selected": selected,
            "leaf_value": leaf,
        },
        narrative=narrative,
    )
