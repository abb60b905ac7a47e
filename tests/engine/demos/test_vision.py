"""Demos in engine.demos.vision, each checked against an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def input_gradient_by_differences(weights, x, dout, residual):
    """‖∂L/∂x‖ for L = Σ dout · h_L, by central differences on every input element."""

    def loss(inputs):
        h = inputs
        for W in weights:
            f = sigmoid(h @ W)
            h = h + f if residual else f
        return float(np.sum(dout * h))

    grad = np.zeros_like(x)
    eps = 1e-6
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        grad[index] = (loss(x + step) - loss(x - step)) / (2 * eps)
    return float(np.linalg.norm(grad))


def test_resnet_gradient_flow_matches_numerical_gradients():
    depth, width, seed = 3, 4, 7
    values = run_demo(
        "resnet-gradient-flow",
        depth=depth,
        width=width,
        activation="sigmoid",
        init="xavier",
        seed=seed,
    ).values
    # The demo draws, in order: the weights, the input batch, the upstream gradient.
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((width, width)) / math.sqrt(width) for _ in range(depth)]
    x = rng.standard_normal((16, width))
    dout = rng.standard_normal((16, width))
    for residual, key in ((False, "plain_grad_norms"), (True, "residual_grad_norms")):
        expected = input_gradient_by_differences(weights, x, dout, residual)
        assert values[key][0] == pytest.approx(expected, rel=1e-6)
    assert values["output_grad_norm"] == pytest.approx(np.linalg.norm(dout))


def test_resnet_gradient_flow_shows_vanishing_without_skips():
    values = run_demo("resnet-gradient-flow").values
    assert len(values["plain_grad_norms"]) == 20
    assert values["plain_ratio"] < 1e-10
    assert values["residual_ratio"] > 0.5
    assert values == run_demo("resnet-gradient-flow").values  # deterministic


@pytest.mark.parametrize(("C", "mid", "H"), [(256, 64, 56), (64, 64, 8), (512, 128, 14)])
def test_resnet_bottleneck_params(C, mid, H):
    values = run_demo("resnet-bottleneck-params", C=C, mid=mid, H=H).values
    assert values["layer_params"] == [C * mid, 9 * mid * mid, mid * C]
    assert values["bottleneck_params"] == C * mid + 9 * mid * mid + mid * C
    assert values["basic_params"] == 2 * 9 * C * C
    assert values["basic_params_mid"] == 2 * 9 * mid * mid
    assert values["bottleneck_mults"] == H * H * (C * mid + 9 * mid * mid + mid * C)
    assert values["basic_mults"] == H * H * 2 * 9 * C * C


def wrn_param_count(depth, k, classes=10):
    """Conv weights, BN γ and β, and the classifier of WRN-depth-k, counted by hand."""
    n = (depth - 4) // 6
    conv, bn = 3 * 16 * 9, 0
    channels = 16
    for width in (16 * k, 32 * k, 64 * k):
        for _ in range(n):
            conv += 9 * channels * width + 9 * width * width
            bn += 2 * (channels + width)
            if channels != width:
                conv += channels * width
            channels = width
    bn += 2 * channels
    return conv, conv + bn + channels * classes + classes


@pytest.mark.parametrize(("depth", "k"), [(28, 10), (16, 4), (40, 2), (16, 1)])
def test_wideresnet_params(depth, k):
    values = run_demo("wideresnet-params", depth=depth, k=k).values
    conv, total = wrn_param_count(depth, k)
    assert values["conv_params"] == conv
    assert values["total_params"] == total
    assert values["conv_ratio"] == pytest.approx(conv / wrn_param_count(depth, 1)[0])


def test_wrn_28_10_has_the_published_parameter_count():
    # 36.5M in Zagoruyko & Komodakis (2016); 36,479,194 in the common PyTorch implementation.
    assert run_demo("wideresnet-params", depth=28, k=10).values["total_params"] == 36_479_194


def test_wideresnet_rejects_an_impossible_depth():
    with pytest.raises(ParameterError, match="wideresnet-params"):
        run_demo("wideresnet-params", depth=27)


@pytest.mark.parametrize("phi", [0, 1, 3])
def test_efficientnet_scaling(phi):
    values = run_demo("efficientnet-scaling", phi=phi).values
    alpha, beta, gamma = 1.2, 1.1, 1.15
    assert values["constraint"] == pytest.approx(alpha * beta**2 * gamma**2)
    assert values["flops_factor"] == pytest.approx((alpha * beta**2 * gamma**2) ** phi)
    layers = math.ceil(10 * alpha**phi)
    channels = round(32 * beta**phi)
    resolution = round(64 * gamma**phi)
    assert (values["scaled_layers"], values["scaled_channels"], values["scaled_resolution"]) == (
        layers,
        channels,
        resolution,
    )
    measured = (layers * channels**2 * resolution**2) / (10 * 32**2 * 64**2)
    assert values["measured_flops_ratio"] == pytest.approx(measured)


@pytest.mark.parametrize(("H", "W", "P"), [(224, 224, 16), (384, 384, 16), (32, 48, 8)])
def test_vit_patches(H, W, P):
    values = run_demo("vit-patches", H=H, W=W, C=3, P=P, D=16).values
    n = (H // P) * (W // P)
    assert values["num_patches"] == n
    assert values["seq_len"] == n + 1
    assert values["patch_dim"] == 3 * P * P
    assert values["projection_params"] == 3 * P * P * 16 + 16
    assert values["sequence_shape"] == [n + 1, 16]
    assert values["conv_matches_projection"] is True


def test_vit_patchify_order():
    from engine.demos.vision import image_to_patches

    image = np.arange(3 * 8 * 8).reshape(3, 8, 8)
    patches = image_to_patches(image, 4)
    assert patches.shape == (4, 48)
    assert np.array_equal(patches[1], image[:, 0:4, 4:8].ravel())
    assert np.array_equal(patches[2], image[:, 4:8, 0:4].ravel())


def test_vit_rejects_sizes_that_are_not_multiples_of_the_patch():
    with pytest.raises(ParameterError, match="vit-patches"):
        run_demo("vit-patches", H=225)
