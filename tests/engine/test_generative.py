"""engine.generative: reparameterisation and its gradients, the Gaussian KL, the GAN's
optimal discriminator and losses, divergences on a grid, the diffusion forward process."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.functions import numerical_gradient
from engine.generative import (
    alpha_bar,
    diffuse,
    discriminator_loss,
    gan_value,
    gaussian_kl,
    gaussian_kl_backward,
    gaussian_log_pdf,
    gaussian_pdf,
    generator_loss,
    generator_loss_grad_logit,
    grid_probabilities,
    mixture_pdf,
    optimal_discriminator,
    reparameterize,
    reparameterize_backward,
    wasserstein_1d,
)
from engine.information import js_divergence, kl_divergence

GRID = np.linspace(-12, 12, 4801)
DX = GRID[1] - GRID[0]


def test_reparameterize_is_mu_plus_sigma_times_eps():
    mu, log_var, eps = np.array([1.0, -2.0]), np.log(np.array([4.0, 0.25])), np.array([0.5, 2.0])
    np.testing.assert_allclose(
        reparameterize(mu, log_var, eps), [1.0 + 2.0 * 0.5, -2.0 + 0.5 * 2.0]
    )


def test_reparameterized_samples_have_the_right_distribution():
    rng = np.random.default_rng(0)
    z = reparameterize(3.0, np.log(0.25), rng.standard_normal(200_000))
    assert z.mean() == pytest.approx(3.0, abs=0.01)
    assert z.std() == pytest.approx(0.5, abs=0.01)


def test_reparameterize_backward_matches_numerical_gradients():
    rng = np.random.default_rng(1)
    mu, log_var, eps, weights = (rng.normal(size=4) for _ in range(4))

    def loss():
        return float(np.sum(weights * reparameterize(mu, log_var, eps) ** 2))

    dz = 2 * weights * reparameterize(mu, log_var, eps)
    dmu, dlog_var = reparameterize_backward(dz, log_var, eps)
    np.testing.assert_allclose(dmu, numerical_gradient(lambda _: loss(), mu), rtol=1e-7)
    np.testing.assert_allclose(dlog_var, numerical_gradient(lambda _: loss(), log_var), rtol=1e-7)


@pytest.mark.parametrize(("mu", "sigma"), [(0.0, 1.0), (1.0, 1.0), (0.0, 2.0), (-1.5, 0.3)])
def test_gaussian_kl_equals_the_integral(mu, sigma):
    q, p = gaussian_pdf(GRID, mu, sigma), gaussian_pdf(GRID)
    integral = np.sum(q * (np.log(q + 1e-300) - np.log(p))) * DX
    assert gaussian_kl(mu, 2 * math.log(sigma)) == pytest.approx(integral, abs=1e-6)


def test_gaussian_kl_known_values_and_sum_over_dimensions():
    assert gaussian_kl(0.0, 0.0) == 0.0
    assert gaussian_kl(1.0, 0.0) == pytest.approx(0.5)
    assert gaussian_kl(0.0, math.log(4)) == pytest.approx(0.5 * (3 - math.log(4)))
    assert gaussian_kl([1.0, 0.0], [0.0, math.log(4)]) == pytest.approx(
        0.5 + 0.5 * (3 - math.log(4))
    )


def test_gaussian_kl_backward_matches_numerical_gradients():
    mu, log_var = np.array([0.3, -1.2]), np.array([0.5, -0.7])
    dmu, dlog_var = gaussian_kl_backward(mu, log_var)
    np.testing.assert_allclose(
        dmu, numerical_gradient(lambda _: gaussian_kl(mu, log_var), mu), rtol=1e-7
    )
    np.testing.assert_allclose(
        dlog_var, numerical_gradient(lambda _: gaussian_kl(mu, log_var), log_var), rtol=1e-7
    )


def test_gaussian_pdf_and_mixture_integrate_to_one():
    assert gaussian_pdf(0.0) == pytest.approx(1 / math.sqrt(2 * math.pi))
    assert gaussian_log_pdf(1.0, 1.0, 2.0) == pytest.approx(
        -math.log(2) - 0.5 * math.log(2 * math.pi)
    )
    assert np.sum(mixture_pdf(GRID, [-2, 2], [0.5, 1.0], [0.3, 0.7])) * DX == pytest.approx(
        1.0, abs=1e-9
    )


def test_optimal_discriminator_maximises_the_value_pointwise():
    p_data, p_g = gaussian_pdf(GRID, 0, 1), gaussian_pdf(GRID, 1, 1.5)
    d_star = optimal_discriminator(p_data, p_g)
    best = gan_value(p_data, p_g, d_star, DX)
    for other in (
        np.clip(d_star + 0.05, 0.01, 0.99),
        np.full_like(d_star, 0.5),
        np.clip(d_star * 0.9, 0.01, 1),
    ):
        assert gan_value(p_data, p_g, other, DX) < best
    np.testing.assert_allclose(optimal_discriminator(2.0, 2.0), 0.5)
    np.testing.assert_allclose(optimal_discriminator(0.0, 0.0), 0.5)  # no evidence either way


def test_value_at_the_optimal_discriminator_is_minus_log4_plus_twice_js():
    p_data, p_g = gaussian_pdf(GRID, 0, 1), gaussian_pdf(GRID, 1, 1)
    value = gan_value(p_data, p_g, optimal_discriminator(p_data, p_g), DX)
    js = js_divergence(grid_probabilities(p_data, DX), grid_probabilities(p_g, DX))
    assert value == pytest.approx(-math.log(4) + 2 * js, abs=1e-9)
    same = gaussian_pdf(GRID)
    assert gan_value(same, same, optimal_discriminator(same, same), DX) == pytest.approx(
        -math.log(4), abs=1e-9
    )


def test_losses():
    assert discriminator_loss([0.9], [0.2]) == pytest.approx(-math.log(0.9) - math.log(0.8))
    assert generator_loss([0.2]) == pytest.approx(-math.log(0.2))
    assert generator_loss([0.2], non_saturating=False) == pytest.approx(math.log(0.8))


@pytest.mark.parametrize("non_saturating", [True, False])
def test_generator_loss_gradient_with_respect_to_the_logit(non_saturating):
    for a in (-5.0, -1.0, 0.0, 2.0):
        analytic = generator_loss_grad_logit(a, non_saturating)
        f = lambda x: generator_loss([1 / (1 + math.exp(-x[0]))], non_saturating)  # noqa: E731
        numeric = numerical_gradient(f, np.array([a]))[0]
        assert analytic == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    assert generator_loss_grad_logit(-10.0, False) == pytest.approx(-4.5398e-5, rel=1e-3)
    assert generator_loss_grad_logit(-10.0, True) == pytest.approx(-1.0, abs=1e-4)


def test_divergences_of_disjoint_uniform_distributions():
    grid = np.linspace(-7, 7, 14001)
    dx = grid[1] - grid[0]
    p = ((grid >= 0) & (grid < 1)) / 1.0
    p = p / (p.sum() * dx)
    for theta in (1.5, 2.0, -3.0):
        q = ((grid >= theta) & (grid < theta + 1)) * 1.0
        q = q / (q.sum() * dx)
        assert js_divergence(grid_probabilities(p, dx), grid_probabilities(q, dx)) == pytest.approx(
            math.log(2), abs=1e-12
        )
        assert kl_divergence(grid_probabilities(p, dx), grid_probabilities(q, dx)) == math.inf
        assert wasserstein_1d(p, q, dx) == pytest.approx(abs(theta), abs=1e-3)


def test_kl_of_two_gaussians_on_a_grid():
    p, q = gaussian_pdf(GRID, 0, 1), gaussian_pdf(GRID, 1, 2)
    expected = math.log(2) + (1 + 1) / (2 * 4) - 0.5  # log(σ₂/σ₁) + (σ₁² + (μ₁−μ₂)²)/2σ₂² − ½
    assert kl_divergence(grid_probabilities(p, DX), grid_probabilities(q, DX)) == pytest.approx(
        expected, abs=1e-6
    )


def test_diffusion_forward_process():
    betas = np.linspace(1e-4, 0.02, 1000)
    a = alpha_bar(betas)
    assert a[0] == pytest.approx(1 - 1e-4)
    assert a[-1] == pytest.approx(np.prod(1 - betas), rel=1e-12)
    assert a[-1] < 1e-4
    x0, eps = np.array([2.0, -1.0]), np.array([0.5, 0.1])
    np.testing.assert_allclose(
        diffuse(x0, 10, betas, eps), math.sqrt(a[9]) * x0 + math.sqrt(1 - a[9]) * eps
    )


def test_grid_probabilities_are_the_renormalised_riemann_masses():
    density = gaussian_pdf(GRID, 1.0, 0.5)
    probabilities = grid_probabilities(density, DX)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(probabilities, density * DX / np.sum(density * DX), rtol=1e-14)
