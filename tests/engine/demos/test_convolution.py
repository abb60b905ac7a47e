"""The convolution demos against computations written here without the engine: output-size
and parameter-count formulas, the receptive-field recurrence, plain NumPy sums."""

from __future__ import annotations

import numpy as np
import pytest

import engine.demos.convolution  # noqa: F401  (registers the demos)
from engine.demos.registry import REGISTRY, ParameterError, run


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


def out_size(size, window, stride=1, pad=0):
    return (size + 2 * pad - window) // stride + 1


@pytest.mark.parametrize(
    ("N", "C", "H", "W", "FH", "FW", "stride", "pad"),
    [
        (1, 3, 7, 7, 5, 5, 1, 0),
        (10, 3, 7, 7, 5, 5, 1, 0),
        (2, 3, 4, 4, 3, 3, 1, 0),
        (1, 2, 6, 5, 3, 2, 2, 1),
    ],
)
def test_im2col_shapes_contents_and_the_product(N, C, H, W, FH, FW, stride, pad):
    result = values("conv-im2col", N=N, C=C, H=H, W=W, FH=FH, FW=FW, stride=stride, pad=pad)
    oh, ow = out_size(H, FH, stride, pad), out_size(W, FW, stride, pad)
    assert (result["out_h"], result["out_w"]) == (oh, ow)
    assert (result["book_rows"], result["book_cols"]) == (N * oh * ow, C * FH * FW)
    assert (result["col_rows"], result["col_cols"]) == (C * FH * FW, N * oh * ow)
    assert result["expansion"] == pytest.approx(N * oh * ow * C * FH * FW / (N * C * H * W))
    assert result["max_abs_diff"] < 1e-9
    x = np.arange(N * C * H * W, dtype=float).reshape(N, C, H, W)
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    assert result["first_window"] == x[0, :, :FH, :FW].ravel().tolist()


def test_im2col_rejects_a_filter_that_does_not_fit():
    with pytest.raises(ParameterError, match="does not fit"):
        values("conv-im2col", H=3, FH=5)


@pytest.mark.parametrize(
    ("layers", "kernel", "stride"),
    [(1, 3, 1), (2, 3, 1), (3, 3, 1), (4, 5, 1), (3, 3, 2), (2, 1, 1)],
)
def test_receptive_field_follows_the_recurrence(layers, kernel, stride):
    result = values("conv-receptive-field", layers=layers, kernel=kernel, stride=stride)
    field, jump, fields = 1, 1, []
    for _ in range(layers):
        field += (kernel - 1) * jump
        jump *= stride
        fields.append(field)
    assert result["fields"] == fields
    assert result["receptive_field"] == fields[-1]
    assert result["stack_weights"] == layers * kernel**2
    assert result["single_layer_weights"] == fields[-1] ** 2


def test_receptive_field_rejects_a_huge_jump():
    with pytest.raises(ParameterError, match="too large"):
        values("conv-receptive-field", layers=8, stride=3)


@pytest.mark.parametrize("bias", [True, False])
def test_param_count(bias):
    result = values(
        "conv-param-count", C=3, H=32, W=32, FN=16, FH=5, FW=5, stride=1, pad=0, bias=bias
    )
    weights = 16 * 3 * 5 * 5
    assert result["weight_shape"] == [16, 3, 5, 5]
    assert result["weights"] == weights
    assert result["conv_params"] == weights + (16 if bias else 0)
    assert (result["out_c"], result["out_h"], result["out_w"]) == (16, 28, 28)
    outputs = 16 * 28 * 28
    assert result["fc_params"] == 3 * 32 * 32 * outputs + (outputs if bias else 0)
    assert result["multiplications"] == outputs * 3 * 5 * 5


@pytest.mark.parametrize(
    ("H", "K", "stride", "pad", "extra"),
    [(4, 3, 2, 1, 0), (4, 3, 2, 1, 1), (4, 4, 2, 1, 0), (7, 2, 2, 0, 0), (5, 3, 1, 1, 0)],
)
def test_transposed_size_inverts_the_convolution(H, K, stride, pad, extra):
    result = values(
        "conv-transposed-size", H=H, W=H, K=K, stride=stride, pad=pad, output_padding=extra
    )
    expected = (H - 1) * stride - 2 * pad + K + extra
    assert (result["out_h"], result["out_w"]) == (expected, expected)
    assert result["conv_check"] is True
    assert result["conv_back_h"] == out_size(expected, K, stride, pad) == H


def test_transposed_size_rejects_output_padding_not_below_the_stride():
    with pytest.raises(ParameterError, match="output_padding"):
        values("conv-transposed-size", stride=2, output_padding=2)


def test_pointwise_is_a_per_pixel_affine():
    result = values("conv-pointwise", N=2, C=8, M=3, H=4, W=5)
    assert result["out_shape"] == [2, 3, 4, 5]
    assert result["max_abs_diff"] < 1e-12
    assert result["params"] == 8 * 3 + 3


@pytest.mark.parametrize(("C", "M", "groups"), [(8, 8, 1), (8, 8, 2), (8, 16, 4), (6, 6, 6)])
def test_grouped_convolution_parameters(C, M, groups):
    result = values("conv-grouped", C=C, M=M, K=3, groups=groups)
    assert result["standard_weights"] == M * C * 9
    assert result["grouped_weights"] == M * (C // groups) * 9
    assert result["depthwise_weights"] == C * 9
    assert result["weight_shape"] == [M, C // groups, 3, 3]
    assert result["max_abs_diff"] < 1e-12


def test_grouped_convolution_rejects_groups_that_do_not_divide():
    with pytest.raises(ParameterError, match="divide"):
        values("conv-grouped", C=6, M=8, groups=4)


def test_global_average_pooling():
    result = values("conv-global-avg-pool", N=2, C=512, H=7, W=7, classes=1000)
    assert result["out_shape"] == [2, 512, 1, 1]
    assert result["max_abs_diff"] < 1e-12
    assert result["pool_params"] == 0
    assert result["fc_params_flatten"] == 512 * 7 * 7 * 1000 + 1000 == 25_089_000
    assert result["fc_params_gap"] == 512 * 1000 + 1000 == 513_000


@pytest.mark.parametrize("p", [1.0, 2.0, 3.5, 50.0])
def test_lp_pooling(p):
    x = [1.0, 2.0, 3.0, 6.0]
    result = values("conv-lp-pooling", x=x, p=p)
    assert result["lp"] == pytest.approx(np.mean(np.array(x) ** p) ** (1 / p), rel=1e-12)
    assert result["mean"] == pytest.approx(3.0)
    assert result["max"] == 6.0
    assert result["curve"] == sorted(result["curve"])  # grows with p towards the max


@pytest.mark.parametrize(
    ("column", "shift", "pool"), [(5, 1, 4), (5, 3, 4), (5, 4, 4), (4, 1, 4), (3, 2, 2)]
)
def test_shift_moves_the_response_and_pooling_absorbs_shifts_inside_a_window(column, shift, pool):
    result = values("conv-shift-invariance", size=12, column=column, shift=shift, pool=pool)
    # The 3×3 filter [-1, 2, -1] peaks where its centre column is on the bar: column − 1.
    assert result["peak_column"] == column - 1
    assert result["peak_column_shifted"] == column - 1 + shift
    assert result["conv_equivariant"] is True
    same_window = (column - 1) // pool == (column - 1 + shift) // pool
    assert result["pooled_unchanged"] is same_window
    assert result["global_max_unchanged"] is True


def test_shift_rejects_a_bar_outside_the_image():
    with pytest.raises(ParameterError, match="inside columns"):
        values("conv-shift-invariance", size=12, column=10, shift=2)


def test_a_fully_connected_layer_does_not_see_the_pixel_order():
    result = values("conv-vs-affine", C=3, H=6, W=6, hidden=10)
    assert result["affine_max_diff"] < 1e-9
    assert result["conv_max_diff"] > 0.1
    assert result["affine_params"] == 3 * 36 * 10 + 10
    assert result["conv_params"] == 10 * 3 * 9 + 10


def alexnet_params(grouped: bool) -> int:
    g = 2 if grouped else 1
    conv = [
        96 * 3 * 11 * 11 + 96,
        256 * (96 // g) * 25 + 256,
        384 * 256 * 9 + 384,
        384 * (384 // g) * 9 + 384,
        256 * (384 // g) * 9 + 256,
    ]
    fc = [9216 * 4096 + 4096, 4096 * 4096 + 4096, 4096 * 1000 + 1000]
    return sum(conv) + sum(fc)


@pytest.mark.parametrize("groups", [False, True])
def test_alexnet_shapes_and_parameters(groups):
    result = values("conv-alexnet", groups=groups)
    assert result["conv_layers"] == 5 and result["fc_layers"] == 3
    assert result["shapes"][0] == [96, 55, 55]
    assert result["shapes"][result["layers"].index("pool5")] == [256, 6, 6]
    assert result["flatten"] == 9216
    assert result["total_params"] == alexnet_params(groups)
    assert alexnet_params(False) == 62_378_344 and alexnet_params(True) == 60_965_224
    assert result["fc_share"] == pytest.approx(result["fc_params"] / result["total_params"])


def test_alexnet_with_a_224_input_does_not_give_6x6():
    result = values("conv-alexnet", input_size=224)
    assert result["shapes"][0] == [96, out_size(224, 11, 4), out_size(224, 11, 4)] == [96, 54, 54]
    assert result["flatten"] == 256 * 5 * 5
    assert values("conv-alexnet", input_size=224, conv1_pad=2)["flatten"] == 9216


@pytest.mark.parametrize(
    "demo_id",
    [
        "conv-im2col",
        "conv-receptive-field",
        "conv-param-count",
        "conv-transposed-size",
        "conv-pointwise",
        "conv-grouped",
        "conv-global-avg-pool",
        "conv-lp-pooling",
        "conv-shift-invariance",
        "conv-vs-affine",
        "conv-alexnet",
    ],
)
def test_same_parameters_give_the_same_values(demo_id):
    first, second = values(demo_id), values(demo_id)
    assert first == second
    assert run(REGISTRY[demo_id]).result.narrative


def test_conv_channel_sum_is_the_sum_of_per_channel_convolutions():
    result = values("conv-channel-sum", C=4, H=5, W=7, K=3, pad=0, seed=2)
    assert result["out_shape"] == [1, 1, 3, 5]
    assert result["sum_of_channels_diff"] < 1e-12
    assert result["max_of_channels_diff"] > 0.1 and result["mean_input_diff"] > 0.1
    with pytest.raises(ParameterError):
        values("conv-channel-sum", H=2, W=2, K=5, pad=0)
