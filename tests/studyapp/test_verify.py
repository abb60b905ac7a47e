"""``studyapp verify``: every claim is checked on a live demo run; failures name file:line."""

from __future__ import annotations

import json
from pathlib import Path

from studyapp.cli import main

QUESTION = """## 出力サイズ

- id: {id}
- kind: shape
- syllabus: 3-4 畳み込みニューラルネットワーク
- course: Day2 Section4
- source: テスト用

8×8 の入力、3×3 のフィルタ、ストライド 2、パディング 1 の出力サイズは？

### 答え

{answer}

### 解説

出力サイズの式 $OH = (H + 2P - FH)/S + 1$ に代入すると 4 になる。割り切れない分は切り捨てる。

### デモ

- demo: `conv-output-size H=8 W=8 FH=3 FW=3 pad=1 stride=2`
- claim: `out_h == {claimed}`
- claim: `out_w == 4`
"""

CODE_QUESTION = """## ソフトマックス

- id: code-softmax
- kind: code
- syllabus: 3-1 順伝播型ネットワーク
- course: Day1 Section3
- source: テスト用

```python
x = np.array([1.0, 2.0, 3.0])
____
print(y.sum())
```

- [x] `y = np.exp(x) / np.exp(x).sum()`
- [ ] `y = np.exp(x) / np.exp(x).summ()`

### 解説

ソフトマックスは指数関数を合計で割る。summ というメソッドはないので 2 つ目は AttributeError になる。

### デモ

- demo: `softmax-overflow x=[1,2,3]`
- claim: `naive_has_nan == false`
"""


def write_bank(tmp_path: Path, *texts: str) -> Path:
    bank = tmp_path / "bank"
    bank.mkdir()
    for index, text in enumerate(texts):
        (bank / f"q{index}.md").write_text(text, encoding="utf-8")
    return bank


def test_a_correct_bank_verifies(tmp_path, capsys):
    bank = write_bank(tmp_path, QUESTION.format(id="ok", answer="4x4", claimed=4))
    assert main(["verify", "--bank", str(bank), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report | {"failed": []} == report
    assert (report["questions"], report["claims"], report["passed"]) == (1, 2, 2)


def test_a_wrong_claim_fails_naming_file_line_question_claim_and_value(tmp_path, capsys):
    bank = write_bank(tmp_path, QUESTION.format(id="seed-mistake", answer="3x3", claimed=3))
    assert main(["verify", "--bank", str(bank), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (failure,) = report["failed"]
    assert failure["question"] == "seed-mistake"
    assert failure["file"].endswith("q0.md") and failure["line"] == 22
    assert failure["claim"] == "out_h == 3"
    assert failure["actual"] == 4
    assert main(["verify", "--bank", str(bank)]) == 1
    assert "q0.md:22: seed-mistake:" in capsys.readouterr().out


def test_untrusted_code_is_not_run_and_reported_as_skipped(tmp_path, capsys):
    bank = write_bank(tmp_path, CODE_QUESTION)
    assert main(["verify", "--bank", str(bank), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [entry["question"] for entry in report["skipped"]] == ["code-softmax"]


def test_trusted_code_runs_and_the_correct_option_must_run(tmp_path, capsys):
    bank = write_bank(tmp_path, CODE_QUESTION)
    assert main(["verify", "--bank", str(bank), "--trust-bank", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped"] == []
    broken = (
        CODE_QUESTION.replace("- [x]", "- [?]").replace("- [ ]", "- [x]").replace("- [?]", "- [ ]")
    )
    (bank / "q0.md").write_text(broken, encoding="utf-8")
    assert main(["verify", "--bank", str(bank), "--trust-bank", "--json"]) == 1
    (failure,) = json.loads(capsys.readouterr().out)["failed"]
    assert "AttributeError" in failure["message"]


def test_a_correct_option_that_prints_nothing_fails(tmp_path, capsys):
    silent = CODE_QUESTION.replace("print(y.sum())\n", "")
    bank = write_bank(tmp_path, silent)
    assert main(["verify", "--bank", str(bank), "--trust-bank", "--json"]) == 1
    (failure,) = json.loads(capsys.readouterr().out)["failed"]
    assert failure["question"] == "code-softmax"
    assert "prints nothing" in failure["message"]


def test_verify_of_one_question_and_of_an_unknown_one(tmp_path, capsys):
    bank = write_bank(tmp_path, QUESTION.format(id="ok", answer="4x4", claimed=4))
    assert main(["verify", "--bank", str(bank), "--question", "ok", "--json"]) == 0
    capsys.readouterr()
    assert main(["verify", "--bank", str(bank), "--question", "nope"]) == 2
    assert "no question nope" in capsys.readouterr().err
