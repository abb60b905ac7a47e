"""docs/bank-format.md: every Markdown example in it is a valid question file.

The examples are the documentation authors copy from, so they must parse without a problem;
together they show every kind.
"""

from __future__ import annotations

import re
from pathlib import Path

from content.model import Kind
from content.parser import parse_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "bank-format.md"
EXAMPLE = re.compile(r"^(`{3,})markdown\n(.*?)\n\1$", re.MULTILINE | re.DOTALL)


def examples() -> list[str]:
    return [match[2] + "\n" for match in EXAMPLE.finditer(DOC.read_text(encoding="utf-8"))]


def test_every_markdown_example_in_the_format_doc_parses_cleanly():
    assert len(examples()) >= 7
    for number, example in enumerate(examples()):
        questions, problems = parse_text(example, f"example-{number}.md")
        assert [str(p) for p in problems] == []
        assert len(questions) == 1


def test_the_format_doc_shows_every_kind():
    kinds = {parse_text(example, "example.md")[0][0].kind for example in examples()}
    assert kinds == set(Kind)


def test_the_readme_links_the_format_doc():
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "(docs/bank-format.md)" in readme
