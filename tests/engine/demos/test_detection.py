"""Demos in engine.demos.detection (detection and segmentation), against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


def test_detection_iou():
    values = run_demo("detection-iou", box_a=[10, 20, 50, 60], box_b=[30, 40, 70, 90]).values
    assert values["intersection"] == 20 * 20
    assert values["union"] == 40 * 40 + 40 * 50 - 400
    assert values["iou"] == pytest.approx(400 / 3200)
    apart = run_demo("detection-iou", box_a=[0, 0, 1, 1], box_b=[2, 2, 3, 3]).values
    assert apart["iou"] == 0


def test_detection_iou_rejects_inverted_boxes():
    with pytest.raises(ParameterError, match="detection-iou"):
        run_demo("detection-iou", box_a=[4, 0, 0, 4])


def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / (area - inter)


@pytest.mark.parametrize(
    ("threshold", "keep"), [(0.5, [0, 2, 3, 4]), (0.3, [0, 3, 4]), (0.8, [0, 1, 2, 3, 4])]
)
def test_detection_nms_defaults(threshold, keep):
    values = run_demo("detection-nms", iou_threshold=threshold).values
    assert values["keep"] == keep
    assert values["n_keep"] == len(keep)
    boxes = [
        [10, 10, 50, 50],
        [12, 14, 52, 54],
        [20, 20, 60, 60],
        [40, 40, 80, 80],
        [100, 100, 140, 140],
    ]
    assert values["iou"][0][1] == pytest.approx(iou(boxes[0], boxes[1]))
    assert values["iou"][1][2] == pytest.approx(iou(boxes[1], boxes[2]))


def test_detection_nms_validates_scores():
    with pytest.raises(ParameterError, match="detection-nms"):
        run_demo("detection-nms", scores=[0.9, 0.8])


def test_detection_anchors():
    values = run_demo(
        "detection-anchors", H=38, W=50, sizes=[128, 256, 512], ratios=[0.5, 1, 2]
    ).values
    assert values["per_location"] == 9
    assert values["n_anchors"] == 38 * 50 * 9
    assert (values["rpn_cls_outputs"], values["rpn_reg_outputs"]) == (18, 36)
    widths, heights = np.array(values["widths"]), np.array(values["heights"])
    assert np.allclose(np.sqrt(widths * heights), np.repeat([128, 256, 512], 3))
    assert np.allclose(heights / widths, np.tile([0.5, 1, 2], 3))


def test_detection_ssd_default_boxes():
    values = run_demo("detection-ssd-default-boxes").values
    sizes, per = [38, 19, 10, 5, 3, 1], [4, 6, 6, 6, 4, 4]
    assert values["per_layer"] == [f * f * b for f, b in zip(sizes, per, strict=True)]
    assert values["total"] == 8732
    with pytest.raises(ParameterError, match="detection-ssd-default-boxes"):
        run_demo("detection-ssd-default-boxes", feature_sizes=[38, 19])


def test_detection_hard_negative():
    values = run_demo("detection-hard-negative", n_boxes=100, n_positive=5, ratio=3, seed=2).values
    assert values["n_negative"] == 95
    assert values["n_negative_used"] == 15
    assert values["min_chosen_loss"] >= values["max_unchosen_loss"]
    few = run_demo("detection-hard-negative", n_boxes=10, n_positive=4, ratio=3).values
    assert few["n_negative_used"] == 6  # fewer negatives than 3 × positives: all of them
    assert (
        values
        == run_demo("detection-hard-negative", n_boxes=100, n_positive=5, ratio=3, seed=2).values
    )
    with pytest.raises(ParameterError, match="detection-hard-negative"):
        run_demo("detection-hard-negative", n_boxes=10, n_positive=10)


def test_detection_yolo_grid():
    values = run_demo("detection-yolo-grid", S=7, B=2, C=20).values
    assert values["output_shape"] == [7, 7, 30]
    assert values["n_values"] == 1470
    assert values["n_boxes"] == 98
    assert values["n_class_scores"] == 98 * 20


def test_detection_ap():
    values = run_demo("detection-ap").values
    tp = np.array([1, 1, 0, 1, 0, 1])
    cum = np.cumsum(tp)
    assert values["precision"] == pytest.approx((cum / np.arange(1, 7)).tolist())
    assert values["recall"] == pytest.approx((cum / 5).tolist())
    # interpolated precision 1, 1, 0.75, 2/3 at recalls 0.2, 0.4, 0.6, 0.8
    assert values["ap"] == pytest.approx(0.2 * (1 + 1 + 0.75 + 2 / 3))
    with pytest.raises(ParameterError, match="detection-ap"):
        run_demo("detection-ap", n_gt=2)


def test_detection_roi_align():
    values = run_demo("detection-roi-align", box=[1.3, 2.6, 7.7, 9.4], output_size=2).values
    assert values["rounded_box"] == [1, 3, 8, 9]
    centres_y = 2.6 + (np.arange(2) + 0.5) * 6.8 / 2
    centres_x = 1.3 + (np.arange(2) + 0.5) * 6.4 / 2
    exact = 10 * centres_y[:, None] + centres_x[None, :]
    assert np.allclose(values["roi_align"], exact)
    assert np.allclose(values["exact"], exact)
    # RoI Pooling: rounded box rows 3…9, cols 1…8; bin (0, 0) = rows 3…6, cols 1…4 → max 10·6 + 4
    assert values["roi_pool"][0][0] == 64
    assert values["quantization_offset"] == pytest.approx(0.4)


def test_detection_centerness():
    values = run_demo("detection-centerness", box=[0, 0, 100, 60], point=[20, 30]).values
    assert (values["l"], values["t"], values["r"], values["b"]) == (20, 30, 80, 30)
    assert values["centerness"] == pytest.approx(math.sqrt(20 / 80 * 30 / 30))
    with pytest.raises(ParameterError, match="detection-centerness"):
        run_demo("detection-centerness", box=[0, 0, 10, 10], point=[20, 5])


@pytest.mark.parametrize(("w", "h"), [(224, 224), (112, 112), (50, 80), (900, 700)])
def test_detection_fpn_level(w, h):
    values = run_demo("detection-fpn-level", w=w, h=h).values
    expected = min(max(math.floor(4 + math.log2(math.sqrt(w * h) / 224)), 2), 5)
    assert values["level"] == expected
    assert values["stride"] == 2**expected


def test_seg_miou():
    values = run_demo("seg-miou").values
    pred = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [0, 2, 2, 1], [2, 2, 2, 2]])
    target = np.array([[0, 0, 0, 1], [0, 0, 1, 1], [0, 0, 2, 2], [2, 2, 2, 2]])
    ious = []
    for k in range(3):
        inter = np.sum((pred == k) & (target == k))
        union = np.sum((pred == k) | (target == k))
        ious.append(inter / union)
    assert values["class_iou"] == pytest.approx(ious)
    assert values["miou"] == pytest.approx(np.mean(ious))
    assert values["pixel_accuracy"] == pytest.approx(np.mean(pred == target))
    absent = run_demo("seg-miou", n_classes=4).values
    assert absent["class_iou"][3] is None
    assert absent["miou"] == pytest.approx(np.mean(ious))
    with pytest.raises(ParameterError, match="seg-miou"):
        run_demo("seg-miou", n_classes=2)


@pytest.mark.parametrize(
    ("H", "K", "stride", "pad"), [(7, 4, 2, 1), (4, 2, 2, 0), (5, 3, 1, 1), (3, 3, 3, 0)]
)
def test_seg_transposed_conv(H, K, stride, pad):
    values = run_demo("seg-transposed-conv", H=H, W=H, K=K, stride=stride, pad=pad).values
    assert values["out_h"] == (H - 1) * stride - 2 * pad + K
    assert values["matches_conv_backward"] is True
    assert values["concat_channels"] is None


def test_seg_transposed_conv_concatenation_and_validation():
    values = run_demo(
        "seg-transposed-conv", H=16, W=16, K=2, stride=2, C_in=128, C_out=64, skip_channels=64
    ).values
    assert (values["out_h"], values["out_channels"], values["concat_channels"]) == (32, 64, 128)
    with pytest.raises(ParameterError, match="seg-transposed-conv"):
        run_demo("seg-transposed-conv", H=1, W=1, K=1, pad=1)


@pytest.mark.parametrize(
    ("K", "dilations"), [(3, [1, 2, 4]), (3, [2]), (5, [1, 3]), (3, [1, 1, 1])]
)
def test_seg_dilated_conv(K, dilations):
    values = run_demo("seg-dilated-conv", K=K, dilations=dilations).values
    effective = [K + (K - 1) * (d - 1) for d in dilations]
    assert values["effective_kernels"] == effective
    assert values["receptive_field"] == 1 + sum(e - 1 for e in effective)
    assert values["weights_per_filter"] == K * K


def test_seg_fcn():
    values = run_demo("seg-fcn", H=12, W=15, C=4, classes=3).values
    assert (values["out_h"], values["out_w"]) == (6, 9)
    assert values["max_difference"] < 1e-12
    assert values["fc_params"] == values["conv_params"] == 4 * 49 * 3 + 3


@pytest.mark.parametrize(
    ("people", "touching", "blobs"), [(3, True, 2), (3, False, 3), (1, True, 1)]
)
def test_seg_panoptic_toy(people, touching, blobs):
    values = run_demo("seg-panoptic-toy", people=people, touching=touching).values
    assert values["semantic_classes"] == 3
    assert values["instances"] == people
    assert values["panoptic_segments"] == 2 + people
    assert values["person_blobs"] == blobs
