"""The E資格 syllabus (2024 version) and the course parts that tag every question.

Source: ../shared/syllabus.md. A syllabus tag is written "N-M 名前", e.g.
"3-4 畳み込みニューラルネットワーク"; the number must exist and the name must match it.
"""

from __future__ import annotations

import re

MAJOR_SECTIONS: dict[str, str] = {
    "1": "数学的基礎",
    "2": "機械学習",
    "3": "深層学習の基礎",
    "4": "深層学習の応用",
    "5": "開発・運用環境",
}

# The 24 中項目 of the 2024 syllabus, in syllabus order.
SECTIONS: dict[str, str] = {
    "1-1": "線形代数",
    "1-2": "確率・統計",
    "1-3": "情報理論",
    "2-1": "機械学習の基礎",
    "3-1": "順伝播型ネットワーク",
    "3-2": "深層モデルのための最適化",
    "3-3": "深層モデルのための正則化",
    "3-4": "畳み込みニューラルネットワーク",
    "3-5": "リカレントニューラルネットワーク",
    "3-6": "Transformer",
    "3-7": "汎化性能向上のためのテクニック",
    "4-1": "画像認識",
    "4-2": "物体検出",
    "4-3": "セマンティックセグメンテーション",
    "4-4": "自然言語処理",
    "4-5": "音声処理",
    "4-6": "生成モデル",
    "4-7": "深層強化学習",
    "4-8": "様々な学習方法",
    "4-9": "深層学習の説明性",
    "5-1": "エッジコンピューティング",
    "5-2": "分散処理",
    "5-3": "アクセラレータ",
    "5-4": "環境構築",
}

# Sections the 2024 syllabus marks "(option)": taught in certified courses, not examined.
OPTIONAL_SECTIONS: frozenset[str] = frozenset({"1-1", "4-5"})

# The parts of the JDLA-certified course (Study-AI), in teaching order.
COURSE_PARTS: tuple[str, ...] = ("応用数学", "機械学習", "Day1", "Day2", "Day3", "Day4")


def section_label(code: str) -> str:
    """The full tag for a section number: ``"3-4"`` → ``"3-4 畳み込みニューラルネットワーク"``."""
    return f"{code} {SECTIONS[code]}"


ALL_SECTION_LABELS: tuple[str, ...] = tuple(section_label(code) for code in SECTIONS)


def section_code(tag: str) -> str:
    """The section number of a syllabus tag: ``"3-4 畳み込み…"`` → ``"3-4"``."""
    return tag.split(" ", 1)[0]


def validate_section(tag: str) -> str | None:
    """Return None when ``tag`` names a 中項目 exactly, else a sentence saying what is wrong."""
    code, _, name = tag.strip().partition(" ")
    if code not in SECTIONS:
        return f"unknown syllabus section {code!r} (expected one of 1-1 … 5-4, e.g. '3-4 {SECTIONS['3-4']}')"
    if name.strip() != SECTIONS[code]:
        return f"syllabus section {code} is named {SECTIONS[code]!r}, not {name.strip()!r}"
    return None


def validate_course(course: str) -> str | None:
    """Return None when ``course`` starts with a known course part, else a sentence why not."""
    part = course.strip().split(" ", 1)[0]
    if part not in COURSE_PARTS:
        return f"unknown course part {part!r} (expected one of {', '.join(COURSE_PARTS)})"
    return None


def course_rank(course: str) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    """Sort key that orders course tags as the course teaches them (応用数学 … Day4).

    Numbers inside the rest compare as numbers, so "Day2 Section10" follows "Day2 Section4".
    """
    part, _, rest = course.strip().partition(" ")
    rank = COURSE_PARTS.index(part) if part in COURSE_PARTS else len(COURSE_PARTS)
    pieces = tuple(
        (0, int(piece)) if piece.isdigit() else (1, piece)
        for piece in re.split(r"(\d+)", rest)
        if piece
    )
    return rank, pieces
