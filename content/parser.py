"""The bank parser: Markdown question files in, :mod:`content.model` dataclasses out.

The format is documented in docs/bank-format.md. In short: every level-2 heading starts a
question; a bullet list of ``name: value`` fields follows; then the question text (ending
with a task list of options for choice-like kinds); then level-3 sections 答え, 解説 and デモ.

Speed matters (a 1,000-question bank must sync in well under a second), so the Markdown is
parsed at block level only — no inline rules — and every text the user interfaces render
(body, answer, explanation) is a verbatim slice of the source lines, found through the
line map markdown-it keeps on each block.

Nothing here raises on bad input: every problem becomes a :class:`~content.model.Problem`
naming file and line, a question with a problem is left out, and the others still parse.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from content.claims import ClaimSyntaxError, parse_claim
from content.demo_line import SLUG, DemoLineError, parse_demo_line
from content.files import bank_files, duplicate_id_problems
from content.model import Bank, Choice, Claim, DemoLink, Kind, Problem, Question
from content.syllabus import validate_course, validate_section

FIELDS = ("id", "kind", "syllabus", "course", "source", "tolerance", "unit")
FRONT_MATTER_FIELDS = ("course", "syllabus", "source")
REPEATABLE_FIELDS = frozenset({"syllabus"})
NUMERIC_ONLY_FIELDS = ("tolerance", "unit")

# Section headings (level 3), Japanese or English, and the part of a question each holds.
SECTIONS = {
    "答え": "answer",
    "answer": "answer",
    "解説": "explanation",
    "explanation": "explanation",
    "デモ": "demo",
    "demo": "demo",
}
SECTION_HEADINGS = {"answer": "### 答え", "explanation": "### 解説", "demo": "### デモ"}
DEMO_ITEMS = ("demo", "claim")
OPTION_KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# What the content hash covers: every field a learner sees or a demo uses.
HASHED_FIELDS = (
    "title",
    "kind",
    "body",
    "choices",
    "answer",
    "explanation",
    "syllabus",
    "course",
    "source",
    "demo",
    "tolerance",
    "unit",
    "snippet",
)
PLACEHOLDER = "____"
_PLACEHOLDER = re.compile(rf"(?<!_){PLACEHOLDER}(?!_)")
_FIELD = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*)", re.DOTALL)
_TASK = re.compile(r"\[([ xX])\](?:[ \t]+(.*)|$)", re.DOTALL)
# One inline code span: the backtick run that opens it does not occur inside it.
_CODE_SPAN = re.compile(r"(?P<ticks>`+)(?P<code>(?:(?!(?P=ticks)).)+)(?P=ticks)", re.DOTALL)
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SHAPE_SEPARATOR = re.compile(r"\s*[x×X*,]\s*")
_ANSWER_KEYS = re.compile(r"[A-Z](?:\s*[,、]\s*[A-Z])*")

# Block rules only: inline parsing costs about as much again and nothing here needs it.
# Tables and link reference definitions are left out too (the table rule alone is a large
# share of the block-parsing time): read as paragraphs they still end up verbatim in the
# slices, and neither can hold a heading or a list, so the question structure is the same.
_MARKDOWN = (
    MarkdownIt("zero")
    .use(front_matter_plugin)
    .enable(["code", "fence", "blockquote", "hr", "list", "html_block", "heading", "lheading"])
)
_MARKDOWN.core.ruler.disable(["inline", "text_join"])


# --- the public API -----------------------------------------------------------------------


def parse_text(text: str, file: str) -> tuple[list[Question], list[Problem]]:
    """Parse one question file's text. ``file`` names it in problems and in each question."""
    return _checked_alone(_parse(text, file))


def parse_file(path: Path, display: str) -> tuple[list[Question], list[Problem]]:
    """Parse one question file; unreadable, binary and non-UTF-8 files become problems."""
    return _checked_alone(read_file(path, display))


def load_bank(dirs: Sequence[Path], trusted: bool = False) -> Bank:
    """Every question and every problem of the bank in ``dirs``, ids checked across files."""
    files = bank_files(dirs)
    results = [read_file(path, display) for path, display in files]
    places = [place for result in results for place in result.id_places]
    duplicate_problems, duplicated = duplicate_id_problems(places)
    order = {display: position for position, (_, display) in enumerate(files)}
    problems = sorted(
        [*(p for result in results for p in result.problems), *duplicate_problems],
        key=lambda p: (order.get(p.file, len(order)), p.line),
    )
    questions = [q for result in results for q in result.questions if q.id not in duplicated]
    return Bank(
        questions=questions,
        problems=problems,
        roots=[Path(d) for d in dirs],
        trusted=trusted,
        files=[display for _, display in files],
    )


def fill_placeholder(snippet: str, code: str) -> str:
    """A code question's snippet with its ``____`` placeholder replaced by ``code``."""
    return _PLACEHOLDER.sub(lambda _: code, snippet, count=1)


def content_hash(question: Question) -> str:
    """sha256 over the question's content: any edit changes it; id, file and line do not."""
    return _hash_content({name: getattr(question, name) for name in HASHED_FIELDS})


# --- files --------------------------------------------------------------------------------


@dataclass
class FileResult:
    """What one file yields: its good questions, its problems, and where each id stands.

    ``id_places`` lists every well-formed id, also of questions left out for other
    problems, so a duplicate is found even when one copy is broken.
    """

    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    id_places: list[tuple[str, str, int]] = field(default_factory=list)


def read_file(path: Path, display: str) -> FileResult:
    """One file's questions, problems and id places, before the bank-wide duplicate check.

    For callers that combine files themselves (the store syncs changed files only) and then
    apply :func:`duplicate_id_problems` over all of them, exactly as :func:`load_bank` does.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        return FileResult(problems=[Problem(display, 1, f"cannot read the file: {error.strerror}")])
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        return FileResult(problems=[Problem(display, line, "binary file, not Markdown text")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"invalid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        return FileResult(problems=[Problem(display, line, message)])
    return _parse(text, display)


def _checked_alone(result: FileResult) -> tuple[list[Question], list[Problem]]:
    """One file's questions and problems, its ids checked against each other."""
    problems, duplicated = duplicate_id_problems(result.id_places)
    questions = [q for q in result.questions if q.id not in duplicated]
    return questions, sorted([*result.problems, *problems], key=lambda p: p.line)


# --- blocks -------------------------------------------------------------------------------


class _Block:
    """One top-level Markdown block: its tokens, and its source lines (0-based, end excl.).

    ``type`` is the token type without "_open" (heading, bullet_list, fence, …);
    ``heading_level`` is 1–6 for a heading and 0 for any other block.
    """

    def __init__(self, tokens: list[Token], start: int, end: int):
        self.tokens = tokens
        self.start = start
        self.end = end
        self.type = tokens[0].type.removesuffix("_open")
        self.heading_level = int(tokens[0].tag[1]) if self.type == "heading" else 0

    @property
    def heading_text(self) -> str:
        return self.tokens[1].content.strip()

    @cached_property
    def items(self) -> list[_Item]:
        """The items of a list block, each reduced to its text when it is one paragraph.

        An item's own tokens are one level deeper than the list's: a one-paragraph item is
        exactly list_item_open, paragraph_open, inline, paragraph_close, list_item_close.
        """
        items: list[_Item] = []
        tokens = self.tokens
        for position, token in enumerate(tokens):
            if token.level != 1 or token.nesting != 1:
                continue
            following = tokens[position + 1].type
            if following == "list_item_close":
                text: str | None = ""
            elif following == "paragraph_open" and tokens[position + 4].type == "list_item_close":
                text = tokens[position + 2].content
            else:
                text = None
            items.append(_Item(token.map[0] + 1, text))
        return items


@dataclass
class _Item:
    """A list item: its 1-based line and its text (None when it holds more than a paragraph)."""

    line: int
    text: str | None


def _blocks(tokens: list[Token]) -> list[_Block]:
    """Group the token stream into top-level blocks: a block ends at the first level-0 token
    that does not open something (its closer, or the block itself, like a fence)."""
    blocks = []
    first = 0
    for position, token in enumerate(tokens):
        if token.level == 0 and token.nesting != 1:
            start, end = tokens[first].map or (0, 0)
            blocks.append(_Block(tokens[first : position + 1], start, end))
            first = position + 1
    return blocks


# --- files and questions ------------------------------------------------------------------


def _parse(text: str, file: str) -> FileResult:
    result = FileResult()
    try:
        _parse_into(text, file, result)
    except Exception as error:  # a parser bug must cost one file, never the whole bank
        result = FileResult()
        result.problems.append(
            Problem(
                file, 1, f"internal error while reading this file ({error!r}); please report it"
            )
        )
    return result


def _parse_into(text: str, file: str, result: FileResult) -> None:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    blocks = _blocks(_MARKDOWN.parse(text))
    defaults: dict[str, _Default] = {}
    if blocks and blocks[0].type == "front_matter":
        defaults = _read_front_matter(blocks.pop(0), file, result.problems)
    elif lines[0].rstrip() == "---":
        result.problems.append(
            Problem(file, 1, "the front matter opened by '---' is never closed by another '---'")
        )
    questions_seen = 0
    position = 0
    while position < len(blocks):
        block = blocks[position]
        position += 1
        if block.heading_level != 2:
            continue  # a title and any text outside questions is documentation for people
        following = position
        while following < len(blocks) and blocks[following].heading_level not in (1, 2):
            following += 1
        end = blocks[following].start if following < len(blocks) else len(lines)
        reader = _QuestionReader(file, lines, block, blocks[position:following], end, defaults)
        question = reader.read()
        questions_seen += 1
        result.problems.extend(reader.problems)
        if reader.id_place:
            result.id_places.append(reader.id_place)
        if question:
            result.questions.append(question)
        position = following
    if not questions_seen:
        result.problems.append(
            Problem(
                file,
                1,
                "no questions in this file (each starts with a '## ' heading); "
                "keep notes in README.md or in a file whose name starts with '_'",
            )
        )


@dataclass
class _Default:
    """A front-matter value: the questions of the file use it unless they give their own."""

    values: tuple[str, ...]
    valid: bool


def _read_front_matter(block: _Block, file: str, problems: list[Problem]) -> dict[str, _Default]:
    defaults: dict[str, _Default] = {}
    for offset, raw in enumerate(block.tokens[0].content.split("\n")):
        line = block.start + 2 + offset
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        match = _FIELD.fullmatch(text)
        if not match:
            problems.append(Problem(file, line, f"front matter line {text!r} is not 'key: value'"))
            continue
        key, value = match[1].lower(), _unquote(match[2].strip())
        if key not in FRONT_MATTER_FIELDS:
            problems.append(
                Problem(file, line, _unknown("front matter key", key, FRONT_MATTER_FIELDS))
            )
            continue
        if key in defaults:
            problems.append(Problem(file, line, f"front matter key '{key}' is given twice"))
            continue
        values = _split_syllabus(value) if key == "syllabus" else (value,)
        errors = _field_errors(key, values)
        problems.extend(Problem(file, line, error) for error in errors)
        defaults[key] = _Default(values, valid=not errors)
    return defaults


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _split_syllabus(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(";") if part.strip())


def _field_errors(name: str, values: tuple[str, ...]) -> list[str]:
    """What is wrong with the values of a tag field (syllabus, course, source), if anything."""
    if not values or not all(values):
        return [f"field '{name}' is empty"]
    if name == "syllabus":
        return [error for error in map(validate_section, values) if error]
    if name == "course":
        error = validate_course(values[0])
        return [error] if error else []
    return []


def _closest(name: str, known: Sequence[str]) -> str | None:
    """The known name ``name`` is most likely a typo of; the earlier one on a tie."""
    scores = [difflib.SequenceMatcher(None, name, candidate).ratio() for candidate in known]
    best = max(range(len(known)), key=lambda i: (scores[i], -i))
    return known[best] if scores[best] >= 0.6 else None


def _unknown(what: str, name: str, known: Sequence[str]) -> str:
    close = _closest(name, known)
    hint = f"did you mean '{close}'? " if close else ""
    return f"unknown {what} '{name}' ({hint}known: {', '.join(known)})"


def _unwrap_code(text: str) -> str:
    """The code inside a value written as one inline code span, else the value itself."""
    match = _CODE_SPAN.fullmatch(text.strip())
    if not match:
        return text.strip()
    code = match["code"]
    # CommonMark strips one space on each side when both are present: `` `a` `` is `a`.
    if len(code) >= 2 and code[0] == code[-1] == " " and code.strip():
        code = code[1:-1]
    return code


def _slice(lines: list[str], start: int, end: int) -> tuple[str, int]:
    """Source lines [start, end) without blank lines around them, and the first line (1-based)."""
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end]), start + 1


class _QuestionReader:
    """Reads one question (a level-2 heading and the blocks up to the next level-1/2 one).

    Problems collect in ``problems``; :meth:`read` returns the question only when there are
    none, so a half-valid question never reaches the store.
    """

    def __init__(
        self,
        file: str,
        lines: list[str],
        heading: _Block,
        blocks: list[_Block],
        end: int,
        defaults: dict[str, _Default],
    ):
        self.file = file
        self.lines = lines
        self.heading = heading
        self.line = heading.start + 1
        self.blocks = blocks
        self.end = end
        self.defaults = defaults
        self.problems: list[Problem] = []
        self.id_place: tuple[str, str, int] | None = None
        self.inherits_invalid_default = False
        self.option_lines: dict[str, int] = {}
        # Fields an unknown field name looks like a typo of: their absence is not reported
        # again, the typo already says it.
        self.misspelled: set[str] = set()

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def missing(self, name: str, message: str) -> None:
        if name not in self.misspelled:
            self.problem(self.line, message)

    def read(self) -> Question | None:
        title = self.heading.heading_text
        if not title:
            self.problem(self.line, "the question heading has no title")
        if not self.blocks or self.blocks[0].type != "bullet_list":
            self.problem(
                self.line,
                "no field list: start the question with '- id: …' and '- kind: …' "
                "right after its heading",
            )
            return None
        fields = self.read_fields(self.blocks[0])
        question_id = self.read_id(fields)
        kind = self.read_kind(fields)
        syllabus = self.tag("syllabus", fields)
        course = self.tag("course", fields)
        source = self.tag("source", fields)
        tolerance = self.read_tolerance(fields, kind)
        unit = fields["unit"][0][0] if "unit" in fields else ""

        first_section = next(
            (i for i, b in enumerate(self.blocks) if b.heading_level == 3), len(self.blocks)
        )
        body_blocks = self.blocks[1:first_section]
        body_end = (
            self.blocks[first_section].start if first_section < len(self.blocks) else self.end
        )
        sections = self.read_sections(self.blocks[first_section:])
        explanation = self.required_section(sections, "explanation")
        demo = self.read_demo(sections.get("demo"))
        if kind is None:
            return None  # what the text and answer must look like depends on the kind
        choices, options_start = self.read_choices(kind, body_blocks)
        text_end = body_end if options_start is None else options_start
        body, _ = _slice(self.lines, self.blocks[0].end, text_end)
        if not body:
            self.problem(self.line, "the question has no text between its field list and sections")
        snippet = self.read_snippet(body_blocks, choices) if kind is Kind.CODE else ""
        answer = self.read_answer(kind, sections, choices)

        if self.problems or self.inherits_invalid_default or question_id is None or demo is None:
            return None
        content = {
            "title": title,
            "kind": kind,
            "body": body,
            "choices": choices,
            "answer": answer,
            "explanation": explanation,
            "syllabus": syllabus,
            "course": course[0],
            "source": source[0],
            "demo": demo,
            "tolerance": tolerance,
            "unit": unit,
            "snippet": snippet,
        }
        return Question(
            id=question_id,
            file=self.file,
            line=self.line,
            content_hash=_hash_content(content),
            **content,
        )

    # fields

    def read_fields(self, block: _Block) -> dict[str, list[tuple[str, int]]]:
        """``name → [(value, line), …]``; problems for malformed, unknown and repeated fields."""
        fields: dict[str, list[tuple[str, int]]] = {}
        for item in block.items:
            match = _FIELD.fullmatch(item.text.strip()) if item.text else None
            if not match:
                shown = (item.text or "").strip().split("\n")[0]
                self.problem(
                    item.line,
                    f"field list item {shown!r} is not 'name: value' (to start the question "
                    "text with a list, put a paragraph before it)",
                )
                continue
            name, value = match[1].lower(), match[2].strip()
            if "\n" in value:
                self.problem(
                    item.line,
                    f"field '{name}' runs onto the next line; leave a blank line between "
                    "the field list and the question text",
                )
                value = value.split("\n", 1)[0]
            if name not in FIELDS:
                self.problem(item.line, _unknown("field", name, FIELDS))
                self.misspelled.add(_closest(name, FIELDS) or "")
                continue
            if name in fields and name not in REPEATABLE_FIELDS:
                self.problem(item.line, f"field '{name}' is given twice")
                continue
            fields.setdefault(name, []).append((_unwrap_code(value), item.line))
        return fields

    def read_id(self, fields: dict[str, list[tuple[str, int]]]) -> str | None:
        if "id" not in fields:
            self.missing("id", "missing field 'id' (a slug such as conv-output-6x6)")
            return None
        question_id, line = fields["id"][0]
        if not SLUG.fullmatch(question_id):
            self.problem(
                line,
                f"id '{question_id}' is not a slug: use lowercase letters, digits and single "
                "hyphens, e.g. conv-output-6x6",
            )
            return None
        self.id_place = (question_id, self.file, line)
        return question_id

    def read_kind(self, fields: dict[str, list[tuple[str, int]]]) -> Kind | None:
        if "kind" not in fields:
            self.missing("kind", f"missing field 'kind' ({', '.join(Kind)})")
            return None
        value, line = fields["kind"][0]
        try:
            return Kind(value)
        except ValueError:
            self.problem(line, _unknown("kind", value, list(Kind)))
            return None

    def tag(self, name: str, fields: dict[str, list[tuple[str, int]]]) -> tuple[str, ...]:
        """A syllabus, course or source tag: the question's own, else the front matter's."""
        if name in fields:
            values: list[str] = []
            for value, line in fields[name]:
                split = _split_syllabus(value) if name == "syllabus" else (value,)
                for error in _field_errors(name, split):
                    self.problem(line, error)
                values.extend(split)
            return tuple(dict.fromkeys(values))  # a section tagged twice counts once
        if name in self.defaults:
            default = self.defaults[name]
            self.inherits_invalid_default |= (
                not default.valid
            )  # already reported at its front-matter line
            return default.values
        self.missing(name, f"missing field '{name}' (give it here or in the front matter)")
        return ()

    def read_tolerance(
        self, fields: dict[str, list[tuple[str, int]]], kind: Kind | None
    ) -> float | None:
        for name in NUMERIC_ONLY_FIELDS:
            if name in fields and kind not in (Kind.NUMERIC, None):
                self.problem(
                    fields[name][0][1], f"field '{name}' applies to numeric questions only"
                )
        if "tolerance" not in fields:
            return None
        value, line = fields["tolerance"][0]
        tolerance = float(value) if _NUMBER.fullmatch(value) else math.nan
        if not (math.isfinite(tolerance) and tolerance >= 0):
            self.problem(line, f"tolerance '{value}' is not a number ≥ 0 (it is absolute: 0.01)")
            return None
        return tolerance

    # question text

    def read_choices(
        self, kind: Kind, body_blocks: list[_Block]
    ) -> tuple[tuple[Choice, ...], int | None]:
        """The options of the task list that ends the question text, and its first line."""
        last = body_blocks[-1] if body_blocks else None
        options = None
        if kind.is_choice_like and last and last.type == "bullet_list" and _has_task(last):
            options = last
        misplaced = [
            block
            for block in body_blocks
            if block is not options and block.type == "bullet_list" and _is_task_list(block)
        ]
        for block in misplaced:
            self.problem(
                block.start + 1,
                "the options must end the question text"
                if kind.is_choice_like
                else f"a {kind} question has no options; remove the '- [ ]' list or change the kind",
            )
        if not kind.is_choice_like:
            return (), None
        if options is None:
            if not misplaced:
                self.problem(
                    self.line, f"a {kind} question needs options: '- [ ] …' / '- [x] …' lines"
                )
            return (), None
        items = options.items
        if len(items) > len(OPTION_KEYS):
            self.problem(options.start + 1, f"a question has at most {len(OPTION_KEYS)} options")
            return (), None
        choices: list[Choice] = []
        seen: dict[str, int] = {}
        for key, item in zip(OPTION_KEYS, items, strict=False):
            task = _task(item)
            if task is None:
                self.problem(item.line, "an option must start with '[ ]' or '[x]'")
                continue
            correct, text = task
            if not text:
                self.problem(item.line, f"option {key} is empty")
            elif kind is Kind.CODE and not _CODE_SPAN.fullmatch(text):
                self.problem(
                    item.line,
                    f"option {key} of a code question must be one inline code span, "
                    "e.g. - [x] `e = np.exp(x)`",
                )
            normalised = " ".join(text.split())
            if normalised and normalised in seen:
                self.problem(
                    item.line, f"option {key} repeats the option on line {seen[normalised]}"
                )
            seen.setdefault(normalised, item.line)
            code = _unwrap_code(text) if kind is Kind.CODE else text
            choices.append(Choice(key=key, text=code, correct=correct))
            self.option_lines[key] = item.line
        correct_count = sum(choice.correct for choice in choices)
        if kind is Kind.MULTI and correct_count == 0:
            self.problem(options.start + 1, "a multi question needs at least one option marked [x]")
        elif kind is not Kind.MULTI and correct_count != 1:
            self.problem(
                options.start + 1,
                f"a {kind} question needs exactly one option marked [x], found {correct_count}",
            )
        return tuple(choices), options.start

    def read_snippet(self, body_blocks: list[_Block], choices: tuple[Choice, ...]) -> str:
        fences = [
            b for b in body_blocks
            if b.type == "fence" and b.tokens[0].info.strip().split(" ")[0] in ("python", "py")
        ]  # fmt: skip
        with_placeholder = [b for b in fences if _PLACEHOLDER.search(b.tokens[0].content)]
        if len(with_placeholder) != 1:
            where = "none" if not with_placeholder else f"{len(with_placeholder)}"
            self.problem(
                self.line,
                "a code question needs exactly one ```python snippet with a '____' placeholder "
                f"line for the options to fill (found {where})",
            )
            return ""
        fence = with_placeholder[0]
        snippet = fence.tokens[0].content
        if len(_PLACEHOLDER.findall(snippet)) > 1:
            self.problem(fence.start + 1, "the snippet has more than one '____' placeholder")
            return snippet
        for choice in choices:
            program = fill_placeholder(snippet, choice.text)
            try:
                # Syntax only (an AST, no bytecode): several times cheaper, nothing runs.
                compile(program, f"option {choice.key}", "exec", flags=ast.PyCF_ONLY_AST)
            except (SyntaxError, ValueError, RecursionError) as error:
                detail = getattr(error, "msg", None) or str(error)
                self.problem(
                    self.option_lines[choice.key],
                    f"option {choice.key} does not compile in the snippet: {detail}",
                )
        return snippet

    # sections

    def read_sections(self, blocks: list[_Block]) -> dict[str, _Section]:
        sections: dict[str, _Section] = {}
        headings = [i for i, block in enumerate(blocks) if block.heading_level == 3]
        for number, index in enumerate(headings):
            heading = blocks[index]
            following = headings[number + 1] if number + 1 < len(headings) else len(blocks)
            end = blocks[following].start if following < len(blocks) else self.end
            title = heading.heading_text
            name = SECTIONS.get(title.lower() if title.isascii() else title)
            if name is None:
                self.problem(
                    heading.start + 1,
                    f"unknown section '### {title}' (sections: 答え or Answer, "
                    "解説 or Explanation, デモ or Demo)",
                )
            elif name in sections:
                self.problem(heading.start + 1, f"section {SECTION_HEADINGS[name]} appears twice")
            else:
                text, line = _slice(self.lines, heading.end, end)
                sections[name] = _Section(
                    heading.start + 1, text, line, blocks[index + 1 : following]
                )
        return sections

    def required_section(self, sections: dict[str, _Section], name: str) -> str:
        section = sections.get(name)
        if section is None:
            self.problem(self.line, f"missing section {SECTION_HEADINGS[name]}")
            return ""
        if not section.text:
            self.problem(section.heading_line, f"section {SECTION_HEADINGS[name]} is empty")
        return section.text

    def read_answer(
        self, kind: Kind, sections: dict[str, _Section], choices: tuple[Choice, ...]
    ) -> str:
        if kind.is_choice_like:
            keys = [choice.key for choice in choices if choice.correct]
            if "answer" in sections:
                self.check_answer_keys(sections["answer"], keys)
            return ", ".join(keys)
        text = self.required_section(sections, "answer")
        if not text:
            return ""
        line = sections["answer"].line
        if kind is Kind.NUMERIC and not _NUMBER.fullmatch(text):
            self.problem(line, f"the answer of a numeric question must be a number, got {text!r}")
        if kind is Kind.SHAPE:
            shape = _normalise_shape(text)
            if shape is None:
                self.problem(
                    line,
                    f"the answer of a shape question must look like 7x7 or (7, 7), got {text!r}",
                )
            return shape or ""
        return text

    def check_answer_keys(self, section: _Section, keys: list[str]) -> None:
        if not section.text:
            return  # an empty 答え adds nothing to the [x] marks
        written = section.text.strip().upper()
        if not _ANSWER_KEYS.fullmatch(written):
            self.problem(
                section.line,
                f"### 答え of this question lists option keys such as 'B' or 'A, C', "
                f"got {section.text!r}",
            )
        elif sorted(set(re.findall(r"[A-Z]", written))) != keys:
            self.problem(
                section.line,
                f"### 答え says {written}, but the options marked [x] are {', '.join(keys) or 'none'}",
            )

    def read_demo(self, section: _Section | None) -> DemoLink | None:
        if section is None:
            self.problem(
                self.line, "missing section ### デモ (a '- demo: …' line and '- claim: …' lines)"
            )
            return None
        lists = [b for b in section.blocks if b.type == "bullet_list"]
        for block in section.blocks:
            if block.type != "bullet_list":
                self.problem(
                    block.start + 1, "the デモ section holds only the '- demo:' / '- claim:' list"
                )
        demo: tuple[str, dict[str, Any], int] | None = None
        claims: list[Claim] = []
        written = dict.fromkeys(DEMO_ITEMS, 0)  # lines of each name, also the malformed ones
        for item in (item for block in lists for item in block.items):
            match = _FIELD.fullmatch(item.text.strip()) if item.text else None
            name = match[1].lower() if match else ""
            if name not in DEMO_ITEMS:
                shown = (item.text or "").strip().split("\n")[0]
                self.problem(
                    item.line, f"デモ items are '- demo: `…`' or '- claim: `…`', got {shown!r}"
                )
                continue
            value = _unwrap_code(" ".join(match[2].split("\n")))
            written[name] += 1
            if name == "demo":
                if written["demo"] > 1:
                    self.problem(
                        item.line, "a question links one demo; this is a second '- demo:' line"
                    )
                    continue
                try:
                    demo_id, params = parse_demo_line(value)
                except DemoLineError as error:
                    self.problem(item.line, str(error))
                    continue
                demo = (demo_id, params, item.line)
            else:
                try:
                    claims.append(parse_claim(value, item.line))
                except ClaimSyntaxError as error:
                    self.problem(item.line, str(error))
        if not written["demo"]:
            self.problem(
                section.heading_line,
                "the デモ section needs a '- demo: `<demo-id> NAME=VALUE …`' line",
            )
        if not written["claim"]:
            self.problem(
                section.heading_line, "the デモ section needs at least one '- claim: `…`' line"
            )
        if demo is None or not claims:
            return None
        demo_id, params, line = demo
        return DemoLink(demo_id=demo_id, params=params, claims=tuple(claims), line=line)


@dataclass
class _Section:
    """A level-3 section: its heading line, its text (verbatim) and first text line, blocks."""

    heading_line: int
    text: str
    line: int
    blocks: list[_Block]


def _task(item: _Item) -> tuple[bool, str] | None:
    """``(correct, text)`` for a task-list item (``[ ] …`` / ``[x] …``), else None."""
    match = _TASK.fullmatch(item.text.strip()) if item.text is not None else None
    if not match:
        return None
    return match[1] != " ", (match[2] or "").strip()


def _is_task_list(block: _Block) -> bool:
    return all(_task(item) is not None for item in block.items)


def _has_task(block: _Block) -> bool:
    return any(_task(item) is not None for item in block.items)


def _normalise_shape(text: str) -> str | None:
    """``7x7``, ``7×7``, ``(7, 7)``, ``7 X 7`` → ``7x7``; None when it is not a shape."""
    text = text.strip()
    if text.startswith("(") != text.endswith(")"):
        return None
    text = text.strip("()").strip().rstrip(",").strip()
    parts = _SHAPE_SEPARATOR.split(text)
    if not all(part.isascii() and part.isdigit() and int(part) > 0 for part in parts):
        return None
    return "x".join(str(int(part)) for part in parts)


def _hash_content(content: dict[str, Any]) -> str:
    choices = [[choice.key, choice.text, choice.correct] for choice in content["choices"]]
    demo: DemoLink = content["demo"]
    payload = content | {
        "choices": choices,
        "syllabus": list(content["syllabus"]),
        "demo": {
            "id": demo.demo_id,
            "params": demo.params,
            "claims": [claim.text for claim in demo.claims],
        },
    }
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
