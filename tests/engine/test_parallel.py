"""engine.parallel: data parallelism, stale gradients, ring all-reduce, FedAvg, roofline."""

from __future__ import annotations

import numpy as np
import pytest

from engine import parallel


def test_shard_slices_cover_the_batch_evenly():
    slices = parallel.shard_slices(10, 3)
    assert [s.stop - s.start for s in slices] == [4, 3, 3]
    assert slices[0].start == 0 and slices[-1].stop == 10
    with pytest.raises(ValueError):
        parallel.shard_slices(2, 3)


def _linear_grad(x, t):
    """∂/∂w of the mean of (x·w − t)² at w = (1, −1): (2/n) xᵀ(xw − t)."""
    w = np.array([1.0, -1.0])
    return {"w": 2 * x.T @ (x @ w - t) / len(x)}


def test_weighted_average_of_shard_gradients_is_the_batch_gradient():
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(10, 2)), rng.normal(size=10)
    full = _linear_grad(x, t)["w"]
    averaged, grads, sizes = parallel.data_parallel_gradient(_linear_grad, x, t, 3)
    assert sizes == [4, 3, 3] and len(grads) == 3
    np.testing.assert_allclose(averaged["w"], full, rtol=1e-12)
    plain, _, _ = parallel.data_parallel_gradient(_linear_grad, x, t, 3, weighted=False)
    assert np.abs(plain["w"] - full).max() > 1e-6


def test_stale_gradient_descent():
    path = parallel.stale_gradient_descent(lambda th: 2 * th, [1.0], 0.1, 3, 0)
    np.testing.assert_allclose(path[:, 0], [1.0, 0.8, 0.64, 0.512])
    stale = parallel.stale_gradient_descent(lambda th: 2 * th, [1.0], 0.1, 3, 1)
    np.testing.assert_allclose(
        stale[:, 0], [1.0, 0.8, 0.6, 0.44]
    )  # θ₂ = 0.8 − 0.2·θ₀, θ₃ = 0.6 − 0.2·θ₁


@pytest.mark.parametrize("k", [1, 2, 3, 4, 8])
def test_ring_allreduce_sums_and_counts_messages(k):
    rng = np.random.default_rng(k)
    arrays = [rng.normal(size=(4, 6)) for _ in range(k)]
    result = parallel.ring_allreduce(arrays)
    for out in result.outputs:
        np.testing.assert_allclose(out, np.sum(arrays, axis=0), atol=1e-12)
        assert out.shape == (4, 6)
    if 24 % k == 0:
        assert result.sent_per_worker == [parallel.ring_allreduce_volume(24, k)] * k
    assert result.steps == 2 * (k - 1)


def test_communication_volumes():
    assert parallel.ring_allreduce_volume(1_000_000, 8) == 1_750_000
    ps = parallel.parameter_server_volume(100, 4)
    assert ps == {
        "worker_sent": 100,
        "worker_received": 100,
        "server_received": 400,
        "server_sent": 400,
    }


def test_federated_average_weights_by_sample_counts():
    params = [{"w": np.array([1.0, 2.0])}, {"w": np.array([3.0, 0.0])}, {"w": np.array([2.0, 4.0])}]
    np.testing.assert_allclose(parallel.federated_average(params, [100, 300, 600])["w"], [2.2, 2.6])
    with pytest.raises(ValueError):
        parallel.federated_average(params, [1, 2])


def test_roofline_and_matmul_cost():
    assert parallel.roofline(100e12, 1e12, 10) == 10e12
    assert parallel.roofline(100e12, 1e12, 1000) == 100e12
    flops, moved = parallel.matmul_cost(512, 1024, 1024, 4)
    assert flops == 2 * 512 * 1024 * 1024
    assert flops / moved == 128
