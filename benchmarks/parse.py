"""Parse a generated 1,000-question bank from scratch and print one JSON line.

Budget (DESIGN.md): a full bank sync of 1,000 questions takes ≤ 1 s including the database
writes, so parsing alone should stay near 0.5 ms per question. The bank has 50 files of 20
questions, cycling through every kind, each with the realistic shape of the bundled bank:
front matter, math, a demo line, claims. Reports the best of several runs (the least
disturbed by other processes on a shared machine), in wall-clock and in CPU time.

    python benchmarks/parse.py [--questions N] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from content.parser import load_bank

QUESTIONS_PER_FILE = 20

FRONT_MATTER = """---
course: Day2 Section4
syllabus: 3-4 畳み込みニューラルネットワーク
source: ゼロから作るDeep Learning 7.2
---
# 生成した問題 {file}

ベンチマーク用に生成したファイル。

"""

TAIL = """
### 解説

出力の高さは $OH = \\frac{{H + 2P - FH}}{{S}} + 1$ で求まる。問題 {n} では
$H = {n}$ なので、式に代入すると答えが得られる。**パディング** と *ストライド* に注意する。

### デモ

- demo: `conv-output-size H={n} W={n} FH=3 FW=3 pad=1 stride=1`
- claim: `out_h == {n}`
- claim: `values[0] ≈ 0.25 ± 1e-9`
"""

BODIES = {
    "choice": """サイズ {n}×{n} の入力に 3×3 のフィルタを適用する。正しいものを選べ。

- [ ] 出力は {n}×{n} より大きい
- [x] パディング 1 なら出力は {n}×{n}
- [ ] パディングは出力サイズに影響しない
""",
    "multi": """正しいものをすべて選べ（問題 {n}）。

- [x] $\\sigma'(0) = 0.25$
- [x] ReLU の勾配は正の入力で 1
- [ ] tanh の値域は $[0, 1]$
""",
    "numeric": """- tolerance: 1e-9

$\\sigma(x) = \\frac{{1}}{{1 + e^{{-x}}}}$ の導関数の最大値を求めよ（問題 {n}）。

### 答え

0.25
""",
    "shape": """サイズ {n}×{n} の入力、3×3 フィルタ、パディング 1、ストライド 1 の出力サイズは？

### 答え

{n}x{n}
""",
    "code": """空欄に入る行を選べ（問題 {n}）。

```python
def softmax(x):
    ____
    return e / e.sum(axis=-1, keepdims=True)
```

- [ ] `e = np.exp(x)`
- [x] `e = np.exp(x - x.max(axis=-1, keepdims=True))`
- [ ] `e = np.log(x)`
""",
    "text": """重みをすべて 0 で初期化すると何が起こるか説明せよ（問題 {n}）。

### 答え

すべての隠れユニットが同じ値を出力し、同じ勾配で更新されるため、**対称性** が崩れない。
""",
}


def question(n: int, kind: str) -> str:
    body = BODIES[kind]
    # A numeric question's extra field continues the field list, so it comes first.
    fields = f"## 生成問題 {n}\n\n- id: generated-{n}\n- kind: {kind}\n"
    if body.startswith("- tolerance"):
        field_line, body = body.split("\n", 1)
        fields += field_line + "\n"
    return fields + "\n" + body.format(n=n) + TAIL.format(n=n) + "\n"


def write_bank(directory: Path, questions: int) -> None:
    kinds = list(BODIES)
    for file_number in range(0, questions, QUESTIONS_PER_FILE):
        numbers = range(file_number, min(file_number + QUESTIONS_PER_FILE, questions))
        text = FRONT_MATTER.format(file=file_number) + "".join(
            question(n, kinds[n % len(kinds)]) for n in numbers
        )
        folder = directory / f"day{file_number % 4 + 1}"
        folder.mkdir(exist_ok=True)
        (folder / f"topic-{file_number:04d}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_bank(Path(tmp), args.questions)
        timings, cpu_timings = [], []
        for _ in range(args.repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            bank = load_bank([Path(tmp)])
            timings.append(time.perf_counter() - started)
            cpu_timings.append(time.process_time() - cpu_started)
    if bank.problems or len(bank.questions) != args.questions:
        raise SystemExit(f"generated bank did not parse cleanly: {bank.problems[:3]}")
    seconds = min(timings)
    print(
        json.dumps(
            {
                "benchmark": "parse",
                "questions": len(bank.questions),
                "files": len(bank.files),
                "seconds": round(seconds, 4),
                # CPU time is what the parser costs; wall time also counts other processes.
                "cpu_seconds": round(min(cpu_timings), 4),
                "ms_per_question": round(seconds * 1000 / len(bank.questions), 4),
                "budget_ms_per_question": 0.5,
            }
        )
    )


if __name__ == "__main__":
    main()
