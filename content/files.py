"""The files of a bank and the bank-wide id check: what sync needs without parsing.

Listing the question files and checking ids across them needs no Markdown parser, so an
unchanged bank syncs without importing one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from content import BUNDLED_BANK_DIR
from content.model import Problem

# How files of the bundled bank are named in problems and in the database, wherever the
# package is installed: the path inside the repository.
BUNDLED_BANK_DISPLAY = "content/bank"


def bank_files(dirs: Sequence[Path]) -> list[tuple[Path, str]]:
    """The question files under ``dirs``, in a stable order, with their display names.

    Every ``*.md`` file counts except README.md and anything whose name, or the name of a
    folder on the way, starts with "_" or "." (drafts, notes, hidden folders). A file given
    directly counts as it is. The display name is the directory as given joined with the
    path inside it; the bundled bank is always shown as ``content/bank/…``.
    Raises FileNotFoundError for a directory that does not exist: an empty bank would
    otherwise retire every question.
    """
    files: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for root in map(Path, dirs):
        if root.is_file():
            found = [(root, root.as_posix())]
        elif root.is_dir():
            found = _directory_files(root)
        else:
            raise FileNotFoundError(f"bank directory {root} does not exist")
        for path, display in found:
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append((path, display))
    return files


def _is_question_file(name: str) -> bool:
    return name.endswith(".md") and name.lower() != "readme.md" and name[0] not in "_."


def _directory_files(root: Path) -> list[tuple[Path, str]]:
    prefix = BUNDLED_BANK_DISPLAY if root.resolve() == BUNDLED_BANK_DIR else root.as_posix()
    relative: list[Path] = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if name[0] not in "_."]
        base = Path(directory).relative_to(root)
        relative.extend(base / name for name in names if _is_question_file(name))
    relative.sort(key=lambda path: path.parts)
    return [(root / path, f"{prefix}/{path.as_posix()}") for path in relative]


def duplicate_id_problems(
    places: Sequence[tuple[str, str, int]],
) -> tuple[list[Problem], set[str]]:
    """A problem at every place of an id that is used more than once, and those ids.

    ``places`` are ``(id, file, line)``, as in :attr:`FileResult.id_places`; every copy of
    a duplicated id is left out of the bank.
    """
    by_id: dict[str, list[tuple[str, int]]] = {}
    for question_id, file, line in places:
        by_id.setdefault(question_id, []).append((file, line))
    problems = []
    duplicated = {question_id for question_id, where in by_id.items() if len(where) > 1}
    for question_id in duplicated:
        where = by_id[question_id]
        for file, line in where:
            others = ", ".join(f"{f}:{n}" for f, n in where if (f, n) != (file, line))
            problems.append(Problem(file, line, f"duplicate id '{question_id}' (also at {others})"))
    return problems, duplicated
