"""Bank sync budget: full sync of 1,000 questions ≤ 1 s, an unchanged bank ≤ 100 ms.

Generates a realistic bank in a temporary directory (1,000 questions of every kind, about
25 lines each, over 20 files with front matter), syncs it into an empty SQLite database,
then measures:

- ``full_sync_s``: the first sync (parse everything, insert everything, one transaction);
- ``unchanged_sync_s``: the median of repeated syncs of the unchanged bank, which must
  write nothing (``unchanged_writes`` counts INSERT/UPDATE/DELETE statements: 0);
- ``one_file_changed_s``: a sync after one question of one file was edited;
- ``parse_only_s``: parsing the whole bank with the parser alone (``load_bank``), for
  telling the parser's share of a full sync from the store's.

Prints one JSON line.

    python benchmarks/sync.py [--questions 1000] [--files 20] [--repeats 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from content.parser import load_bank
from content.syllabus import ALL_SECTION_LABELS, COURSE_PARTS
from data.db import open_database
from data.sync import sync_bank

KINDS = ("choice", "multi", "numeric", "shape", "code", "text")


def question_markdown(number: int, kind: str, revision: int = 0) -> str:
    """One question of ``kind`` in the bank format, about 25 lines long."""
    qid = f"bench-{kind}-{number:04d}"
    lines = [
        f"## 確認テスト {number}: 畳み込み層の出力サイズ（{kind}）",
        "",
        f"- id: {qid}",
        f"- kind: {kind}",
        "",
        "入力サイズが 6×6、フィルタサイズが 2×2 の畳み込み演算を考える。",
        f"ストライドを 1、パディングを 1 としたときの出力の大きさについて答えよ（版 {revision}）。",
        "",
        "出力の高さは $OH = \\frac{H + 2P - FH}{S} + 1$ で求められる。",
        "",
    ]
    if kind in ("choice", "multi"):
        lines += ["- [ ] 5×5", "- [ ] 6×6", "- [x] 7×7", "- [ ] 8×8", ""]
    elif kind == "code":
        lines += [
            "```python",
            "import numpy as np",
            "x = np.zeros((6, 6))",
            "out = ____",
            "```",
            "",
            "- [x] `np.pad(x, 1).shape`",
            "- [ ] `x.shape`",
            "",
        ]
    else:
        answer = {"numeric": "7", "shape": "7x7", "text": "出力は 7×7 になる。"}[kind]
        lines += ["### 答え", "", answer, ""]
    lines += [
        "### 解説",
        "",
        "パディング 1 で入力は 8×8 になり、2×2 のフィルタをストライド 1 で動かすと",
        "縦横それぞれ 8 − 2 + 1 = 7 か所に置ける。したがって出力は 7×7 である。",
        "",
        "### デモ",
        "",
        "- demo: `conv-output-size H=6 W=6 FH=2 FW=2 pad=1 stride=1`",
        "- claim: `out_h == 7`",
        "- claim: `out_w == 7`",
        "",
    ]
    return "\n".join(lines)


def write_bank(root: Path, questions: int, files: int) -> list[Path]:
    """Write the bank under ``root``; returns its files."""
    paths = []
    per_file = -(-questions // files)
    for index in range(files):
        part = COURSE_PARTS[index % len(COURSE_PARTS)]
        section = ALL_SECTION_LABELS[index % len(ALL_SECTION_LABELS)]
        header = f"---\ncourse: {part} Section{index + 1}\nsyllabus: {section}\nsource: benchmark\n---\n\n# Topic {index}\n\n"
        numbers = range(index * per_file, min(questions, (index + 1) * per_file))
        body = "\n".join(question_markdown(n, KINDS[n % len(KINDS)]) for n in numbers)
        path = root / part / f"topic-{index:02d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + body, encoding="utf-8")
        paths.append(path)
    return paths


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        bank = root / "bank"
        paths = write_bank(bank, args.questions, args.files)
        database = open_database(str(root / "studyapp.db"))
        writes = []

        @event.listens_for(database.engine, "before_cursor_execute")
        def count_writes(connection, cursor, statement, *rest):
            if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
                writes.append(statement)

        full_s, full = timed(lambda: sync_bank(database, [bank]))
        writes.clear()
        unchanged = [timed(lambda: sync_bank(database, [bank]))[0] for _ in range(args.repeats)]
        unchanged_writes = len(writes)

        edited = paths[0].read_text(encoding="utf-8").replace("（版 0）", "（版 1）", 1)
        paths[0].write_text(edited, encoding="utf-8")
        one_file_s, one_file = timed(lambda: sync_bank(database, [bank]))
        database.close()
        parse_s = statistics.median(timed(lambda: load_bank([bank]))[0] for _ in range(3))

    print(
        json.dumps(
            {
                "questions": len(full.added),
                "files": full.files,
                "problems": len(full.problems),
                "full_sync_s": round(full_s, 4),
                "unchanged_sync_s": round(statistics.median(unchanged), 4),
                "unchanged_writes": unchanged_writes,
                "one_file_changed_s": round(one_file_s, 4),
                "parse_only_s": round(parse_s, 4),
                "one_file_changed": {
                    "updated": len(one_file.updated),
                    "files_parsed": one_file.files_parsed,
                },
                "budget_full_s": 1.0,
                "budget_unchanged_s": 0.1,
            }
        )
    )


if __name__ == "__main__":
    main()
