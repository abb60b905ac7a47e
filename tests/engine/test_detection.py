"""engine.detection: boxes, NMS, anchors, AP, RoI Pooling/Align, segmentation metrics, and the
transposed and dilated convolutions, each against an independent computation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from engine import detection
from engine.layers import Convolution


def iou_by_pixels(a, b, scale=1):
    """IoU by counting the cells of a fine grid covered by each box (integer boxes only)."""
    size = int(max(a[2], a[3], b[2], b[3])) * scale + 1
    ys, xs = np.mgrid[0:size, 0:size] / scale + 0.5 / scale
    inside_a = (xs > a[0]) & (xs < a[2]) & (ys > a[1]) & (ys < a[3])
    inside_b = (xs > b[0]) & (xs < b[2]) & (ys > b[1]) & (ys < b[3])
    return (inside_a & inside_b).sum() / (inside_a | inside_b).sum()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([0, 0, 4, 4], [2, 2, 6, 6]),
        ([10, 20, 50, 60], [30, 40, 70, 90]),
        ([0, 0, 2, 2], [3, 3, 5, 5]),
        ([1, 1, 9, 9], [3, 3, 5, 5]),
        ([0, 0, 4, 4], [0, 0, 4, 4]),
    ],
)
def test_box_iou_matches_counting_pixels(a, b):
    assert detection.box_iou(a, b)[0, 0] == pytest.approx(iou_by_pixels(a, b))


def test_box_iou_is_pairwise_and_symmetric():
    rng = np.random.default_rng(0)
    corners = rng.uniform(0, 50, size=(6, 2))
    boxes = np.hstack([corners, corners + rng.uniform(1, 30, size=(6, 2))])
    iou = detection.box_iou(boxes, boxes)
    assert iou.shape == (6, 6)
    assert np.allclose(iou, iou.T)
    assert np.allclose(np.diag(iou), 1.0)
    assert np.all((iou >= 0) & (iou <= 1))


def nms_reference(boxes, scores, threshold):
    """Straightforward NMS with a Python loop over pairs."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    removed = set()
    keep = []
    for i in order:
        if i in removed:
            continue
        keep.append(i)
        for j in order:
            fresh = j not in removed and j != i and j not in keep
            if fresh and iou_by_pixels(boxes[i], boxes[j]) > threshold:
                removed.add(j)
    return keep


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.5, 0.7])
def test_nms_matches_a_reference_implementation(threshold):
    rng = np.random.default_rng(3)
    corners = rng.integers(0, 20, size=(8, 2))
    boxes = np.hstack([corners, corners + rng.integers(3, 12, size=(8, 2))]).tolist()
    scores = rng.permutation(8).tolist()
    assert detection.nms(boxes, scores, threshold) == nms_reference(boxes, scores, threshold)


def test_a_suppressed_box_does_not_suppress_others():
    boxes = [[0, 0, 10, 10], [3, 0, 13, 10], [6, 0, 16, 10]]  # IoU 0.538 between neighbours
    assert detection.nms(boxes, [0.9, 0.8, 0.7], 0.5) == [0, 2]


def test_anchors_count_shape_and_area():
    anchors = detection.generate_anchors(3, 5, 16, [32, 64], [0.5, 1.0, 2.0])
    assert anchors.shape == (3 * 5 * 6, 4)
    widths = anchors[:, 2] - anchors[:, 0]
    heights = anchors[:, 3] - anchors[:, 1]
    areas = np.sqrt(widths * heights)
    assert set(np.round(areas, 9)) == {32.0, 64.0}
    assert set(np.round(heights / widths, 9)) == {0.5, 1.0, 2.0}
    centres = (anchors[:, :2] + anchors[:, 2:]) / 2
    assert np.allclose(centres[0], [8, 8])
    assert np.allclose(centres[-1], [(4 + 0.5) * 16, (2 + 0.5) * 16])


def test_ssd300_has_8732_default_boxes():
    maps = detection.ssd_default_boxes([38, 19, 10, 5, 3, 1], [4, 6, 6, 6, 4, 4])
    assert sum(len(m) for m in maps) == 8732
    assert detection.ssd_scales(6) == pytest.approx([0.2, 0.34, 0.48, 0.62, 0.76, 0.9])
    with pytest.raises(ValueError):
        detection.ssd_default_boxes([4], [5])


def test_hard_negative_mining_keeps_the_hardest_negatives_up_to_the_ratio():
    losses = np.array([5.0, 0.1, 0.9, 0.3, 0.8, 0.2, 0.7, 0.4])
    positive = np.array([True, False, False, False, False, False, False, False])
    mask = detection.hard_negative_mining(losses, positive, 3)
    assert sorted(np.nonzero(mask)[0].tolist()) == [2, 4, 6]
    assert detection.hard_negative_mining(losses, np.ones(8, dtype=bool), 3).sum() == 0


@pytest.mark.parametrize(
    ("w", "h", "level"), [(224, 224, 4), (112, 112, 3), (448, 448, 5), (10, 10, 2), (2000, 2000, 5)]
)
def test_fpn_level(w, h, level):
    assert detection.fpn_level(w, h) == level


def test_centerness():
    assert detection.centerness(5, 5, 5, 5) == 1.0
    assert detection.centerness(20, 30, 80, 30) == pytest.approx(0.5)
    assert detection.centerness(1, 50, 99, 50) == pytest.approx(math.sqrt(1 / 99))


def ap_by_definition(precision, recall):
    """All-point interpolated AP as a Riemann sum over a fine recall grid."""
    grid = np.linspace(0, 1, 100001)[1:]
    interp = [
        max((p for p, r in zip(precision, recall, strict=True) if r >= x), default=0.0)
        for x in grid[::100]
    ]
    return float(np.mean(interp))


def test_average_precision_all_point_and_11_point():
    precision, recall = detection.precision_recall([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 1, 0], 4)
    assert precision.tolist() == pytest.approx([1, 0.5, 2 / 3, 0.75, 0.6])
    assert recall.tolist() == pytest.approx([0.25, 0.25, 0.5, 0.75, 0.75])
    assert detection.average_precision(precision, recall) == pytest.approx(0.625)
    assert detection.average_precision(precision, recall) == pytest.approx(
        ap_by_definition(precision, recall), abs=2e-3
    )
    assert detection.average_precision(precision, recall, "11point") == pytest.approx(6.75 / 11)
    with pytest.raises(ValueError):
        detection.average_precision(precision, recall, "coco")


def test_11_point_ap_counts_a_recall_that_lands_on_a_grid_point():
    # 3 of 5 objects found: recall 3/5 = 0.6 exactly, where p_interp(0.6) = 0.75.
    precision = np.array([1.0, 1.0, 0.75, 0.6])
    recall = np.array([1, 2, 3, 3]) / 5
    expected = (5 * 1.0 + 2 * 0.75) / 11  # r = 0 … 0.4 at 1, r = 0.5 and 0.6 at 0.75, then 0
    assert detection.average_precision(precision, recall, "11point") == pytest.approx(expected)


def test_match_detections_counts_duplicates_as_false_positives():
    gt = [[0, 0, 10, 10], [20, 20, 30, 30]]
    dets = [[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 31], [50, 50, 60, 60]]
    tp = detection.match_detections(dets, [0.9, 0.8, 0.7, 0.6], gt, 0.5)
    assert tp.tolist() == [True, False, True, False]


def test_roi_align_is_exact_on_a_linear_map_and_roi_pool_rounds():
    ys, xs = np.mgrid[0:16, 0:16].astype(float)
    feature = 3 * ys - 2 * xs + 1
    box = [2.2, 1.7, 9.9, 12.3]
    aligned = detection.roi_align(feature, box, 3, 2)
    centre_y = 1.7 + (np.arange(3) + 0.5) * (12.3 - 1.7) / 3
    centre_x = 2.2 + (np.arange(3) + 0.5) * (9.9 - 2.2) / 3
    assert np.allclose(aligned, 3 * centre_y[:, None] - 2 * centre_x[None, :] + 1)
    pooled, rounded = detection.roi_pool(feature, box, 2)
    assert rounded == (2, 2, 10, 12)
    # bin (0, 0) covers rows 2…7 and columns 2…6 of the rounded box: max of 3y − 2x + 1
    assert pooled[0, 0] == 3 * 7 - 2 * 2 + 1


def test_roi_align_against_torchvision_style_reference():
    """Bilinear sampling written out point by point, as torchvision's roi_align (aligned=False)."""
    rng = np.random.default_rng(1)
    feature = rng.standard_normal((10, 12))
    box, out, ratio = [1.3, 2.1, 8.6, 7.4], 2, 2

    def bilinear(y, x):
        y0, x0 = math.floor(y), math.floor(x)
        dy, dx = y - y0, x - x0
        return (
            feature[y0, x0] * (1 - dy) * (1 - dx)
            + feature[y0, x0 + 1] * (1 - dy) * dx
            + feature[y0 + 1, x0] * dy * (1 - dx)
            + feature[y0 + 1, x0 + 1] * dy * dx
        )

    bin_h, bin_w = (box[3] - box[1]) / out, (box[2] - box[0]) / out
    expected = np.zeros((out, out))
    for i, j in itertools.product(range(out), range(out)):
        points = [
            bilinear(
                box[1] + (i + (a + 0.5) / ratio) * bin_h, box[0] + (j + (b + 0.5) / ratio) * bin_w
            )
            for a in range(ratio)
            for b in range(ratio)
        ]
        expected[i, j] = np.mean(points)
    assert np.allclose(detection.roi_align(feature, box, out, ratio), expected)


def test_segmentation_metrics():
    target = np.array([[0, 0, 1], [1, 2, 2]])
    pred = np.array([[0, 1, 1], [1, 2, 0]])
    # class 0: TP 1, FP 1, FN 1 → 1/3; class 1: TP 2, FP 1, FN 0 → 2/3; class 2: TP 1, FN 1 → 1/2
    assert detection.class_iou(pred, target, 3) == pytest.approx([1 / 3, 2 / 3, 1 / 2])
    assert detection.mean_iou(pred, target, 3) == pytest.approx((1 / 3 + 2 / 3 + 1 / 2) / 3)
    assert detection.pixel_accuracy(pred, target) == pytest.approx(4 / 6)
    ious = detection.class_iou(pred, target, 4)
    assert np.isnan(ious[3])  # absent from both maps: left out of the mean
    assert detection.mean_iou(pred, target, 4) == pytest.approx((1 / 3 + 2 / 3 + 1 / 2) / 3)


def conv_transpose_by_scattering(x, W, stride, pad):
    n, c_in, h, w = x.shape
    _, c_out, k, _ = W.shape
    full = np.zeros((n, c_out, (h - 1) * stride + k, (w - 1) * stride + k))
    for b, c, i, j in itertools.product(range(n), range(c_in), range(h), range(w)):
        full[b, :, i * stride : i * stride + k, j * stride : j * stride + k] += x[b, c, i, j] * W[c]
    return full[:, :, pad : full.shape[2] - pad, pad : full.shape[3] - pad]


@pytest.mark.parametrize(("stride", "pad", "k"), [(1, 0, 3), (2, 0, 2), (2, 1, 4), (3, 1, 3)])
def test_conv_transpose2d_scatters_kernels(stride, pad, k):
    rng = np.random.default_rng(stride * 10 + pad)
    x = rng.standard_normal((2, 3, 4, 5))
    W = rng.standard_normal((3, 2, k, k))
    out = detection.conv_transpose2d(x, W, stride, pad)
    assert out.shape == (2, 2, (4 - 1) * stride - 2 * pad + k, (5 - 1) * stride - 2 * pad + k)
    assert np.allclose(out, conv_transpose_by_scattering(x, W, stride, pad))


@pytest.mark.torch
def test_conv_transpose2d_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 4, 5, 5))
    W = rng.standard_normal((4, 3, 4, 4))
    expected = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(x), torch.from_numpy(W), stride=2, padding=1
    ).numpy()
    assert np.allclose(detection.conv_transpose2d(x, W, 2, 1), expected, atol=1e-12)


def test_dilated_kernel_is_an_ordinary_convolution_with_holes():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((1, 1, 3, 3))
    dilated = detection.dilate_kernel(W, 2)
    assert dilated.shape == (1, 1, 5, 5)
    assert np.count_nonzero(dilated) == 9
    x = rng.standard_normal((1, 1, 9, 9))
    out = Convolution(dilated, np.zeros(1)).forward(x)
    # y[i, j] = Σ W[a, b] x[i + 2a, j + 2b]
    expected = sum(
        W[0, 0, a, b] * x[0, 0, 2 * a : 2 * a + 5, 2 * b : 2 * b + 5]
        for a in range(3)
        for b in range(3)
    )
    assert np.allclose(out[0, 0], expected)


def test_connected_components():
    mask = np.array([[1, 1, 0, 1], [0, 1, 0, 1], [1, 0, 0, 0]], dtype=bool)
    labels, count = detection.connected_components(mask)
    assert count == 3
    assert len(set(labels[mask].tolist())) == 3
    assert labels[0, 0] == labels[1, 1]
