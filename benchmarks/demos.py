"""Every demo at its default parameters: median and worst time over several runs.

Prints one JSON line: {"demos": {id: {"median_ms", "max_ms"}}, "slowest", "budget_median_ms": 300,
"budget_max_ms": 1000, "within_budget"}. Budget (DESIGN.md): each demo ≤ 300 ms median at its
defaults, none over 1 s. BLAS runs on one thread, as in the TUI's background worker.

    python -m benchmarks.demos [--repeats 7]
"""

from __future__ import annotations

import os

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

# Run as a script, this folder comes first on sys.path and its engine.py would shadow the
# engine package: put the repository root first instead.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.demos import all_demos, run  # noqa: E402

BUDGET_MEDIAN_MS = 300.0
BUDGET_MAX_MS = 1000.0


def measure(repeats: int) -> dict:
    timings = {}
    for demo_id, demo in all_demos().items():
        run(demo)  # warm caches and lazy imports once
        samples = [run(demo).seconds * 1000 for _ in range(repeats)]
        timings[demo_id] = {
            "median_ms": round(statistics.median(samples), 3),
            "max_ms": round(max(samples), 3),
        }
    slowest = max(timings, key=lambda demo_id: timings[demo_id]["median_ms"])
    return {
        "demos": timings,
        "count": len(timings),
        "slowest": {"id": slowest, **timings[slowest]},
        "budget_median_ms": BUDGET_MEDIAN_MS,
        "budget_max_ms": BUDGET_MAX_MS,
        "within_budget": all(
            t["median_ms"] <= BUDGET_MEDIAN_MS and t["max_ms"] <= BUDGET_MAX_MS
            for t in timings.values()
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(measure(args.repeats), ensure_ascii=False))


if __name__ == "__main__":
    main()
