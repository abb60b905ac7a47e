"""Line wrapping that knows Japanese: a line may break between any two wide characters.

Textual wraps text with Rich's ``divide_line``, which breaks only at spaces. Japanese has
none, so a whole sentence is one "word": it jumps to the next line and leaves the line
before half empty ("• D" alone, then the sentence). :func:`divide_line` has the same
signature and breaks where Japanese typesetting allows (JIS X 4051 in its simplest form):
between wide characters, but never before closing punctuation (、。）」…) or small kana, nor
after an opening bracket. :func:`install` makes Textual's ``Content`` use it; Textual is
pinned (pyproject), and tests/tui/test_wrapping.py checks the seam still exists.
"""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len, chop_cells

# Characters a line must not start with, and ones it must not end with (kinsoku shori).
NO_LINE_START = frozenset(
    "、。，．・：；？！ー―）」』】〕〉》］｝”’ゝゞヽヾ々"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    ",.!?:;)]}%"
)
NO_LINE_END = frozenset("（「『【〔〈《［｛“‘([{")


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def break_positions(text: str) -> list[int]:
    """Indices where a line may start: after spaces, and around wide characters."""
    positions = []
    for index in range(1, len(text)):
        before, char = text[index - 1], text[index]
        if char.isspace():
            continue
        around_wide = (
            (_is_wide(before) or _is_wide(char))
            and char not in NO_LINE_START
            and before not in NO_LINE_END
        )
        if before.isspace() or around_wide:
            positions.append(index)
    return positions


def _words(text: str):
    """(start, word) pieces between break positions; a word keeps its trailing spaces."""
    starts = [0, *break_positions(text)]
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        yield start, text[start:end]


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Offsets at which to split ``text`` so that each line fits in ``width`` cells.

    The same greedy algorithm as Rich's ``divide_line``, over Japanese-aware words.
    """
    breaks: list[int] = []
    offset = 0  # cells used on the current line
    for start, word in _words(text):
        word_width = cell_len(word.rstrip())
        if width - offset >= word_width:
            offset += cell_len(word)
        elif word_width > width:  # longer than a whole line: fold it, or crop it
            if fold:
                pieces = chop_cells(word, width=width)
                for piece in pieces[:-1]:
                    if start:
                        breaks.append(start)
                    start += len(piece)
                if start:
                    breaks.append(start)
                offset = cell_len(pieces[-1])
            else:
                if start:
                    breaks.append(start)
                offset = cell_len(word)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(word)
    return breaks


def install() -> None:
    """Make Textual's Content wrap with :func:`divide_line`."""
    import textual.content

    textual.content.divide_line = divide_line
