"""Property tests: no input, however broken, makes the bank readers raise.

Arbitrary text rarely looks like a question, so besides plain random text the strategies
shuffle, cut and mutate lines of valid questions to reach the deeper parts of the parser.
"""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.claims import ClaimSyntaxError, evaluate_claim, parse_claim
from content.mathtext import latex_to_unicode, to_unicode
from content.parser import parse_file, parse_text
from content.plaintext import markdown_to_text
from tests.content.bank_text import ALL_KINDS

QUESTION_LINES = sorted({line for text in ALL_KINDS.values() for line in text.split("\n")})
MARKUP = ["---", "## ", "### ", "- ", "- [ ] ", "- [x] ", "```", "```python", "    ____", "`",
          "$", "$$", "\\frac{", "}", "- claim: `", "- demo: `", "[", "]", "<!--", "-->", "> ",
          "± ", "≈", "==", "\t", "\r", "\x00", "\ufeff", "____"]  # fmt: skip

question_like = st.lists(
    st.one_of(
        st.sampled_from(QUESTION_LINES),
        st.builds(lambda a, b: a + b, st.sampled_from(MARKUP), st.text(max_size=12)),
        st.text(max_size=20),
    ),
    max_size=60,
).map("\n".join)
mutated_question = st.builds(
    lambda text, start, length, insert: text[:start] + insert + text[start + length :],
    st.sampled_from(list(ALL_KINDS.values())),
    st.integers(0, 900),
    st.integers(0, 40),
    st.text(max_size=10),
)
RELAXED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def no_internal_error(problems) -> bool:
    return not any(problem.message.startswith("internal error") for problem in problems)


@RELAXED
@given(st.one_of(st.text(), question_like, mutated_question))
def test_parse_text_never_raises_and_never_hits_an_internal_error(text):
    questions, problems = parse_text(text, "fuzz.md")
    assert no_internal_error(problems), problems
    for problem in problems:
        assert problem.file == "fuzz.md"
        assert problem.line >= 1
    for question in questions:
        assert question.file == "fuzz.md"
        assert len(question.content_hash) == 64


@RELAXED
@given(
    st.one_of(st.binary(), question_like.map(lambda text: text.encode("utf-8", "surrogatepass")))
)
def test_parse_file_never_raises_on_arbitrary_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "q.md"
    path.write_bytes(data)
    _, problems = parse_file(path, "q.md")
    assert no_internal_error(problems), problems


LATEX_PIECES = [
    *MARKUP,
    "\\alpha",
    "^",
    "_",
    "{",
    "\\sqrt[",
    "\\left",
    "\\begin{pmatrix}",
    "&",
    "\\\\",
]


@RELAXED
@given(st.one_of(st.text(), st.lists(st.sampled_from(LATEX_PIECES), max_size=40).map("".join)))
def test_math_conversion_never_raises(text):
    assert isinstance(latex_to_unicode(text), str)
    assert isinstance(to_unicode(text), str)
    assert isinstance(markdown_to_text(text), str)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=12,
)


CLAIMS = ["x == 1", "x ≈ 0.5 ± 0.1", "x ≈ [1, 2] ± 1%", "x[0] < 3", "x[-1][2] >= 0",
          'x in [1, "a", null]', "x != [1]", "y == true"]  # fmt: skip


@RELAXED
@given(st.sampled_from(CLAIMS), json_values)
def test_evaluating_a_claim_never_raises(claim_text, value):
    outcome = evaluate_claim(parse_claim(claim_text), {"x": value})
    assert isinstance(outcome.passed, bool)
    json.dumps(outcome.message)


@RELAXED
@given(st.text(max_size=60))
def test_parsing_a_claim_raises_only_claim_syntax_errors(text):
    with contextlib.suppress(ClaimSyntaxError):
        parse_claim(text)
