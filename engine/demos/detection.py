"""Demos on object detection and segmentation: IoU, NMS, anchors, AP, RoI Align, FCOS, FPN,
mIoU, transposed and dilated convolutions, FCN, and semantic / instance / panoptic labels."""

from __future__ import annotations

import math

import numpy as np

from engine import detection, init
from engine.demos.registry import (
    BoolParam,
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    MatrixParam,
    ParameterError,
    Plot,
    demo,
)
from engine.layers import Affine, Convolution

SYLLABUS_DETECTION = ("4-2 物体検出",)
SYLLABUS_SEGMENTATION = ("4-3 セマンティックセグメンテーション",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")


def _check_box(demo_id: str, name: str, box: list[float]) -> None:
    if len(box) != 4 or not (box[0] < box[2] and box[1] < box[3]):
        raise ParameterError(
            f"In demo {demo_id} {name} must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2, got {box}."
        )


def _fmt(value: float) -> str:
    return f"{value:.6g}"


# --- IoU and NMS --------------------------------------------------------------------------


@demo(
    "detection-iou",
    title="2 つのボックスの IoU",
    description="(x1, y1, x2, y2) 形式の 2 つのボックスの共通部分・和集合・IoU を計算する。",
    syllabus=(*SYLLABUS_DETECTION, *SYLLABUS_SEGMENTATION),
    params=(
        ListParam(
            "box_a",
            [0.0, 0.0, 4.0, 4.0],
            min=-1e4,
            max=1e4,
            min_length=4,
            max_length=4,
            help="ボックス A [x1, y1, x2, y2]",
        ),
        ListParam(
            "box_b",
            [2.0, 2.0, 6.0, 6.0],
            min=-1e4,
            max=1e4,
            min_length=4,
            max_length=4,
            help="ボックス B [x1, y1, x2, y2]",
        ),
    ),
)
def detection_iou(box_a: list[float], box_b: list[float]) -> DemoResult:
    _check_box("detection-iou", "box_a", box_a)
    _check_box("detection-iou", "box_b", box_b)
    inter = float(detection.box_intersection(box_a, box_b)[0, 0])
    area_a, area_b = float(detection.box_area(box_a)), float(detection.box_area(box_b))
    union = area_a + area_b - inter
    iou = float(detection.box_iou(box_a, box_b)[0, 0])
    ix1, iy1 = max(box_a[0], box_b[0]), max(box_a[1], box_b[1])
    ix2, iy2 = min(box_a[2], box_b[2]), min(box_a[3], box_b[3])
    narrative = "\n".join(
        [
            f"A = {box_a}、B = {box_b}。",
            "",
            f"- 面積：A は {_fmt(area_a)}、B は {_fmt(area_b)}",
            f"- 共通部分：x は max(x1) = {_fmt(ix1)} から min(x2) = {_fmt(ix2)}、"
            f"y は {_fmt(iy1)} から {_fmt(iy2)}（負になる辺は 0 にする）→ 面積 **{_fmt(inter)}**",
            f"- 和集合：{_fmt(area_a)} + {_fmt(area_b)} − {_fmt(inter)} = {_fmt(union)}",
            f"- $\\mathrm{{IoU}} = \\frac{{|A \\cap B|}}{{|A \\cup B|}} = \\frac{{{_fmt(inter)}}}{{{_fmt(union)}}}"
            f" = {iou:.6g}$",
        ]
    )
    return DemoResult(
        values={
            "iou": iou,
            "intersection": inter,
            "union": union,
            "area_a": area_a,
            "area_b": area_b,
        },
        narrative=narrative,
    )


NMS_BOXES = [
    [10.0, 10.0, 50.0, 50.0],
    [12.0, 14.0, 52.0, 54.0],
    [20.0, 20.0, 60.0, 60.0],
    [40.0, 40.0, 80.0, 80.0],
    [100.0, 100.0, 140.0, 140.0],
]


@demo(
    "detection-nms",
    title="Non-Maximum Suppression（NMS）",
    description=(
        "スコアの高い順にボックスを 1 つ残し、それとの IoU が閾値を超えるボックスを消す、を繰り返す。"
    ),
    syllabus=SYLLABUS_DETECTION,
    params=(
        MatrixParam(
            "boxes",
            NMS_BOXES,
            min=-1e4,
            max=1e4,
            max_rows=32,
            max_cols=4,
            help="ボックス（1 行 [x1, y1, x2, y2]）",
        ),
        ListParam(
            "scores",
            [0.9, 0.8, 0.75, 0.7, 0.6],
            min=0.0,
            max=1.0,
            max_length=32,
            help="各ボックスのスコア",
        ),
        FloatParam("iou_threshold", 0.5, min=0.0, max=1.0, help="IoU の閾値"),
    ),
)
def detection_nms(boxes: list[list[float]], scores: list[float], iou_threshold: float):
    if len(boxes[0]) != 4:
        raise ParameterError("In demo detection-nms each row of boxes must be [x1, y1, x2, y2].")
    if len(scores) != len(boxes):
        raise ParameterError(
            f"In demo detection-nms scores needs one score per box ({len(boxes)}), got {len(scores)}."
        )
    for i, box in enumerate(boxes):
        _check_box("detection-nms", f"boxes[{i}]", box)
    keep = detection.nms(boxes, scores, iou_threshold)
    iou = detection.box_iou(boxes, boxes)
    order = list(np.argsort(-np.asarray(scores), kind="stable"))
    lines = [f"閾値 {iou_threshold:g}。スコアの高い順: " + ", ".join(f"#{i}" for i in order), ""]
    remaining = [int(i) for i in order]
    while remaining:
        best = remaining.pop(0)
        removed = [i for i in remaining if iou[best, i] > iou_threshold]
        remaining = [i for i in remaining if i not in removed]
        detail = ", ".join(f"#{i}（IoU {iou[best, i]:.3f}）" for i in removed) or "なし"
        lines.append(f"- #{best}（スコア {scores[best]:g}）を残す。消すボックス: {detail}")
    lines += [
        "",
        f"残ったのは **{len(keep)} 個**: {keep}。閾値を下げるほど多くのボックスが消える。",
    ]
    plot = Plot(
        kind="heatmap",
        title="ボックス間の IoU",
        z=np.round(iou, 4).tolist(),
        x=[f"#{i}" for i in range(len(boxes))],
        y_ticks=[f"#{i}" for i in range(len(boxes))],
    )
    return DemoResult(
        values={
            "keep": keep,
            "n_keep": len(keep),
            "suppressed": sorted(set(range(len(boxes))) - set(keep)),
            "iou": iou.tolist(),
        },
        narrative="\n".join(lines),
        plots=[plot],
    )


# --- anchors and default boxes ------------------------------------------------------------


@demo(
    "detection-anchors",
    title="アンカーボックスの数と形",
    description=(
        "特徴マップの各位置に、サイズとアスペクト比の組み合わせ k 個のアンカーを置き、"
        "生成されたボックスを数える（Faster R-CNN の RPN）。"
    ),
    syllabus=SYLLABUS_DETECTION,
    params=(
        IntParam("H", 38, min=1, max=256, help="特徴マップの高さ"),
        IntParam("W", 50, min=1, max=256, help="特徴マップの幅"),
        IntParam("stride", 16, min=1, max=128, help="特徴マップ 1 マスが対応する画素数"),
        ListParam(
            "sizes",
            [128.0, 256.0, 512.0],
            min=1.0,
            max=4096.0,
            max_length=8,
            help="アンカーの大きさ（面積の平方根）",
        ),
        ListParam(
            "ratios", [0.5, 1.0, 2.0], min=0.05, max=20.0, max_length=8, help="アスペクト比 h/w"
        ),
    ),
)
def detection_anchors(H: int, W: int, stride: int, sizes: list[float], ratios: list[float]):
    anchors = detection.generate_anchors(H, W, stride, sizes, ratios)
    shapes = detection.anchor_shapes(sizes, ratios)
    k = len(shapes)
    narrative = "\n".join(
        [
            f"特徴マップ {H}×{W}（1 マス = {stride} 画素）の各位置に、大きさ {len(sizes)} 種 × "
            f"アスペクト比 {len(ratios)} 種 = **k = {k}** 個のアンカーを置く。",
            "",
            f"アンカーの総数は $H \\times W \\times k = {H} \\times {W} \\times {k} = {len(anchors):,}$。",
            "",
            "RPN は各アンカーについて「物体らしさ」のスコア（2k 個）とボックスの補正量（4k 個）を"
            "出力し、アンカーを回帰で物体に合わせて候補領域（proposal）を作る。",
        ]
    )
    return DemoResult(
        values={
            "per_location": k,
            "n_anchors": len(anchors),
            "widths": shapes[:, 0].tolist(),
            "heights": shapes[:, 1].tolist(),
            "first_anchor": anchors[0].tolist(),
            "rpn_cls_outputs": 2 * k,
            "rpn_reg_outputs": 4 * k,
        },
        narrative=narrative,
    )


@demo(
    "detection-ssd-default-boxes",
    title="SSD のデフォルトボックスの数",
    description=(
        "大きさの異なる複数の特徴マップの各位置に 4 個または 6 個のデフォルトボックスを生成して数える。"
    ),
    syllabus=SYLLABUS_DETECTION,
    params=(
        ListParam(
            "feature_sizes",
            [38, 19, 10, 5, 3, 1],
            min=1,
            max=256,
            max_length=10,
            help="各特徴マップの一辺",
        ),
        ListParam(
            "boxes_per_location",
            [4, 6, 6, 6, 4, 4],
            min=4,
            max=6,
            max_length=10,
            help="位置ごとのデフォルトボックスの数（4 か 6）",
        ),
    ),
)
def detection_ssd_default_boxes(feature_sizes: list[float], boxes_per_location: list[float]):
    if len(feature_sizes) != len(boxes_per_location):
        raise ParameterError(
            "In demo detection-ssd-default-boxes feature_sizes and boxes_per_location must have "
            "the same length."
        )
    if any(
        b not in (4, 6) or f != int(f)
        for f, b in zip(feature_sizes, boxes_per_location, strict=True)
    ):
        raise ParameterError(
            "In demo detection-ssd-default-boxes feature sizes must be integers and "
            "boxes_per_location entries 4 or 6."
        )
    sizes = [int(f) for f in feature_sizes]
    per = [int(b) for b in boxes_per_location]
    maps = detection.ssd_default_boxes(sizes, per)
    counts = [len(m) for m in maps]
    scales = detection.ssd_scales(len(sizes))
    lines = [
        f"- {f}×{f} × {b} = {c:,}（スケール $s_k = {s:.3f}$）"
        for f, b, c, s in zip(sizes, per, counts, scales, strict=True)
    ]
    narrative = "\n".join(
        [
            "SSD は解像度の違う複数の特徴マップから検出する。浅い層の大きなマップは小さな物体を、"
            "深い層の小さなマップは大きな物体を受け持つ。",
            "",
            *lines,
            "",
            f"合計 **{sum(counts):,} 個**のデフォルトボックスについて、クラスのスコアとオフセットを出力する。",
        ]
    )
    return DemoResult(
        values={"per_layer": counts, "total": sum(counts), "scales": scales},
        narrative=narrative,
    )


@demo(
    "detection-hard-negative",
    title="ハードネガティブマイニング（SSD）",
    description=(
        "物体に対応しない（ネガティブな）ボックスのうち、分類損失が大きいものだけを"
        "ポジティブの 3 倍まで選んで学習に使う。"
    ),
    syllabus=SYLLABUS_DETECTION,
    params=(
        IntParam("n_boxes", 8732, min=2, max=20000, help="デフォルトボックスの数"),
        IntParam("n_positive", 12, min=1, max=1000, help="物体に対応したボックスの数"),
        IntParam("ratio", 3, min=1, max=10, help="ネガティブ : ポジティブ の上限"),
        SEED,
    ),
)
def detection_hard_negative(n_boxes: int, n_positive: int, ratio: int, seed: int) -> DemoResult:
    if n_positive >= n_boxes:
        raise ParameterError(
            "In demo detection-hard-negative n_positive must be smaller than n_boxes."
        )
    rng = np.random.default_rng(seed)
    positive = np.zeros(n_boxes, dtype=bool)
    positive[rng.choice(n_boxes, size=n_positive, replace=False)] = True
    losses = rng.exponential(0.2, size=n_boxes)  # most negatives are easy: small loss
    chosen = detection.hard_negative_mining(losses, positive, ratio)
    n_negative = n_boxes - n_positive
    unchosen = ~chosen & ~positive
    max_unchosen = float(losses[unchosen].max()) if unchosen.any() else None
    if max_unchosen is None:
        detail = f"ネガティブが {ratio} × {n_positive} 個より少ないので、**{int(chosen.sum())} 個**すべてを使う。"
    else:
        detail = (
            f"分類損失の大きい順に {ratio} × {n_positive} = **{int(chosen.sum())} 個**だけを選ぶ"
            f"（選んだものの最小損失 {losses[chosen].min():.3f} ≥ 選ばなかったものの最大 {max_unchosen:.3f}）。"
        )
    narrative = "\n".join(
        [
            f"{n_boxes:,} 個のボックスのうちポジティブは {n_positive} 個、ネガティブは {n_negative:,} 個。",
            "",
            "ネガティブを全部使うとクラスの不均衡がひどく、簡単な背景ばかり学ぶ。" + detail,
        ]
    )
    return DemoResult(
        values={
            "n_negative": n_negative,
            "n_negative_used": int(chosen.sum()),
            "min_chosen_loss": float(losses[chosen].min()),
            "max_unchosen_loss": max_unchosen,
        },
        narrative=narrative,
    )


@demo(
    "detection-yolo-grid",
    title="YOLO（v1）の出力テンソル",
    description=(
        "画像を S×S のグリッドに分け、各セルが B 個のボックス (x, y, w, h, 信頼度) と C クラスの"
        "条件付き確率を出す。最後の Affine 層の出力を S×S×(5B + C) に並べ替えて数える。"
    ),
    syllabus=SYLLABUS_DETECTION,
    params=(
        IntParam("S", 7, min=1, max=32, help="グリッドの分割数"),
        IntParam("B", 2, min=1, max=10, help="セルあたりのボックス数"),
        IntParam("C", 20, min=1, max=200, help="クラス数"),
        SEED,
    ),
)
def detection_yolo_grid(S: int, B: int, C: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    depth = 5 * B + C
    head = Affine(init.xavier((256, S * S * depth), rng), np.zeros(S * S * depth))
    out = head.forward(rng.standard_normal((1, 256))).reshape(S, S, depth)
    confidence = 1 / (1 + np.exp(-out[..., 4 : 5 * B : 5]))  # (S, S, B)
    class_prob = np.exp(out[..., 5 * B :])
    class_prob /= class_prob.sum(axis=-1, keepdims=True)  # one class distribution per cell
    # Class-specific confidence = Pr(class | object) × confidence of each box: (S, S, B, C)
    scores = confidence[..., None] * class_prob[:, :, None, :]
    narrative = "\n".join(
        [
            f"グリッド {S}×{S}、セルあたり {B} ボックス、{C} クラス。",
            "",
            f"各セルの出力は {B} × 5（x, y, w, h, 信頼度）+ {C}（クラス確率）= **{depth}**、"
            f"出力テンソルは **{S}×{S}×{depth}**（{S * S * depth:,} 個の値）。",
            "",
            f"ボックスは全部で {S * S * B} 個。クラス確率はセルごとに 1 組しかないので、1 つのセルは"
            "1 クラスしか予測できず、小さな物体が密集すると苦手。各ボックスのクラス別スコア"
            f"（信頼度 × クラス確率、{scores.size:,} 個）を閾値で切り、NMS をかけて検出結果にする。",
        ]
    )
    return DemoResult(
        values={
            "output_shape": [S, S, depth],
            "depth": depth,
            "n_values": S * S * depth,
            "n_boxes": S * S * B,
            "n_class_scores": int(scores.size),
        },
        narrative=narrative,
    )


# --- precision, recall, AP ----------------------------------------------------------------


@demo(
    "detection-ap",
    title="適合率・再現率と AP",
    description=(
        "検出をスコアの高い順に並べ、正解（TP）か誤検出（FP）かから適合率–再現率曲線を作り、"
        "補間した曲線の下の面積（AP）を求める。"
    ),
    syllabus=SYLLABUS_DETECTION,
    params=(
        ListParam(
            "scores",
            [0.95, 0.9, 0.8, 0.7, 0.6, 0.5],
            min=0.0,
            max=1.0,
            max_length=64,
            help="検出のスコア",
        ),
        ListParam(
            "tp",
            [1, 1, 0, 1, 0, 1],
            min=0,
            max=1,
            max_length=64,
            help="各検出が正解なら 1、誤検出なら 0",
        ),
        IntParam("n_gt", 5, min=1, max=1000, help="正解の物体の数"),
    ),
)
def detection_ap(scores: list[float], tp: list[float], n_gt: int) -> DemoResult:
    if len(tp) != len(scores):
        raise ParameterError("In demo detection-ap tp needs one 0/1 flag per score.")
    if any(v not in (0, 1) for v in tp):
        raise ParameterError("In demo detection-ap every tp flag must be 0 or 1.")
    if sum(tp) > n_gt:
        raise ParameterError(
            "In demo detection-ap there are more true positives than objects (n_gt)."
        )
    precision, recall = detection.precision_recall(scores, tp, n_gt)
    ap = detection.average_precision(precision, recall, "all")
    ap11 = detection.average_precision(precision, recall, "11point")
    rows = [
        f"| {i + 1} | {int(t)} | {p:.4f} | {r:.4f} |"
        for i, (t, p, r) in enumerate(
            zip(
                np.asarray(tp)[np.argsort(-np.asarray(scores), kind="stable")],
                precision,
                recall,
                strict=True,
            )
        )
    ]
    narrative = "\n".join(
        [
            f"正解の物体 {n_gt} 個、検出 {len(scores)} 個（スコアの高い順）。",
            "",
            "| 順位 | TP | 適合率 | 再現率 |",
            "|---|---|---|---|",
            *rows,
            "",
            "適合率 = TP / (ここまでの検出数)、再現率 = TP / (正解の物体の数)。"
            "各再現率で「それ以上の再現率での適合率の最大値」をとって曲線を単調にし、その下の面積が AP。",
            "",
            f"AP（全点補間）= **{ap:.4f}**、11 点補間 = {ap11:.4f}。mAP は AP をクラスについて平均したもの。",
        ]
    )
    plot = Plot(
        kind="line",
        title="適合率–再現率",
        x=recall.tolist(),
        series={"precision": precision.tolist()},
        x_label="recall",
        y_label="precision",
    )
    return DemoResult(
        values={
            "precision": precision.tolist(),
            "recall": recall.tolist(),
            "ap": ap,
            "ap_11point": ap11,
        },
        narrative=narrative,
        plots=[plot],
    )


# --- RoI Pooling vs RoI Align -------------------------------------------------------------


@demo(
    "detection-roi-align",
    title="RoI Pooling と RoI Align",
    description=(
        "f(y, x) = 10y + x という 16×16 の特徴マップから RoI を切り出す。RoI Pooling は座標を整数に"
        "丸め、RoI Align は丸めずに双線形補間でサンプリングする。各ビンの中心の真の値と比べる。"
    ),
    syllabus=SYLLABUS_DETECTION,
    params=(
        ListParam(
            "box",
            [1.3, 2.6, 7.7, 9.4],
            min=0.0,
            max=15.0,
            min_length=4,
            max_length=4,
            help="RoI [x1, y1, x2, y2]（特徴マップの座標）",
        ),
        IntParam("output_size", 2, min=1, max=7, help="出力の一辺"),
        IntParam(
            "sampling_ratio", 2, min=1, max=4, help="RoI Align の 1 ビンあたりのサンプル数（一辺）"
        ),
    ),
)
def detection_roi_align(box: list[float], output_size: int, sampling_ratio: int) -> DemoResult:
    _check_box("detection-roi-align", "box", box)
    ys, xs = np.mgrid[0:16, 0:16].astype(np.float64)
    feature = 10 * ys + xs
    pooled, rounded = detection.roi_pool(feature, box, output_size)
    aligned = detection.roi_align(feature, box, output_size, sampling_ratio)
    x1, y1, x2, y2 = box
    centres_y = y1 + (np.arange(output_size) + 0.5) * (y2 - y1) / output_size
    centres_x = x1 + (np.arange(output_size) + 0.5) * (x2 - x1) / output_size
    exact = 10 * centres_y[:, None] + centres_x[None, :]
    offset = float(np.max(np.abs(np.asarray(rounded, dtype=float) - np.asarray(box))))
    narrative = "\n".join(
        [
            f"RoI {box} を {output_size}×{output_size} に切り出す。",
            "",
            f"- RoI Pooling：まず座標を丸めて {list(rounded)} にし、ビンの境界もさらに整数に丸めて、"
            f"各ビンの最大値をとる → {np.round(pooled, 4).tolist()}",
            f"- RoI Align：丸めずにビンを等分し、各ビンで {sampling_ratio}×{sampling_ratio} 点を双線形補間して"
            f"平均する → {np.round(aligned, 4).tolist()}",
            f"- 各ビンの中心での真の値 → {np.round(exact, 4).tolist()}",
            "",
            f"RoI Align は、この線形な特徴マップではビンの中心の値を誤差 {np.abs(aligned - exact).max():.1g} で"
            f"再現する。RoI Pooling は丸めた領域 {list(rounded)} で計算するので、元の RoI から最大"
            f" {offset:.2g} マス（ストライド 16 なら {16 * offset:.3g} 画素）ずれた場所を見ている。"
            "このずれは分類には大きく響かないが、画素単位のマスクを予測する Mask R-CNN では致命的なので、"
            "RoI Align が導入された。",
        ]
    )
    return DemoResult(
        values={
            "rounded_box": list(rounded),
            "roi_pool": pooled.tolist(),
            "roi_align": aligned.tolist(),
            "exact": exact.tolist(),
            "quantization_offset": offset,
            "align_max_error": float(np.abs(aligned - exact).max()),
        },
        narrative=narrative,
    )


# --- FCOS and FPN -------------------------------------------------------------------------


@demo(
    "detection-centerness",
    title="FCOS のセンターネス",
    description=(
        "アンカーを使わない FCOS は、物体の内側の各位置から四辺までの距離 (l, t, r, b) を回帰し、"
        "位置が物体の中心にどれだけ近いかをセンターネスで表す。"
    ),
    syllabus=SYLLABUS_DETECTION,
    params=(
        ListParam(
            "box",
            [0.0, 0.0, 100.0, 60.0],
            min=-1e4,
            max=1e4,
            min_length=4,
            max_length=4,
            help="正解ボックス [x1, y1, x2, y2]",
        ),
        ListParam(
            "point",
            [20.0, 30.0],
            min=-1e4,
            max=1e4,
            min_length=2,
            max_length=2,
            help="特徴マップの位置（画像座標）[x, y]",
        ),
    ),
)
def detection_centerness(box: list[float], point: list[float]) -> DemoResult:
    _check_box("detection-centerness", "box", box)
    x, y = point
    left, top, right, bottom = x - box[0], y - box[1], box[2] - x, box[3] - y
    if min(left, top, right, bottom) <= 0:
        raise ParameterError(
            "In demo detection-centerness the point must lie strictly inside the box."
        )
    c = detection.centerness(left, top, right, bottom)
    narrative = "\n".join(
        [
            f"位置 ({_fmt(x)}, {_fmt(y)}) からボックスの四辺までの距離は "
            f"$l = {_fmt(left)}, t = {_fmt(top)}, r = {_fmt(right)}, b = {_fmt(bottom)}$。",
            "",
            "$\\text{centerness} = \\sqrt{\\frac{\\min(l, r)}{\\max(l, r)} \\cdot \\frac{\\min(t, b)}{\\max(t, b)}}"
            f" = {c:.6g}$",
            "",
            "中心なら 1、辺に近づくほど 0 に近づく。推論時は分類スコアにセンターネスを掛けてから NMS するので、"
            "物体の端の位置から出た質の低いボックスが下位に回る。",
        ]
    )
    return DemoResult(
        values={"l": left, "t": top, "r": right, "b": bottom, "centerness": c},
        narrative=narrative,
    )


@demo(
    "detection-fpn-level",
    title="FPN：RoI を割り当てるピラミッドの階層",
    description=(
        "Feature Pyramid Network は解像度の違う特徴マップ P2〜P5 を持つ。大きさ w×h の RoI を"
        "k = ⌊4 + log₂(√(wh)/224)⌋ の階層 P_k に割り当てる。"
    ),
    syllabus=SYLLABUS_DETECTION,
    params=(
        FloatParam("w", 224.0, min=1.0, max=4096.0, help="RoI の幅（画素）"),
        FloatParam("h", 224.0, min=1.0, max=4096.0, help="RoI の高さ（画素）"),
    ),
)
def detection_fpn_level(w: float, h: float) -> DemoResult:
    level = detection.fpn_level(w, h)
    raw = 4 + math.log2(math.sqrt(w * h) / 224)
    narrative = "\n".join(
        [
            f"$k = \\lfloor 4 + \\log_2(\\sqrt{{{_fmt(w)} \\times {_fmt(h)}}} / 224) \\rfloor"
            f" = \\lfloor {raw:.4f} \\rfloor$ → 2〜5 に収めて **P{level}**（ストライド {2**level}）。",
            "",
            "FPN はボトムアップの特徴をトップダウンに 2 倍ずつアップサンプリングし、横方向の接続"
            "（1×1 畳み込み）で同じ解像度の浅い特徴を足し合わせる。どの階層も意味的に強い特徴を持つので、"
            "小さな RoI は解像度の高い P2・P3 で、大きな RoI は P5 で扱える。",
        ]
    )
    return DemoResult(
        values={"level": level, "k_raw": raw, "stride": 2**level}, narrative=narrative
    )


# --- segmentation -------------------------------------------------------------------------


@demo(
    "seg-miou",
    title="画素ごとの IoU と mIoU",
    description=(
        "予測と正解のラベルマップから混同行列を作り、クラスごとの IoU = TP/(TP + FP + FN)、"
        "その平均 mIoU、画素精度を求める。"
    ),
    syllabus=SYLLABUS_SEGMENTATION,
    params=(
        MatrixParam(
            "pred",
            [[0, 0, 1, 1], [0, 0, 1, 1], [0, 2, 2, 1], [2, 2, 2, 2]],
            min=0,
            max=15,
            help="予測のラベルマップ",
        ),
        MatrixParam(
            "target",
            [[0, 0, 0, 1], [0, 0, 1, 1], [0, 0, 2, 2], [2, 2, 2, 2]],
            min=0,
            max=15,
            help="正解のラベルマップ",
        ),
        IntParam("n_classes", 3, min=1, max=16, help="クラス数"),
    ),
)
def seg_miou(pred: list[list[float]], target: list[list[float]], n_classes: int) -> DemoResult:
    p, t = np.asarray(pred), np.asarray(target)
    if p.shape != t.shape:
        raise ParameterError("In demo seg-miou pred and target must have the same shape.")
    if np.any(p != np.round(p)) or np.any(t != np.round(t)) or max(p.max(), t.max()) >= n_classes:
        raise ParameterError(
            f"In demo seg-miou every label must be an integer from 0 to n_classes − 1 = {n_classes - 1}."
        )
    p, t = p.astype(int), t.astype(int)
    confusion = detection.confusion_matrix(p, t, n_classes)
    ious = detection.class_iou(p, t, n_classes)
    miou = detection.mean_iou(p, t, n_classes)
    accuracy = detection.pixel_accuracy(p, t)
    lines = []
    for k in range(n_classes):
        tp = confusion[k, k]
        fp = confusion[:, k].sum() - tp
        fn = confusion[k, :].sum() - tp
        if np.isnan(ious[k]):
            lines.append(f"- クラス {k}：予測にも正解にもない（平均から除く）")
        else:
            lines.append(
                f"- クラス {k}：TP {tp}, FP {fp}, FN {fn} → IoU = {tp}/{tp + fp + fn} = {ious[k]:.4f}"
            )
    narrative = "\n".join(
        [
            *lines,
            "",
            f"mIoU = **{miou:.4f}**、画素精度 = {accuracy:.4f}。画素精度は面積の大きいクラス（背景など）に"
            "引きずられるが、mIoU はクラスごとに評価してから平均するので小さなクラスの失敗も効く。",
        ]
    )
    return DemoResult(
        values={
            "class_iou": [None if np.isnan(v) else float(v) for v in ious],
            "miou": miou,
            "pixel_accuracy": accuracy,
            "confusion": confusion.tolist(),
        },
        narrative=narrative,
        plots=[Plot(kind="heatmap", title="混同行列（行: 正解、列: 予測）", z=confusion.tolist())],
    )


@demo(
    "seg-transposed-conv",
    title="転置畳み込みによるアップサンプリング（FCN・U-Net）",
    description=(
        "転置畳み込みで特徴マップを拡大し、出力サイズ (H − 1)S − 2P + K を確かめる。"
        "同じ計算が畳み込みの入力についての逆伝播と一致することも示す。U-Net ではエンコーダの特徴を"
        "チャンネル方向に連結する。"
    ),
    syllabus=SYLLABUS_SEGMENTATION,
    params=(
        IntParam("H", 4, min=1, max=64, help="入力の高さ"),
        IntParam("W", 4, min=1, max=64, help="入力の幅"),
        IntParam("K", 2, min=1, max=8, help="カーネルサイズ"),
        IntParam("stride", 2, min=1, max=8, help="ストライド"),
        IntParam("pad", 0, min=0, max=4, help="パディング"),
        IntParam("C_in", 8, min=1, max=256, help="入力チャンネル数"),
        IntParam("C_out", 4, min=1, max=256, help="出力チャンネル数"),
        IntParam(
            "skip_channels",
            0,
            min=0,
            max=256,
            help="連結するエンコーダ側の特徴のチャンネル数（0 なら連結しない）",
        ),
        SEED,
    ),
)
def seg_transposed_conv(H, W, K, stride, pad, C_in, C_out, skip_channels, seed) -> DemoResult:
    out_h = (H - 1) * stride - 2 * pad + K
    out_w = (W - 1) * stride - 2 * pad + K
    if out_h < 1 or out_w < 1:
        raise ParameterError(
            f"In demo seg-transposed-conv the padding {pad} removes the whole output."
        )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, C_in, H, W))
    weights = rng.standard_normal((C_in, C_out, K, K))
    y = detection.conv_transpose2d(x, weights, stride, pad)
    # The convolution with the same weights maps (C_out, OH, OW) back to (C_in, H, W); its
    # backward pass with respect to the input is the transposed convolution.
    forward = Convolution(weights, np.zeros(C_in), stride=stride, pad=pad)
    same_way_back = forward.output_shape((1, C_out, out_h, out_w))[2:] == (H, W)
    matches = False
    if same_way_back:
        forward.forward(np.zeros((1, C_out, out_h, out_w)))
        matches = bool(np.allclose(forward.backward(x), y))
    concat = None
    lines = [
        f"入力 {C_in}×{H}×{W} に {K}×{K}・ストライド {stride}・パディング {pad} の転置畳み込み"
        f"（出力 {C_out} チャンネル）をかけると **{C_out}×{y.shape[2]}×{y.shape[3]}**。",
        "",
        f"$OH = (H - 1) S - 2P + K = ({H} - 1) \\times {stride} - 2 \\times {pad} + {K} = {out_h}$。"
        "入力の各画素がカーネルを掛けた値を出力に書き込み、重なった部分は足し合わされる。",
        "",
        f"同じ重みの（普通の）畳み込みの逆伝播と一致: {'はい' if matches else 'いいえ'}。"
        "転置畳み込みは、畳み込みの行列表現を転置したものにあたる（逆演算ではない）。",
    ]
    if skip_channels:
        skip = rng.standard_normal((1, skip_channels, out_h, out_w))
        concat = np.concatenate([y, skip], axis=1)
        lines += [
            "",
            f"U-Net のスキップ接続：エンコーダの同じ解像度の特徴（{skip_channels} チャンネル）と"
            f"チャンネル方向に**連結**して {concat.shape[1]}×{out_h}×{out_w}。足し算する ResNet と違い、"
            "チャンネル数が増える。",
        ]
    return DemoResult(
        values={
            "out_h": int(y.shape[2]),
            "out_w": int(y.shape[3]),
            "out_channels": int(y.shape[1]),
            "matches_conv_backward": matches,
            "concat_channels": int(concat.shape[1]) if concat is not None else None,
        },
        narrative="\n".join(lines),
    )


@demo(
    "seg-dilated-conv",
    title="Dilated（atrous）畳み込みと受容野",
    description=(
        "3×3 などのカーネルのタップの間に (d − 1) 個の 0 を挟んで広げ、engine の Convolution に"
        "インパルスを通して、積み重ねたときに 1 出力が見る範囲（受容野）を測る。"
    ),
    syllabus=(*SYLLABUS_SEGMENTATION, "4-5 音声処理"),
    params=(
        IntParam("K", 3, min=1, max=7, help="カーネルサイズ"),
        ListParam("dilations", [1, 2, 4], min=1, max=16, max_length=6, help="各層のダイレーション"),
    ),
)
def seg_dilated_conv(K: int, dilations: list[float]) -> DemoResult:
    if any(d != int(d) for d in dilations):
        raise ParameterError("In demo seg-dilated-conv every dilation must be an integer.")
    rates = [int(d) for d in dilations]
    effective = [K + (K - 1) * (d - 1) for d in rates]
    expected = 1 + sum(e - 1 for e in effective)
    size = 2 * expected + 1
    image = np.zeros((1, 1, size, size))
    image[0, 0, size // 2, size // 2] = 1.0  # an impulse: which outputs does it reach?
    for d, e in zip(rates, effective, strict=True):
        kernel = detection.dilate_kernel(np.ones((1, 1, K, K)), d)
        image = Convolution(kernel, np.zeros(1), pad=e // 2).forward(image)
    reached = np.nonzero(image[0, 0].sum(axis=0))[0]
    field = int(reached.max() - reached.min() + 1)
    lines = [
        f"- ダイレーション {d}：実効カーネル {K} + ({K} − 1)({d} − 1) = {e}、重みは {K * K} 個のまま"
        for d, e in zip(rates, effective, strict=True)
    ]
    narrative = "\n".join(
        [
            *lines,
            "",
            f"1 画素のインパルスを {len(rates)} 層に通すと、影響が届く範囲は **{field}×{field}**。"
            "これがその出力の受容野で、$1 + \\sum_l (K_{\\mathrm{eff},l} - 1)$ に一致する。",
            "",
            "プーリングで解像度を落とさずに受容野を広げられるので、DeepLab などのセグメンテーションや、"
            "因果的にした 1 次元版を WaveNet が使う。",
        ]
    )
    return DemoResult(
        values={
            "effective_kernels": effective,
            "receptive_field": field,
            "weights_per_filter": K * K,
        },
        narrative=narrative,
    )


@demo(
    "seg-fcn",
    title="FCN：全結合層を畳み込み層に置き換える",
    description=(
        "7×7×C の特徴を受け取る全結合層を 7×7 の畳み込みに書き換え、同じ重みで同じ出力になること、"
        "そして大きな入力ではクラスごとのスコアが空間マップとして出てくることを確かめる。"
    ),
    syllabus=SYLLABUS_SEGMENTATION,
    params=(
        IntParam("H", 12, min=7, max=64, help="入力特徴マップの高さ"),
        IntParam("W", 12, min=7, max=64, help="入力特徴マップの幅"),
        IntParam("C", 4, min=1, max=32, help="チャンネル数"),
        IntParam("classes", 3, min=1, max=32, help="クラス数"),
        SEED,
    ),
)
def seg_fcn(H: int, W: int, C: int, classes: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    fc = Affine(init.xavier((C * 7 * 7, classes), rng), rng.standard_normal(classes))
    as_conv = Convolution(fc.W.T.reshape(classes, C, 7, 7), fc.b)
    x = rng.standard_normal((1, C, H, W))
    crop = x[:, :, :7, :7]
    fc_out = fc.forward(crop)
    conv_map = as_conv.forward(x)
    difference = float(np.abs(conv_map[0, :, 0, 0] - fc_out[0]).max())
    narrative = "\n".join(
        [
            f"7×7×{C} の入力を受ける全結合層（重み {C * 49}×{classes}）の重みを {classes} 枚の"
            f" 7×7×{C} フィルタに並べ替えると、7×7 の入力では同じ値を出す（差 {difference:.1g}）。",
            "",
            f"この畳み込みは入力の大きさを選ばない。{H}×{W} の特徴を入れると、クラスごとのスコアが"
            f" **{conv_map.shape[2]}×{conv_map.shape[3]}** の空間マップとして出てくる。FCN はこれを"
            "転置畳み込みで入力の解像度までアップサンプリングし、画素ごとのクラスを予測する。",
        ]
    )
    return DemoResult(
        values={
            "out_h": int(conv_map.shape[2]),
            "out_w": int(conv_map.shape[3]),
            "max_difference": difference,
            "fc_params": int(fc.W.size + fc.b.size),
            "conv_params": int(as_conv.W.size + as_conv.b.size),
        },
        narrative=narrative,
    )


STUFF_LABELS = {0: "空", 1: "道路"}
PERSON = 2


@demo(
    "seg-panoptic-toy",
    title="セマンティック・インスタンス・パノプティックの違い",
    description=(
        "空と道路（stuff）と何人かの人（thing）が写った小さな画像のラベルを作り、"
        "それぞれのセグメンテーションが区別するものを数える。"
    ),
    syllabus=SYLLABUS_SEGMENTATION,
    params=(
        IntParam("people", 3, min=1, max=4, help="写っている人の数"),
        BoolParam("touching", True, help="最初の 2 人を接触させる"),
    ),
)
def seg_panoptic_toy(people: int, touching: bool) -> DemoResult:
    height, width = 8, 20
    semantic = np.zeros((height, width), dtype=int)
    semantic[5:, :] = 1  # road in the lower rows, sky above
    instance = np.zeros((height, width), dtype=int)
    for person in range(people):
        left = 1 + 5 * person - (2 if touching and person == 1 else 0)
        semantic[2:7, left : left + 3] = PERSON
        instance[2:7, left : left + 3] = person + 1
    panoptic = {(int(c), int(i)) for c, i in zip(semantic.ravel(), instance.ravel(), strict=True)}
    _, blobs = detection.connected_components(semantic == PERSON)
    narrative = "\n".join(
        [
            f"画像：空・道路（stuff、数えられない領域）と {people} 人（thing、数えられる物体）。"
            + ("最初の 2 人は接している。" if touching else ""),
            "",
            f"- セマンティック：画素ごとにクラスだけを付ける → 区別されるのは **{len(np.unique(semantic))} クラス**"
            "（人は全員「人」）",
            f"- インスタンス：thing を 1 つずつ区別する（マスク R-CNN など）→ **{people} 個**（stuff は扱わない）",
            f"- パノプティック：全画素に（クラス, インスタンス ID）→ stuff 2 + 人 {people} = **{len(panoptic)} セグメント**",
            "",
            f"セマンティックのマスクで「人」の連結成分を数えると {blobs} 個"
            + ("で、接した 2 人は 1 つに融合してしまう。" if blobs < people else "。"),
        ]
    )
    return DemoResult(
        values={
            "semantic_classes": len(np.unique(semantic)),
            "instances": people,
            "panoptic_segments": len(panoptic),
            "person_blobs": blobs,
        },
        narrative=narrative,
        plots=[Plot(kind="heatmap", title="インスタンス ID（0 は stuff）", z=instance.tolist())],
    )
