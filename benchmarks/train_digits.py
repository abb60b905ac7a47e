"""Train MultiLayerNet 64-100-10 (ReLU, He, Adam) on the 8×8 digits; time the training.

Prints one JSON line: the seconds spent training (mini-batch gradient + Adam updates only;
loading and the final evaluation are not timed), the test and training accuracy, and the
settings. The budget (issue 2) is a test accuracy of at least 96 % in under 0.2 s.

    python benchmarks/train_digits.py [--epochs 10] [--batch-size 50] [--lr 0.01] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time

from engine.datasets import load_digits
from engine.nets import MultiLayerNet, train
from engine.optim import Adam


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0, help="weights and mini-batch order")
    args = parser.parse_args()

    (x_train, t_train), (x_test, t_test) = load_digits(normalize=True)
    net = MultiLayerNet(64, [100], 10, activation="relu", weight_init="he", seed=args.seed)
    start = time.perf_counter()
    history = train(
        net,
        Adam(lr=args.lr),
        x_train,
        t_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        evaluate=False,
    )
    train_seconds = time.perf_counter() - start

    report = {
        "benchmark": "train_digits",
        "net": "MultiLayerNet 64-100-10 relu he",
        "optimizer": f"Adam(lr={args.lr})",
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "n_train": len(x_train),
        "n_test": len(x_test),
        "updates": len(history.loss),
        "train_seconds": round(train_seconds, 4),
        "final_batch_loss": round(history.loss[-1], 4),
        "train_accuracy": round(net.accuracy(x_train, t_train), 4),
        "test_accuracy": round(net.accuracy(x_test, t_test), 4),
    }
    report["within_budget"] = report["test_accuracy"] >= 0.96 and train_seconds < 0.2
    print(json.dumps(report))


if __name__ == "__main__":
    main()
