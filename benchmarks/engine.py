"""Convolution and Pooling forward+backward: the engine against PyTorch CPU, float64.

Prints one JSON line: per case the median milliseconds of one forward and one backward pass
for the engine and, when torch is importable, for torch (autograd, same process, same
shapes) and the ratio engine / torch. The budget (DESIGN.md) is a ratio of at most 2.

Engine and torch run in alternating blocks of repeats (not alternating single calls: the
BLAS and OpenMP worker threads of one library keep spinning for a moment after a call and
would slow the other), so a burst of load on the shared machine hits both.

    python benchmarks/engine.py [--repeats 30] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

# A script's folder comes first on sys.path, so while any script in benchmarks/ runs,
# ``import engine`` would find this file instead of the engine package. Drop the folder; and
# if a sibling script has already imported this file as ``engine``, hand it the package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if __name__ == "engine":
    del sys.modules["engine"]
    sys.modules["engine"] = importlib.import_module("engine")

from engine.layers import Convolution, Pooling  # noqa: E402

CASES = {
    "conv_n100_c1_28x28_f30_5x5": dict(kind="conv", x=(100, 1, 28, 28), W=(30, 1, 5, 5), pad=0),
    "conv_n64_c16_16x16_f32_3x3_pad1": dict(
        kind="conv", x=(64, 16, 16, 16), W=(32, 16, 3, 3), pad=1
    ),
    "maxpool_2x2_s2_100x30x24x24": dict(kind="pool", x=(100, 30, 24, 24), pool=2),
}


def engine_step(case, rng):
    x = rng.standard_normal(case["x"])
    if case["kind"] == "conv":
        layer = Convolution(
            rng.standard_normal(case["W"]),
            rng.standard_normal(case["W"][0]),
            stride=1,
            pad=case["pad"],
        )
    else:
        layer = Pooling(case["pool"], case["pool"], stride=case["pool"])
    dout = rng.standard_normal(layer.forward(x).shape)

    def step():
        layer.forward(x)
        layer.backward(dout)

    return step


def torch_step(case, rng, torch):
    functional = torch.nn.functional
    x = torch.tensor(rng.standard_normal(case["x"]), requires_grad=True)
    if case["kind"] == "conv":
        W = torch.tensor(rng.standard_normal(case["W"]), requires_grad=True)
        b = torch.tensor(rng.standard_normal(case["W"][0]), requires_grad=True)
        tensors = (x, W, b)

        def forward():
            return functional.conv2d(x, W, b, stride=1, padding=case["pad"])
    else:
        tensors = (x,)

        def forward():
            return functional.max_pool2d(x, case["pool"], stride=case["pool"])

    dout = torch.tensor(rng.standard_normal(tuple(forward().shape)))

    def step():
        for tensor in tensors:
            tensor.grad = None  # assign fresh gradients, as the engine does, not accumulate
        forward().backward(dout)

    return step


def milliseconds(step) -> float:
    start = time.perf_counter()
    step()
    return (time.perf_counter() - start) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating blocks per library")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None

    rng = np.random.default_rng(0)
    results = {}
    for name, case in CASES.items():
        steps = {"engine": engine_step(case, rng)}
        if torch is not None:
            steps["torch"] = torch_step(case, rng, torch)
        times = {label: [] for label in steps}
        for _ in range(args.rounds):
            for label, step in steps.items():
                for _ in range(3):  # warm-up: caches, allocator, thread pools
                    step()
                times[label].extend(milliseconds(step) for _ in range(args.repeats))
        result = {f"{label}_ms": round(statistics.median(t), 3) for label, t in times.items()}
        if torch is not None:
            result["ratio"] = round(result["engine_ms"] / result["torch_ms"], 3)
        results[name] = result

    report = {
        "benchmark": "engine_conv_pool_forward_backward",
        "dtype": "float64",
        "repeats": args.repeats * args.rounds,
        "torch": torch.__version__ if torch is not None else None,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "numpy": np.__version__,
        "cases": results,
        "max_ratio": max(r["ratio"] for r in results.values()) if torch is not None else None,
    }
    report["within_budget"] = None if torch is None else report["max_ratio"] <= 2
    print(json.dumps(report))


if __name__ == "__main__":
    main()
