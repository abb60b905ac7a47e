"""Word representations: count-based (co-occurrence, PPMI, LSI by SVD) and word2vec
(CBOW and skip-gram, with a full softmax or with negative sampling), plus n-gram counts and
bigram language models. Names and shapes follow 『ゼロから作るDeep Learning ❷』 chapters 2–4.

    corpus       a sequence of word ids; V words in the vocabulary
    W_in  (V, D) the input-side weights: row w is the distributed representation of word w
    W_out (D, V) the output-side weights: column w scores word w as the prediction

A one-hot vector times W_in selects one row, so the embedding layer is a row lookup. With a
window of size m, a target w_t has the 2m contexts w_{t−m} … w_{t−1}, w_{t+1} … w_{t+m}.

    CBOW       predicts the target from its contexts:  h = mean of W_in[contexts],  s = h·W_out
    skip-gram  predicts each context from the target:  h = W_in[target],  s = h·W_out, the same
               scores for every context position, losses summed over the positions

With a full softmax every step scores all V words; negative sampling (Mikolov et al., 2013)
replaces it with binary classifications: the true word against k words drawn from the
unigram distribution raised to the power 0.75,

    L = −log σ(h·W_out[:, w_pos]) − Σ_{j=1..k} log σ(−h·W_out[:, w_neg_j])
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from engine import functions, optim
from engine.functions import binary_cross_entropy
from engine.layers import SoftmaxWithLoss
from engine.metric_learning import cosine_similarity_matrix

# --- preprocessing --------------------------------------------------------------------------


def preprocess(text: str) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """Lower-cases, splits on spaces (a period is its own word) and numbers the words in the
    order they first appear. Returns (corpus, word_to_id, id_to_word)."""
    words = re.sub(r"\s*\.\s*", " . ", text.lower()).split()
    word_to_id: dict[str, int] = {}
    for word in words:
        word_to_id.setdefault(word, len(word_to_id))
    id_to_word = {i: w for w, i in word_to_id.items()}
    return np.array([word_to_id[w] for w in words]), word_to_id, id_to_word


def create_contexts_target(
    corpus: np.ndarray, window_size: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """contexts (N, 2·window_size) and target (N,) for every position that has a full window."""
    corpus = np.asarray(corpus)
    target = corpus[window_size:-window_size]
    offsets = [o for o in range(-window_size, window_size + 1) if o != 0]
    positions = np.arange(window_size, len(corpus) - window_size)
    contexts = np.stack([corpus[positions + o] for o in offsets], axis=1)
    return contexts, target


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    """The L − n + 1 runs of n consecutive tokens of a sequence of length L."""
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


# --- count-based representations -----------------------------------------------------------


def create_co_matrix(corpus: np.ndarray, vocab_size: int, window_size: int = 1) -> np.ndarray:
    """Co-occurrence matrix C (V, V): C[w, u] counts how often u is within window_size of w."""
    corpus = np.asarray(corpus)
    C = np.zeros((vocab_size, vocab_size), dtype=np.int64)
    for offset in range(1, window_size + 1):
        # Each pair (w_t, w_{t+offset}) is a co-occurrence in both directions.
        np.add.at(C, (corpus[:-offset], corpus[offset:]), 1)
        np.add.at(C, (corpus[offset:], corpus[:-offset]), 1)
    return C


def most_similar(word_id: int, W: np.ndarray, top: int = 3) -> list[tuple[int, float]]:
    """The ``top`` other rows of W closest to row ``word_id`` by cosine similarity."""
    similarity = cosine_similarity_matrix(W[word_id : word_id + 1], W)[0]
    order = [i for i in np.argsort(-similarity, kind="stable") if i != word_id]
    return [(int(i), float(similarity[i])) for i in order[:top]]


def ppmi(C: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Positive pointwise mutual information:

        PMI(x, y) = log₂ P(x, y) / (P(x)·P(y)) = log₂ C(x, y)·N / (C(x)·C(y)),  PPMI = max(0, PMI)

    with N = Σ C and C(x) = Σ_y C(x, y). A pair that co-occurs more than chance scores > 0.
    """
    C = np.asarray(C, dtype=np.float64)
    N = C.sum()
    counts = C.sum(axis=1)
    pmi = np.log2(C * N / (np.outer(counts, counts) + eps) + eps)
    return np.maximum(pmi, 0)


def lsi(M: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Latent semantic indexing: the truncated SVD M ≈ U_k·S_k·V_kᵀ.

    Returns (word vectors U_k·S_k of shape (V, k), all singular values in decreasing
    order). U_k·S_k·V_kᵀ is the best rank-k approximation of M in the Frobenius norm.
    """
    U, S, _ = np.linalg.svd(np.asarray(M, dtype=np.float64))
    return U[:, :k] * S[:k], S


# --- word2vec -------------------------------------------------------------------------------


class UnigramSampler:
    """Draws negative examples with P(w) ∝ count(w)^power (power 0.75 by default).

    Raising to 0.75 lifts rare words a little (0.01^0.75 ≈ 0.032), so they are not
    almost never drawn. Negatives are drawn with replacement (as in Mikolov et al.'s
    unigram table); a draw equal to the row's positive word is drawn again.
    """

    def __init__(self, corpus: np.ndarray, vocab_size: int, power: float = 0.75, rng=None):
        counts = np.bincount(np.asarray(corpus), minlength=vocab_size).astype(np.float64)
        weights = counts**power
        self.word_p = weights / weights.sum()
        self.vocab_size = vocab_size
        self.rng = np.random.default_rng(rng)

    def get_negative_sample(self, target: np.ndarray, sample_size: int) -> np.ndarray:
        """(N, sample_size) word ids drawn from word_p, none equal to its row's target."""
        target = np.asarray(target)[:, None]
        negatives = self.rng.choice(self.vocab_size, (len(target), sample_size), p=self.word_p)
        clash = negatives == target
        while clash.any():
            negatives[clash] = self.rng.choice(self.vocab_size, int(clash.sum()), p=self.word_p)
            clash = negatives == target
        return negatives


class _Word2Vec:
    """W_in (V, D), W_out (D, V), their gradients, and the two output losses."""

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        corpus: np.ndarray | None = None,
        negative: int = 0,
        rng=None,
    ):
        rng = np.random.default_rng(rng)
        V, D = vocab_size, hidden_size
        # Small random weights, as in the book: 0.01·N(0, 1).
        self.params = {
            "W_in": 0.01 * rng.standard_normal((V, D)),
            "W_out": 0.01 * rng.standard_normal((D, V)),
        }
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        self.negative = negative
        self.sampler = None
        if negative:
            if corpus is None:
                raise ValueError("negative sampling needs the corpus for its unigram distribution")
            self.sampler = UnigramSampler(corpus, vocab_size, rng=rng)

    @property
    def word_vecs(self) -> np.ndarray:
        """The distributed representations: the rows of W_in."""
        return self.params["W_in"]

    def _output_loss(self, h: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss for hidden vectors h (N, D) predicting labels (N, P) (P predictions per row,
        losses summed over P, averaged over N); accumulates ∂L/∂W_out, returns (L, ∂L/∂h)."""
        W_out, dW_out = self.params["W_out"], self.grads["W_out"]
        N, P = labels.shape
        if not self.negative:
            scores = h @ W_out  # (N, V): the same scores serve every prediction of the row
            loss, dscores = 0.0, np.zeros_like(scores)
            for p in range(P):
                layer = SoftmaxWithLoss()
                loss += layer.forward(scores, labels[:, p])
                dscores += layer.backward()
            dW_out += h.T @ dscores
            return loss, dscores @ W_out.T
        loss, dh = 0.0, np.zeros_like(h)
        for p in range(P):
            positive = labels[:, p]
            ids = np.concatenate(
                [positive[:, None], self.sampler.get_negative_sample(positive, self.negative)],
                axis=1,
            )
            is_positive = np.zeros(ids.shape)
            is_positive[:, 0] = 1.0  # the true word is the positive example, the rest negatives
            W_sel = W_out.T[ids]  # (N, k+1, D)
            y = functions.sigmoid(np.einsum("nd,nkd->nk", h, W_sel))
            # k+1 binary cross-entropies per row, summed; mean over the N rows.
            loss += binary_cross_entropy(y, is_positive) * ids.shape[1]
            dscores = (y - is_positive) / N
            dh += np.einsum("nk,nkd->nd", dscores, W_sel)
            np.add.at(dW_out.T, ids, dscores[:, :, None] * h[:, None, :])
        return loss, dh


class CBOW(_Word2Vec):
    """Continuous bag-of-words: the mean of the context words' rows of W_in predicts the target.

    h = (1 / 2m)·Σ_c W_in[w_c],  L = −log softmax(h·W_out)[w_t]   (or negative sampling)
    """

    def forward_backward(self, contexts: np.ndarray, target: np.ndarray) -> float:
        """Loss of a mini-batch; leaves ∂L/∂W_in and ∂L/∂W_out in ``grads``."""
        for g in self.grads.values():
            g[...] = 0
        W_in = self.params["W_in"]
        h = W_in[contexts].mean(axis=1)  # (N, D)
        loss, dh = self._output_loss(h, np.asarray(target)[:, None])
        # Every context row received an equal share of h.
        share = np.repeat(dh[:, None, :] / contexts.shape[1], contexts.shape[1], axis=1)
        np.add.at(self.grads["W_in"], contexts, share)
        return loss


class SkipGram(_Word2Vec):
    """Skip-gram: the target's row of W_in predicts every context word.

    h = W_in[w_t],  L = −Σ_c log softmax(h·W_out)[w_c]   (or negative sampling)
    """

    def forward_backward(self, contexts: np.ndarray, target: np.ndarray) -> float:
        """Loss of a mini-batch; leaves ∂L/∂W_in and ∂L/∂W_out in ``grads``."""
        for g in self.grads.values():
            g[...] = 0
        target = np.asarray(target)
        h = self.params["W_in"][target]
        loss, dh = self._output_loss(h, np.asarray(contexts))
        np.add.at(self.grads["W_in"], target, dh)
        return loss


def train(
    model: _Word2Vec,
    contexts: np.ndarray,
    target: np.ndarray,
    epochs: int,
    lr: float = 0.05,
    batch_size: int | None = None,
    rng=None,
) -> list[float]:
    """Adam on shuffled mini-batches (the whole data when batch_size is None); returns the
    mean loss of each epoch."""
    rng = np.random.default_rng(rng)
    optimizer = optim.Adam(lr=lr)
    N = len(target)
    batch_size = batch_size or N
    history = []
    for _ in range(epochs):
        order = rng.permutation(N)
        losses = []
        for start in range(0, N, batch_size):
            batch = order[start : start + batch_size]
            losses.append(model.forward_backward(contexts[batch], target[batch]))
            optimizer.update(model.params, model.grads)
        history.append(float(np.mean(losses)))
    return history


# --- n-gram language models (their perplexity: engine.metrics.perplexity) ---------------------


def bigram_probabilities(corpus: np.ndarray, vocab_size: int, smoothing: float = 0.0) -> np.ndarray:
    """P[u, w] = P(w | u) = (count(u, w) + α) / (count(u) + α·V)  (add-α smoothing).

    A row of a word that never precedes another is uniform when α > 0 and zero when α = 0.
    """
    corpus = np.asarray(corpus)
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (corpus[:-1], corpus[1:]), 1)
    counts += smoothing
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
