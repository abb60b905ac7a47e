"""Object detection and segmentation utilities: IoU, NMS, anchors, AP, RoI Pooling/Align, mIoU.

Boxes are (x1, y1, x2, y2) in continuous image coordinates with x1 < x2 and y1 < y2, so a
box's area is (x2 − x1)(y2 − y1) (no "+1" as in the old pixel-index convention of Pascal VOC's
devkit). Feature maps are 2-D arrays indexed [y, x]; the value f[i, j] sits at the point
(x, y) = (j, i), so bilinear interpolation between neighbouring cells is exact for a map that is
linear in x and y.

Segmentation works on label maps: integer arrays of class ids, one per pixel.
"""

from __future__ import annotations

import math

import numpy as np

from engine.im2col import col2im

# --- boxes --------------------------------------------------------------------------------


def box_area(boxes) -> np.ndarray:
    """area = (x2 − x1)(y2 − y1) for every box of an (N, 4) array (or one box of shape (4,))."""
    boxes = np.asarray(boxes, dtype=np.float64)
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def box_intersection(a, b) -> np.ndarray:
    """Pairwise intersection areas of boxes a (N, 4) and b (M, 4): an (N, M) array.

    The overlap of two boxes is the box [max(x1), max(y1)] – [min(x2), min(y2)]; when
    max(x1) ≥ min(x2) (or the same in y) they do not overlap, so each side is clipped at 0.
    """
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    b = np.atleast_2d(np.asarray(b, dtype=np.float64))
    top_left = np.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = np.minimum(a[:, None, 2:], b[None, :, 2:])
    sides = np.clip(bottom_right - top_left, 0.0, None)
    return sides[..., 0] * sides[..., 1]


def box_iou(a, b) -> np.ndarray:
    """IoU(A, B) = |A ∩ B| / |A ∪ B| = |A ∩ B| / (|A| + |B| − |A ∩ B|), pairwise: (N, M)."""
    a = np.atleast_2d(np.asarray(a, dtype=np.float64))
    b = np.atleast_2d(np.asarray(b, dtype=np.float64))
    inter = box_intersection(a, b)
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return inter / union


def nms(boxes, scores, iou_threshold: float) -> list[int]:
    """Non-maximum suppression: indices of the boxes kept, highest score first.

    Repeat: keep the highest-scoring box that is left, and discard every remaining box whose
    IoU with it is *greater than* the threshold (as torchvision.ops.nms). A lower threshold
    therefore discards more boxes.
    """
    boxes = np.atleast_2d(np.asarray(boxes, dtype=np.float64))
    order = list(np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable"))
    iou = box_iou(boxes, boxes)
    keep: list[int] = []
    while order:
        best = order.pop(0)
        keep.append(int(best))
        order = [i for i in order if iou[best, i] <= iou_threshold]
    return keep


# --- anchors and default boxes ------------------------------------------------------------


def anchor_shapes(sizes, ratios) -> np.ndarray:
    """(width, height) of the k = len(sizes)·len(ratios) anchors of one position.

    An anchor of size s and aspect ratio r = h / w has the area s² of an s × s square:
    w = s / √r and h = s·√r.
    """
    shapes = [(s / math.sqrt(r), s * math.sqrt(r)) for s in sizes for r in ratios]
    return np.array(shapes, dtype=np.float64)


def boxes_at_cells(feature_h: int, feature_w: int, stride: float, shapes) -> np.ndarray:
    """The boxes of the given (width, height) shapes centred on every cell: (H·W·k, 4).

    Cell (i, j) of the map looks at the image around ((j + ½)·stride, (i + ½)·stride); each
    cell gets the same k shapes centred there, so there are H × W × k boxes, cell by cell.
    """
    shapes = np.asarray(shapes, dtype=np.float64).reshape(-1, 2)
    cy, cx = np.meshgrid(
        (np.arange(feature_h) + 0.5) * stride, (np.arange(feature_w) + 0.5) * stride, indexing="ij"
    )
    centres = np.stack([cx.ravel(), cy.ravel()], axis=1)  # (H·W, 2)
    half = shapes / 2
    top_left = centres[:, None, :] - half[None, :, :]
    bottom_right = centres[:, None, :] + half[None, :, :]
    return np.concatenate([top_left, bottom_right], axis=2).reshape(-1, 4)


def generate_anchors(feature_h: int, feature_w: int, stride: float, sizes, ratios) -> np.ndarray:
    """Every anchor box of a feature_h × feature_w map (Faster R-CNN's RPN): (H·W·k, 4).

    k = len(sizes) · len(ratios) anchor shapes per cell (3 sizes × 3 ratios = 9 in the paper).
    """
    return boxes_at_cells(feature_h, feature_w, stride, anchor_shapes(sizes, ratios))


def ssd_scales(n_maps: int, s_min: float = 0.2, s_max: float = 0.9) -> list[float]:
    """SSD's default-box scales: s_k = s_min + (s_max − s_min)(k − 1)/(m − 1), k = 1 … m."""
    if n_maps == 1:
        return [s_min]
    return [s_min + (s_max - s_min) * k / (n_maps - 1) for k in range(n_maps)]


def ssd_default_boxes(feature_sizes, boxes_per_location, s_min=0.2, s_max=0.9) -> list[np.ndarray]:
    """SSD's default boxes, one (f·f·b, 4) array per square feature map of side f.

    Coordinates are relative to the image (0 … 1). At scale s_k a location gets boxes of
    aspect ratio a with w = s_k√a and h = s_k/√a for a ∈ {1, 2, ½} (b = 4) or
    {1, 2, 3, ½, ⅓} (b = 6), and one more square box of side √(s_k·s_{k+1}).
    """
    ratio_sets = {4: (1.0, 2.0, 0.5), 6: (1.0, 2.0, 3.0, 0.5, 1.0 / 3.0)}
    scales = ssd_scales(len(feature_sizes), s_min, s_max)
    scales_next = [*scales[1:], 1.0]
    maps = []
    for f, b, s, s_next in zip(feature_sizes, boxes_per_location, scales, scales_next, strict=True):
        if b not in ratio_sets:
            raise ValueError(f"SSD uses 4 or 6 default boxes per location, not {b}")
        shapes = [(s * math.sqrt(a), s / math.sqrt(a)) for a in ratio_sets[b]]
        shapes.append((math.sqrt(s * s_next),) * 2)
        maps.append(boxes_at_cells(f, f, 1.0 / f, shapes))
    return maps


def hard_negative_mining(losses, positive, neg_pos_ratio: int = 3) -> np.ndarray:
    """SSD's hard negative mining: a mask of the negatives used in the confidence loss.

    Most default boxes match no object. Rather than all of them, SSD keeps only the negatives
    with the highest confidence loss (the "hardest"), at most neg_pos_ratio per positive.
    """
    losses = np.asarray(losses, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    n_neg = min(neg_pos_ratio * int(positive.sum()), int((~positive).sum()))
    negative_losses = np.where(positive, -np.inf, losses)
    chosen = np.argsort(-negative_losses, kind="stable")[:n_neg]
    mask = np.zeros(losses.shape, dtype=bool)
    mask[chosen] = True
    return mask


def fpn_level(width: float, height: float, k0: int = 4, canonical: float = 224.0) -> int:
    """The FPN pyramid level P_k for an RoI of width × height (Lin et al. 2017, eq. 1).

    k = ⌊k0 + log₂(√(wh) / 224)⌋, clipped to 2 … 5: an RoI of 224² goes to P4, one half as
    wide and high to P3 (a finer map with a smaller stride).
    """
    k = math.floor(k0 + math.log2(math.sqrt(width * height) / canonical))
    return int(min(max(k, 2), 5))


def centerness(left: float, top: float, right: float, bottom: float) -> float:
    """FCOS centre-ness of a location at distances (l, t, r, b) from the four sides of its box:

    centerness = √( min(l, r)/max(l, r) · min(t, b)/max(t, b) ), 1 at the centre, → 0 at an edge.
    """
    return math.sqrt(min(left, right) / max(left, right) * min(top, bottom) / max(top, bottom))


# --- precision, recall and average precision ----------------------------------------------


def match_detections(det_boxes, det_scores, gt_boxes, iou_threshold: float = 0.5) -> np.ndarray:
    """True-positive flags of detections, in descending score order (Pascal VOC rule).

    Going through the detections from the highest score, one is a true positive when its best
    IoU with a ground-truth box is ≥ the threshold and that box has not been matched yet;
    otherwise (low IoU or a duplicate) it is a false positive.
    """
    order = np.argsort(-np.asarray(det_scores, dtype=np.float64), kind="stable")
    iou = box_iou(np.asarray(det_boxes)[order], gt_boxes)
    matched = np.zeros(iou.shape[1], dtype=bool)
    tp = np.zeros(len(order), dtype=bool)
    for d in range(len(order)):
        g = int(np.argmax(iou[d]))
        if iou[d, g] >= iou_threshold and not matched[g]:
            tp[d] = matched[g] = True
    return tp


def precision_recall(scores, tp, n_ground_truth: int) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall after each detection, taken in descending score order.

    precision = TP / (TP + FP) of the detections so far; recall = TP / (number of objects).
    """
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    hits = np.asarray(tp, dtype=np.float64)[order]
    cum_tp = np.cumsum(hits)
    precision = cum_tp / np.arange(1, len(hits) + 1)
    recall = cum_tp / n_ground_truth
    return precision, recall


def average_precision(precision, recall, method: str = "all") -> float:
    """AP, the area under the interpolated precision–recall curve.

    The interpolated precision at recall r is p_interp(r) = max_{r' ≥ r} p(r') (the curve is
    made monotone). "all" (Pascal VOC 2010 on): AP = Σ (r_i − r_{i−1}) p_interp(r_i).
    "11point" (VOC 2007): AP = (1/11) Σ_{r ∈ {0, 0.1, …, 1}} p_interp(r).
    """
    precision = np.asarray(precision, dtype=np.float64)
    recall = np.asarray(recall, dtype=np.float64)
    if method == "11point":
        # k/10 exactly, as a recall of 3/5 is: linspace's 0.6000000000000001 would miss it.
        points = np.arange(11) / 10
        return float(
            np.mean([precision[recall >= r].max() if np.any(recall >= r) else 0.0 for r in points])
        )
    if method != "all":
        raise ValueError(f"method must be 'all' or '11point', not {method!r}")
    r = np.concatenate([[0.0], recall, [1.0]])
    p = np.concatenate([[0.0], precision, [0.0]])
    p = np.maximum.accumulate(p[::-1])[::-1]  # the envelope: max of p over recalls ≥ r
    steps = np.nonzero(r[1:] != r[:-1])[0]
    return float(np.sum((r[steps + 1] - r[steps]) * p[steps + 1]))


# --- RoI Pooling and RoI Align ------------------------------------------------------------


def roi_pool(feature, box, output_size: int) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """RoI Pooling (Fast/Faster R-CNN): max over output_size × output_size bins of an RoI.

    Quantised twice, as the original Caffe layer: the box is rounded to whole cells, then
    bin (i, j) covers cells ⌊i·bin_h⌋ … ⌈(i+1)·bin_h⌉ − 1 of it. Returns (output, rounded box).
    """
    feature = np.asarray(feature, dtype=np.float64)
    # C's round(): halves away from zero, as the Caffe layer (Python's round() goes to even)
    x1, y1, x2, y2 = (math.floor(v + 0.5) for v in box)
    roi_h, roi_w = max(y2 - y1 + 1, 1), max(x2 - x1 + 1, 1)
    bin_h, bin_w = roi_h / output_size, roi_w / output_size
    out = np.empty((output_size, output_size))
    for i in range(output_size):
        for j in range(output_size):
            rows = slice(y1 + math.floor(i * bin_h), y1 + math.ceil((i + 1) * bin_h))
            cols = slice(x1 + math.floor(j * bin_w), x1 + math.ceil((j + 1) * bin_w))
            out[i, j] = feature[rows, cols].max()
    return out, (x1, y1, x2, y2)


def bilinear(feature, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """f(y, x) interpolated from the four neighbouring cells (weights (1−dy)(1−dx), …)."""
    feature = np.asarray(feature, dtype=np.float64)
    h, w = feature.shape
    y = np.clip(y, 0, h - 1)
    x = np.clip(x, 0, w - 1)
    y0 = np.minimum(np.floor(y).astype(int), h - 2) if h > 1 else np.zeros_like(y, dtype=int)
    x0 = np.minimum(np.floor(x).astype(int), w - 2) if w > 1 else np.zeros_like(x, dtype=int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    dy, dx = y - y0, x - x0
    return (
        feature[y0, x0] * (1 - dy) * (1 - dx)
        + feature[y0, x1] * (1 - dy) * dx
        + feature[y1, x0] * dy * (1 - dx)
        + feature[y1, x1] * dy * dx
    )


def roi_align(feature, box, output_size: int, sampling_ratio: int = 2) -> np.ndarray:
    """RoI Align (Mask R-CNN): no rounding anywhere.

    The RoI is split into output_size² equal bins of real-valued size; each bin averages
    sampling_ratio² regularly spaced points whose values come from bilinear interpolation.
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    bin_h, bin_w = (y2 - y1) / output_size, (x2 - x1) / output_size
    offsets = (np.arange(sampling_ratio) + 0.5) / sampling_ratio
    ys = y1 + (np.arange(output_size)[:, None] + offsets[None, :]) * bin_h  # (out, sr)
    xs = x1 + (np.arange(output_size)[:, None] + offsets[None, :]) * bin_w
    grid_y = ys[:, None, :, None]  # (out_i, 1, sr, 1)
    grid_x = xs[None, :, None, :]  # (1, out_j, 1, sr)
    grid_y, grid_x = np.broadcast_arrays(grid_y, grid_x)
    return bilinear(feature, grid_y, grid_x).mean(axis=(2, 3))


# --- segmentation -------------------------------------------------------------------------


def confusion_matrix(pred, target, n_classes: int) -> np.ndarray:
    """C[t, p] = number of pixels of true class t predicted as class p."""
    pred = np.asarray(pred, dtype=np.int64).ravel()
    target = np.asarray(target, dtype=np.int64).ravel()
    return np.bincount(target * n_classes + pred, minlength=n_classes**2).reshape(
        n_classes, n_classes
    )


def class_iou(pred, target, n_classes: int) -> np.ndarray:
    """Per-class IoU = TP / (TP + FP + FN) over pixels; NaN for a class absent from both maps."""
    c = confusion_matrix(pred, target, n_classes).astype(np.float64)
    tp = np.diag(c)
    union = c.sum(axis=0) + c.sum(axis=1) - tp  # predicted as k, or truly k
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, tp / np.where(union > 0, union, 1), np.nan)


def mean_iou(pred, target, n_classes: int) -> float:
    """mIoU: the mean of the per-class IoUs over the classes present in either map."""
    return float(np.nanmean(class_iou(pred, target, n_classes)))


def pixel_accuracy(pred, target) -> float:
    """The fraction of pixels whose predicted class is right."""
    return float(np.mean(np.asarray(pred) == np.asarray(target)))


def conv_transpose2d(x, W, stride: int = 1, pad: int = 0) -> np.ndarray:
    """Transposed convolution of x (N, C_in, H, W) with W (C_in, C_out, K, K).

    Each input pixel scatters x · W into a K × K window of the output, windows S apart, and
    overlapping contributions add up; P cells are then cut from every border. This is exactly
    the backward pass of a convolution with respect to its input, so it is written with col2im:

        OH = (H − 1)·S − 2P + K.
    """
    x = np.asarray(x, dtype=np.float64)
    n, c_in, h, w = x.shape
    _, c_out, k_h, k_w = W.shape
    out_h = (h - 1) * stride - 2 * pad + k_h
    out_w = (w - 1) * stride - 2 * pad + k_w
    # Column (n, i, j) of col is the K×K×C_out patch that input pixel (i, j) writes.
    x_col = x.transpose(1, 0, 2, 3).reshape(c_in, -1)  # (C_in, N·H·W)
    col = W.reshape(c_in, -1).T @ x_col  # (C_out·K·K, N·H·W)
    return col2im(col, (n, c_out, out_h, out_w), k_h, k_w, stride, pad)


def dilate_kernel(W, dilation: int) -> np.ndarray:
    """The K × K kernels of W (..., K, K) with (dilation − 1) zeros between their taps.

    A dilated (atrous) convolution with rate d is an ordinary convolution with this kernel of
    size K + (K − 1)(d − 1): the field of view grows, the number of weights stays K².
    """
    W = np.asarray(W, dtype=np.float64)
    k_h, k_w = W.shape[-2:]
    out = np.zeros((*W.shape[:-2], (k_h - 1) * dilation + 1, (k_w - 1) * dilation + 1))
    out[..., ::dilation, ::dilation] = W
    return out


def connected_components(mask) -> tuple[np.ndarray, int]:
    """Label the 4-connected regions of a boolean mask 1, 2, …; returns (labels, count).

    A semantic map says only "person" at each pixel: two people who touch form one region,
    which is why instance segmentation needs more than a semantic map.
    """
    mask = np.asarray(mask, dtype=bool)
    labels = np.zeros(mask.shape, dtype=np.int64)
    count = 0
    for start in zip(*np.nonzero(mask), strict=True):
        if labels[start]:
            continue
        count += 1
        labels[start] = count
        stack = [start]
        while stack:
            i, j = stack.pop()
            for ni, nj in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)):
                inside = 0 <= ni < mask.shape[0] and 0 <= nj < mask.shape[1]
                if inside and mask[ni, nj] and not labels[ni, nj]:
                    labels[ni, nj] = count
                    stack.append((ni, nj))
    return labels, count
