"""The Transformer's pieces (Vaswani et al., "Attention Is All You Need", 2017), forward only.

    Attention(Q, K, V) = softmax(Q·Kᵀ / √d_k) · V                      scaled dot-product attention
    MultiHead(Q, K, V) = Concat(head_1, …, head_h)·W_O,
        head_j = Attention(Q·W_Q^(j), K·W_K^(j), V·W_V^(j)),  d_k = d_model / h
    PE(pos, 2i) = sin(pos / 10000^(2i/d_model)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model))
    LayerNorm(x) = γ ⊙ (x − μ) / √(σ² + ε) + β     (μ, σ² over the features of one position;
                                                   engine.norms.LayerNormalization)
    Encoder block: x ← LayerNorm(x + MultiHead(x, x, x));  x ← LayerNorm(x + FFN(x))
        FFN(x) = max(0, x·W_1 + b_1)·W_2 + b_2   (position-wise, the same at every position)

Self-attention takes Q, K and V from the same sequence; source–target (encoder–decoder)
attention takes Q from the decoder and K, V from the encoder. A mask says which keys each
query may see: the causal mask of a decoder hides the future. Also here: how BERT builds its
pre-training input ([CLS] A [SEP] B [SEP], 15 % of the tokens masked with the 80/10/10 rule).

Row vectors multiply weights from the left (x·W), as in the rest of the engine.
"""

from __future__ import annotations

import numpy as np

from engine import functions
from engine.init import xavier
from engine.norms import LayerNormalization


def scaled_dot_product_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask=None):
    """Attention(Q, K, V) = softmax(Q·Kᵀ / √d_k)·V; returns (weights, output).

    q (…, n, d_k), k (…, m, d_k), v (…, m, d_v) → weights (…, n, m), output (…, n, d_v).
    Each row of weights is a probability distribution over the m keys. Dividing by √d_k
    keeps the scores at unit variance when the components of q and k have unit variance
    (a dot product of d_k such terms has variance d_k), so softmax does not saturate.

    ``mask`` (broadcastable to (…, n, m), bool) is True where query i may attend to key j;
    the other scores become −∞ before softmax, so their weights are exactly 0. Every query
    must be allowed at least one key.
    """
    d_k = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(d_k)
    if mask is not None:
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
        if not mask.any(axis=-1).all():
            raise ValueError("every query needs at least one key it may attend to")
        scores = np.where(mask, scores, -np.inf)
    weights = functions.softmax(scores)
    return weights, weights @ v


def causal_mask(n: int) -> np.ndarray:
    """The look-ahead mask of a decoder: (n, n) bool, True on and below the diagonal.

    Position i may attend to positions j ≤ i only, so the prediction of token i + 1 cannot
    read tokens that come after i (masked self-attention).
    """
    return np.tril(np.ones((n, n), dtype=bool))


def positional_encoding(length: int, d_model: int) -> np.ndarray:
    """Sinusoidal positional encoding, (length, d_model):

        PE(pos, 2i)   = sin(pos / 10000^(2i/d_model))
        PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model))

    Column pair i is a sine and a cosine of wavelength 2π·10000^(2i/d_model): the first
    columns change fast with the position, the last ones slowly. It is added to the token
    embeddings, because attention itself ignores the order of its inputs.
    """
    pos = np.arange(length, dtype=np.float64)[:, None]
    two_i = np.arange(0, d_model, 2, dtype=np.float64)  # 2i = 0, 2, 4, …
    angle = pos / 10000 ** (two_i / d_model)  # (length, ⌈d_model/2⌉)
    pe = np.empty((length, d_model))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])
    return pe


def split_heads(x: np.ndarray, heads: int) -> np.ndarray:
    """(N, T, d_model) → (N, h, T, d_model / h): each head gets its own slice of features."""
    N, T, d_model = x.shape
    return x.reshape(N, T, heads, d_model // heads).transpose(0, 2, 1, 3)


def combine_heads(x: np.ndarray) -> np.ndarray:
    """(N, h, T, d_k) → (N, T, h·d_k): the heads' outputs side by side (Concat)."""
    N, h, T, d_k = x.shape
    return x.transpose(0, 2, 1, 3).reshape(N, T, h * d_k)


class MultiHeadAttention:
    """Multi-head attention with h heads on d_model features, d_k = d_v = d_model / h.

        Q = query·W_Q + b_Q,  K = key·W_K + b_K,  V = value·W_V + b_V   each (N, ·, d_model)
        split into h heads (N, h, ·, d_k), attend in each head, concatenate, then ·W_O + b_O

    The h projections of the paper are packed side by side in one (d_model, d_model)
    matrix per role, so the parameters number 4·(d_model² + d_model) whatever h is.
    ``forward(query, key, value, mask)`` keeps the attention weights (N, h, n, m) in
    ``weights``. Forward only: the demos read shapes, weights and outputs.
    """

    def __init__(self, W_Q, W_K, W_V, W_O, b_Q, b_K, b_V, b_O, heads: int):
        d_model = W_Q.shape[0]
        if d_model % heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by the heads ({heads})")
        self.heads = heads
        self.params = {
            "W_Q": W_Q, "W_K": W_K, "W_V": W_V, "W_O": W_O,
            "b_Q": b_Q, "b_K": b_K, "b_V": b_V, "b_O": b_O,
        }  # fmt: skip
        self.weights: np.ndarray | None = None

    @classmethod
    def initialized(cls, d_model: int, heads: int, rng=None) -> MultiHeadAttention:
        """Xavier weights and zero biases."""
        rng = np.random.default_rng(rng)
        W = [xavier((d_model, d_model), rng) for _ in range(4)]
        b = [np.zeros(d_model) for _ in range(4)]
        return cls(*W, *b, heads=heads)

    @property
    def d_model(self) -> int:
        return self.params["W_Q"].shape[0]

    @property
    def num_params(self) -> int:
        return sum(p.size for p in self.params.values())

    def forward(self, query, key, value, mask=None) -> np.ndarray:
        """query (N, n, d_model), key and value (N, m, d_model) → (N, n, d_model)."""
        p = self.params
        q = split_heads(query @ p["W_Q"] + p["b_Q"], self.heads)
        k = split_heads(key @ p["W_K"] + p["b_K"], self.heads)
        v = split_heads(value @ p["W_V"] + p["b_V"], self.heads)
        self.weights, heads_out = scaled_dot_product_attention(q, k, v, mask)
        return combine_heads(heads_out) @ p["W_O"] + p["b_O"]


class TransformerEncoderBlock:
    """One encoder layer of the original (post-LN) Transformer:

        y = LayerNorm(x + MultiHead(x, x, x))
        out = LayerNorm(y + FFN(y)),   FFN(y) = max(0, y·W_1 + b_1)·W_2 + b_2

    The residual connections give the gradient a path around every sub-layer; layer
    normalisation keeps each position's features at mean 0 and variance 1 (times γ, plus β).
    Input and output have the same shape (N, T, d_model), so blocks can be stacked.
    """

    def __init__(self, d_model: int, heads: int, d_ff: int, rng=None, eps: float = 1e-5):
        rng = np.random.default_rng(rng)
        self.attention = MultiHeadAttention.initialized(d_model, heads, rng)
        self.params = {
            "W_1": xavier((d_model, d_ff), rng),
            "b_1": np.zeros(d_ff),
            "W_2": xavier((d_ff, d_model), rng),
            "b_2": np.zeros(d_model),
            "gamma_1": np.ones(d_model),
            "beta_1": np.zeros(d_model),
            "gamma_2": np.ones(d_model),
            "beta_2": np.zeros(d_model),
        }
        p = self.params
        self.norm_1 = LayerNormalization(p["gamma_1"], p["beta_1"], eps)
        self.norm_2 = LayerNormalization(p["gamma_2"], p["beta_2"], eps)

    @property
    def num_params(self) -> int:
        return self.attention.num_params + sum(p.size for p in self.params.values())

    def feed_forward(self, x: np.ndarray) -> np.ndarray:
        p = self.params
        return functions.relu(x @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]

    def forward(self, x: np.ndarray, mask=None) -> np.ndarray:
        y = self.norm_1.forward(x + self.attention.forward(x, x, x, mask))
        return self.norm_2.forward(y + self.feed_forward(y))


# --- BERT's pre-training input -------------------------------------------------------------

MASK_KEPT, MASK_REPLACED, MASK_RANDOM, MASK_UNCHANGED = 0, 1, 2, 3


def bert_mask(
    tokens: np.ndarray,
    vocab_size: int,
    mask_id: int,
    rng=None,
    select_prob: float = 0.15,
    mask_ratio: float = 0.8,
    random_ratio: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """The masked-language-model input of BERT (Devlin et al., 2019, 3.1):

        each token is selected for prediction with probability 15 %; a selected token is
        replaced by [MASK] 80 % of the time, by a random token 10 %, and kept 10 %

    Returns (inputs, kind): kind is MASK_KEPT for a token that is not predicted, else
    MASK_REPLACED, MASK_RANDOM or MASK_UNCHANGED. The loss is computed at the selected
    positions only. Keeping or randomising some selected tokens lets the model see real
    tokens at predicted positions, since [MASK] never appears when fine-tuning.
    """
    rng = np.random.default_rng(rng)
    tokens = np.asarray(tokens)
    selected = rng.random(tokens.shape) < select_prob
    u = rng.random(tokens.shape)
    kind = np.full(tokens.shape, MASK_KEPT)
    kind[selected & (u < mask_ratio)] = MASK_REPLACED
    kind[selected & (u >= mask_ratio) & (u < mask_ratio + random_ratio)] = MASK_RANDOM
    kind[selected & (u >= mask_ratio + random_ratio)] = MASK_UNCHANGED
    inputs = tokens.copy()
    inputs[kind == MASK_REPLACED] = mask_id
    random_positions = kind == MASK_RANDOM
    inputs[random_positions] = rng.integers(0, vocab_size, random_positions.sum())
    return inputs, kind


def bert_input(len_a: int, len_b: int) -> tuple[list[str], list[int]]:
    """The layout of a BERT sentence pair: [CLS] A₁…A_a [SEP] B₁…B_b [SEP].

    Returns (the token labels, the segment ids: 0 for [CLS], A and the first [SEP], 1 for B
    and the last [SEP]). The final hidden state of [CLS] feeds the NSP classifier and, when
    fine-tuning, any sentence-level classifier.
    """
    tokens = ["[CLS]", *(f"A{i + 1}" for i in range(len_a)), "[SEP]"]
    segments = [0] * len(tokens)
    if len_b:
        tokens += [*(f"B{i + 1}" for i in range(len_b)), "[SEP]"]
        segments += [1] * (len_b + 1)
    return tokens, segments
