"""Generative models: the VAE's reparameterisation and KL term, the GAN's losses and its
optimal discriminator, divergences between 1-D densities, and the forward process of a
diffusion model.

VAE (Kingma & Welling, 2014): the encoder outputs μ and log σ² of q(z|x) = N(μ, σ²), and

    z = μ + σ ⊙ ε,  ε ~ N(0, I)                 reparameterisation: z is a differentiable
                                                function of μ and σ, the noise comes from outside
    KL(N(μ, σ²) ‖ N(0, 1)) = ½·Σ_j (μ_j² + σ_j² − log σ_j² − 1)
    loss = reconstruction error + KL            (the negative ELBO)

GAN (Goodfellow et al., 2014): min_G max_D V(D, G) with

    V(D, G) = E_x~p_data[log D(x)] + E_z~p_z[log(1 − D(G(z)))]
    D*(x) = p_data(x) / (p_data(x) + p_g(x))   for a fixed G
    V(D*, G) = −log 4 + 2·JS(p_data ‖ p_g)     minimal (−log 4) exactly when p_g = p_data

Densities on a grid are arrays of values at equally spaced points x with spacing dx;
integrals are Riemann sums Σ f(x)·dx, and divergences between them are engine.information's
on ``grid_probabilities``.
"""

from __future__ import annotations

import numpy as np

from engine import functions
from engine.functions import binary_cross_entropy

# --- VAE ------------------------------------------------------------------------------------


def reparameterize(mu, log_var, eps) -> np.ndarray:
    """z = μ + σ ⊙ ε with σ = exp(½·log σ²); ε ~ N(0, I) is drawn by the caller.

    Sampling z ~ N(μ, σ²) directly would put a random draw between the loss and the
    encoder, through which no gradient flows; written this way z depends on μ and σ
    through a sum and a product, and ε is just an input.
    """
    return np.asarray(mu) + np.exp(0.5 * np.asarray(log_var)) * np.asarray(eps)


def reparameterize_backward(dz, log_var, eps) -> tuple[np.ndarray, np.ndarray]:
    """(∂L/∂μ, ∂L/∂log σ²) from ∂L/∂z:  ∂z/∂μ = 1,  ∂z/∂log σ² = ½·σ ⊙ ε."""
    sigma = np.exp(0.5 * np.asarray(log_var))
    return np.asarray(dz), np.asarray(dz) * 0.5 * sigma * np.asarray(eps)


def gaussian_kl(mu, log_var) -> float:
    """KL(N(μ, diag σ²) ‖ N(0, I)) = ½·Σ_j (μ_j² + σ_j² − log σ_j² − 1), summed over the
    latent dimensions (and over a batch, if given): 0 exactly when μ = 0 and σ = 1."""
    mu, log_var = np.asarray(mu, dtype=np.float64), np.asarray(log_var, dtype=np.float64)
    return float(0.5 * np.sum(mu**2 + np.exp(log_var) - log_var - 1))


def gaussian_kl_backward(mu, log_var) -> tuple[np.ndarray, np.ndarray]:
    """(∂KL/∂μ, ∂KL/∂log σ²) = (μ, ½·(σ² − 1))."""
    mu, log_var = np.asarray(mu, dtype=np.float64), np.asarray(log_var, dtype=np.float64)
    return mu, 0.5 * (np.exp(log_var) - 1)


def gaussian_log_pdf(x, mu=0.0, sigma=1.0) -> np.ndarray:
    """log N(x; μ, σ²) = −½·((x − μ)/σ)² − log σ − ½·log 2π."""
    x = np.asarray(x, dtype=np.float64)
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * np.log(2 * np.pi)


def gaussian_pdf(x, mu=0.0, sigma=1.0) -> np.ndarray:
    """N(x; μ, σ²) = exp(−(x − μ)² / 2σ²) / (σ·√(2π))."""
    return np.exp(gaussian_log_pdf(x, mu, sigma))


def mixture_pdf(x, means, sigmas, weights) -> np.ndarray:
    """Σ_k π_k·N(x; μ_k, σ_k²), the weights π_k summing to 1."""
    x = np.asarray(x, dtype=np.float64)
    return sum(w * gaussian_pdf(x, m, s) for m, s, w in zip(means, sigmas, weights, strict=True))


# --- GAN ------------------------------------------------------------------------------------


def optimal_discriminator(p_data, p_g) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)); ½ where both are 0 (no evidence either way)."""
    p_data, p_g = np.asarray(p_data, dtype=np.float64), np.asarray(p_g, dtype=np.float64)
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def gan_value(p_data, p_g, d, dx: float) -> float:
    """V(D, G) = ∫ p_data·log D + p_g·log(1 − D) dx on a grid (0·log 0 counts as 0)."""
    p_data, p_g, d = (np.asarray(a, dtype=np.float64) for a in (p_data, p_g, d))
    with np.errstate(divide="ignore", invalid="ignore"):
        real = np.where(p_data > 0, p_data * np.log(d), 0.0)
        fake = np.where(p_g > 0, p_g * np.log(1 - d), 0.0)
    return float(np.sum(real + fake) * dx)


def discriminator_loss(d_real, d_fake) -> float:
    """The discriminator minimises −V: −mean log D(x) − mean log(1 − D(G(z))), i.e. the binary
    cross-entropy with label 1 for real samples and 0 for generated ones."""
    d_real, d_fake = np.asarray(d_real, dtype=np.float64), np.asarray(d_fake, dtype=np.float64)
    return binary_cross_entropy(d_real, np.ones_like(d_real)) + binary_cross_entropy(
        d_fake, np.zeros_like(d_fake)
    )


def generator_loss(d_fake, non_saturating: bool = True) -> float:
    """The generator's loss on D(G(z)):

    saturating (the minimax form)      mean log(1 − D(G(z)))   (minimised)
    non-saturating (used in practice)  −mean log D(G(z))       (the fakes labelled real)
    """
    d_fake = np.asarray(d_fake, dtype=np.float64)
    if non_saturating:
        return binary_cross_entropy(d_fake, np.ones_like(d_fake))
    return -binary_cross_entropy(d_fake, np.zeros_like(d_fake))


def generator_loss_grad_logit(logit, non_saturating: bool = True) -> np.ndarray:
    """∂(generator loss)/∂a for one sample, where D(G(z)) = σ(a):

    saturating      ∂ log(1 − σ(a)) / ∂a = −σ(a)      → 0 when D rejects the fake (σ(a) ≈ 0)
    non-saturating  ∂ −log σ(a) / ∂a = σ(a) − 1       → −1 there: a strong signal
    """
    d = functions.sigmoid(np.asarray(logit, dtype=np.float64))
    return d - 1 if non_saturating else -d


def grid_probabilities(density, dx: float) -> np.ndarray:
    """A density sampled on an equally spaced grid as a discrete distribution: density·dx,
    renormalised to sum 1 (the Riemann sum of a density is 1 only up to the grid's error).

    KL and JS divergences of densities are then engine.information's discrete ones: with the
    same dx on both sides, Σ p·dx·log(p·dx / q·dx) = ∫ p log(p / q) dx.
    """
    mass = np.asarray(density, dtype=np.float64) * dx
    return mass / mass.sum()


def wasserstein_1d(p, q, dx: float) -> float:
    """Earth mover's distance W₁(p, q) = ∫ |F_p(x) − F_q(x)| dx for 1-D densities on a grid,
    F the cumulative distribution functions. It grows with the distance between the two
    even when their supports do not overlap, where JS is stuck at log 2."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return float(np.sum(np.abs(np.cumsum(p) * dx - np.cumsum(q) * dx)) * dx)


# --- diffusion models -------------------------------------------------------------------------


def alpha_bar(betas) -> np.ndarray:
    """ᾱ_t = Π_{s=1..t} (1 − β_s) for the noise schedule β_1 … β_T (Ho et al., 2020)."""
    return np.cumprod(1 - np.asarray(betas, dtype=np.float64))


def diffuse(x0, t: int, betas, eps) -> np.ndarray:
    """The forward (noising) process in closed form, t = 1 … T:

        x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε,  ε ~ N(0, I)

    As t grows ᾱ_t → 0 and x_t becomes pure noise N(0, I); the model learns to reverse it.
    """
    a = alpha_bar(betas)[t - 1]
    return np.sqrt(a) * np.asarray(x0) + np.sqrt(1 - a) * np.asarray(eps)
