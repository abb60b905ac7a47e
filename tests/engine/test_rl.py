"""engine.rl: grid worlds, returns, Bellman equations, TD control, DQN, policy gradient, MCTS."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine import rl


def test_simple_world_dynamics():
    env = rl.simple_world()
    start = env.start_state
    assert env.cell(start) == (2, 0)
    assert env.step(start, 3) == (start, 0.0, False)  # left: off the grid, stays
    assert env.step(start, 0) == (env.state((1, 0)), 0.0, False)
    assert env.step(env.state((2, 1)), 0)[0] == env.state((2, 1))  # up into the wall: stays
    assert env.step(env.state((0, 2)), 1) == (env.state((0, 3)), 1.0, True)
    assert env.step(env.state((1, 2)), 1) == (env.state((1, 3)), -1.0, True)


def test_cliff_world_sends_the_agent_back_to_the_start():
    env = rl.cliff_world()
    assert env.step(env.start_state, 1) == (env.start_state, -100.0, False)
    above_goal = env.state((2, 11))
    assert env.step(above_goal, 2) == (env.state((3, 11)), -1.0, True)
    with pytest.raises(ValueError):
        rl.make_world("maze")


def test_returns_forwards_and_backwards():
    rewards = [1.0, 0.0, 2.0, 3.0]
    gamma = 0.9
    direct = sum(gamma**k * r for k, r in enumerate(rewards))
    assert rl.discounted_return(rewards, gamma) == pytest.approx(direct)
    g = rl.returns(rewards, gamma)
    assert g[0] == pytest.approx(direct)
    assert g.tolist() == pytest.approx([4.807, 4.23, 4.7, 3.0])


def test_value_iteration_gives_discounted_distance_to_the_goal():
    env = rl.simple_world()
    v, q, _ = rl.value_iteration(env, 0.9)
    assert v[env.start_state] == pytest.approx(0.9**4)
    assert v[env.state((0, 2))] == pytest.approx(1.0)
    assert q[env.state((1, 2)), 1] == pytest.approx(-1.0)  # into the pit
    cliff = rl.cliff_world()
    v_cliff, _, _ = rl.value_iteration(cliff, 1.0)
    assert v_cliff[cliff.start_state] == pytest.approx(-13.0)


def test_policy_evaluation_solves_the_bellman_expectation_equation():
    env = rl.simple_world()
    rng = np.random.default_rng(0)
    policy = rng.dirichlet(np.ones(4), size=env.n_states)
    v = rl.policy_evaluation(env, policy, 0.8)
    for s in env.free_states():
        backup = 0.0
        for a in range(4):
            s_next, r, done = env.step(s, a)
            backup += policy[s, a] * (r + (0.0 if done else 0.8 * v[s_next]))
        assert v[s] == pytest.approx(backup, abs=1e-12)
    # a deterministic optimal policy evaluates to V*
    v_star, q_star, _ = rl.value_iteration(env, 0.8)
    greedy = np.eye(4)[np.argmax(q_star, axis=1)]
    v_greedy = rl.policy_evaluation(env, greedy, 0.8)
    free = env.free_states()
    assert np.allclose(v_greedy[free], v_star[free])


def test_epsilon_greedy_probabilities():
    rng = np.random.default_rng(1)
    q = np.array([0.0, 2.0, 1.0])
    picks = np.bincount([rl.epsilon_greedy(q, 0.3, rng) for _ in range(30000)], minlength=3) / 30000
    assert picks == pytest.approx([0.1, 0.8, 0.1], abs=0.01)
    assert all(rl.epsilon_greedy(q, 0.0, rng) == 1 for _ in range(50))


def test_q_learning_and_sarsa_updates():
    q = np.zeros((2, 3))
    q[0, 0] = 2.0
    q[1] = [3.0, 5.0, 4.0]
    q_sarsa = q.copy()
    error = rl.q_learning_update(q, 0, 0, 1.0, 1, False, 0.1, 0.9)
    assert error == pytest.approx(1 + 0.9 * 5 - 2)
    assert q[0, 0] == pytest.approx(2.35)
    error = rl.sarsa_update(q_sarsa, 0, 0, 1.0, 1, 0, False, 0.1, 0.9)
    assert error == pytest.approx(1 + 0.9 * 3 - 2)
    assert q_sarsa[0, 0] == pytest.approx(2.17)
    terminal = np.zeros((2, 3))
    terminal[1] = 100.0
    rl.q_learning_update(terminal, 0, 1, 5.0, 1, True, 0.5, 0.9)
    assert terminal[0, 1] == pytest.approx(2.5)  # no bootstrap past a terminal state


def test_random_walk_episodes_start_in_the_middle_and_step_by_one():
    rng = np.random.default_rng(3)
    for _ in range(50):
        visited, reward = rl.random_walk_episode(5, rng)
        assert visited[0] == 2
        assert all(abs(b - a) == 1 for a, b in itertools.pairwise(visited))
        assert reward == (1.0 if visited[-1] == 4 else 0.0)
        assert visited[-1] in (0, 4)


def test_td0_and_monte_carlo_updates_on_a_hand_made_episode():
    # States 2 → 3 → 4, then out on the right: reward 1.
    episode = [([2, 3, 4], 1.0)]
    td = rl.td0_prediction(episode, 5, alpha=0.5)
    # Bootstrapped targets are 0.5 (= V of the next state) until the last step, whose
    # target is the reward: only V(4) moves, to 0.5 + 0.5 × (1 − 0.5).
    assert td.values[-1] == pytest.approx([0.5, 0.5, 0.5, 0.5, 0.75])
    assert td.changes_before_episode_end == 0
    mc = rl.mc_prediction(episode, 5, alpha=0.5, gamma=0.9)
    # Every visited state moves halfway to its own return γ^(steps to the end).
    assert mc.values[-1] == pytest.approx(
        [0.5, 0.5, 0.5 + 0.5 * (0.81 - 0.5), 0.5 + 0.5 * (0.9 - 0.5), 0.75]
    )
    # A second episode: TD now changes V(3) in the middle of the episode, as V(4) moved.
    td = rl.td0_prediction(episode * 2, 5, alpha=0.5)
    assert td.changes_before_episode_end == 1
    assert td.values[-1][3] == pytest.approx(0.5 + 0.5 * (0.75 - 0.5))


def test_td0_and_monte_carlo_approach_the_true_random_walk_values():
    rng = np.random.default_rng(0)
    walk = [rl.random_walk_episode(5, rng) for _ in range(3000)]
    true_values = np.arange(1, 6) / 6
    for method in (rl.td0_prediction, rl.mc_prediction):
        estimate = method(walk, 5, alpha=0.01).values[-1]
        assert np.abs(estimate - true_values).max() < 0.05


def test_td_control_is_deterministic_and_learns_the_cliff_paths():
    env = rl.cliff_world()
    q_learning = rl.td_control(env, "q-learning", 300, 0.5, 1.0, 0.1, seed=0)
    again = rl.td_control(env, "q-learning", 300, 0.5, 1.0, 0.1, seed=0)
    assert np.array_equal(q_learning.q, again.q)
    sarsa = rl.td_control(env, "sarsa", 300, 0.5, 1.0, 0.1, seed=0)
    assert len(rl.greedy_path(env, q_learning.q)) - 1 == 13  # along the cliff
    assert len(rl.greedy_path(env, sarsa.q)) - 1 > 13  # the safe detour
    assert np.mean(sarsa.episode_returns[-100:]) > np.mean(q_learning.episode_returns[-100:])
    with pytest.raises(ValueError):
        rl.td_control(env, "expected-sarsa", 1, 0.5, 1.0, 0.1, seed=0)


def test_greedy_arrows_marks_walls_goals_and_pits():
    env = rl.simple_world()
    _, q, _ = rl.value_iteration(env, 0.9)
    arrows = rl.greedy_arrows(env, q)
    assert arrows[0] == "→→→G"
    assert arrows[1][1] == "#"
    assert arrows[1][3] == "P"


def test_replay_buffer_is_a_ring():
    buffer = rl.ReplayBuffer(3)
    for i in range(5):
        buffer.append((i, 0, 0.0, i + 1, False))
    assert len(buffer) == 3
    assert sorted(item[0] for item in buffer.items) == [2, 3, 4]
    s, _, _, s_next, _ = buffer.sample(8, np.random.default_rng(0))
    assert s.shape == (8,)
    assert set(s.tolist()) <= {2, 3, 4}
    assert np.array_equal(s_next, s + 1)


def test_q_network_gradient_matches_numerical_gradient():
    rng = np.random.default_rng(0)
    net = rl.QNetwork(5, 3, 4, rng)
    states = np.array([0, 3, 3, 1])
    dout = rng.standard_normal((4, 3))
    net.forward(states)
    grads = net.backward(dout)
    h = 1e-6
    for key, param in net.params.items():
        index = tuple(rng.integers(0, n) for n in param.shape)
        old = param[index]
        param[index] = old + h
        plus = np.sum(net.forward(states) * dout)
        param[index] = old - h
        minus = np.sum(net.forward(states) * dout)
        param[index] = old
        assert grads[key][index] == pytest.approx((plus - minus) / (2 * h), abs=1e-6)


def test_dqn_learns_the_simple_world():
    env = rl.simple_world()
    result = rl.dqn(env, 50, 0.9, 0.2, 0.01, 32, 500, 20, 16, seed=0)
    path = rl.greedy_path(env, result.q)
    assert len(path) - 1 == 5
    assert env.terminals[env.cell(path[-1])] == 1.0
    assert result.target_syncs == result.updates // 20


def test_log_softmax_gradient_is_the_numerical_gradient():
    from engine.functions import softmax

    theta = np.array([0.3, -1.0, 2.0])
    grad = rl.log_softmax_gradient(softmax(theta), 1)
    h = 1e-6
    numeric = [
        (np.log(softmax(theta + h * e)[1]) - np.log(softmax(theta - h * e)[1])) / (2 * h)
        for e in np.eye(3)
    ]
    assert grad == pytest.approx(numeric, abs=1e-8)


def test_reinforce_prefers_the_best_arm():
    result = rl.reinforce_bandit([0.2, 0.5, 1.0], 1000, 0.1, True, seed=0)
    assert result.probs.shape == (1001, 3)
    assert np.allclose(result.probs.sum(axis=1), 1.0)
    assert result.probs[-1, 2] > 0.9
    again = rl.reinforce_bandit([0.2, 0.5, 1.0], 1000, 0.1, True, seed=0)
    assert np.array_equal(result.probs, again.probs)


@pytest.mark.parametrize("workers", [1, 3])
def test_actor_critic_learns_and_counts_stale_updates(workers):
    env = rl.simple_world()
    result = rl.actor_critic(env, 150, 0.2, 0.2, 0.9, workers, 5, seed=0)
    assert len(result.episode_returns) == 150
    path = rl.greedy_path(env, result.theta)
    assert env.is_terminal(path[-1])
    if workers == 1:
        assert result.stale_updates == 0
    else:
        assert 0 < result.stale_updates <= result.applied_updates


def test_puct_and_leaf_value():
    scores = rl.puct_scores([0.5, 0.6, 0.0], [10, 30, 0], [0.3, 0.2, 0.5], 1.0)
    total = np.sqrt(40)
    assert scores == pytest.approx([0.5 + 0.3 * total / 11, 0.6 + 0.2 * total / 31, 0.5 * total])
    assert rl.alphago_leaf_value(0.4, 1.0, 0.5) == pytest.approx(0.7)
