"""Demos of engine/demos/generative.py against computations written out here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo


def normal_pdf(x: float, mu: float = 0.0, sigma: float = 1.0) -> float:
    return math.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def test_reparameterization_gradients_against_the_sample():
    mu, sigma, samples, seed = 0.7, 1.5, 5000, 3
    values = run_demo(
        "vae-reparameterization", mu=mu, sigma=sigma, samples=samples, seed=seed
    ).values
    eps = np.random.default_rng(seed).standard_normal(samples)
    z = mu + sigma * eps
    # L = mean(z²): ∂L/∂μ = mean(2z), ∂L/∂σ = mean(2z·ε) for these very ε.
    assert values["grad_mu"] == pytest.approx(np.mean(2 * z), rel=1e-10)
    assert values["grad_sigma"] == pytest.approx(np.mean(2 * z * eps), rel=1e-10)
    assert values["z_mean"] == pytest.approx(z.mean(), rel=1e-12)
    assert values["z_std"] == pytest.approx(z.std(), rel=1e-12)
    assert values["grad_mu_exact"] == 2 * mu and values["grad_sigma_exact"] == 2 * sigma


@pytest.mark.parametrize(
    ("mu", "sigma"), [([0.0], [1.0]), ([1.0], [1.0]), ([0.0, 1.0], [2.0, 0.5])]
)
def test_vae_kl_closed_form(mu, sigma):
    values = run_demo("vae-kl", mu=mu, sigma=sigma, samples=100_000).values
    per_dim = [0.5 * (m * m + s * s - math.log(s * s) - 1) for m, s in zip(mu, sigma, strict=True)]
    assert values["kl_per_dim"] == pytest.approx(per_dim, abs=1e-12)
    assert values["kl"] == pytest.approx(sum(per_dim), abs=1e-12)
    assert values["kl_monte_carlo"] == pytest.approx(sum(per_dim), abs=0.02)
    with pytest.raises(ParameterError, match="same length"):
        run_demo("vae-kl", mu=[0.0, 1.0], sigma=[1.0])


def test_vae_training_with_and_without_the_kl_term():
    with_kl = run_demo("vae-train", steps=100).values
    without = run_demo("vae-train", steps=100, beta=0.0).values
    assert with_kl["loss_history"][-1] < with_kl["loss_history"][0]
    # Without the KL term the encoder makes σ tiny; with it, σ stays near N(0, 1)'s scale.
    assert without["sigma_mean"] < 0.1 < with_kl["sigma_mean"]
    assert without["test_kl"] > with_kl["test_kl"]


def test_denoising_autoencoder_removes_noise_better_than_a_plain_one():
    denoising = run_demo("ae-denoising", noise=0.3, test_noise=0.3, steps=100).values
    plain = run_demo("ae-denoising", noise=0.0, test_noise=0.3, steps=100).values
    assert denoising["input_mse"] == plain["input_mse"]  # the same noisy test images
    assert denoising["output_closer_than_input"] is True
    assert denoising["output_mse"] < plain["output_mse"]
    assert plain["clean_mse"] < 0.04


def test_optimal_discriminator_at_a_point_and_the_value():
    values = run_demo(
        "gan-optimal-discriminator", data_mu=0, data_sigma=1, g_mu=1, g_sigma=2, x=0.5
    ).values
    p, q = normal_pdf(0.5), normal_pdf(0.5, 1, 2)
    assert values["d_star_at_x"] == pytest.approx(p / (p + q), rel=1e-12)
    assert values["value"] == pytest.approx(values["minus_log4_plus_2js"], abs=1e-6)
    same = run_demo("gan-optimal-discriminator", g_mu=0, g_sigma=1).values
    assert same["d_star_at_x"] == 0.5 and same["value"] == pytest.approx(-math.log(4), abs=1e-9)


def test_generator_gradients_and_discriminator_loss():
    values = run_demo("gan-generator-gradient", d_fake=0.2, d_real=0.9).values
    assert values["grad_saturating"] == pytest.approx(-0.2, rel=1e-12)
    assert values["grad_non_saturating"] == pytest.approx(-0.8, rel=1e-12)
    assert values["loss_saturating"] == pytest.approx(math.log(0.8))
    assert values["loss_non_saturating"] == pytest.approx(-math.log(0.2))
    assert values["discriminator_loss"] == pytest.approx(-math.log(0.9) - math.log(0.8))


@pytest.mark.parametrize("theta", [-3.0, 0.5, 2.0])
def test_js_is_stuck_at_log2_while_wasserstein_grows(theta):
    values = run_demo("gan-js-vs-wasserstein", theta=theta).values
    assert values["wasserstein"] == pytest.approx(abs(theta), abs=1e-3)
    overlap = max(0.0, 1 - abs(theta))
    # Two unit-width uniforms overlapping by o: JS = (1 − o)·log 2.
    assert values["js"] == pytest.approx((1 - overlap) * math.log(2), abs=1e-3)
    assert values["kl_is_infinite"] is True


def test_mode_collapse_oscillates_between_the_modes():
    values = run_demo("gan-mode-collapse", m=2.0, sigma=0.3, rounds=4).values
    # D* at the covered mode: p_data = ½N + ½(tiny), p_g = N at its peak → about 1/3.
    peak = normal_pdf(0, 0, 0.3)
    p_data = 0.5 * peak + 0.5 * normal_pdf(4, 0, 0.3)
    assert values["d_star_covered_mode"] == pytest.approx(p_data / (p_data + peak), rel=1e-12)
    assert values["d_star_missing_mode"] > 0.999
    assert values["generator_centers"] == [2.0, -2.0, 2.0, -2.0, 2.0]


@pytest.mark.parametrize(
    ("H", "kernel", "stride", "pad"), [(4, 4, 2, 1), (3, 3, 1, 1), (5, 2, 2, 0)]
)
def test_transposed_convolution_output_size(H, kernel, stride, pad):
    values = run_demo(
        "gan-dcgan-upsample", C_in=3, C_out=2, H=H, kernel=kernel, stride=stride, pad=pad
    ).values
    size = (H - 1) * stride - 2 * pad + kernel
    assert values["output_size"] == size and values["output_shape"] == [1, 2, size, size]


def test_conditional_gan_input_dimensions():
    values = run_demo("gan-conditional-input", z_dim=64, classes=5, x_dim=100).values
    assert values["generator_input_dim"] == 69 and values["discriminator_input_dim"] == 105
    assert values["output_changes_with_label"] is True


def test_diffusion_forward_coefficients():
    values = run_demo("gen-diffusion-forward", T=200, beta_start=0.001, beta_end=0.05, t=50).values
    alpha = np.prod(1 - np.linspace(0.001, 0.05, 200)[:50])
    assert values["alpha_bar_t"] == pytest.approx(alpha, rel=1e-12)
    assert values["signal_coef"] == pytest.approx(math.sqrt(alpha))
    assert values["noise_coef"] == pytest.approx(math.sqrt(1 - alpha))
    # x_t = √ᾱ·x0 + √(1−ᾱ)·ε with x0 at ±2 (std ≈ 2): std² ≈ ᾱ·4.01 + (1 − ᾱ).
    assert values["xt_std"] == pytest.approx(math.sqrt(alpha * 4.01 + 1 - alpha), rel=0.02)
    with pytest.raises(ParameterError, match="at most T"):
        run_demo("gen-diffusion-forward", T=10, t=11)


def test_flow_change_of_variables():
    values = run_demo("gen-flow-change-of-variables", a=-3.0, b=2.0, x=0.5).values
    assert values["integral"] == pytest.approx(1.0, abs=1e-6)
    assert values["integral_without_jacobian"] == pytest.approx(3.0, abs=1e-5)
    assert values["density_at_x"] == pytest.approx(normal_pdf(0.5, 2.0, 3.0), rel=1e-12)
    with pytest.raises(ParameterError, match="must not be 0"):
        run_demo("gen-flow-change-of-variables", a=0.0)


def test_discriminative_and_generative_boundaries_agree_near_the_midpoint():
    values = run_demo(
        "gen-discriminative-vs-generative", mu0=-1, mu1=2, sigma=1, n=2000, seed=1
    ).values
    assert values["boundary_generative"] == pytest.approx(0.5, abs=0.1)
    assert values["boundary_discriminative"] == pytest.approx(0.5, abs=0.1)
    assert len(values["generated_samples"]) == 5


@pytest.mark.parametrize(
    ("demo_id", "params"),
    [
        ("vae-reparameterization", {"seed": 4, "samples": 1000}),
        ("vae-train", {"steps": 5, "seed": 2}),
        ("ae-denoising", {"steps": 5, "seed": 2}),
        ("gen-diffusion-forward", {"seed": 3}),
        ("gen-discriminative-vs-generative", {"seed": 6}),
    ],
)
def test_same_parameters_same_values(demo_id, params):
    assert run_demo(demo_id, **params).values == run_demo(demo_id, **params).values
