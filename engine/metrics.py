"""Performance metrics (機械学習の基礎: 性能指標).

Classification, from the confusion matrix C (row = true class, column = predicted class):

    accuracy   = Σ_k C_kk / Σ C                       (正解率)
    precision  = TP / (TP + FP)                       (適合率: of the predicted positives)
    recall     = TP / (TP + FN)                       (再現率: of the actual positives)
    F1         = 2 · precision · recall / (precision + recall)   (F値, the harmonic mean)

With several classes, "macro" averages the per-class values (every class counts the same);
"micro" pools the TP, FP and FN of every class first (every sample counts the same; for
single-label data micro precision = micro recall = micro F1 = accuracy).

ROC curve: (FPR, TPR) = (FP / N, TP / P) as the decision threshold sweeps the scores from the
highest down; AUC is the area under it, the probability that a random positive scores
higher than a random negative (ties count ½).

Regression: MSE = (1/n) Σ (y − t)² (``engine.functions.mean_squared_error``), RMSE = √MSE,
MAE = (1/n) Σ |y − t|. Language models: perplexity = exp(mean cross-entropy per token).

(Bounding-box IoU and mAP belong to object detection, not here.)
"""

from __future__ import annotations

import numpy as np

from engine.functions import cross_entropy_error, mean_squared_error

__all__ = [
    "accuracy",
    "auc",
    "confusion_matrix",
    "f1_score",
    "mean_absolute_error",
    "mean_squared_error",
    "perplexity",
    "precision",
    "recall",
    "roc_auc",
    "roc_curve",
    "root_mean_squared_error",
]

AVERAGES = ("binary", "micro", "macro")


def _labels(y) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"labels must be a 1-D array, got shape {y.shape}")
    if not np.all(np.equal(np.mod(y, 1), 0)) or np.any(y < 0):
        raise ValueError("labels must be integers ≥ 0")
    return y.astype(np.int64)


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """C[i, j] = the number of samples of true class i predicted as class j.

    For two classes (0 = negative, 1 = positive): [[TN, FP], [FN, TP]].
    """
    y_true, y_pred = _labels(y_true), _labels(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred differ in length: {y_true.size} and {y_pred.size}")
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)  # one count per (true, predicted) pair
    return matrix


def accuracy(y_true, y_pred) -> float:
    """The fraction of samples predicted correctly: trace(C) / ΣC."""
    matrix = confusion_matrix(y_true, y_pred)
    return float(np.trace(matrix) / matrix.sum())


def _safe_divide(numerator, denominator):
    """numerator / denominator, with 0 where the denominator is 0 (as scikit-learn warns and does)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _counts(y_true, y_pred, n_classes=None):
    """Per-class TP, FP, FN (each an array over classes)."""
    matrix = confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(matrix).astype(np.float64)
    fp = matrix.sum(axis=0) - tp  # predicted as k, but another class
    fn = matrix.sum(axis=1) - tp  # of class k, but predicted as another
    return tp, fp, fn


def _per_class(kind: str, tp, fp, fn):
    """Precision, recall or F1 from counts (arrays or scalars); 0 where undefined."""
    if kind == "precision":
        return _safe_divide(tp, tp + fp)
    if kind == "recall":
        return _safe_divide(tp, tp + fn)
    return _safe_divide(2 * tp, 2 * tp + fp + fn)  # = 2PR / (P + R)


def _score(kind: str, y_true, y_pred, average: str, positive: int, n_classes) -> float:
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {', '.join(AVERAGES)}, not {average!r}")
    tp, fp, fn = _counts(y_true, y_pred, n_classes)
    if average == "binary":
        if positive >= tp.size:
            return 0.0
        return float(_per_class(kind, tp[positive], fp[positive], fn[positive]))
    if average == "micro":  # pool the counts of every class, then one ratio
        return float(_per_class(kind, tp.sum(), fp.sum(), fn.sum()))
    return float(np.mean(_per_class(kind, tp, fp, fn)))  # macro: one ratio per class, then the mean


def precision(y_true, y_pred, average: str = "binary", positive: int = 1, n_classes=None) -> float:
    """TP / (TP + FP): of the samples predicted positive, the share that is positive."""
    return _score("precision", y_true, y_pred, average, positive, n_classes)


def recall(y_true, y_pred, average: str = "binary", positive: int = 1, n_classes=None) -> float:
    """TP / (TP + FN): of the positive samples, the share that is found."""
    return _score("recall", y_true, y_pred, average, positive, n_classes)


def f1_score(y_true, y_pred, average: str = "binary", positive: int = 1, n_classes=None) -> float:
    """2PR / (P + R) = 2TP / (2TP + FP + FN), the harmonic mean of precision and recall.

    Macro F1 is the mean of the per-class F1 values (not the F1 of the mean P and R).
    """
    return _score("f1", y_true, y_pred, average, positive, n_classes)


def roc_curve(y_true, scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC curve: (fpr, tpr, thresholds), starting at (0, 0) with threshold +∞.

    A sample is predicted positive when its score ≥ threshold. The thresholds are the
    distinct scores from the highest down, so tied scores enter the curve together (a
    diagonal step). y_true holds 0 (negative) and 1 (positive), with at least one of each.
    """
    y_true = _labels(y_true)
    scores = np.asarray(scores, dtype=np.float64)
    if y_true.shape != scores.shape:
        raise ValueError("y_true and scores must have the same length")
    if np.any(y_true > 1):
        raise ValueError("roc_curve needs binary labels 0 and 1")
    positives, negatives = int(y_true.sum()), int((1 - y_true).sum())
    if positives == 0 or negatives == 0:
        raise ValueError("roc_curve needs at least one positive and one negative sample")
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_true = scores[order], y_true[order]
    tp = np.cumsum(sorted_true)
    fp = np.cumsum(1 - sorted_true)
    # Keep the last index of each run of equal scores: a threshold admits all ties at once.
    last_of_run = np.r_[np.diff(sorted_scores) != 0, True]
    tpr = np.r_[0.0, tp[last_of_run] / positives]
    fpr = np.r_[0.0, fp[last_of_run] / negatives]
    thresholds = np.r_[np.inf, sorted_scores[last_of_run]]
    return fpr, tpr, thresholds


def auc(x, y) -> float:
    """The area under the curve through the points (x, y), by the trapezoidal rule."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2))


def roc_auc(y_true, scores) -> float:
    """The area under the ROC curve: 1 for a perfect ranking, 0.5 for a random one."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    return auc(fpr, tpr)


def root_mean_squared_error(y, t) -> float:
    """RMSE = √MSE, in the unit of the target."""
    return float(np.sqrt(mean_squared_error(y, t)))


def mean_absolute_error(y, t) -> float:
    """MAE = (1/n) Σ |y − t|: less sensitive to outliers than MSE."""
    y, t = np.asarray(y, dtype=np.float64), np.asarray(t, dtype=np.float64)
    return float(np.mean(np.abs(y - t)))


def perplexity(y, t) -> float:
    """exp(cross-entropy per token): y holds each token's predicted distribution (N, V), t the
    true tokens (labels or one-hot). A model that spreads its probability uniformly over V
    tokens has perplexity V — "as uncertain as a choice among V equally likely tokens".
    """
    return float(np.exp(cross_entropy_error(y, t)))
