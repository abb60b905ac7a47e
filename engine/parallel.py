"""Distributed training and the arithmetic of accelerators.

- Data parallelism: k workers hold copies of the model, each computes the gradient on its
  shard of the mini-batch, and the gradients are averaged (synchronous SGD). Averaging
  weighted by shard size equals the gradient of the whole batch exactly.
- Asynchronous SGD: a worker's gradient arrives computed at parameters τ steps old (stale).
- Communication: a parameter server versus ring all-reduce.
- Federated Averaging (McMahan et al. 2017): clients train locally, the server averages
  their weights, weighted by the number of samples each client holds.
- The roofline model (Williams, Waterman & Patterson 2009) and the arithmetic intensity of
  a matrix product.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

# --- data parallelism --------------------------------------------------------------------------


def shard_slices(n: int, k: int) -> list[slice]:
    """Split n samples among k workers as evenly as possible (the first n mod k get one more)."""
    if not 1 <= k <= n:
        raise ValueError(f"need 1 ≤ k ≤ n, got k = {k}, n = {n}")
    sizes = [n // k + (1 if w < n % k else 0) for w in range(k)]
    starts = np.cumsum([0, *sizes])
    return [slice(int(starts[w]), int(starts[w + 1])) for w in range(k)]


def weighted_average(items: Sequence[Mapping[str, np.ndarray]], weights: Sequence[float]):
    """Σ_w (n_w / Σ n) · items[w], key by key (equal weights give the plain mean)."""
    weights = np.asarray(weights, dtype=np.float64)
    weights = weights / weights.sum()
    return {
        key: sum(w * item[key] for w, item in zip(weights, items, strict=True)) for key in items[0]
    }


def data_parallel_gradient(
    grad_fn: Callable[[np.ndarray, np.ndarray], Mapping[str, np.ndarray]],
    x,
    t,
    k: int,
    weighted: bool = True,
):
    """Synchronous data parallelism on one machine, worker by worker.

    ``grad_fn(x_shard, t_shard)`` returns the gradient of the mean loss over the shard.
    The mean loss of the whole batch is Σ_w (n_w / n) · (mean loss of shard w), so the
    gradients averaged with weights n_w / n equal the whole batch's gradient; with unequal
    shards the plain mean (``weighted=False``) over-weights the small ones.
    Returns (averaged gradient, [gradient of each worker], [shard sizes]).
    """
    slices = shard_slices(len(x), k)
    grads = [
        {key: np.array(g, copy=True) for key, g in grad_fn(x[s], t[s]).items()} for s in slices
    ]
    sizes = [s.stop - s.start for s in slices]
    return weighted_average(grads, sizes if weighted else [1] * k), grads, sizes


def stale_gradient_descent(
    grad_fn: Callable[[np.ndarray], np.ndarray], theta0, lr: float, steps: int, staleness: int
) -> np.ndarray:
    """θ_{t+1} = θ_t − η ∇L(θ_{t−τ}): gradient descent where every gradient was computed at
    the parameters of τ steps earlier (θ_s = θ_0 for s < 0), as in asynchronous SGD with τ
    other updates arriving while a worker computes. Returns the path, shape (steps + 1, d).
    """
    path = [np.asarray(theta0, dtype=np.float64)]
    for step in range(steps):
        old = path[max(0, step - staleness)]
        path.append(path[-1] - lr * np.asarray(grad_fn(old)))
    return np.array(path)


# --- communication -------------------------------------------------------------------------------


@dataclass
class AllReduceResult:
    """What each worker holds after the all-reduce, and how many elements each one sent."""

    outputs: list[np.ndarray]
    sent_per_worker: list[int]
    steps: int


def ring_allreduce(arrays: Sequence[np.ndarray]) -> AllReduceResult:
    """Ring all-reduce (sum) among k workers, simulated message by message.

    Each array of N elements is cut into k chunks. Reduce-scatter: in k − 1 steps every worker
    sends one chunk to its right neighbour, which adds it to its own; afterwards worker w holds
    the full sum of chunk (w + 1) mod k. All-gather: in k − 1 more steps the finished chunks go
    round the ring. Every worker sends 2(k − 1) chunks of N/k elements: 2(k − 1)/k · N in
    total, almost independent of k — the reason all-reduce scales where a parameter server
    (whose links carry k · N) does not.
    """
    k = len(arrays)
    buffers = [np.array(a, dtype=np.float64, copy=True).ravel() for a in arrays]
    shape = np.shape(arrays[0])
    if k == 1:
        return AllReduceResult([buffers[0].reshape(shape)], [0], 0)
    bounds = np.linspace(0, buffers[0].size, k + 1).round().astype(int)
    chunk = [slice(bounds[c], bounds[c + 1]) for c in range(k)]
    sent = [0] * k
    steps = 0
    for phase in ("reduce-scatter", "all-gather"):
        for step in range(k - 1):
            # Worker w sends chunk (w − step) (reduce-scatter) or (w + 1 − step) (all-gather).
            offset = 0 if phase == "reduce-scatter" else 1
            messages = []
            for w in range(k):
                c = (w - step + offset) % k
                messages.append(((w + 1) % k, c, buffers[w][chunk[c]].copy()))
                sent[w] += chunk[c].stop - chunk[c].start
            for receiver, c, data in messages:
                if phase == "reduce-scatter":
                    buffers[receiver][chunk[c]] += data
                else:
                    buffers[receiver][chunk[c]] = data
            steps += 1
    return AllReduceResult([b.reshape(shape) for b in buffers], sent, steps)


def ring_allreduce_volume(n_elements: int, k: int) -> float:
    """Elements each worker sends in a ring all-reduce: 2(k − 1)/k · N."""
    return 2 * (k - 1) / k * n_elements


def parameter_server_volume(n_elements: int, k: int) -> dict[str, int]:
    """One synchronous step with a parameter server: every worker pushes its gradient (N) and
    pulls the new parameters (N); the server receives k·N and sends k·N."""
    return {
        "worker_sent": n_elements,
        "worker_received": n_elements,
        "server_received": k * n_elements,
        "server_sent": k * n_elements,
    }


# --- federated learning ----------------------------------------------------------------------------


def federated_average(client_params: Sequence[Mapping[str, np.ndarray]], client_sizes):
    """Federated Averaging: w ← Σ_k (n_k / n) · w_k, with n_k the samples of client k."""
    if len(client_params) != len(client_sizes):
        raise ValueError("one sample count per client is needed")
    return weighted_average(client_params, client_sizes)


# --- accelerators: roofline ------------------------------------------------------------------------


def roofline(peak_flops: float, bandwidth: float, intensity: float) -> float:
    """Attainable FLOP/s = min(peak FLOP/s, arithmetic intensity × memory bandwidth).

    intensity is FLOPs per byte moved to or from memory; below the ridge point
    peak / bandwidth a kernel is memory-bound, above it compute-bound.
    """
    return min(peak_flops, intensity * bandwidth)


def matmul_cost(m: int, k: int, n: int, bytes_per_element: int = 4) -> tuple[int, int]:
    """FLOPs and bytes of C = A·B with A (m × k), B (k × n): 2mkn FLOPs (a multiply and an
    add per term) and (mk + kn + mn) elements read or written once each."""
    return 2 * m * k * n, (m * k + k * n + m * n) * bytes_per_element
