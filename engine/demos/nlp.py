"""Demos on natural language processing: one-hot vs distributed representations, word2vec
(CBOW and skip-gram, softmax or negative sampling) trained on a toy corpus, cosine
similarity, the unigram^0.75 distribution of negative sampling, n-grams, LSI by SVD, BERT's
masked-LM input, perplexity, autoregressive next-token generation, and retrieval for RAG.
Every computation goes through engine.word2vec and engine.transformer.
"""

from __future__ import annotations

import numpy as np

from engine.classic import cosine_similarity
from engine.demos.registry import (
    ChoiceParam,
    DemoResult,
    FloatParam,
    IntParam,
    ListParam,
    ParameterError,
    Plot,
    demo,
)
from engine.metrics import perplexity
from engine.transformer import (
    MASK_RANDOM,
    MASK_REPLACED,
    MASK_UNCHANGED,
    bert_input,
    bert_mask,
)
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

SYLLABUS_NLP = ("4-4 自然言語処理",)
SEED = IntParam("seed", 0, min=0, max=2**31 - 1, help="乱数シード")

# Toy corpora. In "animals", cat and dog (and milk and water, fish and meat) share contexts.
CORPORA = {
    "animals": (
        "the cat drinks milk . the dog drinks water . the cat eats fish . the dog eats meat . "
        "a cat likes milk . a dog likes water . a cat eats meat . a dog eats fish ."
    ),
    "you-say": "you say goodbye and i say hello .",
}
WORDS = tuple(dict.fromkeys(w for text in CORPORA.values() for w in preprocess(text)[1]))


def _corpus(name: str):
    return preprocess(CORPORA[name])


def _check_word(demo_id: str, corpus: str, word: str, word_to_id: dict[str, int]) -> int:
    if word not in word_to_id:
        raise ParameterError(
            f"In demo {demo_id} the word {word!r} is not in the corpus {corpus!r} "
            f"(its words: {', '.join(word_to_id)})."
        )
    return word_to_id[word]


@demo(
    "w2v-train",
    title="word2vec（CBOW / skip-gram）を小さなコーパスで学習",
    description=(
        "engine.word2vec の CBOW または skip-gram を、softmax またはネガティブサンプリングで"
        "Adam により学習し、損失、重みの形と数、コサイン類似度で近い単語を示す。"
    ),
    syllabus=SYLLABUS_NLP,
    params=(
        ChoiceParam("model", "cbow", choices=("cbow", "skipgram"), help="モデル"),
        ChoiceParam(
            "loss",
            "softmax",
            choices=("softmax", "negative"),
            help="出力側: 全語彙の softmax か、ネガティブサンプリング",
        ),
        ChoiceParam("corpus", "animals", choices=tuple(CORPORA), help="コーパス"),
        IntParam("D", 5, min=1, max=100, help="単語ベクトルの次元（中間層のニューロン数）"),
        IntParam("window", 1, min=1, max=3, help="ウィンドウサイズ（片側の文脈の単語数）"),
        IntParam(
            "negative", 3, min=1, max=10, help="ネガティブサンプリングで 1 つの正例に対する負例の数"
        ),
        IntParam("epochs", 200, min=0, max=2000, help="エポック数（全データで 1 バッチ）"),
        FloatParam("lr", 0.05, min=1e-5, max=1.0, help="Adam の学習率"),
        ChoiceParam("query", "cat", choices=WORDS, help="近い単語を調べる単語"),
        SEED,
    ),
)
def w2v_train(
    model: str,
    loss: str,
    corpus: str,
    D: int,
    window: int,
    negative: int,
    epochs: int,
    lr: float,
    query: str,
    seed: int,
) -> DemoResult:
    ids, word_to_id, id_to_word = _corpus(corpus)
    query_id = _check_word("w2v-train", corpus, query, word_to_id)
    if len(ids) <= 2 * window:
        raise ParameterError(
            f"In demo w2v-train window ({window}) is too large for the corpus {corpus!r}."
        )
    V = len(word_to_id)
    if loss == "negative" and negative > V - 1:
        raise ParameterError(
            f"In demo w2v-train negative ({negative}) must be less than the vocabulary size ({V}) of corpus {corpus!r}."
        )
    contexts, target = create_contexts_target(ids, window)
    model_class = CBOW if model == "cbow" else SkipGram
    net = model_class(V, D, corpus=ids, negative=negative if loss == "negative" else 0, rng=seed)
    history = train(net, contexts, target, epochs=epochs, lr=lr, rng=seed)
    W_in, W_out = net.params["W_in"], net.params["W_out"]
    similar = most_similar(query_id, W_in, top=3)
    similar_words = [id_to_word[i] for i, _ in similar]
    narrative = "\n".join(
        [
            f"コーパス「{CORPORA[corpus]}」: 語彙数 V = {V}、単語数 {len(ids)}、"
            f"ウィンドウ {window} で (文脈, ターゲット) の組が {len(target)} 個。",
            "",
            f"{'CBOW（文脈 → ターゲット）' if model == 'cbow' else 'skip-gram（ターゲット → 文脈）'}、"
            f"{'softmax' if loss == 'softmax' else f'ネガティブサンプリング（負例 {negative} 個）'}で {epochs} エポック。"
            f" 損失 {history[0]:.4g} → {history[-1]:.4g}"
            if history
            else "学習なし。",
            "",
            f"重み: $W_{{in}}$ {W_in.shape}（各行が単語の分散表現）と $W_{{out}}$ {W_out.shape}、"
            f"合わせて $2 \\times V \\times D$ = {W_in.size + W_out.size} 個。",
            "",
            f"「{query}」にコサイン類似度で近い単語: "
            + ", ".join(f"{id_to_word[i]} ({s:.3f})" for i, s in similar)
            + "。同じ文脈に現れる単語ほど似たベクトルになる（分布仮説）。",
        ]
    )
    plots = [
        Plot(
            kind="line",
            title="エポックごとの損失",
            x=list(range(1, epochs + 1)),
            series={"loss": history},
            x_label="epoch",
        )
    ]
    return DemoResult(
        values={
            "vocab_size": V,
            "pairs": len(target),
            "contexts_shape": list(contexts.shape),
            "loss_history": history,
            "first_loss": history[0] if history else None,
            "final_loss": history[-1] if history else None,
            "w_in_shape": list(W_in.shape),
            "w_out_shape": list(W_out.shape),
            "n_weights": W_in.size + W_out.size,
            "most_similar": similar_words,
            "top_similarity": similar[0][1],
        },
        narrative=narrative,
        plots=plots,
    )


@demo(
    "nlp-one-hot-vs-embedding",
    title="one-hot 表現と分散表現（埋め込み）",
    description=(
        "one-hot ベクトル同士のコサイン類似度がすべて 0 になること、one-hot × W_in が W_in の 1 行を"
        "取り出すだけ（埋め込み層 = 行の参照）であることを示す。"
    ),
    syllabus=SYLLABUS_NLP,
    params=(
        IntParam("V", 7, min=2, max=100000, help="語彙数"),
        IntParam("D", 3, min=1, max=1000, help="分散表現の次元"),
        IntParam("word", 2, min=0, max=99999, help="調べる単語の ID"),
        SEED,
    ),
)
def nlp_one_hot_vs_embedding(V: int, D: int, word: int, seed: int) -> DemoResult:
    if word >= V:
        raise ParameterError(
            f"In demo nlp-one-hot-vs-embedding word ({word}) must be less than V ({V})."
        )
    if V * D > 4_000_000:
        raise ParameterError(
            f"In demo nlp-one-hot-vs-embedding V × D ({V * D:,}) must be at most 4,000,000."
        )
    rng = np.random.default_rng(seed)
    W_in = rng.standard_normal((V, D))
    one_hot = np.zeros(V)
    one_hot[word] = 1.0
    product = one_hot @ W_in
    lookup_equal = bool(np.array_equal(product, W_in[word]))
    other = (word + 1) % V
    other_one_hot = np.zeros(V)
    other_one_hot[other] = 1.0
    one_hot_cos = cosine_similarity(one_hot, other_one_hot)
    dense_cos = cosine_similarity(W_in[word], W_in[other])
    narrative = "\n".join(
        [
            f"語彙数 V = {V}。one-hot 表現は V 次元で 1 つだけが 1、分散表現は D = {D} 次元の実数ベクトル。",
            "",
            f"- 単語 {word} と単語 {other} の one-hot のコサイン類似度: {one_hot_cos:g}（異なる単語はいつも直交し、"
            "意味の近さを表せない）",
            f"- 分散表現（ランダムな $W_{{in}}$ の行）同士: {dense_cos:.4g}（学習すれば意味の近さを反映できる）",
            "",
            f"one-hot × $W_{{in}}$（{V}×{D}）は $W_{{in}}$ の {word} 行目そのもの（一致: {lookup_equal}）。"
            " 行列積を計算せず行を取り出すのが Embedding レイヤ。",
        ]
    )
    return DemoResult(
        values={
            "lookup_equals_row": lookup_equal,
            "one_hot_cosine": one_hot_cos,
            "dense_cosine": dense_cos,
            "one_hot_dim": V,
            "embedding_params": V * D,
        },
        narrative=narrative,
    )


@demo(
    "nlp-cosine-similarity",
    title="コサイン類似度",
    description="engine.classic.cosine_similarity で 2 つのベクトルのコサイン類似度 x·y / (‖x‖‖y‖) を計算する。",
    syllabus=(*SYLLABUS_NLP, "2-1 機械学習の基礎"),
    params=(
        ListParam("x", [1.0, 2.0, 2.0], min=-1e6, max=1e6, help="ベクトル x"),
        ListParam("y", [2.0, 0.0, 1.0], min=-1e6, max=1e6, help="ベクトル y"),
    ),
)
def nlp_cosine_similarity(x: list[float], y: list[float]) -> DemoResult:
    if len(x) != len(y):
        raise ParameterError(
            f"In demo nlp-cosine-similarity x and y need the same length, got {len(x)} and {len(y)}."
        )
    a, b = np.array(x), np.array(y)
    cos = cosine_similarity(a, b)
    narrative = "\n".join(
        [
            f"$x \\cdot y = {a @ b:g}$、$\\|x\\| = {np.linalg.norm(a):.6g}$、$\\|y\\| = {np.linalg.norm(b):.6g}$。",
            "",
            f"$\\cos(x, y) = \\frac{{x \\cdot y}}{{\\|x\\| \\|y\\|}}$ = **{cos:.6g}**。"
            " 1 は同じ向き、0 は直交、−1 は逆向き。ベクトルの長さ（単語の出現頻度などの影響）に左右されない。",
        ]
    )
    return DemoResult(
        values={
            "cosine": cos,
            "dot": float(a @ b),
            "norm_x": float(np.linalg.norm(a)),
            "norm_y": float(np.linalg.norm(b)),
        },
        narrative=narrative,
    )


@demo(
    "nlp-negative-sampling",
    title="ネガティブサンプリング：負例の分布と計算量",
    description=(
        "単語の出現回数から engine.word2vec.UnigramSampler の分布 P(w) ∝ count^0.75 を作って負例を抽出し、"
        "全語彙の softmax と出力側の計算量を比べる。"
    ),
    syllabus=SYLLABUS_NLP,
    params=(
        ListParam(
            "counts", [90.0, 9.0, 1.0], min=0, max=1e6, max_length=32, help="各単語の出現回数"
        ),
        FloatParam("power", 0.75, min=0.0, max=2.0, help="出現回数の累乗の指数"),
        IntParam("V", 10000, min=2, max=10**7, help="計算量を比べる語彙数"),
        IntParam("D", 100, min=1, max=10000, help="計算量を比べる単語ベクトルの次元"),
        IntParam("k", 5, min=1, max=100, help="1 つの正例に対する負例の数"),
        IntParam("draws", 20000, min=1, max=200000, help="抽出する負例の数（頻度を確かめる）"),
        SEED,
    ),
)
def nlp_negative_sampling(
    counts: list[float], power: float, V: int, D: int, k: int, draws: int, seed: int
) -> DemoResult:
    if any(not float(c).is_integer() for c in counts) or sum(counts) == 0:
        raise ParameterError(
            "In demo nlp-negative-sampling counts must be whole numbers, not all zero."
        )
    corpus = np.repeat(np.arange(len(counts)), np.array(counts, dtype=int))
    sampler = UnigramSampler(corpus, len(counts), power=power, rng=seed)
    raw = np.array(counts) / sum(counts)
    # Draw negatives for a target that is not in the list (id −1 never clashes).
    sample = sampler.get_negative_sample(np.array([-1]), draws)[0]
    empirical = np.bincount(sample, minlength=len(counts)) / draws
    softmax_mults, negative_mults = V * D, (k + 1) * D
    narrative = "\n".join(
        [
            "出現確率そのもの: " + ", ".join(f"{p:.4g}" for p in raw),
            f"{power} 乗して正規化: "
            + ", ".join(f"{p:.4g}" for p in sampler.word_p)
            + f"（{draws} 回抽出した頻度: "
            + ", ".join(f"{p:.4g}" for p in empirical)
            + "）",
            "",
            "0.75 乗すると頻出語の確率が下がり、稀な単語の確率が少し上がる。",
            "",
            f"出力側の計算: 全語彙の softmax は 1 つのターゲットにつき $V \\times D$ = {softmax_mults:,} 回の乗算と"
            f" V 個の exp が要る。ネガティブサンプリングは正例 1 個と負例 {k} 個の内積だけで"
            f" $(k + 1) D$ = {negative_mults:,} 回（{softmax_mults / negative_mults:.4g} 分の 1）。"
            "多クラス分類を、正例か負例かの 2 値分類（シグモイドと交差エントロピー）に置き換える。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="負例を引く確率",
        x=[f"w{i}" for i in range(len(counts))],
        series={"出現確率": raw.tolist(), f"{power} 乗": sampler.word_p.tolist()},
    )
    return DemoResult(
        values={
            "probs_raw": raw.tolist(),
            "probs": sampler.word_p.tolist(),
            "empirical": empirical.tolist(),
            "softmax_mults": softmax_mults,
            "negative_mults": negative_mults,
        },
        narrative=narrative,
        plots=[plot],
    )


SENTENCES = {
    "cat": "the cat sat on the mat",
    "deep": "i love deep learning very much",
    "you-say": "you say goodbye and i say hello",
}


@demo(
    "nlp-ngram",
    title="n-gram を数える",
    description="文を単語に分け、engine.word2vec.ngrams で連続する n 単語の組（n-gram）を列挙する。",
    syllabus=SYLLABUS_NLP,
    params=(
        ChoiceParam("sentence", "cat", choices=tuple(SENTENCES), help="文"),
        IntParam("n", 2, min=1, max=10, help="n"),
    ),
)
def nlp_ngram(sentence: str, n: int) -> DemoResult:
    tokens = SENTENCES[sentence].split()
    grams = [" ".join(g) for g in ngrams(tokens, n)]
    distinct = len(set(grams))
    narrative = "\n".join(
        [
            f"文「{SENTENCES[sentence]}」は {len(tokens)} 単語。",
            "",
            f"{n}-gram（連続する {n} 単語）は $L - n + 1 = {len(tokens)} - {n} + 1 = {len(grams)}$ 個:",
            "",
            " / ".join(grams) if grams else "（なし）",
            "",
            f"異なる {n}-gram は {distinct} 種類。n-gram 言語モデルは、次の単語の確率を直前の $n - 1$ 単語だけで"
            "近似する（マルコフ性の仮定）。",
        ]
    )
    return DemoResult(
        values={"ngrams": grams, "count": len(grams), "distinct": distinct, "tokens": len(tokens)},
        narrative=narrative,
    )


@demo(
    "nlp-bigram-perplexity",
    title="bigram 言語モデルとパープレキシティ",
    description=(
        "コーパスから bigram の確率 P(w_t | w_{t−1}) を数え（加算スムージング付き）、"
        "文の各単語の確率とパープレキシティ exp(−平均対数尤度) を計算する。"
    ),
    syllabus=(*SYLLABUS_NLP, "2-1 機械学習の基礎"),
    params=(
        ChoiceParam("corpus", "you-say", choices=tuple(CORPORA), help="学習するコーパス"),
        FloatParam("smoothing", 0.0, min=0.0, max=10.0, help="加算スムージングの α"),
    ),
)
def nlp_bigram_perplexity(corpus: str, smoothing: float) -> DemoResult:
    ids, word_to_id, id_to_word = _corpus(corpus)
    V = len(word_to_id)
    P = bigram_probabilities(ids, V, smoothing)
    # At each position the model predicts a distribution over the next word: row P[w_{t−1}].
    predictions, targets = P[ids[:-1]], ids[1:]
    probs = predictions[np.arange(len(targets)), targets]  # what it gave the actual next word
    ppl = perplexity(predictions, targets) if np.all(probs > 0) else float("inf")
    uniform = perplexity(np.full(predictions.shape, 1 / V), targets)
    narrative = "\n".join(
        [
            f"コーパスは {len(ids)} 単語、語彙数 {V}。bigram モデルは $P(w_t \\mid w_{{t-1}})$ を"
            f" $\\frac{{C(w_{{t-1}}, w_t) + \\alpha}}{{C(w_{{t-1}}) + \\alpha V}}$（α = {smoothing:g}）で推定する。",
            "",
            "各単語に与えた確率: "
            + ", ".join(
                f"P({id_to_word[int(b)]}|{id_to_word[int(a)]}) = {p:.4g}"
                for a, b, p in zip(ids[:-1], ids[1:], probs, strict=True)
            ),
            "",
            f"パープレキシティ $\\exp(-\\frac{{1}}{{N}} \\sum \\log p)$ = **{ppl:.6g}**。"
            f" 語彙から一様に選ぶモデルなら V = {uniform:.6g}。小さいほど次の単語を迷わない。",
        ]
    )
    return DemoResult(
        values={
            "probs": probs.tolist(),
            "perplexity": ppl,
            "uniform_perplexity": uniform,
            "vocab_size": V,
        },
        narrative=narrative,
    )


@demo(
    "nlp-perplexity",
    title="パープレキシティの計算",
    description="正解のトークンに言語モデルが与えた確率の列から、パープレキシティ exp(−(1/N)Σ log p) を計算する。",
    syllabus=(*SYLLABUS_NLP, "2-1 機械学習の基礎"),
    params=(
        ListParam("probs", [0.5, 0.25, 0.125], min=1e-12, max=1.0, help="各トークンの正解の確率"),
    ),
)
def nlp_perplexity(probs: list[float]) -> DemoResult:
    p = np.array(probs)
    # Each prediction as a two-way distribution: p on the correct token (class 0), the rest elsewhere.
    predictions = np.column_stack([p, 1 - p])
    ppl = perplexity(predictions, np.zeros(len(p), dtype=int))
    cross_entropy = float(np.log(ppl))
    narrative = "\n".join(
        [
            f"平均交差エントロピー $-\\frac{{1}}{{N}} \\sum_n \\log p_n$ = {cross_entropy:.6g}（自然対数）。",
            "",
            f"パープレキシティはその指数 $\\exp({cross_entropy:.6g})$ = **{ppl:.6g}**。"
            " 確率の幾何平均の逆数でもあり、「平均して何個の候補で迷っているか」と読める。",
        ]
    )
    return DemoResult(
        values={"perplexity": ppl, "cross_entropy": cross_entropy}, narrative=narrative
    )


@demo(
    "nlp-lsi",
    title="LSI：共起行列の特異値分解",
    description=(
        "共起行列から PPMI 行列を作り、engine.word2vec.lsi（特異値分解）で上位 k 個の特異値だけを残した"
        "低次元の単語ベクトルを作る。"
    ),
    syllabus=SYLLABUS_NLP,
    params=(
        ChoiceParam("corpus", "animals", choices=tuple(CORPORA), help="コーパス"),
        IntParam("window", 1, min=1, max=3, help="共起を数えるウィンドウサイズ"),
        IntParam("k", 2, min=1, max=20, help="残す次元（特異値の数）"),
        ChoiceParam("query", "cat", choices=WORDS, help="近い単語を調べる単語"),
    ),
)
def nlp_lsi(corpus: str, window: int, k: int, query: str) -> DemoResult:
    ids, word_to_id, id_to_word = _corpus(corpus)
    query_id = _check_word("nlp-lsi", corpus, query, word_to_id)
    V = len(word_to_id)
    if k > V:
        raise ParameterError(f"In demo nlp-lsi k ({k}) must be at most the vocabulary size ({V}).")
    C = create_co_matrix(ids, V, window)
    M = ppmi(C)
    vectors, singular_values = lsi(M, k)
    similar = most_similar(query_id, vectors, top=3)
    kept = float(np.sum(singular_values[:k] ** 2) / np.sum(singular_values**2))
    narrative = "\n".join(
        [
            f"語彙数 V = {V} の共起行列（{V}×{V}）を PPMI 行列にし、特異値分解 $M = U S V^\\top$ した。",
            "",
            "特異値（大きい順）: " + ", ".join(f"{s:.4g}" for s in singular_values),
            "",
            f"上位 {k} 個だけ残すと単語ベクトルは {vectors.shape}（$U_k S_k$）。"
            f" 特異値の 2 乗和のうち {kept:.1%} を保つ（ランク {k} の最良近似）。",
            "",
            f"「{query}」に近い単語: "
            + ", ".join(f"{id_to_word[i]} ({s:.3f})" for i, s in similar)
            + "。疎で高次元な共起の情報を、密な低次元のベクトルに圧縮している。",
        ]
    )
    plot = Plot(
        kind="bar",
        title="特異値",
        x=[str(i + 1) for i in range(V)],
        series={"特異値": singular_values.tolist()},
    )
    return DemoResult(
        values={
            "vocab_size": V,
            "singular_values": singular_values.tolist(),
            "vectors_shape": list(vectors.shape),
            "energy_kept": kept,
            "most_similar": [id_to_word[i] for i, _ in similar],
        },
        narrative=narrative,
        plots=[plot],
    )


@demo(
    "bert-masking",
    title="BERT の Masked LM：15% を選び 80/10/10 で置き換える",
    description=(
        "engine.transformer.bert_mask で多数のトークンに BERT のマスク規則を適用し、"
        "[MASK]・ランダムな単語・そのままの割合を数える。"
    ),
    syllabus=(*SYLLABUS_NLP, "3-6 Transformer"),
    params=(
        IntParam("tokens", 100000, min=100, max=1000000, help="トークン数"),
        IntParam("vocab_size", 30000, min=10, max=100000, help="語彙数"),
        FloatParam("select_prob", 0.15, min=0.0, max=1.0, help="予測対象に選ぶ確率"),
        SEED,
    ),
)
def bert_masking(tokens: int, vocab_size: int, select_prob: float, seed: int) -> DemoResult:
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, vocab_size, tokens)
    _, kind = bert_mask(ids, vocab_size, mask_id=vocab_size, rng=rng, select_prob=select_prob)
    fractions = {
        "selected": float(np.mean(kind != 0)),
        "replaced_by_mask": float(np.mean(kind == MASK_REPLACED)),
        "replaced_by_random": float(np.mean(kind == MASK_RANDOM)),
        "unchanged": float(np.mean(kind == MASK_UNCHANGED)),
    }
    narrative = "\n".join(
        [
            f"{tokens:,} トークンのうち、予測対象に選ばれたのは {fractions['selected']:.2%}（期待値 {select_prob:.0%}）。",
            "",
            f"- [MASK] に置き換え: {fractions['replaced_by_mask']:.2%}（期待値 {0.8 * select_prob:.2%}）",
            f"- ランダムな単語に置き換え: {fractions['replaced_by_random']:.2%}（期待値 {0.1 * select_prob:.2%}）",
            f"- そのまま: {fractions['unchanged']:.2%}（期待値 {0.1 * select_prob:.2%}）",
            "",
            "損失は選ばれた位置でだけ計算する。ファインチューニングの入力に [MASK] は現れないので、"
            "選んだ単語の一部をそのまま・ランダムにしておき、事前学習との食い違いを減らす。",
        ]
    )
    return DemoResult(values=fractions, narrative=narrative)


@demo(
    "bert-input",
    title="BERT の入力：[CLS] 文A [SEP] 文B [SEP]",
    description="engine.transformer.bert_input で文のペアの入力系列とセグメント ID を組み立てる。",
    syllabus=(*SYLLABUS_NLP, "3-6 Transformer"),
    params=(
        IntParam("len_a", 3, min=1, max=256, help="文 A のトークン数"),
        IntParam("len_b", 2, min=0, max=256, help="文 B のトークン数（0 なら 1 文）"),
    ),
)
def bert_input_demo(len_a: int, len_b: int) -> DemoResult:
    tokens, segments = bert_input(len_a, len_b)
    narrative = "\n".join(
        [
            " ".join(tokens),
            "",
            "セグメント ID: " + " ".join(str(s) for s in segments),
            "",
            f"系列長は {len(tokens)}（特殊トークン {len(tokens) - len_a - len_b} 個を含む）。先頭の [CLS] の最終層の"
            "ベクトルが、NSP（次の文か否か）や文分類のファインチューニングの入力になる。[SEP] は文の区切り。"
            " 各トークンの埋め込みは、単語・セグメント・位置の埋め込みの和。",
        ]
    )
    return DemoResult(
        values={"tokens": tokens, "segments": segments, "length": len(tokens)}, narrative=narrative
    )


@demo(
    "gpt-next-token",
    title="自己回帰的な生成：次のトークンを 1 つずつ予測",
    description=(
        "コーパスで数えた bigram モデルで、プロンプトの最後の単語から次の単語の確率を求め、"
        "最も確率の高い単語を付け足すことを繰り返す（greedy な自己回帰生成）。"
    ),
    syllabus=(*SYLLABUS_NLP, "4-6 生成モデル"),
    params=(
        ChoiceParam("corpus", "animals", choices=tuple(CORPORA), help="学習するコーパス"),
        ChoiceParam("prompt", "the", choices=WORDS, help="プロンプト（最初の単語）"),
        IntParam("length", 4, min=1, max=30, help="生成するトークン数"),
    ),
)
def gpt_next_token(corpus: str, prompt: str, length: int) -> DemoResult:
    ids, word_to_id, id_to_word = _corpus(corpus)
    current = _check_word("gpt-next-token", corpus, prompt, word_to_id)
    P = bigram_probabilities(ids, len(word_to_id), smoothing=0.0)
    first = P[current]
    generated, probs = [], []
    for _ in range(length):
        if P[current].sum() == 0:
            break
        nxt = int(np.argmax(P[current]))
        probs.append(float(P[current, nxt]))
        generated.append(id_to_word[nxt])
        current = nxt
    top = np.argsort(-first, kind="stable")[:3]
    narrative = "\n".join(
        [
            f"プロンプト「{prompt}」の次の単語の確率（上位）: "
            + ", ".join(f"{id_to_word[int(i)]} {first[i]:.3g}" for i in top if first[i] > 0),
            "",
            f"生成: {prompt} → " + " ".join(generated),
            "",
            "各時刻で $P(x_t \\mid x_{<t})$ から次のトークンを選び、それを入力に付け足してまた予測する。"
            " 系列全体の確率は $\\prod_t P(x_t \\mid x_{<t})$ で、GPT も同じ枠組み（ただし直前 1 語ではなく"
            "前の全トークンを Masked Self-Attention で読む）。",
        ]
    )
    return DemoResult(
        values={
            "next_word": id_to_word[int(top[0])],
            "next_prob": float(first[top[0]]),
            "generated": generated,
            "generated_probs": probs,
        },
        narrative=narrative,
    )


DOCUMENTS = (
    "lstm has a forget gate an input gate and an output gate",
    "gru has a reset gate and an update gate",
    "bert is pretrained with masked language model and next sentence prediction",
    "gpt predicts the next token from the previous tokens",
    "a gan trains a generator and a discriminator",
)
QUERIES = {
    "gates": "which gate does gru have",
    "bert": "how is bert pretrained",
    "gan": "what does a gan train",
}


@demo(
    "nlp-rag-retrieval",
    title="RAG：質問に近い文書を検索してプロンプトに加える",
    description=(
        "文書と質問を単語の出現回数ベクトルにし、コサイン類似度が最大の文書を検索して、"
        "言語モデルへのプロンプト（文書 + 質問）を組み立てる。"
    ),
    syllabus=SYLLABUS_NLP,
    params=(ChoiceParam("query", "gates", choices=tuple(QUERIES), help="質問"),),
)
def nlp_rag_retrieval(query: str) -> DemoResult:
    question = QUERIES[query]
    vocabulary = sorted({w for text in (*DOCUMENTS, question) for w in text.split()})
    index = {w: i for i, w in enumerate(vocabulary)}

    def bag_of_words(text: str) -> np.ndarray:
        vector = np.zeros(len(vocabulary))
        for w in text.split():
            vector[index[w]] += 1
        return vector

    q = bag_of_words(question)
    similarities = [cosine_similarity(q, bag_of_words(d)) for d in DOCUMENTS]
    best = int(np.argmax(similarities))
    prompt = f"context: {DOCUMENTS[best]}\nquestion: {question}\nanswer:"
    narrative = "\n".join(
        [
            f"質問「{question}」と各文書のコサイン類似度: "
            + ", ".join(f"{s:.3f}" for s in similarities),
            "",
            f"最も近い文書 {best + 1}「{DOCUMENTS[best]}」を検索し、プロンプトの前に付ける:",
            "",
            "```",
            prompt,
            "```",
            "",
            "RAG（検索拡張生成）は、モデルのパラメータを更新せずに外部の知識を入力として与える。"
            " 実際の RAG では単語の出現回数ではなく、文の埋め込みベクトルで検索する。",
        ]
    )
    return DemoResult(
        values={"similarities": similarities, "retrieved": best + 1, "prompt": prompt},
        narrative=narrative,
    )
