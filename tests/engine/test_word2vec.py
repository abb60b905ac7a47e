"""engine.word2vec: preprocessing, count-based vectors, CBOW and skip-gram gradients against
numerical differentiation, training on a toy corpus, n-grams and perplexity."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from engine.functions import numerical_gradient
from engine.word2vec import (
    CBOW,
    SkipGram,
    UnigramSampler,
    bigram_probabilities,
    create_co_matrix,
    create_contexts_target,
    lsi,
    most_similar,
    ngrams,
    ppmi,
    preprocess,
    train,
)

TEXT = "You say goodbye and I say hello."
ANIMALS = (
    "the cat drinks milk . the dog drinks water . the cat eats fish . the dog eats meat . "
    "a cat likes milk . a dog likes water . a cat eats meat . a dog eats fish ."
)


def test_preprocess_numbers_words_in_order_of_appearance():
    corpus, word_to_id, id_to_word = preprocess(TEXT)
    assert list(corpus) == [0, 1, 2, 3, 4, 1, 5, 6]
    assert word_to_id == {"you": 0, "say": 1, "goodbye": 2, "and": 3, "i": 4, "hello": 5, ".": 6}
    assert id_to_word[6] == "."


@pytest.mark.parametrize("window", [1, 2])
def test_contexts_and_target(window):
    corpus = np.arange(10) * 3
    contexts, target = create_contexts_target(corpus, window)
    assert contexts.shape == (10 - 2 * window, 2 * window)
    for row, t in enumerate(range(window, 10 - window)):
        assert target[row] == corpus[t]
        expected = [corpus[t + o] for o in range(-window, window + 1) if o != 0]
        assert list(contexts[row]) == expected


def test_co_occurrence_matrix_counts_neighbours_within_the_window():
    corpus, word_to_id, _ = preprocess(TEXT)
    C = create_co_matrix(corpus, len(word_to_id), window_size=1)
    expected = np.zeros_like(C)
    for i, w in enumerate(corpus):
        for j in (i - 1, i + 1):
            if 0 <= j < len(corpus):
                expected[w, corpus[j]] += 1
    np.testing.assert_array_equal(C, expected)
    assert C[word_to_id["say"]].tolist() == [1, 0, 1, 0, 1, 1, 0]  # the book's figure 2-7


def test_ppmi_against_the_definition():
    C = np.array([[0, 2, 1], [2, 0, 0], [1, 0, 4]])
    M = ppmi(C)
    N, counts = C.sum(), C.sum(axis=1)
    for i in range(3):
        for j in range(3):
            pmi = math.log2(C[i, j] * N / (counts[i] * counts[j])) if C[i, j] else -math.inf
            assert M[i, j] == pytest.approx(max(0.0, pmi), abs=1e-6)


def test_lsi_keeps_the_best_rank_k_approximation():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(6, 6))
    vectors, singular_values = lsi(M, 2)
    U, S, Vt = np.linalg.svd(M)
    np.testing.assert_allclose(singular_values, S, rtol=1e-12)
    np.testing.assert_allclose(np.abs(vectors), np.abs(U[:, :2] * S[:2]), rtol=1e-10)
    error = np.linalg.norm(M - vectors @ Vt[:2])
    assert error == pytest.approx(math.sqrt(np.sum(S[2:] ** 2)), rel=1e-10)


def test_most_similar_excludes_the_word_itself():
    W = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    result = most_similar(0, W, top=2)
    assert [i for i, _ in result] == [1, 2]


def test_unigram_sampler_uses_the_075_power_and_never_draws_the_target():
    corpus = np.repeat([0, 1, 2], [90, 9, 1])
    sampler = UnigramSampler(corpus, 3, power=0.75, rng=0)
    weights = np.array([90, 9, 1]) ** 0.75
    np.testing.assert_allclose(sampler.word_p, weights / weights.sum(), rtol=1e-14)
    negatives = sampler.get_negative_sample(np.array([0] * 500 + [2] * 500), 3)
    assert negatives.shape == (1000, 3)
    assert not np.any(negatives[:500] == 0) and not np.any(negatives[500:] == 2)


def _check_gradients(model, contexts, target):
    """Analytic gradients of forward_backward against central differences (float64)."""
    model.forward_backward(contexts, target)
    analytic = {k: v.copy() for k, v in model.grads.items()}
    for name, array in model.params.items():
        numeric = numerical_gradient(lambda _: model.forward_backward(contexts, target), array)
        scale = np.linalg.norm(analytic[name]) + np.linalg.norm(numeric)
        assert np.linalg.norm(analytic[name] - numeric) / scale < 1e-7, name


@pytest.mark.parametrize("model_class", [CBOW, SkipGram])
def test_softmax_gradients_match_numerical(model_class):
    corpus, word_to_id, _ = preprocess(TEXT)
    contexts, target = create_contexts_target(corpus, 1)
    model = model_class(len(word_to_id), 3, rng=0)
    rng = np.random.default_rng(1)
    for value in model.params.values():
        value[...] = rng.normal(0, 0.5, value.shape)
    _check_gradients(model, contexts, target)


@pytest.mark.parametrize("model_class", [CBOW, SkipGram])
def test_negative_sampling_gradients_match_numerical(model_class):
    corpus, word_to_id, _ = preprocess(TEXT)
    contexts, target = create_contexts_target(corpus, 1)
    model = model_class(len(word_to_id), 3, corpus=corpus, negative=2, rng=0)
    rng = np.random.default_rng(2)
    for value in model.params.values():
        value[...] = rng.normal(0, 0.5, value.shape)

    class FixedSampler:  # the same negatives at every call, so the loss is a function
        def get_negative_sample(self, positive, k):
            return (np.asarray(positive)[:, None] + np.arange(1, k + 1)) % len(word_to_id)

    model.sampler = FixedSampler()
    _check_gradients(model, contexts, target)


def test_negative_sampling_loss_is_the_sum_of_binary_cross_entropies():
    model = CBOW(4, 2, corpus=np.arange(4), negative=1, rng=0)
    W_in, W_out = model.params["W_in"], model.params["W_out"]
    W_in[...] = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, -1.0]]
    W_out[...] = [[0.2, -0.3, 0.5, 1.0], [0.4, 0.1, -0.2, 0.3]]

    class FixedSampler:
        def get_negative_sample(self, positive, k):
            return np.array([[3]])

    model.sampler = FixedSampler()
    loss = model.forward_backward(np.array([[0, 1]]), np.array([2]))
    h = (W_in[0] + W_in[1]) / 2
    sigma = lambda a: 1 / (1 + math.exp(-a))  # noqa: E731
    expected = -math.log(sigma(h @ W_out[:, 2])) - math.log(sigma(-(h @ W_out[:, 3])))
    assert loss == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("model_class", "negative"), [(CBOW, 0), (SkipGram, 0), (CBOW, 3), (SkipGram, 3)]
)
def test_training_on_the_toy_corpus_puts_cat_next_to_dog_quickly(model_class, negative):
    corpus, word_to_id, id_to_word = preprocess(ANIMALS)
    contexts, target = create_contexts_target(corpus, 1)
    model = model_class(len(word_to_id), 5, corpus=corpus, negative=negative, rng=0)
    started = time.perf_counter()
    history = train(model, contexts, target, epochs=200, lr=0.05, rng=0)
    elapsed = time.perf_counter() - started
    assert history[-1] < history[0] * 0.6
    assert id_to_word[most_similar(word_to_id["cat"], model.word_vecs, top=1)[0][0]] == "dog"
    assert elapsed < 1.0  # well under the 300 ms demo budget on an idle machine


def test_training_is_deterministic_with_a_seed():
    corpus, word_to_id, _ = preprocess(ANIMALS)
    contexts, target = create_contexts_target(corpus, 1)
    runs = []
    for _ in range(2):
        model = SkipGram(len(word_to_id), 4, corpus=corpus, negative=2, rng=3)
        runs.append((train(model, contexts, target, epochs=20, rng=3), model.word_vecs.copy()))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_negative_sampling_needs_the_corpus():
    with pytest.raises(ValueError, match="corpus"):
        CBOW(5, 2, negative=2)


def test_ngrams():
    assert ngrams(["a", "b", "c", "d"], 2) == [("a", "b"), ("b", "c"), ("c", "d")]
    assert len(ngrams(["the", "cat", "sat", "on", "the", "mat"], 3)) == 4
    assert ngrams(["a"], 2) == []


def test_bigram_probabilities_and_smoothing():
    corpus, word_to_id, _ = preprocess(TEXT)
    V = len(word_to_id)
    P = bigram_probabilities(corpus, V)
    say = word_to_id["say"]
    assert P[say, word_to_id["goodbye"]] == 0.5 and P[say, word_to_id["hello"]] == 0.5
    assert P[word_to_id["."]].sum() == 0  # "." never precedes a word
    smoothed = bigram_probabilities(corpus, V, smoothing=1.0)
    np.testing.assert_allclose(smoothed.sum(axis=1), 1.0, rtol=1e-14)
    assert smoothed[say, word_to_id["goodbye"]] == pytest.approx((1 + 1) / (2 + V))
