"""Questions as plain text: Markdown markup stripped, math shown as Unicode.

Used where text is searched, compared or printed without a Markdown renderer — the "text"
field of ``studyapp bank list --json``, for instance. This renders with full inline parsing,
so it stays off the bank-sync path.
"""

from __future__ import annotations

import unicodedata

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from content.mathtext import latex_to_unicode
from content.model import Choice, Kind, Question

# Same inline-math rule as content.mathtext.to_unicode: "$5 and $10" is not math.
_MARKDOWN = (
    MarkdownIt("commonmark")
    .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    .enable("table")
)
_MATH = {"math_inline", "math_inline_double", "math_block", "math_block_label"}
_SOFT_BREAK = "\0"  # resolved once both neighbours are known; never in rendered text


def markdown_to_text(markdown: str) -> str:
    """The text a reader sees in ``markdown``, one block per line, math as Unicode."""
    lines: list[str] = []
    markers: list[str] = []  # the marker owed to the first line of each open list item
    numbers: list[int] = []  # the next number of each open ordered list (0 for bullets)
    indent = 0
    row: list[str] | None = None  # the cells of the table row being read
    for token in _MARKDOWN.parse(markdown):
        text: str | None = None
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            text, row = " | ".join(row), None
        elif token.type == "inline" and row is not None:
            row.append(_inline_text(token.children or []))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            numbers.append(int(token.attrs.get("start", 1)) if token.type[0] == "o" else 0)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
        elif token.type == "list_item_open":
            number = numbers[-1]
            markers.append(f"{number}. " if number else "- ")
            numbers[-1] = number + 1 if number else 0
            indent += 1
        elif token.type == "list_item_close":
            markers.pop()
            indent -= 1
        elif token.type == "inline":
            text = _inline_text(token.children or [])
        elif token.type in ("fence", "code_block"):
            text = token.content.rstrip("\n")
        elif token.type in _MATH:
            text = latex_to_unicode(token.content)
        if text is None:
            continue
        prefix = "  " * max(indent - 1, 0)
        if markers and markers[-1]:
            prefix, markers[-1] = prefix + markers[-1], ""
        elif indent:
            prefix += "  "
        lines.extend(prefix + line for line in text.split("\n"))
    return "\n".join(lines)


def _inline_text(children: list[Token]) -> str:
    pieces: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            pieces.append(child.content)
        elif child.type in _MATH:
            pieces.append(latex_to_unicode(child.content))
        elif child.type == "image":
            pieces.append(child.content)  # the alt text
        elif child.type == "softbreak":
            pieces.append(_SOFT_BREAK)
        elif child.type == "hardbreak":
            pieces.append("\n")
    return _join_soft_breaks("".join(pieces))


def _join_soft_breaks(text: str) -> str:
    """A line break inside a paragraph is a space in English and nothing between CJK text."""
    parts = text.split(_SOFT_BREAK)
    joined = parts[0]
    for part in parts[1:]:
        wide = joined and part and _is_wide(joined[-1]) and _is_wide(part[0])
        joined += part if wide else " " + part
    return joined


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _choice_text(question: Question, choice: Choice) -> str:
    return choice.text if question.kind is Kind.CODE else markdown_to_text(choice.text)


def question_text(question: Question) -> str:
    """Body, options, answer and explanation of a question as plain text."""
    parts = [markdown_to_text(question.body)]
    if question.choices:
        parts.append(
            "\n".join(
                f"{choice.key}. {_choice_text(question, choice)}" for choice in question.choices
            )
        )
    answer = markdown_to_text(question.answer)
    parts.append(f"答え: {answer} {question.unit}".rstrip())
    parts.append(f"解説: {markdown_to_text(question.explanation)}")
    return "\n\n".join(part for part in parts if part)
