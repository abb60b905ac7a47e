"""Demos in engine.demos.rl, against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


@pytest.mark.parametrize(
    ("rewards", "gamma"), [([1, 0, 2, 3], 0.9), ([1, 0, 2, 3], 0.0), ([-1] * 10, 1.0)]
)
def test_rl_return(rewards, gamma):
    values = run_demo("rl-return", rewards=rewards, gamma=gamma).values
    expected = [sum(gamma**k * r for k, r in enumerate(rewards[t:])) for t in range(len(rewards))]
    assert values["returns"] == pytest.approx(expected)
    assert values["G0"] == pytest.approx(expected[0])


@pytest.mark.parametrize("terminal", [False, True])
def test_rl_q_update(terminal):
    values = run_demo(
        "rl-q-update",
        q_sa=2,
        reward=1,
        next_q=[3, 5, 4],
        next_action=2,
        alpha=0.1,
        gamma=0.9,
        terminal=terminal,
    ).values
    q_target = 1 if terminal else 1 + 0.9 * 5
    sarsa_target = 1 if terminal else 1 + 0.9 * 4
    assert values["q_learning_target"] == pytest.approx(q_target)
    assert values["q_learning_new_q"] == pytest.approx(2 + 0.1 * (q_target - 2))
    assert values["sarsa_target"] == pytest.approx(sarsa_target)
    assert values["sarsa_new_q"] == pytest.approx(2 + 0.1 * (sarsa_target - 2))


def test_rl_q_update_validates_the_next_action():
    with pytest.raises(ParameterError, match="rl-q-update"):
        run_demo("rl-q-update", next_q=[1, 2], next_action=2)


@pytest.mark.parametrize(("epsilon", "q"), [(0.2, [1, 3, 2, 0.5]), (0.5, [0, 1]), (0.0, [5, 1, 1])])
def test_rl_epsilon_greedy(epsilon, q):
    values = run_demo("rl-epsilon-greedy", epsilon=epsilon, q=q, draws=20000, seed=3).values
    n = len(q)
    best = int(np.argmax(q))
    assert values["greedy_action"] == best
    assert values["p_greedy"] == pytest.approx(1 - epsilon + epsilon / n)
    expected = [1 - epsilon + epsilon / n if a == best else epsilon / n for a in range(n)]
    assert values["frequencies"] == pytest.approx(expected, abs=0.015)
    assert values == run_demo("rl-epsilon-greedy", epsilon=epsilon, q=q, draws=20000, seed=3).values


def test_rl_bellman_simple_world():
    values = run_demo("rl-bellman", world="simple", gamma=0.9).values
    assert values["v_star_start"] == pytest.approx(0.9**4)
    assert values["residual_optimal"] < 1e-12
    assert values["residual_random"] < 1e-12
    assert values["optimal_policy"][0] == "→→→G"


def random_policy_value_by_iteration(gamma):
    """V of the uniform random policy in the 3×4 world by iterative policy evaluation."""
    rows, cols = 3, 4
    goal, pit, wall = (0, 3), (1, 3), (1, 1)
    moves = [(-1, 0), (0, 1), (1, 0), (0, -1)]
    v = np.zeros((rows, cols))
    for _ in range(2000):
        new = np.zeros_like(v)
        for r in range(rows):
            for c in range(cols):
                if (r, c) in (goal, pit, wall):
                    continue
                total = 0.0
                for dr, dc in moves:
                    nr, nc = r + dr, c + dc
                    if not (0 <= nr < rows and 0 <= nc < cols) or (nr, nc) == wall:
                        nr, nc = r, c
                    if (nr, nc) == goal:
                        total += 0.25 * 1.0
                    elif (nr, nc) == pit:
                        total += 0.25 * -1.0
                    else:
                        total += 0.25 * gamma * v[nr, nc]
                new[r, c] = total
        v = new
    return v[2, 0]


def test_rl_bellman_random_policy_value():
    values = run_demo("rl-bellman", world="simple", gamma=0.9).values
    assert values["v_random_start"] == pytest.approx(
        random_policy_value_by_iteration(0.9), abs=1e-10
    )


def test_rl_gridworld_simple_and_cliff():
    simple = run_demo("rl-gridworld").values
    assert simple["reached_goal"] is True
    assert simple["path_length"] == 5
    assert simple["max_q_start"] == pytest.approx(0.9**4, abs=1e-3)
    assert simple["v_star_start"] == pytest.approx(0.9**4)
    cliff_q = run_demo(
        "rl-gridworld", algorithm="q-learning", world="cliff", episodes=300, gamma=1
    ).values
    cliff_sarsa = run_demo(
        "rl-gridworld", algorithm="sarsa", world="cliff", episodes=300, gamma=1
    ).values
    assert cliff_q["path_length"] == 13
    assert cliff_sarsa["path_length"] == 17
    assert cliff_q["v_star_start"] == -13
    assert cliff_sarsa["mean_return_last"] > cliff_q["mean_return_last"]
    assert (
        cliff_q
        == run_demo(
            "rl-gridworld", algorithm="q-learning", world="cliff", episodes=300, gamma=1
        ).values
    )


def test_rl_dqn():
    values = run_demo("rl-dqn").values
    assert values["reached_goal"] is True
    assert values["path_length"] == 5
    assert values["target_syncs"] == values["updates"] // 20
    assert values["v_star_start"] == pytest.approx(0.9**4)
    assert values["max_q_start"] == pytest.approx(0.9**4, abs=0.05)


def test_rl_reinforce():
    values = run_demo("rl-reinforce", means=[0.2, 0.5, 1.0], steps=1000, seed=0).values
    assert values["best_arm"] == 2
    assert sum(values["final_probs"]) == pytest.approx(1.0)
    assert values["best_arm_prob"] > 0.9
    assert values == run_demo("rl-reinforce", means=[0.2, 0.5, 1.0], steps=1000, seed=0).values


@pytest.mark.parametrize("workers", [1, 4])
def test_rl_actor_critic(workers):
    values = run_demo("rl-actor-critic", workers=workers, episodes=200).values
    assert values["reached_goal"] is True
    assert values["v_star_start"] == pytest.approx(0.9**4)
    assert 0 < values["v_start"] <= 1
    if workers == 1:
        assert values["stale_updates"] == 0
    else:
        assert values["stale_updates"] > values["applied_updates"] / 2


def test_rl_puct():
    values = run_demo(
        "rl-puct", q=[0.5, 0.6, 0], n=[10, 30, 0], prior=[0.3, 0.2, 0.5], c_puct=1
    ).values
    total = math.sqrt(40)
    bonus = [0.3 * total / 11, 0.2 * total / 31, 0.5 * total / 1]
    assert values["bonus"] == pytest.approx(bonus)
    assert values["scores"] == pytest.approx([0.5 + bonus[0], 0.6 + bonus[1], bonus[2]])
    assert values["selected"] == 2
    assert values["leaf_value"] == pytest.approx(0.5 * 0.4 + 0.5 * 1.0)
    with pytest.raises(ParameterError, match="rl-puct"):
        run_demo("rl-puct", q=[0.1], n=[1, 2], prior=[0.5, 0.5])


def test_rl_td_vs_mc_recomputes_both_methods_on_the_same_episodes():
    values = run_demo("rl-td-vs-mc", alpha=0.1, episodes=100, runs=20, seed=4).values
    assert values["true_values"] == pytest.approx([1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6])
    assert values["td_changes_before_episode_end"] > 0
    assert values["mc_changes_before_episode_end"] == 0
    assert values["td_rms"] < values["mc_rms"]  # TD's lower variance at this step size
    assert run_demo("rl-td-vs-mc", seed=4, runs=20).values == values
    with pytest.raises(ParameterError):
        run_demo("rl-td-vs-mc", states=4)
