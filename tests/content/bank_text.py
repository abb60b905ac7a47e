"""Question texts for the parser tests: valid ones to start from, and a line finder.

Tests break one thing in a valid text and expect exactly one problem at an exact line;
``line_of`` finds that line in the text itself, so the expectation stays exact when a
template grows.
"""

from __future__ import annotations

SHAPE = """\
## 6×6 の入力・2×2 フィルタ・パディング 1 の出力サイズ

- id: conv-output-6x6
- kind: shape
- syllabus: 3-4 畳み込みニューラルネットワーク
- course: Day2 Section4
- source: ゼロから作るDeep Learning 7.2.3

サイズ 6×6 の入力を 2×2 のフィルタで畳み込む。出力のサイズは？

### 答え

7x7

### 解説

$OH = \\frac{6 + 2 - 2}{1} + 1 = 7$。

### デモ

- demo: `conv-output-size H=6 W=6 FH=2 FW=2 pad=1 stride=1`
- claim: `out_h == 7`
- claim: `out_w == 7`
"""

CHOICE = """\
## リッジ回帰の特徴

- id: ridge-choice
- kind: choice
- syllabus: 3-3 深層モデルのための正則化
- course: Day2 Section3
- source: Study-AI Day2 Section3

リッジ回帰の特徴として正しいものを選べ。

- [x] λ を大きくすると重みが 0 に近づく
- [ ] λ を 0 にすると非線形回帰になる
- [ ] バイアス項も正則化される

### 解説

L2 罰則は重みを原点へ引き寄せる。

### デモ

- demo: `ridge-shrinkage lam=100000`
- claim: `weight_norm < 0.001`
"""

CODE = """\
## 安定なソフトマックス

- id: softmax-code
- kind: code
- syllabus: 3-1 順伝播型ネットワーク
- course: Day1 Section3
- source: ゼロから作るDeep Learning 3.5.2

空欄に入る行を選べ。

```python
import numpy as np


def softmax(x):
    ____
    return e / np.sum(e, axis=-1, keepdims=True)
```

- [ ] `e = np.exp(x)`
- [x] `e = np.exp(x - np.max(x, axis=-1, keepdims=True))`

### 解説

最大値を引いても値は変わらない。

### デモ

- demo: `softmax-overflow x=[1000, 1000.5]`
- claim: `naive_has_nan == true`
"""

NUMERIC = """\
## シグモイド関数の導関数の最大値

- id: sigmoid-max
- kind: numeric
- tolerance: 0.001
- unit: 倍
- syllabus: 3-2 深層モデルのための最適化
- course: Day2 Section1
- source: ゼロから作るDeep Learning 5.5.2

$\\sigma'(x)$ の最大値を求めよ。

### 答え

0.25

### 解説

$\\sigma'(x) = \\sigma(x)(1 - \\sigma(x)) \\leq 0.25$。

### デモ

- demo: `sigmoid-derivative-max`
- claim: `max_value ≈ 0.25 ± 1e-9`
"""

TEXT = """\
## 重みを 0 で初期化すると

- id: zero-init
- kind: text
- syllabus: 3-2 深層モデルのための最適化
- course: Day2 Section1
- source: Study-AI Day2 Section1

重みをすべて 0 で初期化すると何が起こるか。

### Answer

すべてのユニットが同じ勾配で更新され、**対称性** が崩れない。

### Explanation

乱数で初期化して対称性を崩す。

### Demo

- demo: `zero-init-symmetry init=zero hidden=8 steps=100`
- claim: `distinct_hidden_units == 1`
"""

MULTI = """\
## ソフトマックスのオーバーフロー

- id: softmax-multi
- kind: multi
- syllabus: 3-1 順伝播型ネットワーク
- course: Day1 Section3
- source: ゼロから作るDeep Learning 3.5.2

正しいものをすべて選べ。

- [x] 定義どおりだと NaN になる
- [ ] 最大値で割ればよい
- [x] 最大値を引けばよい

### 答え

A, C

### 解説

定数を引いても値は変わらない。

### デモ

- demo: `softmax-overflow x=[1010, 1000, 990]`
- claim: `naive_has_nan == true`
- claim: `stable[0] ≈ 0.9999546 ± 1e-7`
"""

ALL_KINDS = {
    "shape": SHAPE,
    "choice": CHOICE,
    "code": CODE,
    "numeric": NUMERIC,
    "text": TEXT,
    "multi": MULTI,
}


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``text`` that contains ``fragment``."""
    found = [n for n, line in enumerate(text.split("\n"), start=1) if fragment in line]
    assert len(found) >= occurrence, f"{fragment!r} is not in the text {occurrence} times"
    return found[occurrence - 1]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)
