"""Demos of engine/demos/math_foundations.py against independent computations. Products, SVD,
the normal CDF and divergences against PyTorch as well: test_math_foundations_vs_torch.py
(skipped when torch is not installed)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import engine.demos.math_foundations as module
from engine.demos.registry import REGISTRY, ParameterError, run

DEMO_IDS = sorted(
    demo_id for demo_id, demo in REGISTRY.items() if demo.function.__module__ == module.__name__
)


def values(demo_id: str, **params):
    return run(REGISTRY[demo_id], params).values


def test_the_module_registers_its_demos():
    assert {"linalg-eigen", "prob-rand-vs-randn", "info-divergences"} <= set(DEMO_IDS)


@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_every_demo_is_deterministic_and_explains_itself(demo_id):
    first, second = run(REGISTRY[demo_id]), run(REGISTRY[demo_id])
    assert first.values == second.values
    assert first.result.narrative.strip()


# --- linear algebra -----------------------------------------------------------------------


def test_products_and_hadamard():
    A = [[1, 2], [3, 4]]
    B = [[0, 1], [1, 0]]
    result = values("linalg-products", A=A, B=B)
    # B swaps the columns of A from the right and the rows of A from the left
    assert result["product"] == [[2.0, 1.0], [4.0, 3.0]]
    assert result["product_ba"] == [[3.0, 4.0], [1.0, 2.0]]
    assert result["hadamard"] == [[0.0, 2.0], [3.0, 0.0]]
    assert result["commute"] is False
    rectangular = values("linalg-products", A=[[1, 2, 3]], B=[[1], [2], [3]])
    assert rectangular["product"] == [[14.0]] and rectangular["hadamard_ok"] is False
    assert rectangular["product_ba"] == [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]]


def test_products_of_random_matrices_match_the_sums_written_out():
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((3, 4)).tolist(), rng.standard_normal((4, 2)).tolist()
    result = values("linalg-products", A=A, B=B)
    expected = [
        [math.fsum(A[i][k] * B[k][j] for k in range(4)) for j in range(2)] for i in range(3)
    ]
    np.testing.assert_allclose(result["product"], expected, rtol=1e-12, atol=1e-14)
    assert result["product_ba_ok"] is False and result["hadamard_ok"] is False


@pytest.mark.parametrize(
    ("a", "b", "op", "shape"),
    [
        ([2, 3, 4], [4, 5], "matmul", [2, 3, 5]),
        ([3, 2], [3, 2], "matmul", None),
        ([3, 2], [3, 2], "hadamard", [3, 2]),
        ([2, 3, 4], [4, 5], "dot", [2, 3, 5]),
        ([7, 2, 3, 4], [7, 4, 5], "dot", [7, 2, 3, 7, 5]),
    ],
)
def test_product_shapes(a, b, op, shape):
    result = values("linalg-product-shape", a_shape=a, b_shape=b, op=op)
    assert result["out_shape"] == shape
    assert result["ok"] is (shape is not None)
    if op == "matmul" and shape is not None:  # the same contraction spelled as an einsum
        assert list(np.einsum("...ij,jk->...ik", np.ones(a), np.ones(b)).shape) == shape


def test_product_shape_rejects_fractional_and_huge_shapes():
    with pytest.raises(ParameterError, match="a_shape"):
        values("linalg-product-shape", a_shape=[2.5, 3])
    with pytest.raises(ParameterError, match="1,000,000"):
        values("linalg-product-shape", a_shape=[4096, 4096])


def test_rank_and_svd_by_hand():
    A = [[1, 2, 3], [2, 4, 6], [1, 0, 1]]  # row 2 = 2 × row 1; rows 1 and 3 are independent
    result = values("linalg-rank-svd", A=A, k=1)
    assert result["rank"] == 2
    # AᵀA = [[6, 10, 16], [10, 20, 30], [16, 30, 46]]: trace 72, principal 2×2 minors
    # 20 + 20 + 20 = 60, determinant 0, so λ(λ² − 72λ + 60) = 0 and λ = 36 ± √1236, 0.
    eigenvalues = [36 + math.sqrt(1236), 36 - math.sqrt(1236), 0.0]
    np.testing.assert_allclose(
        result["singular_values"], [math.sqrt(v) for v in eigenvalues], rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(result["ata_eigenvalues"], eigenvalues, rtol=1e-12, atol=1e-12)
    # Eckart–Young: ‖A − A₁‖_F² = σ₂² + σ₃² = λ₂ + λ₃
    assert result["lowrank_error"] == pytest.approx(math.sqrt(eigenvalues[1]), abs=1e-12)
    u, s, vt = np.array(result["U"]), np.array(result["singular_values"]), np.array(result["Vt"])
    np.testing.assert_allclose((u * s) @ vt, A, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(u.T @ u, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(vt @ vt.T, np.eye(3), atol=1e-12)
    result = values("linalg-rank-svd", A=[[3, 0], [4, 5]], k=1)
    np.testing.assert_allclose(result["singular_values"], [math.sqrt(45), math.sqrt(5)])
    np.testing.assert_allclose(result["ata_eigenvalues"], [45, 5])
    with pytest.raises(ParameterError, match="k"):
        values("linalg-rank-svd", A=[[1, 2]], k=2)


def test_eigendecomposition_and_powers():
    result = values("linalg-eigen", A=[[4, 1], [2, 3]], power=3)
    np.testing.assert_allclose(result["eigenvalues"], [5, 2])
    A = np.array([[4, 1], [2, 3]])
    np.testing.assert_allclose(result["power_matrix"], A @ A @ A)
    np.testing.assert_allclose(result["power_via_eigen"], A @ A @ A)
    vectors = np.array(result["eigenvectors"])
    np.testing.assert_allclose(A @ vectors, vectors * np.array([5, 2]), atol=1e-12)
    defective = values("linalg-eigen", A=[[1, 1], [0, 1]], power=2)
    assert defective["diagonalizable"] is False and defective["power_via_eigen"] is None
    symmetric = values("linalg-eigen", A=[[2, 1], [1, 2]], power=1)
    assert symmetric["symmetric"] and symmetric["eigvecs_orthogonal"]
    rotation = values("linalg-eigen", A=[[0, -1], [1, 0]], power=4)
    assert rotation["eigenvalues_real"] is False
    np.testing.assert_allclose(sorted(rotation["eigenvalues_imag"]), [-1, 1])
    with pytest.raises(ParameterError, match="square"):
        values("linalg-eigen", A=[[1, 2, 3], [4, 5, 6]])


# --- probability --------------------------------------------------------------------------


def test_bayes_diagnostic_test_and_repeated_updates():
    result = values("prob-bayes-test", prior=0.01, sensitivity=0.9, specificity=0.95, tests=3)
    posterior = 0.01
    for expected in result["posteriors"]:
        posterior = 0.9 * posterior / (0.9 * posterior + 0.05 * (1 - posterior))
        assert expected == pytest.approx(posterior)
    assert result["posterior"] == pytest.approx(0.009 / 0.0585)
    assert result["true_positives"] == pytest.approx(90)
    assert result["false_positives"] == pytest.approx(495)
    with pytest.raises(ParameterError, match="impossible"):
        values("prob-bayes-test", sensitivity=0.0, specificity=1.0)


def test_joint_table():
    result = values("prob-joint-table", P=[[0.1, 0.3], [0.2, 0.4]])
    np.testing.assert_allclose(result["marginal_x"], [0.4, 0.6])
    np.testing.assert_allclose(result["marginal_y"], [0.3, 0.7])
    np.testing.assert_allclose(result["y_given_x"], [[0.25, 0.75], [1 / 3, 2 / 3]])
    np.testing.assert_allclose(result["x_given_y"], [[1 / 3, 3 / 7], [2 / 3, 4 / 7]])
    assert result["independent"] is False
    assert values("prob-joint-table", P=[[0.12, 0.28], [0.18, 0.42]])["independent"] is True
    with pytest.raises(ParameterError, match="sum to 1"):
        values("prob-joint-table", P=[[0.5, 0.5], [0.5, 0.5]])


def test_moments_of_a_die_and_a_linear_transform():
    result = values("prob-moments", values=[1, 2, 3, 4, 5, 6], weights=[1] * 6, scale=2, shift=3)
    faces = np.arange(1, 7)
    assert result["mean"] == pytest.approx(faces.mean())
    assert result["variance"] == pytest.approx(faces.var())
    assert result["variance_transformed"] == pytest.approx((2 * faces + 3).var())
    with pytest.raises(ParameterError, match="as many elements"):
        values("prob-moments", values=[1, 2], weights=[1])


def test_covariance_zero_but_dependent():
    result = values("prob-covariance", x=[-1, 0, 1], y=[1, 0, 1])
    assert result["covariance"] == pytest.approx(0.0)
    assert result["independent"] is False
    x, y = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 5.0, 4.0]
    result = values("prob-covariance", x=x, y=y)
    assert result["covariance_unbiased"] == pytest.approx(np.cov(x, y)[0, 1])
    assert result["correlation"] == pytest.approx(np.corrcoef(x, y)[0, 1])
    with pytest.raises(ParameterError, match="same number"):
        values("prob-covariance", x=[1, 2], y=[1])


def test_binomial_pmf():
    result = values("prob-binomial", n=10, p=0.3, k=3, samples=1000, seed=1)
    expected = [math.comb(10, k) * 0.3**k * 0.7 ** (10 - k) for k in range(11)]
    np.testing.assert_allclose(result["pmf"], expected)
    assert result["mean"] == pytest.approx(3) and result["variance"] == pytest.approx(2.1)
    with pytest.raises(ParameterError, match="k"):
        values("prob-binomial", n=3, k=4)


def test_categorical_frequencies_and_gaussian_intervals():
    result = values("prob-categorical", probs=[0.2, 0.5, 0.3], samples=20000, seed=0)
    np.testing.assert_allclose(result["frequencies"], [0.2, 0.5, 0.3], atol=0.015)
    with pytest.raises(ParameterError, match="sum to 1"):
        values("prob-categorical", probs=[0.2, 0.2])
    gauss = values("prob-gaussian", mu=3, sigma=2, samples=100000, seed=0)
    for m, p in zip((1, 2, 3), gauss["within"], strict=True):
        assert p == pytest.approx(_simpson(_standard_normal_pdf, -m, m, 20000), abs=1e-12)
    # the textbook 68–95–99.7 rule to the digits usually tabulated
    np.testing.assert_allclose(gauss["within"], [0.682689492, 0.954499736, 0.997300204], atol=1e-9)
    assert gauss["pdf_at_mu"] == pytest.approx(1 / (2 * math.sqrt(2 * math.pi)))


def _standard_normal_pdf(x: float) -> float:
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _simpson(f, a: float, b: float, intervals: int) -> float:
    """∫_a^b f by the composite Simpson rule (error O(h⁴))."""
    h = (b - a) / intervals
    inner = math.fsum((4 if i % 2 else 2) * f(a + i * h) for i in range(1, intervals))
    return h / 3 * (f(a) + inner + f(b))


def test_rand_is_uniform_and_randn_is_standard_normal():
    result = values("prob-rand-vs-randn", size=200000, seed=3)
    state = np.random.RandomState(3)
    uniform, normal = state.rand(200000), state.randn(200000)
    assert result["rand_mean"] == pytest.approx(uniform.mean())
    assert result["randn_std"] == pytest.approx(normal.std())
    assert result["rand_min"] >= 0 and result["rand_max"] < 1
    assert result["rand_std"] == pytest.approx(1 / math.sqrt(12), abs=0.005)
    assert result["randn_negative_fraction"] == pytest.approx(0.5, abs=0.01)


def test_gaussian_mixture_moments():
    result = values("prob-gaussian-mixture", weights=[0.3, 0.7], means=[0, 4], stds=[1, 1])
    assert result["mean"] == pytest.approx(2.8)
    assert result["variance"] == pytest.approx(0.3 * 1 + 0.7 * 17 - 2.8**2)
    assert result["sample_variance"] == pytest.approx(4.36, abs=0.06)
    with pytest.raises(ParameterError, match="same length"):
        values("prob-gaussian-mixture", weights=[1.0], means=[0, 1], stds=[1, 1])


def test_central_limit_theorem():
    result = values("prob-central-limit", dist="uniform", n=16, trials=20000, seed=0)
    assert result["predicted_std"] == pytest.approx(math.sqrt(1 / 12) / 4)
    assert result["std_of_means"] == pytest.approx(result["predicted_std"], rel=0.03)
    with pytest.raises(ParameterError, match="5,000,000"):
        values("prob-central-limit", n=1000, trials=100000)


def test_bernoulli_estimators_and_underflow():
    result = values("prob-mle-bernoulli", heads=7, tosses=10, a=2, b=2)
    assert result["mle"] == 0.7
    assert result["map"] == pytest.approx(8 / 12)
    assert result["posterior_mean"] == pytest.approx(9 / 14)
    assert result["likelihood_at_mle"] == pytest.approx(0.7**7 * 0.3**3)
    big = values("prob-mle-bernoulli", heads=1400, tosses=2000)
    assert big["likelihood_underflows"] is True
    assert big["log_likelihood_at_mle"] == pytest.approx(1400 * math.log(0.7) + 600 * math.log(0.3))
    with pytest.raises(ParameterError, match="heads"):
        values("prob-mle-bernoulli", heads=5, tosses=3)


def test_gaussian_mle_variance_is_biased():
    result = values("prob-mle-gaussian", sigma=2, n=4, trials=100000, seed=0)
    assert result["expected_mle_variance"] == pytest.approx(3.0)
    assert result["mle_variance_avg"] == pytest.approx(3.0, rel=0.02)
    assert result["unbiased_variance_avg"] == pytest.approx(4.0, rel=0.02)


def test_naive_bayes_by_enumeration():
    ps, ph, x = [0.8, 0.6, 0.1], [0.1, 0.3, 0.5], [1, 1, 0]
    result = values("prob-naive-bayes", prior_spam=0.4, p_word_spam=ps, p_word_ham=ph, x=x)
    like_s = math.prod(p if xi else 1 - p for p, xi in zip(ps, x, strict=True))
    like_h = math.prod(p if xi else 1 - p for p, xi in zip(ph, x, strict=True))
    assert result["posterior_spam"] == pytest.approx(0.4 * like_s / (0.4 * like_s + 0.6 * like_h))
    with pytest.raises(ParameterError, match="only 0 and 1"):
        values("prob-naive-bayes", x=[1, 0.5, 0])


# --- information theory -------------------------------------------------------------------


def test_entropy_and_self_information():
    result = values("info-entropy", p=[0.5, 0.25, 0.125, 0.125], unit="bit")
    assert result["entropy"] == pytest.approx(1.75)
    np.testing.assert_allclose(result["self_information"], [1, 2, 3, 3])
    nat = values("info-entropy", p=[0.5, 0.5], unit="nat")
    assert nat["entropy"] == pytest.approx(math.log(2))
    assert values("info-entropy", p=[1, 0])["self_information"][1] is None
    with pytest.raises(ParameterError, match="sum to 1"):
        values("info-entropy", p=[0.5, 0.6])


def _kl(p: list[float], q: list[float], log=math.log) -> float:
    """D_KL(P‖Q) = Σ P log(P / Q), written out (0 log 0 = 0)."""
    return math.fsum(a * log(a / b) for a, b in zip(p, q, strict=True) if a > 0)


def test_divergences_written_out():
    p, q = [0.5, 0.3, 0.2], [0.1, 0.6, 0.3]
    result = values("info-divergences", p=p, q=q, unit="nat")
    assert result["kl_pq"] == pytest.approx(_kl(p, q), rel=1e-12)
    assert result["kl_qp"] == pytest.approx(_kl(q, p), rel=1e-12)
    entropy_p = -math.fsum(a * math.log(a) for a in p)
    cross_entropy_pq = -math.fsum(a * math.log(b) for a, b in zip(p, q, strict=True))
    assert result["entropy_p"] == pytest.approx(entropy_p, rel=1e-12)
    assert result["cross_entropy_pq"] == pytest.approx(cross_entropy_pq, rel=1e-12)
    m = [(a + b) / 2 for a, b in zip(p, q, strict=True)]
    js = 0.5 * _kl(p, m) + 0.5 * _kl(q, m)
    assert result["js"] == pytest.approx(js, rel=1e-12)
    bits = values("info-divergences", p=p, q=q, unit="bit")
    assert bits["kl_pq"] == pytest.approx(_kl(p, q, math.log2), rel=1e-12)
    assert bits["js"] == pytest.approx(js / math.log(2), rel=1e-12)
    disjoint = values("info-divergences", p=[1, 0], q=[0, 1])
    assert disjoint["kl_pq_infinite"] and disjoint["kl_pq"] is None
    assert disjoint["js"] == pytest.approx(math.log(2))
    with pytest.raises(ParameterError, match="same number"):
        values("info-divergences", p=[1.0], q=[0.5, 0.5])


def test_joint_entropies_and_mutual_information_by_enumeration():
    table = [[0.25, 0.25], [0.0, 0.5]]
    result = values("info-joint", P=table, unit="bit")
    cells = [v for v in itertools.chain(*table) if v > 0]
    h_xy = -sum(v * math.log2(v) for v in cells)
    h_x = 1.0
    h_y = -(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75))
    assert result["H_xy"] == pytest.approx(h_xy)
    assert result["H_y_given_x"] == pytest.approx(h_xy - h_x)
    assert result["H_x_given_y"] == pytest.approx(h_xy - h_y)
    assert result["mutual_information"] == pytest.approx(h_x + h_y - h_xy)
