"""Small question files in the bank format, for tests that sync a real bank."""

from __future__ import annotations

from pathlib import Path

FRONT_MATTER = "---\ncourse: Day2 Section4\nsyllabus: 3-4 畳み込みニューラルネットワーク\nsource: test\n---\n\n"


def question_md(qid: str, *, title: str = "出力サイズ", answer: str = "7", body: str = "") -> str:
    """One numeric question; ``body`` (or ``answer``) changes its content hash."""
    return (
        f"## {title}\n\n- id: {qid}\n- kind: numeric\n\n"
        f"{body or '6×6 の入力に 2×2 のフィルタ、パディング 1 で出力の高さは？'}\n\n"
        f"### 答え\n\n{answer}\n\n### 解説\n\n(6 + 2 - 2) / 1 + 1 = 7\n\n"
        "### デモ\n\n- demo: `conv-output-size H=6 W=6 FH=2 FW=2 pad=1 stride=1`\n"
        "- claim: `out_h == 7`\n"
    )


def write_file(root: Path, name: str, *questions: str) -> Path:
    """Write a bank file of ``questions`` (Markdown) under ``root``; returns its path."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FRONT_MATTER + "\n".join(questions), encoding="utf-8")
    return path


def write_bank(root: Path, files: dict[str, list[str]]) -> Path:
    """Write ``{file name: [question ids]}`` as a bank of default questions; returns root."""
    for name, ids in files.items():
        write_file(root, name, *(question_md(qid) for qid in ids))
    return root
