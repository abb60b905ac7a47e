"""Demos of engine/demos/distributed.py against independent computations."""

from __future__ import annotations

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


def values(demo_id: str, **params):
    return run_demo(demo_id, **params).values


def test_data_parallel_weighted_average_equals_the_batch_gradient():
    equal = values("dist-data-parallel", workers=4, batch=128)
    assert equal["shard_sizes"] == [32] * 4
    assert equal["max_abs_diff"] < 1e-14
    unequal = values("dist-data-parallel", workers=3, batch=128, weighted=False)
    assert unequal["shard_sizes"] == [43, 43, 42]
    assert unequal["max_abs_diff"] > 1e-6
    with pytest.raises(ParameterError, match="workers"):
        values("dist-data-parallel", workers=10, batch=4)


def test_async_staleness_zero_is_synchronous():
    fresh = values("dist-async-staleness", staleness=0, lr=0.05)
    assert fresh["final_loss_gap"] == fresh["sync_final_loss_gap"]
    assert fresh["diverged"] is False
    assert values("dist-async-staleness", staleness=4, lr=0.05)["diverged"] is True


def test_model_parallel_splits_agree_with_one_device():
    result = values("dist-model-parallel", batch=8, hidden=16)
    assert result["pipeline_max_diff"] < 1e-12 and result["tensor_max_diff"] < 1e-12
    assert result["pipeline_sent"] == 8 * 16 and result["tensor_sent"] == 8 * 10
    assert result["params_total"] == 64 * 16 + 16 + 16 * 10 + 10
    with pytest.raises(ParameterError, match="even"):
        values("dist-model-parallel", hidden=15)


@pytest.mark.parametrize("k", [2, 4, 8])
def test_allreduce_volumes(k):
    result = values("dist-allreduce", workers=k, elements=1_000_000)
    assert result["ring_sent_per_worker"] == pytest.approx(2 * (k - 1) / k * 1_000_000)
    assert result["ps_server_received"] == k * 1_000_000
    assert result["sent_fraction"] == pytest.approx(2 * (k - 1) / k)
    assert result["max_error"] < 1e-12


def test_fedavg_weighted_mean():
    w = np.array([[1.0, 2.0], [3.0, 0.0], [2.0, 4.0]])
    n = np.array([100.0, 300.0, 600.0])
    result = values("dist-fedavg", client_weights=w.tolist(), client_sizes=n.tolist())
    np.testing.assert_allclose(result["averaged"], (n[:, None] * w).sum(0) / n.sum())
    with pytest.raises(ParameterError, match="one count"):
        values("dist-fedavg", client_sizes=[1.0])


def test_fedavg_training_iid_beats_non_iid():
    iid = values("dist-fedavg-train", rounds=5)
    non_iid = values("dist-fedavg-train", rounds=5, split="non_iid")
    assert sum(iid["client_sizes"]) == sum(non_iid["client_sizes"]) == 1797 - round(1797 * 0.2)
    assert iid["final_accuracy"] > non_iid["final_accuracy"]
    assert iid["params_per_message"] == 64 * 10 + 10
    assert values("dist-fedavg-train", rounds=2) == values("dist-fedavg-train", rounds=2)
