"""Demos of engine/demos/nlp.py against computations written out here."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest

from engine.demos import ParameterError, run_demo
from engine.demos.nlp import CORPORA, DOCUMENTS, QUERIES

ANIMAL_WORDS = CORPORA["animals"].split()
VOCAB = len(set(ANIMAL_WORDS))


@pytest.mark.parametrize(
    ("model", "loss", "first_loss"),
    [
        # Weights start at 0.01·N(0, 1): every score ≈ 0, so softmax is uniform over V words
        # and each sigmoid is ½. Skip-gram sums two context positions.
        ("cbow", "softmax", math.log(VOCAB)),
        ("skipgram", "softmax", 2 * math.log(VOCAB)),
        ("cbow", "negative", 4 * math.log(2)),  # one positive and three negatives
    ],
)
def test_word2vec_training_starts_at_chance_and_puts_cat_next_to_dog(model, loss, first_loss):
    values = run_demo("w2v-train", model=model, loss=loss, negative=3, query="cat").values
    assert values["vocab_size"] == VOCAB == 12
    assert values["pairs"] == len(ANIMAL_WORDS) - 2
    assert values["contexts_shape"] == [len(ANIMAL_WORDS) - 2, 2]
    assert values["w_in_shape"] == [12, 5] and values["w_out_shape"] == [5, 12]
    assert values["n_weights"] == 2 * 12 * 5
    assert values["first_loss"] == pytest.approx(first_loss, abs=0.01)
    assert values["final_loss"] < values["first_loss"]
    assert values["most_similar"][0] == "dog"


def test_word2vec_rejects_words_outside_the_corpus_and_too_many_negatives():
    with pytest.raises(ParameterError, match="not in the corpus"):
        run_demo("w2v-train", corpus="you-say", query="cat")
    with pytest.raises(ParameterError, match="vocabulary size"):
        run_demo("w2v-train", corpus="you-say", query="you", loss="negative", negative=7)


def test_one_hot_times_w_in_is_a_row_lookup():
    values = run_demo("nlp-one-hot-vs-embedding", V=6, D=4, word=5, seed=1).values
    W_in = np.random.default_rng(1).standard_normal((6, 4))  # the demo's matrix
    assert values["lookup_equals_row"] is True
    assert values["one_hot_cosine"] == 0
    expected = W_in[5] @ W_in[0] / (np.linalg.norm(W_in[5]) * np.linalg.norm(W_in[0]))
    assert values["dense_cosine"] == pytest.approx(expected, rel=1e-7)
    assert values["embedding_params"] == 24 and values["one_hot_dim"] == 6
    with pytest.raises(ParameterError, match="less than V"):
        run_demo("nlp-one-hot-vs-embedding", V=3, word=3)


def test_cosine_similarity_demo():
    values = run_demo("nlp-cosine-similarity", x=[1, 2, 2], y=[2, 0, 1]).values
    assert values["cosine"] == pytest.approx(4 / (3 * math.sqrt(5)), rel=1e-7)
    assert values["dot"] == 4 and values["norm_x"] == 3
    with pytest.raises(ParameterError, match="same length"):
        run_demo("nlp-cosine-similarity", x=[1, 2], y=[1])


def test_negative_sampling_distribution_and_costs():
    values = run_demo(
        "nlp-negative-sampling", counts=[90, 9, 1], power=0.75, V=1000, D=50, k=4
    ).values
    weights = np.array([90, 9, 1]) ** 0.75
    assert values["probs"] == pytest.approx((weights / weights.sum()).tolist(), rel=1e-12)
    assert values["probs_raw"] == pytest.approx([0.9, 0.09, 0.01])
    assert values["empirical"] == pytest.approx(values["probs"], abs=0.01)
    assert values["softmax_mults"] == 50_000 and values["negative_mults"] == 250
    with pytest.raises(ParameterError, match="whole numbers"):
        run_demo("nlp-negative-sampling", counts=[1.5, 2])


@pytest.mark.parametrize("n", [1, 2, 3, 6, 7])
def test_ngrams_demo(n):
    words = ["the", "cat", "sat", "on", "the", "mat"]
    values = run_demo("nlp-ngram", sentence="cat", n=n).values
    expected = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    assert values["ngrams"] == expected
    assert values["count"] == max(0, len(words) - n + 1)
    assert values["distinct"] == len(set(expected))


def test_bigram_perplexity_by_counting():
    words = ["you", "say", "goodbye", "and", "i", "say", "hello", "."]
    values = run_demo("nlp-bigram-perplexity", corpus="you-say", smoothing=0).values
    pairs = Counter(itertools.pairwise(words))
    firsts = Counter(words[:-1])
    probs = [pairs[(a, b)] / firsts[a] for a, b in itertools.pairwise(words)]
    assert values["probs"] == pytest.approx(probs)
    assert values["perplexity"] == pytest.approx(math.exp(-np.mean(np.log(probs))), rel=1e-12)
    assert values["perplexity"] == pytest.approx(2 ** (2 / 7), rel=1e-12)
    assert values["uniform_perplexity"] == pytest.approx(7)
    smoothed = run_demo("nlp-bigram-perplexity", corpus="you-say", smoothing=1.0).values
    assert smoothed["probs"][0] == pytest.approx((1 + 1) / (1 + 7))


def test_perplexity_demo():
    values = run_demo("nlp-perplexity", probs=[0.5, 0.25, 0.125]).values
    assert values["perplexity"] == pytest.approx(4.0, rel=1e-14)
    assert values["cross_entropy"] == pytest.approx(math.log(4), rel=1e-14)


def test_lsi_singular_values_of_the_ppmi_matrix():
    values = run_demo("nlp-lsi", corpus="you-say", window=1, k=2, query="you").values
    words = ["you", "say", "goodbye", "and", "i", "say", "hello", "."]
    index = {w: i for i, w in enumerate(dict.fromkeys(words))}
    C = np.zeros((7, 7))
    for a, b in itertools.pairwise(words):
        C[index[a], index[b]] += 1
        C[index[b], index[a]] += 1
    N, counts = C.sum(), C.sum(axis=1)
    with np.errstate(divide="ignore"):
        M = np.maximum(np.log2(C * N / np.outer(counts, counts)), 0)
    expected = np.linalg.svd(M, compute_uv=False)
    assert values["singular_values"] == pytest.approx(expected.tolist(), abs=1e-6)
    assert values["vectors_shape"] == [7, 2]
    assert values["energy_kept"] == pytest.approx(
        np.sum(expected[:2] ** 2) / np.sum(expected**2), abs=1e-6
    )


def test_bert_masking_fractions():
    values = run_demo("bert-masking", tokens=200_000, seed=3).values
    assert values["selected"] == pytest.approx(0.15, abs=0.003)
    assert values["replaced_by_mask"] == pytest.approx(0.12, abs=0.003)
    assert values["replaced_by_random"] == pytest.approx(0.015, abs=0.0015)
    assert values["unchanged"] == pytest.approx(0.015, abs=0.0015)
    total = values["replaced_by_mask"] + values["replaced_by_random"] + values["unchanged"]
    assert total == pytest.approx(values["selected"], abs=1e-12)


def test_bert_input_demo():
    values = run_demo("bert-input", len_a=2, len_b=3).values
    assert values["tokens"] == ["[CLS]", "A1", "A2", "[SEP]", "B1", "B2", "B3", "[SEP]"]
    assert values["segments"] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert values["length"] == 2 + 3 + 3


def test_next_token_generation_by_counting():
    values = run_demo("gpt-next-token", corpus="animals", prompt="the", length=4).values
    followers = Counter(b for a, b in itertools.pairwise(ANIMAL_WORDS) if a == "the")
    assert followers == {"cat": 2, "dog": 2}
    assert values["next_word"] == "cat" and values["next_prob"] == 0.5
    assert values["generated"] == ["cat", "eats", "fish", "."]
    assert values["generated_probs"] == [0.5, 0.5, 0.5, 1.0]


def test_rag_retrieves_the_most_similar_document():
    for query, question in QUERIES.items():
        values = run_demo("nlp-rag-retrieval", query=query).values
        q = Counter(question.split())
        sims = []
        for doc in DOCUMENTS:
            d = Counter(doc.split())
            dot = sum(q[w] * d[w] for w in q)
            sims.append(
                dot
                / (
                    math.sqrt(sum(v * v for v in q.values()))
                    * math.sqrt(sum(v * v for v in d.values()))
                )
            )
        assert values["similarities"] == pytest.approx(sims, abs=1e-7)
        assert values["retrieved"] == int(np.argmax(sims)) + 1
        assert DOCUMENTS[values["retrieved"] - 1] in values["prompt"]


@pytest.mark.parametrize(
    ("demo_id", "params"),
    [
        ("w2v-train", {"model": "skipgram", "loss": "negative", "seed": 4, "epochs": 30}),
        ("nlp-negative-sampling", {"seed": 2}),
        ("bert-masking", {"seed": 5, "tokens": 1000}),
    ],
)
def test_same_parameters_same_values(demo_id, params):
    assert run_demo(demo_id, **params).values == run_demo(demo_id, **params).values
