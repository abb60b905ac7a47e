"""Reinforcement learning on small worlds: returns, Bellman equations, TD control, policy gradient.

An agent in state s takes action a, and the environment answers with a reward r and the next
state s'. The notation follows Sutton & Barto, "Reinforcement Learning: An Introduction"
(2nd ed., 2018):

    return         G_t = r_{t+1} + γ r_{t+2} + γ² r_{t+3} + … = r_{t+1} + γ G_{t+1}
    state value    V^π(s)    = E_π[G_t | s_t = s]
    action value   Q^π(s, a) = E_π[G_t | s_t = s, a_t = a]

Everything is tabular and seeded (np.random.default_rng), and small enough to run in a demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine import functions, optim
from engine.layers import Affine, Relu

ACTIONS = ("up", "right", "down", "left")
ARROWS = "↑→↓←"
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))


# --- the environment ----------------------------------------------------------------------


@dataclass
class GridWorld:
    """A deterministic grid world. A state is a cell, numbered s = row · cols + col.

    Moving into a wall or off the grid leaves the agent where it is. Every move costs
    ``step_reward``. Entering a terminal cell ends the episode with that cell's reward.
    Entering a cliff cell gives ``cliff_reward`` and sends the agent back to the start
    (the episode goes on), as in Sutton & Barto's cliff walking (Example 6.6).
    """

    rows: int
    cols: int
    start: tuple[int, int]
    terminals: dict[tuple[int, int], float]
    walls: frozenset[tuple[int, int]] = frozenset()
    cliffs: frozenset[tuple[int, int]] = frozenset()
    step_reward: float = 0.0
    cliff_reward: float = -100.0
    name: str = ""
    _table: list[tuple[int, float, bool]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        # The dynamics are deterministic: tabulate (s', r, done) for every (s, a) once.
        self._table = [self._move(s, a) for s in range(self.n_states) for a in range(4)]

    @property
    def n_states(self) -> int:
        return self.rows * self.cols

    @property
    def n_actions(self) -> int:
        return len(ACTIONS)

    def state(self, cell: tuple[int, int]) -> int:
        return cell[0] * self.cols + cell[1]

    def cell(self, state: int) -> tuple[int, int]:
        return divmod(state, self.cols)

    @property
    def start_state(self) -> int:
        return self.state(self.start)

    def is_terminal(self, state: int) -> bool:
        return self.cell(state) in self.terminals

    def _move(self, state: int, action: int) -> tuple[int, float, bool]:
        row, col = self.cell(state)
        if (row, col) in self.terminals or (row, col) in self.walls:
            return state, 0.0, True
        d_row, d_col = MOVES[action]
        target = (row + d_row, col + d_col)
        inside = 0 <= target[0] < self.rows and 0 <= target[1] < self.cols
        if not inside or target in self.walls:
            target = (row, col)
        if target in self.cliffs:
            return self.start_state, self.cliff_reward, False
        if target in self.terminals:
            return self.state(target), self.step_reward + self.terminals[target], True
        return self.state(target), self.step_reward, False

    def step(self, state: int, action: int) -> tuple[int, float, bool]:
        """(s', r, done) for action a in state s."""
        return self._table[state * 4 + action]

    def free_states(self) -> list[int]:
        """States the agent can stand in and act from (not walls, cliffs or terminals)."""
        blocked = set(self.walls) | set(self.cliffs) | set(self.terminals)
        return [s for s in range(self.n_states) if self.cell(s) not in blocked]


def simple_world() -> GridWorld:
    """3 × 4 world (after Russell & Norvig's 4 × 3 world, deterministic): start bottom left,
    goal +1 top right, a pit −1 below it, a wall in the middle; moves cost nothing."""
    return GridWorld(
        rows=3,
        cols=4,
        start=(2, 0),
        terminals={(0, 3): 1.0, (1, 3): -1.0},
        walls=frozenset({(1, 1)}),
        name="simple",
    )


def cliff_world(cols: int = 12) -> GridWorld:
    """Sutton & Barto's cliff walking: 4 × cols, start and goal at the bottom corners, the
    bottom row between them a cliff (−100, back to start), every step −1."""
    return GridWorld(
        rows=4,
        cols=cols,
        start=(3, 0),
        terminals={(3, cols - 1): 0.0},
        cliffs=frozenset((3, c) for c in range(1, cols - 1)),
        step_reward=-1.0,
        name="cliff",
    )


def make_world(name: str) -> GridWorld:
    if name == "simple":
        return simple_world()
    if name == "cliff":
        return cliff_world()
    raise ValueError(f"unknown world {name!r} (known: simple, cliff)")


# --- returns and Bellman equations --------------------------------------------------------


def discounted_return(rewards, gamma: float) -> float:
    """G_0 = r_1 + γ r_2 + γ² r_3 + … = Σ_k γ^k r_{k+1}."""
    rewards = np.asarray(rewards, dtype=np.float64)
    return float(np.sum(rewards * gamma ** np.arange(len(rewards))))


def returns(rewards, gamma: float) -> np.ndarray:
    """G_t for every t, computed backwards with G_t = r_{t+1} + γ G_{t+1} (G_T = 0)."""
    out = np.zeros(len(rewards))
    g = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g
        out[t] = g
    return out


def value_iteration(env: GridWorld, gamma: float, tol: float = 1e-12, max_iter: int = 10_000):
    """Optimal values by the Bellman optimality equation, iterated to a fixed point:

        Q*(s, a) = r(s, a) + γ · max_a' Q*(s', a')   (0 after a terminal transition)
        V*(s) = max_a Q*(s, a)

    Returns (V*, Q*, iterations).
    """
    table = np.array(env._table, dtype=np.float64).reshape(env.n_states, 4, 3)
    next_state = table[..., 0].astype(int)
    reward = table[..., 1]
    done = table[..., 2].astype(bool)
    v = np.zeros(env.n_states)
    for iteration in range(1, max_iter + 1):
        q = reward + gamma * np.where(done, 0.0, v[next_state])
        v_new = q.max(axis=1)
        if np.max(np.abs(v_new - v)) < tol:
            return v_new, q, iteration
        v = v_new
    return v, q, max_iter


def policy_evaluation(env: GridWorld, policy: np.ndarray, gamma: float) -> np.ndarray:
    """V^π by solving the Bellman expectation equation, a linear system:

    V^π(s) = Σ_a π(a|s) [ r(s, a) + γ V^π(s') ]   ⇔   (I − γ P_π) V = r_π
    """
    n = env.n_states
    p = np.zeros((n, n))
    r = np.zeros(n)
    for s in range(n):
        for a in range(4):
            s_next, reward, done = env.step(s, a)
            r[s] += policy[s, a] * reward
            if not done:
                p[s, s_next] += policy[s, a]
    return np.linalg.solve(np.eye(n) - gamma * p, r)


# --- acting -------------------------------------------------------------------------------


def epsilon_greedy(q_row, epsilon: float, rng: np.random.Generator) -> int:
    """With probability ε a uniformly random action (exploration), else argmax_a Q(s, a)
    (exploitation). The greedy action is thus taken with probability 1 − ε + ε/|A|."""
    if rng.random() < epsilon:
        return int(rng.integers(len(q_row)))
    return int(np.argmax(q_row))


def greedy_path(env: GridWorld, q: np.ndarray, max_steps: int = 100) -> list[int]:
    """The states visited from the start when always taking argmax_a Q(s, a)."""
    state = env.start_state
    path = [state]
    for _ in range(max_steps):
        state, _, done = env.step(state, int(np.argmax(q[state])))
        path.append(state)
        if done:
            break
    return path


def greedy_arrows(env: GridWorld, q: np.ndarray) -> list[str]:
    """One string per row: the greedy action's arrow in each cell, G/P terminals, # walls,
    C cliffs."""
    lines = []
    for row in range(env.rows):
        chars = []
        for col in range(env.cols):
            cell = (row, col)
            if cell in env.walls:
                chars.append("#")
            elif cell in env.cliffs:
                chars.append("C")
            elif cell in env.terminals:
                chars.append("G" if env.terminals[cell] >= 0 else "P")
            else:
                chars.append(ARROWS[int(np.argmax(q[env.state(cell)]))])
        lines.append("".join(chars))
    return lines


# --- TD control: Q-learning and SARSA -----------------------------------------------------


def q_learning_update(q, s, a, r, s_next, done, alpha: float, gamma: float) -> float:
    """Q(s, a) ← Q(s, a) + α [ r + γ max_a' Q(s', a') − Q(s, a) ]; returns the TD error.

    Off-policy: the target uses the greedy action in s', whatever the agent does next.
    """
    target = r if done else r + gamma * np.max(q[s_next])
    td_error = target - q[s, a]
    q[s, a] += alpha * td_error
    return float(td_error)


def sarsa_update(q, s, a, r, s_next, a_next, done, alpha: float, gamma: float) -> float:
    """Q(s, a) ← Q(s, a) + α [ r + γ Q(s', a') − Q(s, a) ]; returns the TD error.

    On-policy: a' is the action the ε-greedy policy really takes next (S, A, R, S', A').
    """
    target = r if done else r + gamma * q[s_next, a_next]
    td_error = target - q[s, a]
    q[s, a] += alpha * td_error
    return float(td_error)


@dataclass
class TDResult:
    q: np.ndarray
    episode_returns: list[float]
    episode_lengths: list[int]


def td_control(
    env: GridWorld,
    algorithm: str,
    episodes: int,
    alpha: float,
    gamma: float,
    epsilon: float,
    seed: int,
    max_steps: int = 500,
) -> TDResult:
    """Learn Q with ε-greedy behaviour and Q-learning ("q-learning") or SARSA ("sarsa")."""
    if algorithm not in ("q-learning", "sarsa"):
        raise ValueError(f"algorithm must be 'q-learning' or 'sarsa', not {algorithm!r}")
    rng = np.random.default_rng(seed)
    q = np.zeros((env.n_states, env.n_actions))
    episode_returns, episode_lengths = [], []
    for _ in range(episodes):
        s = env.start_state
        a = epsilon_greedy(q[s], epsilon, rng)
        total, steps = 0.0, 0
        for steps in range(1, max_steps + 1):  # noqa: B007 - steps is read after the loop
            s_next, r, done = env.step(s, a)
            total += r
            a_next = epsilon_greedy(q[s_next], epsilon, rng)
            if algorithm == "q-learning":
                q_learning_update(q, s, a, r, s_next, done, alpha, gamma)
            else:
                sarsa_update(q, s, a, r, s_next, a_next, done, alpha, gamma)
            s, a = s_next, a_next
            if done:
                break
        episode_returns.append(total)
        episode_lengths.append(steps)
    return TDResult(q, episode_returns, episode_lengths)


# --- prediction: TD(0) and Monte Carlo on the random walk --------------------------------


def random_walk_episode(states: int, rng: np.random.Generator) -> tuple[list[int], float]:
    """One episode of Sutton & Barto's random walk (Example 6.2).

    ``states`` non-terminal states in a row; the walk starts in the middle and steps left or
    right with equal probability. Leaving on the right ends the episode with reward 1, on the
    left with reward 0; every other reward is 0. Returns the states visited and that reward.
    """
    s = states // 2
    visited = []
    while 0 <= s < states:
        visited.append(s)
        s += 1 if rng.random() < 0.5 else -1
    return visited, 1.0 if s == states else 0.0


@dataclass
class PredictionResult:
    """State values after every episode, and how many value changes fell inside an episode."""

    values: np.ndarray  # (episodes + 1, states): before the first episode, then after each
    changes_before_episode_end: int


def td0_prediction(
    episodes: list[tuple[list[int], float]],
    states: int,
    alpha: float,
    gamma: float = 1.0,
    initial: float = 0.5,
) -> PredictionResult:
    """TD(0): after every step, V(s) ← V(s) + α [r + γ V(s') − V(s)] with V(terminal) = 0."""
    v = np.full(states, initial)
    history = [v.copy()]
    changes = 0
    for visited, final_reward in episodes:
        for t, s in enumerate(visited):
            last = t == len(visited) - 1
            target = final_reward if last else gamma * v[visited[t + 1]]
            step = alpha * (target - v[s])
            v[s] += step
            if not last and step != 0.0:
                changes += 1
        history.append(v.copy())
    return PredictionResult(np.array(history), changes)


def mc_prediction(
    episodes: list[tuple[list[int], float]],
    states: int,
    alpha: float,
    gamma: float = 1.0,
    initial: float = 0.5,
) -> PredictionResult:
    """Constant-α Monte Carlo: once the episode has ended, V(s) ← V(s) + α [G_t − V(s)] for
    every visit, G_t being the return actually observed from step t."""
    v = np.full(states, initial)
    history = [v.copy()]
    for visited, final_reward in episodes:
        steps_left = len(visited) - 1 - np.arange(len(visited))
        for s, g in zip(visited, final_reward * gamma**steps_left, strict=True):
            v[s] += alpha * (g - v[s])
        history.append(v.copy())
    return PredictionResult(np.array(history), 0)


# --- DQN: a Q-network, experience replay, a target network --------------------------------


class ReplayBuffer:
    """Experience replay: keep the last ``capacity`` transitions (s, a, r, s', done) and train
    on uniformly sampled mini-batches, which breaks the correlation of consecutive steps."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.items: list[tuple[int, int, float, int, bool]] = []
        self.position = 0

    def __len__(self) -> int:
        return len(self.items)

    def append(self, transition: tuple[int, int, float, int, bool]) -> None:
        if len(self.items) < self.capacity:
            self.items.append(transition)
        else:  # a ring buffer: the oldest transition is overwritten
            self.items[self.position] = transition
        self.position = (self.position + 1) % self.capacity

    def sample(self, batch_size: int, rng: np.random.Generator):
        idx = rng.integers(len(self.items), size=batch_size)
        s, a, r, s_next, done = zip(*(self.items[i] for i in idx), strict=True)
        return (
            np.array(s),
            np.array(a),
            np.array(r, dtype=float),
            np.array(s_next),
            np.array(done),
        )


class QNetwork:
    """Q(s, ·) = Affine → ReLU → Affine on a one-hot encoding of the state."""

    def __init__(self, n_states: int, n_actions: int, hidden: int, rng: np.random.Generator):
        self.one_hot = np.eye(n_states)
        self.params = {
            "W1": rng.standard_normal((n_states, hidden)) * np.sqrt(2.0 / n_states),
            "b1": np.zeros(hidden),
            "W2": rng.standard_normal((hidden, n_actions)) * np.sqrt(1.0 / hidden),
            "b2": np.zeros(n_actions),
        }
        self.affine1 = Affine(self.params["W1"], self.params["b1"])
        self.relu = Relu()
        self.affine2 = Affine(self.params["W2"], self.params["b2"])

    def copy_from(self, other: QNetwork) -> None:
        for key, value in other.params.items():
            self.params[key][...] = value

    def forward(self, states) -> np.ndarray:
        x = self.one_hot[np.asarray(states)]
        return self.affine2.forward(self.relu.forward(self.affine1.forward(x)))

    def backward(self, dout) -> dict[str, np.ndarray]:
        self.affine1.backward(self.relu.backward(self.affine2.backward(dout)))
        return {
            "W1": self.affine1.dW,
            "b1": self.affine1.db,
            "W2": self.affine2.dW,
            "b2": self.affine2.db,
        }


@dataclass
class DQNResult:
    q: np.ndarray
    episode_returns: list[float]
    losses: list[float]
    updates: int
    target_syncs: int


def dqn(
    env: GridWorld,
    episodes: int,
    gamma: float,
    epsilon: float,
    lr: float,
    batch_size: int,
    buffer_size: int,
    target_update: int,
    hidden: int,
    seed: int,
    max_steps: int = 100,
) -> DQNResult:
    """DQN (Mnih et al. 2015) on a grid world: minimise ½(y − Q(s, a; θ))² with

        y = r + γ max_a' Q(s', a'; θ⁻)   (y = r at a terminal transition)

    on mini-batches drawn from a replay buffer; θ⁻ (the target network) is a copy of θ
    refreshed every ``target_update`` updates (1 = no separate target network).
    """
    rng = np.random.default_rng(seed)
    online = QNetwork(env.n_states, env.n_actions, hidden, rng)
    target = QNetwork(env.n_states, env.n_actions, hidden, rng)
    target.copy_from(online)
    optimizer = optim.Adam(lr=lr)
    buffer = ReplayBuffer(buffer_size)
    episode_returns, losses = [], []
    updates = syncs = 0
    for _ in range(episodes):
        s, total = env.start_state, 0.0
        for _ in range(max_steps):
            a = epsilon_greedy(online.forward([s])[0], epsilon, rng)
            s_next, r, done = env.step(s, a)
            buffer.append((s, a, r, s_next, done))
            total += r
            s = s_next
            if len(buffer) >= batch_size:
                bs, ba, br, bs_next, bdone = buffer.sample(batch_size, rng)
                y = br + gamma * np.where(bdone, 0.0, target.forward(bs_next).max(axis=1))
                q_all = online.forward(bs)
                error = q_all[np.arange(batch_size), ba] - y
                losses.append(float(0.5 * np.mean(error**2)))
                dout = np.zeros_like(q_all)
                dout[np.arange(batch_size), ba] = error / batch_size
                optimizer.update(online.params, online.backward(dout))
                updates += 1
                if updates % target_update == 0:
                    target.copy_from(online)
                    syncs += 1
            if done:
                break
        episode_returns.append(total)
    q = online.forward(np.arange(env.n_states))
    return DQNResult(q, episode_returns, losses, updates, syncs)


# --- policy gradient ----------------------------------------------------------------------


def log_softmax_gradient(probs: np.ndarray, action: int) -> np.ndarray:
    """∇_θ log π(a) for a softmax policy π = softmax(θ): onehot(a) − π."""
    grad = -probs.copy()
    grad[action] += 1.0
    return grad


@dataclass
class BanditResult:
    probs: np.ndarray  # π after every step: (steps + 1, K)
    rewards: list[float]


def reinforce_bandit(
    means, steps: int, lr: float, baseline: bool, seed: int, reward_std: float = 1.0
) -> BanditResult:
    """REINFORCE (Williams 1992) on a K-armed bandit with a softmax policy π = softmax(θ):

        θ ← θ + α (r − b) ∇_θ log π(a),   ∇_θ log π(a) = onehot(a) − π

    with rewards r ~ N(mean_a, reward_std²) and b the running mean reward (or 0).
    """
    rng = np.random.default_rng(seed)
    means = np.asarray(means, dtype=np.float64)
    theta = np.zeros(len(means))
    probs = [functions.softmax(theta)]
    rewards = []
    average = 0.0
    for t in range(1, steps + 1):
        pi = probs[-1]
        a = int(rng.choice(len(means), p=pi))
        r = float(means[a] + reward_std * rng.standard_normal())
        b = average if baseline else 0.0
        theta += lr * (r - b) * log_softmax_gradient(pi, a)
        average += (r - average) / t
        rewards.append(r)
        probs.append(functions.softmax(theta))
    return BanditResult(np.array(probs), rewards)


@dataclass
class ActorCriticResult:
    theta: np.ndarray  # policy preferences (n_states, n_actions)
    v: np.ndarray  # critic (n_states,)
    episode_returns: list[float]
    applied_updates: int
    stale_updates: int  # updates computed from parameters that had changed meanwhile


def actor_critic(
    env: GridWorld,
    episodes: int,
    lr_actor: float,
    lr_critic: float,
    gamma: float,
    workers: int,
    t_max: int,
    seed: int,
    max_steps: int = 200,
) -> ActorCriticResult:
    """Advantage actor–critic; with workers > 1, A3C-style asynchronous updates.

    Actor π(a|s) = softmax(θ[s]); critic V(s). Each worker copies the shared parameters,
    acts up to t_max steps in its own copy of the environment, computes n-step returns
    R = r + γ R (bootstrapped from V(s_last) unless the episode ended) and the advantage
    A = R − V(s), then adds its accumulated updates to the shared parameters:

        θ[s] += α Σ A ∇ log π(a|s),   V(s) += β Σ A

    Workers take turns one step at a time, so a worker's update was computed from a copy that
    other workers may have changed since — the asynchrony of A3C, simulated deterministically.
    ``episodes`` counts finished episodes over all workers.
    """
    rng = np.random.default_rng(seed)
    theta = np.zeros((env.n_states, env.n_actions))
    v = np.zeros(env.n_states)
    version = 0  # how many updates the shared parameters have received
    state = [env.start_state] * workers
    episode_return = [0.0] * workers
    episode_steps = [0] * workers
    rollout: list[list[tuple[int, int, float]]] = [[] for _ in range(workers)]
    local = [(theta.copy(), v.copy(), version) for _ in range(workers)]
    episode_returns: list[float] = []
    applied = stale = 0
    while len(episode_returns) < episodes:
        for w in range(workers):
            theta_w, v_w, seen = local[w]
            s = state[w]
            pi = functions.softmax(theta_w[s])
            a = int(rng.choice(env.n_actions, p=pi))
            s_next, r, done = env.step(s, a)
            rollout[w].append((s, a, r))
            episode_return[w] += r
            episode_steps[w] += 1
            timeout = episode_steps[w] >= max_steps
            state[w] = s_next
            if not (done or timeout or len(rollout[w]) >= t_max):
                continue
            # n-step returns, backwards from the bootstrap value of the last state
            big_r = 0.0 if done else v_w[s_next]
            d_theta, d_v = np.zeros_like(theta), np.zeros_like(v)
            for s_t, a_t, r_t in reversed(rollout[w]):
                big_r = r_t + gamma * big_r
                advantage = big_r - v_w[s_t]
                d_theta[s_t] += advantage * log_softmax_gradient(
                    functions.softmax(theta_w[s_t]), a_t
                )
                d_v[s_t] += advantage
            theta += lr_actor * d_theta
            v += lr_critic * d_v
            stale += int(version != seen)
            version += 1
            applied += 1
            rollout[w] = []
            if done or timeout:
                episode_returns.append(episode_return[w])
                state[w], episode_return[w], episode_steps[w] = env.start_state, 0.0, 0
            local[w] = (theta.copy(), v.copy(), version)  # the worker syncs with the shared copy
            if len(episode_returns) >= episodes:
                break
    return ActorCriticResult(theta, v, episode_returns, applied, stale)


# --- AlphaGo ------------------------------------------------------------------------------


def puct_scores(q, n, prior, c_puct: float) -> np.ndarray:
    """AlphaGo's MCTS selection: a_t = argmax_a ( Q(s, a) + u(s, a) ) with the bonus

        u(s, a) = c_puct · P(s, a) · √(Σ_b N(s, b)) / (1 + N(s, a)),

    large for moves the policy network likes (P) and that have been visited little (N).
    """
    q = np.asarray(q, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    prior = np.asarray(prior, dtype=np.float64)
    return q + c_puct * prior * np.sqrt(n.sum()) / (1.0 + n)


def alphago_leaf_value(value_net: float, rollout_outcome: float, lam: float = 0.5) -> float:
    """AlphaGo (2016) mixes two evaluations of a leaf: V = (1 − λ) v_θ(s_L) + λ z_L."""
    return (1.0 - lam) * value_net + lam * rollout_outcome
