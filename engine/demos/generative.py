"""Demos on generative models: the VAE's reparameterisation trick and KL term, a VAE and a
(denoising) autoencoder trained on the 8×8 digits, the GAN's optimal discriminator, its
generator losses, JS vs Wasserstein distance, mode collapse, DCGAN's transposed
convolution, the conditional GAN's input, a diffusion model's forward process, a flow's
change of variables, and discriminative vs generative classifiers.
Formulas come from engine.generative; networks from engine.layers and engine.optim.
"""

from __future__ import annotations

import numpy as np

from engine import functions, optim
from engine.datasets import load_digits
from engine.demos.registry import (
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)
from engine.functions import binary_cross_entropy
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
from engine.init import he, xavier
from engine.layers import Affine, Convolution, Relu, SoftmaxWithLoss

SYLLABUS_GEN = ("4-6 生成モデル",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")


def _grid(low: float = -12.0, high: float = 12.0, points: int = 4801) -> tuple[np.ndarray, float]:
    x = np.linspace(low, high, points)
    return x, float(x[1] - x[0])


# --- VAE ----------------------------------------------------------------------------------------


@demo(
    "vae-reparameterization",
    title="VAE の Reparameterization Trick",
    description=(
        "z = μ + σ⊙ε（ε ~ N(0, 1)）で標本を作り、E[z²] の μ と σ についての勾配を、"
        "ε を固定したまま z を通す誤差逆伝播で推定して厳密な値 2μ, 2σ と比べる。"
    ),
    syllabus=SYLLABUS_GEN,
    params=(
        FloatParam("mu", 1.0, min=-10.0, max=10.0, help="平均 μ"),
        FloatParam("sigma", 0.5, min=1e-3, max=10.0, help="標準偏差 σ"),
        IntParam("samples", 100000, min=10, max=1000000, help="標本の数"),
        SEED,
    ),
)
def vae_reparameterization(mu: float, sigma: float, samples: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal(samples)
    log_var = np.full(samples, 2 * np.log(sigma))
    z = reparameterize(np.full(samples, mu), log_var, eps)
    loss = float(np.mean(z**2))  # L = E[z²] = μ² + σ²
    dz = 2 * z / samples
    dmu, dlog_var = reparameterize_backward(dz, log_var, eps)
    grad_mu = float(dmu.sum())
    grad_sigma = float(dlog_var.sum() * 2 / sigma)  # ∂/∂σ = ∂/∂log σ² · 2/σ
    narrative = "\n".join(
        [
            f"$\\varepsilon \\sim N(0, 1)$ を {samples:,} 個引き、$z = \\mu + \\sigma \\varepsilon$"
            f"（μ = {mu:g}, σ = {sigma:g}）とした。z の平均 {z.mean():.4g}、標準偏差 {z.std():.4g}。",
            "",
            f"損失 $L = E[z^2]$（厳密には $\\mu^2 + \\sigma^2 = {mu**2 + sigma**2:.6g}$、標本平均 {loss:.6g}）を"
            " z から μ, σ へ逆伝播する。$\\partial z / \\partial \\mu = 1$、$\\partial z / \\partial \\sigma = \\varepsilon$。",
            "",
            f"- $\\partial L / \\partial \\mu$ の推定 {grad_mu:.6g}（厳密 $2\\mu = {2 * mu:g}$）",
            f"- $\\partial L / \\partial \\sigma$ の推定 {grad_sigma:.6g}（厳密 $2\\sigma = {2 * sigma:g}$）",
            "",
            "乱数 ε を外から与える入力にしたので、サンプリングを挟んでも μ と σ（エンコーダの出力）まで勾配が流れる。"
            " $z \\sim N(\\mu, \\sigma^2)$ を直接引くと、この経路がない。",
        ]
    )
    return DemoResult(
        values={
            "z_mean": float(z.mean()),
            "z_std": float(z.std()),
            "loss": loss,
            "grad_mu": grad_mu,
            "grad_sigma": grad_sigma,
            "grad_mu_exact": 2 * mu,
            "grad_sigma_exact": 2 * sigma,
        },
        narrative=narrative,
    )


@demo(
    "vae-kl",
    title="VAE の KL 項：N(μ, σ²) と N(0, 1) の KL ダイバージェンス",
    description=(
        "engine.generative.gaussian_kl の閉じた式 ½Σ(μ² + σ² − log σ² − 1) と、"
        "z ~ N(μ, σ²) の標本による log q(z) − log p(z) の平均を比べる。"
    ),
    syllabus=(*SYLLABUS_GEN, "1-3 情報理論"),
    params=(
        ListParam(
            "mu", [1.0], min=-100.0, max=100.0, max_length=16, help="平均 μ（潜在変数の各次元）"
        ),
        ListParam("sigma", [1.0], min=1e-3, max=100.0, max_length=16, help="標準偏差 σ（各次元）"),
        IntParam("samples", 200000, min=10, max=1000000, help="モンテカルロ推定の標本数"),
        SEED,
    ),
)
def vae_kl(mu: list[float], sigma: list[float], samples: int, seed: int) -> DemoResult:
    if len(mu) != len(sigma):
        raise ParameterError(
            f"In demo vae-kl mu and sigma need the same length, got {len(mu)} and {len(sigma)}."
        )
    m, s = np.array(mu), np.array(sigma)
    log_var = 2 * np.log(s)
    kl = gaussian_kl(m, log_var)
    per_dim = [gaussian_kl(a, b) for a, b in zip(m, log_var, strict=True)]
    rng = np.random.default_rng(seed)
    z = reparameterize(m, log_var, rng.standard_normal((samples, len(m))))
    log_q = gaussian_log_pdf(z, m, s).sum(axis=1)
    log_p = gaussian_log_pdf(z).sum(axis=1)
    kl_mc = float(np.mean(log_q - log_p))
    dmu, dlog_var = gaussian_kl_backward(m, log_var)
    narrative = "\n".join(
        [
            "$KL(N(\\mu, \\sigma^2) \\| N(0, 1)) = \\frac{1}{2} \\sum_j (\\mu_j^2 + \\sigma_j^2 - \\log \\sigma_j^2 - 1)$",
            "",
            f"μ = {mu}, σ = {sigma} のとき、閉じた式で **{kl:.6g}**（次元ごと: "
            + ", ".join(f"{v:.4g}" for v in per_dim)
            + f"）。標本 {samples:,} 個の $\\log q(z) - \\log p(z)$ の平均は {kl_mc:.4g}。",
            "",
            "μ = 0、σ = 1 のとき最小値 0。VAE の損失（負の ELBO）は 再構成誤差 + この KL 項で、"
            "KL 項は各データの潜在分布を標準正規分布に近づける正則化として働く。",
            "",
            f"勾配: $\\partial KL / \\partial \\mu = \\mu$ = {dmu.tolist()}、"
            f"$\\partial KL / \\partial \\log \\sigma^2 = (\\sigma^2 - 1)/2$ = {[round(v, 6) for v in dlog_var.tolist()]}。",
        ]
    )
    return DemoResult(
        values={"kl": kl, "kl_per_dim": per_dim, "kl_monte_carlo": kl_mc}, narrative=narrative
    )


class _Autoencoder:
    """x (N, 64) → Affine → ReLU → Affine → code → Affine → ReLU → Affine → sigmoid → x̂.

    As a VAE the encoder's last Affine outputs [μ ; log σ²] (2Z values) and the code is
    z = μ + σ⊙ε; as a plain autoencoder it outputs the code (Z values) directly.
    """

    def __init__(self, Z: int, hidden: int, variational: bool, rng):
        out = 2 * Z if variational else Z
        self.Z, self.variational = Z, variational
        self.layers = [
            Affine(he((64, hidden), rng), np.zeros(hidden)),
            Relu(),
            Affine(xavier((hidden, out), rng), np.zeros(out)),
            Affine(he((Z, hidden), rng), np.zeros(hidden)),
            Relu(),
            Affine(xavier((hidden, 64), rng), np.zeros(64)),
        ]
        self.affines = [layer for layer in self.layers if isinstance(layer, Affine)]

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {
            f"{name}{i}": getattr(a, name)
            for i, a in enumerate(self.affines)
            for name in ("W", "b")
        }

    def encode(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers[:3]:
            x = layer.forward(x)
        return x

    def decode_logits(self, z: np.ndarray) -> np.ndarray:
        for layer in self.layers[3:]:
            z = layer.forward(z)
        return z

    def step(self, x_in: np.ndarray, target: np.ndarray, rng, beta: float):
        """One forward and backward pass; returns (reconstruction loss, KL, grads)."""
        N = len(x_in)
        code = self.encode(x_in)
        if self.variational:
            mu, log_var = code[:, : self.Z], code[:, self.Z :]
            eps = rng.standard_normal(mu.shape)
            z = reparameterize(mu, log_var, eps)
        else:
            z = code
        logits = self.decode_logits(z)
        y = functions.sigmoid(logits)
        # Bernoulli likelihood per pixel: binary cross-entropy summed over the 64 pixels.
        recon = binary_cross_entropy(y, target) * target.shape[1]
        dout = (y - target) / N
        for layer in reversed(self.layers[3:]):
            dout = layer.backward(dout)
        kl = 0.0
        if self.variational:
            kl = gaussian_kl(mu, log_var) / N
            dmu, dlog_var = reparameterize_backward(dout, log_var, eps)
            kl_mu, kl_log_var = gaussian_kl_backward(mu, log_var)
            dout = np.concatenate(
                [dmu + beta * kl_mu / N, dlog_var + beta * kl_log_var / N], axis=1
            )
        for layer in reversed(self.layers[:3]):
            dout = layer.backward(dout)
        grads = {
            f"{name}{i}": getattr(a, f"d{name}")
            for i, a in enumerate(self.affines)
            for name in ("W", "b")
        }
        return recon, kl, grads


def _train_autoencoder(Z, hidden, variational, beta, noise, steps, lr, seed):
    rng = np.random.default_rng(seed)
    (x_train, _), (x_test, _) = load_digits(seed=seed)
    model = _Autoencoder(Z, hidden, variational, rng)
    optimizer = optim.Adam(lr=lr)
    history = []
    for _ in range(steps):
        batch = x_train[rng.integers(0, len(x_train), 64)]
        noisy = np.clip(batch + noise * rng.standard_normal(batch.shape), 0, 1)
        recon, kl, grads = model.step(noisy, batch, rng, beta)
        optimizer.update(model.params, grads)
        history.append(recon + beta * kl)
    return model, history, x_test, rng


@demo(
    "vae-train",
    title="VAE を 8×8 の手書き数字で学習",
    description=(
        "エンコーダが μ と log σ² を出し、z = μ + σ⊙ε をデコーダに通す VAE を engine の Affine 層と Adam で学習し、"
        "再構成誤差、KL 項、潜在変数の分布、N(0, I) から生成した画像を示す。"
    ),
    syllabus=SYLLABUS_GEN,
    params=(
        IntParam("Z", 2, min=1, max=16, help="潜在変数の次元"),
        IntParam("hidden", 32, min=4, max=128, help="中間層のユニット数"),
        FloatParam("beta", 1.0, min=0.0, max=10.0, help="KL 項の重み（1 で通常の VAE）"),
        IntParam("steps", 100, min=1, max=3000, help="Adam の更新回数（バッチ 64）"),
        FloatParam("lr", 0.01, min=1e-5, max=1.0, help="学習率"),
        SEED,
    ),
)
def vae_train(Z: int, hidden: int, beta: float, steps: int, lr: float, seed: int) -> DemoResult:
    model, history, x_test, rng = _train_autoencoder(Z, hidden, True, beta, 0.0, steps, lr, seed)
    code = model.encode(x_test)
    mu, log_var = code[:, :Z], code[:, Z:]
    logits = model.decode_logits(mu)
    recon = binary_cross_entropy(functions.sigmoid(logits), x_test) * x_test.shape[1]
    kl = gaussian_kl(mu, log_var) / len(x_test)
    generated = functions.sigmoid(model.decode_logits(rng.standard_normal((1, Z))))[0]
    narrative = "\n".join(
        [
            f"潜在変数 {Z} 次元、KL の重み β = {beta:g} で {steps} 回学習した。",
            "",
            f"テストデータで: 再構成誤差（画素ごとの 2 値交差エントロピーの和）{recon:.4g}、KL 項 {kl:.4g}。",
            f"μ の平均 {mu.mean():.3g}、μ の標準偏差 {mu.std():.3g}、σ の平均 {np.exp(0.5 * log_var).mean():.3g}。",
            "",
            "KL 項が各データの $q(z \\mid x)$ を N(0, I) に引き寄せるので、潜在空間が原点のまわりに隙間なく詰まり、"
            "$z \\sim N(0, I)$ をデコーダに通せば新しい画像を生成できる（図は生成した 1 枚）。"
            " β = 0 にすると KL 項が消えてただのオートエンコーダに近づき、潜在変数の広がりが制御されない。",
        ]
    )
    plots = [
        Plot(
            kind="line",
            title="学習の損失（再構成 + β·KL）",
            x=list(range(1, steps + 1)),
            series={"loss": history},
            x_label="step",
        ),
        Plot(
            kind="heatmap", title="z ~ N(0, I) から生成した画像", z=generated.reshape(8, 8).tolist()
        ),
    ]
    return DemoResult(
        values={
            "loss_history": history,
            "test_reconstruction": recon,
            "test_kl": kl,
            "mu_mean": float(mu.mean()),
            "mu_std": float(mu.std()),
            "sigma_mean": float(np.exp(0.5 * log_var).mean()),
        },
        narrative=narrative,
        plots=plots,
    )


@demo(
    "ae-denoising",
    title="オートエンコーダと Denoising オートエンコーダ",
    description=(
        "8×8 の手書き数字を Z 次元に圧縮して復元するオートエンコーダを学習する。noise > 0 なら入力にノイズを"
        "加えて元の画像を復元させる（Denoising AE）。ノイズ付きのテスト画像をどれだけきれいに戻せるかを比べる。"
    ),
    syllabus=SYLLABUS_GEN,
    params=(
        IntParam("Z", 8, min=1, max=64, help="符号（潜在表現）の次元"),
        IntParam("hidden", 32, min=4, max=128, help="中間層のユニット数"),
        FloatParam(
            "noise", 0.3, min=0.0, max=1.0, help="学習時に入力へ加えるガウスノイズの標準偏差"
        ),
        FloatParam(
            "test_noise", 0.3, min=0.0, max=1.0, help="評価時にテスト画像へ加えるノイズの標準偏差"
        ),
        IntParam("steps", 100, min=1, max=3000, help="Adam の更新回数（バッチ 64）"),
        FloatParam("lr", 0.01, min=1e-5, max=1.0, help="学習率"),
        SEED,
    ),
)
def ae_denoising(
    Z: int, hidden: int, noise: float, test_noise: float, steps: int, lr: float, seed: int
) -> DemoResult:
    model, history, x_test, rng = _train_autoencoder(Z, hidden, False, 0.0, noise, steps, lr, seed)
    noisy = np.clip(x_test + test_noise * rng.standard_normal(x_test.shape), 0, 1)
    output = functions.sigmoid(model.decode_logits(model.encode(noisy)))
    clean_output = functions.sigmoid(model.decode_logits(model.encode(x_test)))
    input_mse = float(np.mean((noisy - x_test) ** 2))
    output_mse = float(np.mean((output - x_test) ** 2))
    clean_mse = float(np.mean((clean_output - x_test) ** 2))
    narrative = "\n".join(
        [
            f"64 画素 → {hidden} → **{Z}**（符号）→ {hidden} → 64 画素。学習時の入力ノイズ σ = {noise:g}"
            f"（{'Denoising AE' if noise > 0 else '通常の AE'}）、正解は常にきれいな元画像。",
            "",
            f"- ノイズ（σ = {test_noise:g}）付きテスト画像と元画像の平均二乗誤差: {input_mse:.4g}",
            f"- それを通した復元と元画像の平均二乗誤差: **{output_mse:.4g}**",
            f"- ノイズなしのテスト画像の復元誤差: {clean_mse:.4g}",
            "",
            "入力より狭い符号を通るので、データに共通する構造だけが残る（教師なしの表現学習）。"
            " Denoising AE は壊れた入力から元を復元するよう学ぶので、ノイズに頑健な表現になる。",
        ]
    )
    plots = [
        Plot(
            kind="line",
            title="学習の損失",
            x=list(range(1, steps + 1)),
            series={"loss": history},
            x_label="step",
        ),
        Plot(
            kind="heatmap",
            title="ノイズ付き入力（テスト画像 1 枚目）",
            z=noisy[0].reshape(8, 8).tolist(),
        ),
        Plot(kind="heatmap", title="復元", z=output[0].reshape(8, 8).tolist()),
    ]
    return DemoResult(
        values={
            "input_mse": input_mse,
            "output_mse": output_mse,
            "clean_mse": clean_mse,
            "output_closer_than_input": output_mse < input_mse,
            "loss_history": history,
        },
        narrative=narrative,
        plots=plots,
    )


# --- GAN ----------------------------------------------------------------------------------------


@demo(
    "gan-optimal-discriminator",
    title="GAN の最適な識別器 D* = p_data / (p_data + p_g)",
    description=(
        "データの分布と生成器の分布（どちらも正規分布）から最適な識別器を計算し、その点での値と、"
        "V(D*, G) = −log 4 + 2·JS(p_data ‖ p_g) を数値積分で確かめる。"
    ),
    syllabus=(*SYLLABUS_GEN, "1-3 情報理論"),
    params=(
        FloatParam("data_mu", 0.0, min=-5.0, max=5.0, help="データの分布の平均"),
        FloatParam("data_sigma", 1.0, min=0.1, max=3.0, help="データの分布の標準偏差"),
        FloatParam("g_mu", 1.0, min=-5.0, max=5.0, help="生成器の分布の平均"),
        FloatParam("g_sigma", 1.0, min=0.1, max=3.0, help="生成器の分布の標準偏差"),
        FloatParam("x", 0.0, min=-10.0, max=10.0, help="D* を読む点"),
    ),
)
def gan_optimal_discriminator(
    data_mu: float, data_sigma: float, g_mu: float, g_sigma: float, x: float
) -> DemoResult:
    grid, dx = _grid()
    p_data, p_g = gaussian_pdf(grid, data_mu, data_sigma), gaussian_pdf(grid, g_mu, g_sigma)
    d_star = optimal_discriminator(p_data, p_g)
    value = gan_value(p_data, p_g, d_star, dx)
    js = js_divergence(grid_probabilities(p_data, dx), grid_probabilities(p_g, dx))
    d_at_x = float(
        optimal_discriminator(gaussian_pdf(x, data_mu, data_sigma), gaussian_pdf(x, g_mu, g_sigma))
    )
    narrative = "\n".join(
        [
            f"$p_{{data}} = N({data_mu:g}, {data_sigma:g}^2)$、$p_g = N({g_mu:g}, {g_sigma:g}^2)$。",
            "",
            f"G を固定すると、$V(D, G) = \\int p_{{data}} \\log D + p_g \\log(1 - D) \\, dx$ を各点で最大にする D は"
            " $D^*(x) = \\frac{p_{data}(x)}{p_{data}(x) + p_g(x)}$。"
            f" x = {x:g} では **{d_at_x:.6g}**。",
            "",
            f"$V(D^*, G)$ = {value:.6g}、$-\\log 4 + 2 \\, JS$ = {-np.log(4) + 2 * js:.6g}（JS = {js:.6g}）。"
            " 生成器が $p_g = p_{data}$ を実現すると D* はどこでも 1/2、V は最小値 $-\\log 4 \\approx -1.386$ になる。",
        ]
    )
    step = 40
    plot = Plot(
        kind="line",
        title="分布と最適な識別器",
        x=grid[::step].tolist(),
        series={
            "p_data": p_data[::step].tolist(),
            "p_g": p_g[::step].tolist(),
            "D*": d_star[::step].tolist(),
        },
        x_label="x",
    )
    return DemoResult(
        values={
            "d_star_at_x": d_at_x,
            "value": value,
            "js": js,
            "minus_log4_plus_2js": float(-np.log(4) + 2 * js),
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "gan-generator-gradient",
    title="GAN の生成器の損失：log(1 − D(G(z))) と −log D(G(z))",
    description=(
        "識別器が偽物を見破っている（D(G(z)) が小さい）ときの、生成器の 2 つの損失の値と、"
        "識別器のロジットについての勾配を比べる。識別器の損失も示す。"
    ),
    syllabus=SYLLABUS_GEN,
    params=(
        FloatParam(
            "d_fake", 0.01, min=1e-6, max=1 - 1e-6, help="D(G(z))：偽物を本物と判定する確率"
        ),
        FloatParam("d_real", 0.99, min=1e-6, max=1 - 1e-6, help="D(x)：本物を本物と判定する確率"),
    ),
)
def gan_generator_gradient(d_fake: float, d_real: float) -> DemoResult:
    logit = float(np.log(d_fake / (1 - d_fake)))  # D(G(z)) = σ(a)
    grad_sat = float(generator_loss_grad_logit(logit, non_saturating=False))
    grad_ns = float(generator_loss_grad_logit(logit, non_saturating=True))
    loss_sat = generator_loss([d_fake], non_saturating=False)
    loss_ns = generator_loss([d_fake], non_saturating=True)
    d_loss = discriminator_loss([d_real], [d_fake])
    narrative = "\n".join(
        [
            f"D(x) = {d_real:g}、D(G(z)) = σ(a) = {d_fake:g}（ロジット a = {logit:.4g}）。",
            "",
            f"識別器の損失 $-\\log D(x) - \\log(1 - D(G(z)))$ = {d_loss:.6g}（本物に 1、偽物に 0 のラベルの 2 値交差エントロピー）。",
            "",
            f"- 元の minimax の形: 生成器は $\\log(1 - D(G(z)))$ = {loss_sat:.6g} を最小化。a についての勾配 $-\\sigma(a)$ = **{grad_sat:.6g}**",
            f"- 実用上の形（non-saturating）: $-\\log D(G(z))$ = {loss_ns:.6g} を最小化。勾配 $\\sigma(a) - 1$ = **{grad_ns:.6g}**",
            "",
            "学習の初めは偽物が簡単に見破られて D(G(z)) ≈ 0 なので、元の形では勾配がほぼ 0 になり生成器が学習できない。"
            " $-\\log D(G(z))$ は最適点が同じで、その領域で大きな勾配を与える。",
        ]
    )
    return DemoResult(
        values={
            "grad_saturating": grad_sat,
            "grad_non_saturating": grad_ns,
            "loss_saturating": loss_sat,
            "loss_non_saturating": loss_ns,
            "discriminator_loss": d_loss,
        },
        narrative=narrative,
    )


@demo(
    "gan-js-vs-wasserstein",
    title="JS ダイバージェンスと Wasserstein 距離（WGAN）",
    description=(
        "幅 1 の一様分布 2 つを θ だけずらし、JS ダイバージェンス、KL ダイバージェンス、"
        "Wasserstein 距離（Earth Mover's Distance）を数値積分で比べる。"
    ),
    syllabus=(*SYLLABUS_GEN, "1-3 情報理論"),
    params=(FloatParam("theta", 2.0, min=-5.0, max=5.0, help="生成器の分布のずれ θ"),),
)
def gan_js_vs_wasserstein(theta: float) -> DemoResult:
    grid, dx = _grid(-7.0, 7.0, 14001)
    p = ((grid >= 0) & (grid < 1)).astype(float)
    q = ((grid >= theta) & (grid < theta + 1)).astype(float)
    p /= p.sum() * dx
    q /= q.sum() * dx
    js = js_divergence(grid_probabilities(p, dx), grid_probabilities(q, dx))
    kl = kl_divergence(grid_probabilities(p, dx), grid_probabilities(q, dx))
    w = wasserstein_1d(p, q, dx)
    narrative = "\n".join(
        [
            f"$p = U[0, 1)$、$q = U[\\theta, \\theta + 1)$、θ = {theta:g}。",
            "",
            f"- JS ダイバージェンス: {js:.4g}（$\\log 2 = {np.log(2):.4g}$ が上限）",
            f"- KL ダイバージェンス: {'∞' if np.isinf(kl) else f'{kl:.4g}'}",
            f"- Wasserstein 距離: **{w:.4g}**（= |θ|）",
            "",
            "2 つの分布が重ならない限り、JS は θ によらず log 2 で一定なので、θ を動かしても勾配が得られない。"
            " Wasserstein 距離は「どれだけの量をどれだけ運ぶか」なので、ずれに比例して滑らかに変わる。"
            " WGAN はこの距離を、1-リプシッツな critic（重みクリッピングや勾配ペナルティで制約）で推定して最小化する。",
        ]
    )
    return DemoResult(
        values={
            "js": js,
            "kl_is_infinite": bool(np.isinf(kl)),
            "wasserstein": w,
            "log2": float(np.log(2)),
        },
        narrative=narrative,
    )


@demo(
    "gan-mode-collapse",
    title="モード崩壊：生成器が 1 つの山だけを作る",
    description=(
        "データは 2 つの山（±m）の混合正規分布。生成器が片方の山だけを出すとき最適な識別器 D* を計算し、"
        "生成器が D* の最も高い点へ全部を移すと、今度はもう片方の山だけを作る…という振動を示す。"
    ),
    syllabus=SYLLABUS_GEN,
    params=(
        FloatParam("m", 2.0, min=0.5, max=5.0, help="山の位置 ±m"),
        FloatParam("sigma", 0.3, min=0.05, max=1.0, help="各山の標準偏差"),
        IntParam("rounds", 4, min=1, max=20, help="生成器が識別器に合わせて動く回数"),
    ),
)
def gan_mode_collapse(m: float, sigma: float, rounds: int) -> DemoResult:
    grid, dx = _grid()
    modes = np.array([-m, m])
    p_data = mixture_pdf(grid, modes, [sigma, sigma], [0.5, 0.5])
    p_data_at_modes = mixture_pdf(modes, modes, [sigma, sigma], [0.5, 0.5])
    center = m  # the generator starts on the right-hand mode only
    centers, d_at_modes = [center], []
    for _ in range(rounds):
        # D* for the current generator N(center, σ²), read at the two modes.
        d_star = optimal_discriminator(p_data_at_modes, gaussian_pdf(modes, center, sigma))
        d_at_modes.append(d_star.tolist())
        # The generator's best reply to a fixed D: move every sample to where D says "real"
        # the most (a real G drifts there by gradient steps on −log D(G(z))).
        center = float(modes[np.argmax(d_star)])
        centers.append(center)
    covered = 1 if m == centers[0] else 0
    d_at_covered, d_at_missing = d_at_modes[0][covered], d_at_modes[0][1 - covered]
    js = js_divergence(
        grid_probabilities(p_data, dx), grid_probabilities(gaussian_pdf(grid, m, sigma), dx)
    )
    narrative = "\n".join(
        [
            f"データは ±{m:g} の 2 つの山。生成器は +{m:g} の山だけを作っている（モード崩壊）。",
            "",
            f"最適な識別器は、生成器が覆っている山の中心で $D^* = {d_at_covered:.4g}$（偽物が多いので疑う）、"
            f"覆っていない山で $D^* = {d_at_missing:.4g}$（本物しかない）。",
            "",
            "生成器が D を最もだませる場所へ移ると、全部をもう片方の山へ移してしまう: 生成器の位置 "
            + " → ".join(f"{c:+.3g}" for c in centers)
            + "。2 つの山を同時に覆うことを学ばず、山から山へ振動する。",
            "",
            f"片方の山だけの分布とデータの JS ダイバージェンスは {js:.4g}（0 ではない）。多様性を失った生成器でも"
            "個々の標本は本物らしく見える。対策: minibatch discrimination、unrolled GAN、WGAN など。",
        ]
    )
    return DemoResult(
        values={
            "generator_centers": centers,
            "d_star_covered_mode": d_at_covered,
            "d_star_missing_mode": d_at_missing,
            "js_one_mode": js,
        },
        narrative=narrative,
    )


@demo(
    "gan-dcgan-upsample",
    title="DCGAN の生成器：転置畳み込みによるアップサンプリング",
    description=(
        "ストライド 2 の畳み込み（engine.layers.Convolution）の backward は、その転置畳み込み。"
        "これで小さな特徴マップを縦横 2 倍に広げる DCGAN の生成器の 1 段を作り、形を示す。"
    ),
    syllabus=(*SYLLABUS_GEN, "3-4 畳み込みニューラルネットワーク"),
    params=(
        IntParam("C_in", 8, min=1, max=256, help="入力チャンネル数"),
        IntParam("C_out", 4, min=1, max=256, help="出力チャンネル数"),
        IntParam("H", 4, min=1, max=64, help="入力の高さ・幅"),
        IntParam("kernel", 4, min=1, max=8, help="カーネルサイズ"),
        IntParam("stride", 2, min=1, max=4, help="ストライド"),
        IntParam("pad", 1, min=0, max=4, help="パディング"),
        SEED,
    ),
)
def gan_dcgan_upsample(
    C_in: int, C_out: int, H: int, kernel: int, stride: int, pad: int, seed: int
) -> DemoResult:
    out_size = (H - 1) * stride - 2 * pad + kernel
    if out_size < 1 or (out_size + 2 * pad - kernel) % stride:
        raise ParameterError(
            f"In demo gan-dcgan-upsample the sizes do not give a whole transposed convolution (output {out_size})."
        )
    rng = np.random.default_rng(seed)
    # A convolution that maps (C_out, out_size²) to (C_in, H²); its backward goes the other way.
    conv = Convolution(
        0.02 * rng.standard_normal((C_in, C_out, kernel, kernel)),
        np.zeros(C_in),
        stride=stride,
        pad=pad,
    )
    conv.forward(np.zeros((1, C_out, out_size, out_size)))
    z = rng.standard_normal((1, C_in, H, H))
    upsampled = conv.backward(z)
    narrative = "\n".join(
        [
            f"入力 (1, {C_in}, {H}, {H}) → 転置畳み込み（カーネル {kernel}、ストライド {stride}、パディング {pad}）→"
            f" **{tuple(upsampled.shape)}**。",
            "",
            f"出力サイズは畳み込みの式の逆: $(H - 1) S - 2P + F = ({H} - 1) \\times {stride} - 2 \\times {pad} + {kernel} = {out_size}$。",
            "",
            "DCGAN の生成器はこれを重ねて、ノイズ z から画像を作る（プーリングや全結合層を使わず、"
            "バッチ正規化、生成器は ReLU と出力に tanh、識別器は LeakyReLU とストライド付き畳み込み）。",
        ]
    )
    return DemoResult(
        values={"output_shape": list(upsampled.shape), "output_size": out_size}, narrative=narrative
    )


@demo(
    "gan-conditional-input",
    title="Conditional GAN：ラベルを条件として入力に加える",
    description=(
        "ノイズ z にクラスラベルの one-hot を連結して生成器に入れ、識別器にも画像とラベルを連結して入れる"
        "ときの入力の次元と、同じ z でもラベルで出力が変わることを示す。"
    ),
    syllabus=SYLLABUS_GEN,
    params=(
        IntParam("z_dim", 100, min=1, max=1000, help="ノイズ z の次元"),
        IntParam("classes", 10, min=2, max=1000, help="クラス数"),
        IntParam("x_dim", 784, min=1, max=100000, help="生成するデータの次元（画素数）"),
        SEED,
    ),
)
def gan_conditional_input(z_dim: int, classes: int, x_dim: int, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    generator = Affine(
        0.1 * rng.standard_normal((z_dim + classes, min(x_dim, 64))), np.zeros(min(x_dim, 64))
    )
    z = rng.standard_normal(z_dim)
    one_hot = np.eye(classes)
    out_a = generator.forward(np.concatenate([z, one_hot[0]])[None])
    out_b = generator.forward(np.concatenate([z, one_hot[1]])[None])
    narrative = "\n".join(
        [
            f"生成器の入力は $[z ; y]$ = {z_dim} + {classes} = **{z_dim + classes}** 次元、"
            f"識別器の入力は $[x ; y]$ = {x_dim} + {classes} = **{x_dim + classes}** 次元。",
            "",
            f"同じ z でもラベル y を変えると生成器の出力が変わる（差の最大値 {np.abs(out_a - out_b).max():.3g}）。"
            " 識別器は「そのラベルの本物らしいか」を判定するので、生成器は指定したクラスのデータを作るよう学ぶ。",
        ]
    )
    return DemoResult(
        values={
            "generator_input_dim": z_dim + classes,
            "discriminator_input_dim": x_dim + classes,
            "output_changes_with_label": bool(np.abs(out_a - out_b).max() > 0),
        },
        narrative=narrative,
    )


# --- diffusion, flows, and discriminative vs generative -----------------------------------------


@demo(
    "gen-diffusion-forward",
    title="拡散モデルの拡散過程：ノイズを少しずつ加える",
    description=(
        "β を線形に増やすスケジュールで ᾱ_t = Π(1 − β_s) を計算し、"
        "x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε で 2 つの山のデータがノイズに変わる様子を示す。"
    ),
    syllabus=SYLLABUS_GEN,
    params=(
        IntParam("T", 1000, min=1, max=10000, help="ステップ数"),
        FloatParam("beta_start", 1e-4, min=1e-6, max=0.5, help="β_1"),
        FloatParam("beta_end", 0.02, min=1e-6, max=0.999, help="β_T"),
        IntParam("t", 1000, min=1, max=10000, help="見るステップ t"),
        SEED,
    ),
)
def gen_diffusion_forward(
    T: int, beta_start: float, beta_end: float, t: int, seed: int
) -> DemoResult:
    if t > T:
        raise ParameterError(f"In demo gen-diffusion-forward t ({t}) must be at most T ({T}).")
    betas = np.linspace(beta_start, beta_end, T)
    a = alpha_bar(betas)
    rng = np.random.default_rng(seed)
    x0 = np.where(rng.random(20000) < 0.5, -2.0, 2.0) + 0.1 * rng.standard_normal(20000)
    xt = diffuse(x0, t, betas, rng.standard_normal(x0.shape))
    signal, noise = float(np.sqrt(a[t - 1])), float(np.sqrt(1 - a[t - 1]))
    narrative = "\n".join(
        [
            f"β を {beta_start:g} から {beta_end:g} まで {T} ステップで線形に増やす。",
            "",
            f"$t = {t}$ で $\\bar{{\\alpha}}_t = {a[t - 1]:.6g}$: $x_t = {signal:.4g} \\, x_0 + {noise:.4g} \\, \\varepsilon$。",
            f"データ（±2 の 2 つの山）は平均 {xt.mean():.3g}、標準偏差 {xt.std():.3g} の分布になった"
            f"（元は標準偏差 {x0.std():.3g}）。",
            "",
            "t が大きくなるとデータの情報はほぼ消え、$x_T$ は標準正規分布になる。拡散モデルは各ステップで加えた"
            "ノイズ ε をニューラルネットで予測して、ノイズからデータへ逆向きにたどることで生成する。",
        ]
    )
    step = max(1, T // 200)
    plot = Plot(
        kind="line",
        title="信号とノイズの係数",
        x=list(range(1, T + 1, step)),
        series={"√ᾱ_t": np.sqrt(a[::step]).tolist(), "√(1 − ᾱ_t)": np.sqrt(1 - a[::step]).tolist()},
        x_label="t",
    )
    return DemoResult(
        values={
            "alpha_bar_t": float(a[t - 1]),
            "signal_coef": signal,
            "noise_coef": noise,
            "xt_mean": float(xt.mean()),
            "xt_std": float(xt.std()),
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "gen-flow-change-of-variables",
    title="フローベースモデル：変数変換と |det ヤコビアン|",
    description=(
        "z ~ N(0, 1) を可逆な変換 x = a·z + b で移した分布の密度を、変数変換の公式 "
        "p_x(x) = p_z(f⁻¹(x))·|d f⁻¹/dx| で計算し、積分が 1 になることを確かめる。"
    ),
    syllabus=SYLLABUS_GEN,
    params=(
        FloatParam("a", 2.0, min=-10.0, max=10.0, help="変換の傾き a（0 以外）"),
        FloatParam("b", 1.0, min=-10.0, max=10.0, help="変換のずれ b"),
        FloatParam("x", 1.0, min=-50.0, max=50.0, help="密度を読む点"),
    ),
)
def gen_flow_change_of_variables(a: float, b: float, x: float) -> DemoResult:
    if a == 0:
        raise ParameterError(
            "In demo gen-flow-change-of-variables a must not be 0 (the map must be invertible)."
        )
    grid, dx = _grid(-60.0, 60.0, 120001)
    z = (grid - b) / a  # f⁻¹(x)
    log_det = -np.log(abs(a))  # log |d f⁻¹/dx|
    density = np.exp(gaussian_log_pdf(z) + log_det)
    without = np.exp(gaussian_log_pdf(z))
    density_at_x = float(np.exp(gaussian_log_pdf((x - b) / a) + log_det))
    narrative = "\n".join(
        [
            f"$x = {a:g} z + {b:g}$、$z \\sim N(0, 1)$。逆変換 $z = (x - {b:g}) / {a:g}$、"
            f"$|dz/dx| = 1/|a| = {1 / abs(a):.4g}$。",
            "",
            f"- 変数変換の公式どおり $p_z(z) \\cdot |dz/dx|$ の積分: **{density.sum() * dx:.6g}**",
            f"- ヤコビアンを掛け忘れた $p_z(z)$ の積分: {without.sum() * dx:.6g}（= |a|。確率密度にならない）",
            "",
            f"x = {x:g} での密度は {density_at_x:.6g}（$N({b:g}, {a:g}^2)$ の密度と同じ）。"
            " フローベースモデルは可逆でヤコビアンの行列式が計算しやすい変換を重ね、対数尤度を厳密に計算して最大化する。",
        ]
    )
    return DemoResult(
        values={
            "integral": float(density.sum() * dx),
            "integral_without_jacobian": float(without.sum() * dx),
            "density_at_x": density_at_x,
        },
        narrative=narrative,
    )


@demo(
    "gen-discriminative-vs-generative",
    title="識別モデルと生成モデル",
    description=(
        "1 次元の 2 クラスのデータに、生成モデル（クラスごとの正規分布 p(x|y) と p(y) を推定しベイズの定理で分類）"
        "と識別モデル（ロジスティック回帰で p(y|x) を直接学習、engine の Affine と SoftmaxWithLoss）を当てはめて比べる。"
    ),
    syllabus=(*SYLLABUS_GEN, "2-1 機械学習の基礎"),
    params=(
        FloatParam("mu0", -1.0, min=-5.0, max=5.0, help="クラス 0 の平均"),
        FloatParam("mu1", 2.0, min=-5.0, max=5.0, help="クラス 1 の平均"),
        FloatParam("sigma", 1.0, min=0.1, max=3.0, help="両クラスの標準偏差"),
        IntParam("n", 500, min=10, max=5000, help="各クラスの標本数"),
        SEED,
    ),
)
def gen_discriminative_vs_generative(
    mu0: float, mu1: float, sigma: float, n: int, seed: int
) -> DemoResult:
    if mu0 == mu1:
        raise ParameterError("In demo gen-discriminative-vs-generative mu0 and mu1 must differ.")
    rng = np.random.default_rng(seed)
    x = np.concatenate([mu0 + sigma * rng.standard_normal(n), mu1 + sigma * rng.standard_normal(n)])
    t = np.repeat([0, 1], n)
    # Generative: fit p(x|y) (a Gaussian per class, shared variance) and p(y); classify by Bayes.
    m0, m1 = x[t == 0].mean(), x[t == 1].mean()
    var = np.mean(np.concatenate([(x[t == 0] - m0) ** 2, (x[t == 1] - m1) ** 2]))
    boundary_generative = float((m0 + m1) / 2)  # equal priors and variances: the midpoint
    samples = m1 + np.sqrt(var) * rng.standard_normal(5)  # new data of class 1 from the model
    # Discriminative: logistic regression p(y|x) = softmax(x·W + b), trained by gradient descent.
    layer, loss_layer = Affine(np.zeros((1, 2)), np.zeros(2)), SoftmaxWithLoss()
    optimizer = optim.SGD(lr=1.0)
    features = x[:, None]
    for _ in range(150):
        loss_layer.forward(layer.forward(features), t)
        layer.backward(loss_layer.backward())
        optimizer.update({"W": layer.W, "b": layer.b}, {"W": layer.dW, "b": layer.db})
    w = layer.W[0, 1] - layer.W[0, 0]
    boundary_discriminative = float(-(layer.b[1] - layer.b[0]) / w)
    narrative = "\n".join(
        [
            f"クラス 0 は N({mu0:g}, {sigma:g}²)、クラス 1 は N({mu1:g}, {sigma:g}²) から各 {n} 個。",
            "",
            f"- 生成モデル: $p(x \\mid y)$ と $p(y)$ を推定し、$p(y \\mid x) \\propto p(x \\mid y) p(y)$ で分類。"
            f" 境界 x = {boundary_generative:.4g}。データの分布そのものを持つので、新しいデータを生成できる"
            f"（クラス 1 の標本: {', '.join(f'{s:.3g}' for s in samples)}）。",
            f"- 識別モデル: $p(y \\mid x)$ を直接学習（ロジスティック回帰）。境界 x = {boundary_discriminative:.4g}。"
            " 分類には十分だが、x の分布は表さないので生成はできない。",
        ]
    )
    grid, _ = _grid(-6.0, 6.0, 241)
    plot = Plot(
        kind="line",
        title="推定したクラスごとの分布 p(x|y)",
        x=grid.tolist(),
        series={
            "p(x|y=0)": gaussian_pdf(grid, m0, np.sqrt(var)).tolist(),
            "p(x|y=1)": gaussian_pdf(grid, m1, np.sqrt(var)).tolist(),
        },
        x_label="x",
    )
    return DemoResult(
        values={
            "boundary_generative": boundary_generative,
            "boundary_discriminative": boundary_discriminative,
            "generated_samples": samples.tolist(),
        },
        narrative=narrative,
        plots=[plot],
    )
