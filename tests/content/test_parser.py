"""The bank parser: what it reads from a valid question, and every problem it reports.

Each problem test breaks one thing in a valid question and expects exactly one problem,
at the exact file and line, with the question left out of the result.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from content import BUNDLED_BANK_DIR
from content.model import Kind, Problem
from content.parser import (
    bank_files,
    content_hash,
    fill_placeholder,
    load_bank,
    parse_file,
    parse_text,
)
from tests.content.bank_text import (
    ALL_KINDS,
    CHOICE,
    CODE,
    MULTI,
    NUMERIC,
    SHAPE,
    TEXT,
    line_of,
    replace_once,
)

# --- what a valid question yields ---------------------------------------------------------


def only_question(text: str):
    questions, problems = parse_text(text, "q.md")
    assert problems == []
    assert len(questions) == 1
    return questions[0]


def test_a_shape_question_yields_every_field_and_section():
    question = only_question(SHAPE)
    assert question.id == "conv-output-6x6"
    assert question.kind is Kind.SHAPE
    assert question.title == "6×6 の入力・2×2 フィルタ・パディング 1 の出力サイズ"
    assert question.body == "サイズ 6×6 の入力を 2×2 のフィルタで畳み込む。出力のサイズは？"
    assert question.answer == "7x7"
    assert question.explanation == "$OH = \\frac{6 + 2 - 2}{1} + 1 = 7$。"
    assert question.syllabus == ("3-4 畳み込みニューラルネットワーク",)
    assert question.course == "Day2 Section4"
    assert question.source == "ゼロから作るDeep Learning 7.2.3"
    assert (question.file, question.line) == ("q.md", 1)
    assert question.demo.demo_id == "conv-output-size"
    assert question.demo.params == {"H": 6, "W": 6, "FH": 2, "FW": 2, "pad": 1, "stride": 1}
    assert question.demo.line == line_of(SHAPE, "- demo:")
    assert [claim.text for claim in question.demo.claims] == ["out_h == 7", "out_w == 7"]
    assert question.demo.claims[1].line == line_of(SHAPE, "out_w == 7")
    assert len(question.content_hash) == 64


def test_choice_options_get_keys_in_order_and_the_marks_are_the_answer():
    question = only_question(CHOICE)
    assert [(c.key, c.text, c.correct) for c in question.choices] == [
        ("A", "λ を大きくすると重みが 0 に近づく", True),
        ("B", "λ を 0 にすると非線形回帰になる", False),
        ("C", "バイアス項も正則化される", False),
    ]
    assert question.answer == "A"
    assert question.correct_keys == ("A",)
    assert question.body == "リッジ回帰の特徴として正しいものを選べ。"  # options are not body


def test_a_choice_answer_section_may_repeat_the_marks():
    text = replace_once(CHOICE, "### 解説\n", "### 答え\n\na\n\n### 解説\n")
    assert only_question(text).answer == "A"


def test_a_multi_answer_lists_every_marked_key():
    assert only_question(MULTI).answer == "A, C"


def test_a_code_question_keeps_the_snippet_and_unwraps_the_options():
    question = only_question(CODE)
    assert question.snippet.startswith("import numpy as np\n")
    assert "    ____\n" in question.snippet
    assert question.choices[1].text == "e = np.exp(x - np.max(x, axis=-1, keepdims=True))"
    assert "```python" in question.body  # the body shows the snippet where it was written
    filled = fill_placeholder(question.snippet, question.choices[1].text)
    assert "    e = np.exp(x - np.max(x, axis=-1, keepdims=True))\n" in filled


def test_a_numeric_question_has_tolerance_and_unit():
    question = only_question(NUMERIC)
    assert (question.answer, question.tolerance, question.unit) == ("0.25", 0.001, "倍")
    claim = question.demo.claims[0]
    assert (claim.op, claim.expected, claim.tolerance) == ("≈", 0.25, 1e-9)


def test_english_section_names_work_like_japanese_ones():
    question = only_question(TEXT)
    assert question.answer == "すべてのユニットが同じ勾配で更新され、**対称性** が崩れない。"
    assert question.explanation == "乱数で初期化して対称性を崩す。"
    assert question.demo.params == {"init": "zero", "hidden": 8, "steps": 100}


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("7x7", "7x7"),
        ("(7, 7)", "7x7"),
        ("7×7", "7x7"),
        ("7 X 7", "7x7"),
        ("(10,)", "10"),
        ("2x3x32x32", "2x3x32x32"),
    ],
)
def test_shape_answers_are_normalised(written, normalised):
    question = only_question(replace_once(SHAPE, "\n7x7\n", f"\n{written}\n"))
    assert question.answer == normalised


def test_front_matter_gives_defaults_that_a_question_may_override():
    text = (
        "---\n"
        "course: Day2 Section4\n"
        "syllabus: 3-4 畳み込みニューラルネットワーク; 5-1 エッジコンピューティング\n"
        'source: "ゼロから作るDeep Learning 7章"\n'
        "---\n"
        "# 畳み込み\n\n"
        "人のための前書き。\n\n"
    ) + SHAPE.replace("- syllabus: 3-4 畳み込みニューラルネットワーク\n", "").replace(
        "- course: Day2 Section4\n", "- course: Day4 応用技術\n"
    ).replace("- source: ゼロから作るDeep Learning 7.2.3\n", "")
    question = only_question(text)
    assert question.syllabus == (
        "3-4 畳み込みニューラルネットワーク",
        "5-1 エッジコンピューティング",
    )
    assert question.course == "Day4 応用技術"
    assert question.source == "ゼロから作るDeep Learning 7章"
    assert question.line == line_of(text, "## 6×6")


def test_the_syllabus_field_may_repeat():
    text = replace_once(
        SHAPE,
        "- syllabus: 3-4 畳み込みニューラルネットワーク\n",
        "- syllabus: 3-4 畳み込みニューラルネットワーク\n- syllabus: 5-1 エッジコンピューティング\n",
    )
    assert only_question(text).syllabus == (
        "3-4 畳み込みニューラルネットワーク",
        "5-1 エッジコンピューティング",
    )


def test_headings_inside_code_fences_do_not_split_questions():
    text = replace_once(
        SHAPE,
        "出力のサイズは？\n",
        "出力のサイズは？\n\n```text\n## not a question\n### 答え\n```\n",
    )
    question = only_question(text)
    assert "## not a question" in question.body


def test_windows_line_endings_and_a_byte_order_mark_parse_the_same():
    question = only_question("\ufeff" + SHAPE.replace("\n", "\r\n"))
    assert question.content_hash == only_question(SHAPE).content_hash


# --- the content hash ---------------------------------------------------------------------


def test_the_public_hash_function_agrees_with_the_parsed_hash():
    for text in ALL_KINDS.values():
        question = only_question(text)
        assert content_hash(question) == question.content_hash


def test_the_hash_ignores_file_and_line():
    moved = "# 表題\n\n前書き。\n\n" + SHAPE
    first, _ = parse_text(SHAPE, "a.md")
    second, _ = parse_text(moved, "b/c.md")
    assert first[0].line != second[0].line
    assert first[0].content_hash == second[0].content_hash


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("の出力サイズ\n", "の出力の大きさ\n"),  # title
        ("出力のサイズは？", "出力の形は？"),  # body
        ("\n7x7\n", "\n8x8\n"),  # answer
        ("+ 1 = 7$", "+ 1 = 7$ です"),  # explanation
        ("Day2 Section4", "Day2 Section5"),  # course
        ("7.2.3", "7.2.4"),  # source
        ("stride=1`", "stride=1 seed=2`"),  # demo parameters
        ("`out_w == 7`", "`out_w >= 7`"),  # a claim
    ],
)
def test_the_hash_changes_with_any_content_edit(old, new):
    original = only_question(SHAPE)
    edited = only_question(replace_once(SHAPE, old, new))
    assert edited.id == original.id
    assert edited.content_hash != original.content_hash


def test_the_hash_changes_when_an_option_or_its_mark_changes():
    original = only_question(CHOICE).content_hash
    reworded = replace_once(CHOICE, "バイアス項も", "切片も")
    remarked = replace_once(
        replace_once(CHOICE, "- [x] λ を大きく", "- [ ] λ を大きく"),
        "- [ ] バイアス",
        "- [x] バイアス",
    )
    assert only_question(reworded).content_hash != original
    assert only_question(remarked).content_hash != original


# --- problems: one per broken thing, at the exact line, the question left out --------------


def single_problem(text: str, file: str = "q.md") -> Problem:
    questions, problems = parse_text(text, file)
    assert questions == [], "a question with a problem must be left out"
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# (kind of the valid template, text replaced, replacement, text on the problem line, message)
PROBLEM_CASES = [
    ("shape", "- kind: shape", "- kind: shap", "- kind: shap",
     "unknown kind 'shap' (did you mean 'shape'? known: choice, multi, numeric, shape, code, text)"),
    ("shape", "- id: conv-output-6x6", "- id: Conv_Output", "- id: Conv_Output",
     "id 'Conv_Output' is not a slug: use lowercase letters, digits and single hyphens, e.g. conv-output-6x6"),
    ("shape", "- course: Day2 Section4", "- cource: Day2 Section4", "- cource:",
     "unknown field 'cource' (did you mean 'course'? known: id, kind, syllabus, course, source, tolerance, unit)"),
    ("shape", "3-4 畳み込みニューラルネットワーク", "3-9 畳み込み", "- syllabus:",
     "unknown syllabus section '3-9' (expected one of 1-1 … 5-4, e.g. '3-4 畳み込みニューラルネットワーク')"),
    ("shape", "3-4 畳み込みニューラルネットワーク", "3-4 CNN", "- syllabus:",
     "syllabus section 3-4 is named '畳み込みニューラルネットワーク', not 'CNN'"),
    ("shape", "- course: Day2 Section4", "- course: Day5 Section1", "- course:",
     "unknown course part 'Day5' (expected one of 応用数学, 機械学習, Day1, Day2, Day3, Day4)"),
    ("shape", "- kind: shape\n", "- kind: shape\n- kind: text\n", "- kind: text",
     "field 'kind' is given twice"),
    ("shape", "- source: ゼロから作るDeep Learning 7.2.3", "- source:", "- source:",
     "field 'source' is empty"),
    ("shape", "\n7x7\n", "\n7 by 7\n", "7 by 7",
     "the answer of a shape question must look like 7x7 or (7, 7), got '7 by 7'"),
    ("shape", "\n7x7\n", "\n(7, 7\n", "(7, 7",
     "the answer of a shape question must look like 7x7 or (7, 7), got '(7, 7'"),
    ("numeric", "\n0.25\n", "\n1/4\n", "1/4",
     "the answer of a numeric question must be a number, got '1/4'"),
    ("numeric", "- tolerance: 0.001", "- tolerance: -1", "- tolerance:",
     "tolerance '-1' is not a number ≥ 0 (it is absolute: 0.01)"),
    ("shape", "- kind: shape\n", "- kind: shape\n- tolerance: 0.1\n", "- tolerance:",
     "field 'tolerance' applies to numeric questions only"),
    ("shape", "`out_h == 7`", "`out_h = 7`", "out_h = 7",
     "claim 'out_h = 7' is not '<value> <op> <JSON value>' with op one of ==, !=, ≈, <=, >=, <, >, in"),
    ("shape", "`out_h == 7`", "`out_h ≈ 7`", "out_h ≈ 7",
     "claim 'out_h ≈ 7': ≈ needs a tolerance, e.g. 'max_value ≈ 0.25 ± 1e-9'"),
    ("shape", "`out_h == 7`", "`out_h == seven`", "out_h == seven",
     "claim 'out_h == seven': expected a JSON value after '==', got 'seven' (strings need double quotes: \"he\")"),
    ("shape", "FW=2 pad=1", "FW=2 pad", "- demo:", "demo parameter 'pad' is not NAME=VALUE"),
    ("shape", "H=6 W=6", "H=[6 W=6", "- demo:", "unclosed bracket in 'H=[6 W=6 FH=2 FW=2 pad=1 stride=1' (missing ']')"),
    ("shape", "`conv-output-size H=6", "`Conv H=6", "- demo:",
     "demo id 'Conv' is not a slug (lowercase letters, digits and single hyphens)"),
    ("shape", "W=6 FH=2", "W=6 H=2", "- demo:", "demo parameter 'H' is given twice"),
    ("shape", "- claim: `out_h == 7`\n", "- claim: `out_h == 7`\n- claims: `out_w == 7`\n", "- claims:",
     "デモ items are '- demo: `…`' or '- claim: `…`', got 'claims: `out_w == 7`'"),
    ("shape", "- claim: `out_h == 7`\n", "- demo: `conv-output-size`\n- claim: `out_h == 7`\n",
     "- demo: `conv-output-size`", "a question links one demo; this is a second '- demo:' line"),
    ("shape", "### デモ\n\n", "### デモ\n\n見出しの下の文。\n\n", "見出しの下の文",
     "the デモ section holds only the '- demo:' / '- claim:' list"),
    ("shape", "### 解説\n", "### ヒント\n\nヒント。\n\n### 解説\n", "### ヒント",
     "unknown section '### ヒント' (sections: 答え or Answer, 解説 or Explanation, デモ or Demo)"),
    ("shape", "$OH = \\frac{6 + 2 - 2}{1} + 1 = 7$。\n", "", "### 解説", "section ### 解説 is empty"),
    ("choice", "- [x] λ を大きく", "- [ ] λ を大きく", "- [ ] λ を大きく",
     "a choice question needs exactly one option marked [x], found 0"),
    ("choice", "- [ ] λ を 0", "- [x] λ を 0", "- [x] λ を大きく",
     "a choice question needs exactly one option marked [x], found 2"),
    ("choice", "- [ ] バイアス項も正則化される", "- バイアス項も正則化される", "- バイアス",
     "an option must start with '[ ]' or '[x]'"),
    ("choice", "### 解説\n", "### 答え\n\nB, C\n\n### 解説\n", "B, C",
     "### 答え says B, C, but the options marked [x] are A"),
    ("choice", "### 解説\n", "### 答え\n\nB のみ\n\n### 解説\n", "B のみ",
     "### 答え of this question lists option keys such as 'B' or 'A, C', got 'B のみ'"),
    ("code", "- [ ] `e = np.exp(x)`", "- [ ] `e = np.exp(x`", "np.exp(x`",
     "option A does not compile in the snippet: '(' was never closed"),
    ("code", "- [ ] `e = np.exp(x)`", "- [ ] e = np.exp(x)", "- [ ] e = np.exp(x)",
     "option A of a code question must be one inline code span, e.g. - [x] `e = np.exp(x)`"),
    ("text", "### Answer\n\nすべてのユニットが同じ勾配で更新され、**対称性** が崩れない。\n\n", "", "## 重み",
     "missing section ### 答え"),
    ("text", "乱数で初期化して対称性を崩す。\n\n", "", "### Explanation", "section ### 解説 is empty"),
    ("text", "重みをすべて 0 で初期化すると何が起こるか。\n", "重みをすべて 0 で初期化すると何が起こるか。\n\n- [x] 対称性\n",
     "- [x] 対称性", "a text question has no options; remove the '- [ ]' list or change the kind"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "old", "new", "line_fragment", "message"),
    PROBLEM_CASES,
    ids=[f"{case[0]}-{number}" for number, case in enumerate(PROBLEM_CASES)],
)
def test_each_problem_is_reported_at_its_line(kind, old, new, line_fragment, message):
    text = replace_once(ALL_KINDS[kind], old, new)
    problem = single_problem(text)
    assert problem == Problem("q.md", line_of(text, line_fragment), message)


def test_a_section_given_twice_is_reported_at_the_second():
    text = replace_once(SHAPE, "### デモ\n", "### 解説\n\nもう一度。\n\n### デモ\n")
    problem = single_problem(text)
    assert problem == Problem(
        "q.md", line_of(text, "### 解説", 2), "section ### 解説 appears twice"
    )


def test_an_empty_option_is_reported():
    text = replace_once(CHOICE, "- [ ] バイアス項も正則化される", "- [ ]")
    problem = single_problem(text)
    assert problem == Problem("q.md", line_of(text, "λ を 0") + 1, "option C is empty")


def test_a_repeated_option_is_reported_with_the_first_line():
    text = replace_once(
        CHOICE, "- [ ] バイアス項も正則化される", "- [ ] λ を 0 にすると非線形回帰になる"
    )
    first, second = line_of(text, "λ を 0"), line_of(text, "λ を 0", 2)
    problem = single_problem(text)
    assert problem == Problem("q.md", second, f"option C repeats the option on line {first}")


def test_a_multi_question_needs_a_marked_option():
    text = MULTI.replace("- [x]", "- [ ]").replace("### 答え\n\nA, C\n\n", "")
    problem = single_problem(text)
    assert problem == Problem(
        "q.md",
        line_of(text, "定義どおりだと"),
        "a multi question needs at least one option marked [x]",
    )


@pytest.mark.parametrize(
    ("removed", "message"),
    [
        ("- id: conv-output-6x6\n", "missing field 'id' (a slug such as conv-output-6x6)"),
        ("- kind: shape\n", "missing field 'kind' (choice, multi, numeric, shape, code, text)"),
        ("- syllabus: 3-4 畳み込みニューラルネットワーク\n", "missing field 'syllabus' (give it here or in the front matter)"),
        ("- course: Day2 Section4\n", "missing field 'course' (give it here or in the front matter)"),
        ("- source: ゼロから作るDeep Learning 7.2.3\n", "missing field 'source' (give it here or in the front matter)"),
        ("### 答え\n\n7x7\n\n", "missing section ### 答え"),
        ("### 解説\n\n$OH = \\frac{6 + 2 - 2}{1} + 1 = 7$。\n\n", "missing section ### 解説"),
        ("サイズ 6×6 の入力を 2×2 のフィルタで畳み込む。出力のサイズは？\n\n",
         "the question has no text between its field list and sections"),
    ],
)  # fmt: skip
def test_missing_fields_and_sections_are_reported_at_the_heading(removed, message):
    problem = single_problem(replace_once(SHAPE, removed, ""))
    assert problem == Problem("q.md", 1, message)


def test_a_missing_demo_section_is_reported_at_the_heading():
    text = SHAPE[: SHAPE.index("### デモ")]
    assert single_problem(text) == Problem(
        "q.md", 1, "missing section ### デモ (a '- demo: …' line and '- claim: …' lines)"
    )


@pytest.mark.parametrize(
    ("removed", "message"),
    [
        ("- demo: `conv-output-size H=6 W=6 FH=2 FW=2 pad=1 stride=1`\n",
         "the デモ section needs a '- demo: `<demo-id> NAME=VALUE …`' line"),
        ("- claim: `out_h == 7`\n- claim: `out_w == 7`\n", "the デモ section needs at least one '- claim: `…`' line"),
    ],
)  # fmt: skip
def test_an_incomplete_demo_section_is_reported_at_its_heading(removed, message):
    text = replace_once(SHAPE, removed, "")
    assert single_problem(text) == Problem("q.md", line_of(text, "### デモ"), message)


def test_a_question_without_a_field_list_is_reported_at_its_heading():
    text = "# 表題\n\n" + replace_once(
        SHAPE, "- id: conv-output-6x6\n", "本文が先。\n\n- id: conv-output-6x6\n"
    )
    problem = single_problem(text)
    assert problem.line == line_of(text, "## 6×6")
    assert problem.message.startswith("no field list:")


def test_a_field_that_swallows_the_next_line_is_reported():
    text = replace_once(SHAPE, "7.2.3\n\nサイズ", "7.2.3\n続きの行。\n\nサイズ")
    problem = single_problem(text)
    assert problem.line == line_of(text, "- source:")
    assert problem.message.startswith("field 'source' runs onto the next line")


def test_a_list_right_after_the_fields_is_reported_with_a_hint():
    text = replace_once(SHAPE, "7.2.3\n\nサイズ", "7.2.3\n- 箇条書きの本文\n\nサイズ")
    problem = single_problem(text)
    assert problem.line == line_of(text, "箇条書きの本文")
    assert "put a paragraph before it" in problem.message


def test_a_choice_question_without_options_is_reported():
    text = CHOICE.replace("- [x] λ を大きくすると重みが 0 に近づく\n", "").replace("- [ ] ", "* ")
    problem = single_problem(text)
    assert problem == Problem(
        "q.md", 1, "a choice question needs options: '- [ ] …' / '- [x] …' lines"
    )


def test_options_followed_by_text_are_reported():
    text = replace_once(
        CHOICE, "- [ ] バイアス項も正則化される\n", "- [ ] バイアス項も正則化される\n\n補足の文。\n"
    )
    problem = single_problem(text)
    assert problem == Problem(
        "q.md", line_of(text, "- [x]"), "the options must end the question text"
    )


def test_a_code_question_without_a_placeholder_is_reported():
    text = replace_once(CODE, "    ____\n", "    pass\n")
    problem = single_problem(text)
    assert problem == Problem(
        "q.md",
        1,
        "a code question needs exactly one ```python snippet with a '____' placeholder line "
        "for the options to fill (found none)",
    )


def test_an_empty_title_is_reported():
    text = replace_once(SHAPE, "## 6×6 の入力・2×2 フィルタ・パディング 1 の出力サイズ", "##")
    assert single_problem(text) == Problem("q.md", 1, "the question heading has no title")


# --- files, front matter, duplicates --------------------------------------------------------


def test_one_bad_question_never_hides_the_good_ones():
    text = SHAPE + "\n" + CHOICE.replace("- kind: choice", "- kind: choise") + "\n" + TEXT
    questions, problems = parse_text(text, "q.md")
    assert [q.id for q in questions] == ["conv-output-6x6", "zero-init"]
    assert [p.line for p in problems] == [line_of(text, "- kind: choise")]


def test_all_problems_of_a_question_are_reported():
    text = SHAPE.replace("- kind: shape", "- kind: shape\n- colour: red").replace(
        "out_h == 7", "out_h = 7"
    )
    _, problems = parse_text(text, "q.md")
    assert [p.line for p in problems] == [line_of(text, "colour"), line_of(text, "out_h = 7")]


def test_a_question_of_unknown_kind_still_has_its_sections_checked():
    text = SHAPE.replace("- kind: shape", "- kind: shap").replace("out_h == 7", "out_h = 7")
    _, problems = parse_text(text, "q.md")
    assert [p.line for p in problems] == [line_of(text, "- kind: shap"), line_of(text, "out_h = 7")]


def test_duplicate_ids_in_one_file_are_reported_at_both_places_and_both_left_out():
    text = SHAPE + "\n" + TEXT.replace("- id: zero-init", "- id: conv-output-6x6")
    questions, problems = parse_text(text, "q.md")
    first, second = (
        line_of(text, "- id: conv-output-6x6"),
        line_of(text, "- id: conv-output-6x6", 2),
    )
    assert questions == []
    assert problems == [
        Problem("q.md", first, f"duplicate id 'conv-output-6x6' (also at q.md:{second})"),
        Problem("q.md", second, f"duplicate id 'conv-output-6x6' (also at q.md:{first})"),
    ]


def test_duplicate_ids_across_files_are_reported_at_both_places(tmp_path):
    (tmp_path / "a.md").write_text(SHAPE, encoding="utf-8")
    (tmp_path / "b.md").write_text(
        CHOICE.replace("ridge-choice", "conv-output-6x6") + "\n" + TEXT, encoding="utf-8"
    )
    bank = load_bank([tmp_path])
    a, b = f"{tmp_path.as_posix()}/a.md", f"{tmp_path.as_posix()}/b.md"
    line = line_of(SHAPE, "- id:")
    assert [str(p) for p in bank.problems] == [
        f"{a}:{line}: duplicate id 'conv-output-6x6' (also at {b}:{line})",
        f"{b}:{line}: duplicate id 'conv-output-6x6' (also at {a}:{line})",
    ]
    assert [q.id for q in bank.questions] == ["zero-init"]


def test_a_duplicate_counts_even_when_the_other_copy_is_broken():
    broken = TEXT.replace("- id: zero-init", "- id: conv-output-6x6").replace(
        "- kind: text", "- kind: txt"
    )
    questions, problems = parse_text(SHAPE + "\n" + broken, "q.md")
    assert questions == []
    assert sum("duplicate id" in p.message for p in problems) == 2


def test_front_matter_problems_are_reported_at_their_lines():
    text = (
        "---\ncourse: Day2 Section4\nsyllabs: 3-4 畳み込みニューラルネットワーク\njust text\n---\n"
    ) + SHAPE
    questions, problems = parse_text(text, "q.md")
    assert len(questions) == 1
    assert problems == [
        Problem(
            "q.md",
            3,
            "unknown front matter key 'syllabs' (did you mean 'syllabus'? known: course, syllabus, source)",
        ),
        Problem("q.md", 4, "front matter line 'just text' is not 'key: value'"),
    ]


def test_an_invalid_front_matter_default_is_reported_once_and_leaves_its_users_out():
    text = "---\ncourse: Day9\n---\n" + SHAPE.replace("- course: Day2 Section4\n", "") + "\n" + TEXT
    questions, problems = parse_text(text, "q.md")
    assert [q.id for q in questions] == ["zero-init"]  # it gives its own course
    assert problems == [
        Problem(
            "q.md",
            2,
            "unknown course part 'Day9' (expected one of 応用数学, 機械学習, Day1, Day2, Day3, Day4)",
        )
    ]


def test_an_unclosed_front_matter_is_reported():
    text = "---\ncourse: Day2 Section4\n" + SHAPE
    _, problems = parse_text(text, "q.md")
    assert (
        Problem("q.md", 1, "the front matter opened by '---' is never closed by another '---'")
        in problems
    )


def test_a_file_without_questions_is_reported():
    _, problems = parse_text("# メモ\n\nただのメモ。\n", "notes.md")
    assert problems == [
        Problem(
            "notes.md",
            1,
            "no questions in this file (each starts with a '## ' heading); keep notes in README.md "
            "or in a file whose name starts with '_'",
        )
    ]


def test_invalid_utf8_is_reported_at_its_line(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(SHAPE.encode("utf-8").replace("出力のサイズ".encode(), b"\xff\xfe"))
    assert parse_file(path, "bank/bad.md") == (
        [],
        [
            Problem(
                "bank/bad.md",
                line_of(SHAPE, "出力のサイズ"),
                "invalid UTF-8 (byte 0xff); save the file as UTF-8",
            )
        ],
    )


def test_a_binary_file_is_reported(tmp_path):
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert parse_file(path, "image.md") == (
        [],
        [Problem("image.md", 3, "binary file, not Markdown text")],
    )


def test_an_unreadable_file_is_a_problem_not_an_exception(tmp_path):
    questions, problems = parse_file(tmp_path / "missing.md", "missing.md")
    assert questions == []
    assert problems[0].file == "missing.md"
    assert problems[0].message.startswith("cannot read the file:")


# --- bank files ---------------------------------------------------------------------------


def test_bank_files_are_sorted_and_skip_notes_drafts_and_hidden_folders(tmp_path):
    for name in ["b.md", "a.md", "README.md", "_draft.md", "notes.txt", "day2/x.md", "day1/y.md",
                 "day1/README.md", "_drafts/z.md", ".git/w.md"]:  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(SHAPE, encoding="utf-8")
    displays = [display for _, display in bank_files([tmp_path])]
    root = tmp_path.as_posix()
    assert displays == [f"{root}/a.md", f"{root}/b.md", f"{root}/day1/y.md", f"{root}/day2/x.md"]


def test_bank_files_name_the_directory_as_given(tmp_path, monkeypatch):
    (tmp_path / "mybank" / "day1").mkdir(parents=True)
    (tmp_path / "mybank" / "day1" / "q.md").write_text(SHAPE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert bank_files([Path("mybank")]) == [(Path("mybank/day1/q.md"), "mybank/day1/q.md")]


def test_the_bundled_bank_is_named_content_bank_wherever_it_is_installed():
    displays = [display for _, display in bank_files([BUNDLED_BANK_DIR])]
    assert displays
    assert all(display.startswith("content/bank/") for display in displays)


def test_a_file_can_be_given_directly_and_is_read_once(tmp_path):
    (tmp_path / "q.md").write_text(SHAPE, encoding="utf-8")
    files = bank_files([tmp_path / "q.md", tmp_path])
    assert files == [(tmp_path / "q.md", (tmp_path / "q.md").as_posix())]


def test_a_missing_bank_directory_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        bank_files([tmp_path / "nowhere"])


def test_load_bank_lists_every_file_and_keeps_trust(tmp_path):
    (tmp_path / "good.md").write_text(SHAPE, encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"\xff")
    bank = load_bank([tmp_path], trusted=True)
    assert bank.trusted
    assert bank.roots == [tmp_path]
    assert bank.files == [f"{tmp_path.as_posix()}/bad.md", f"{tmp_path.as_posix()}/good.md"]
    assert [q.id for q in bank.questions] == ["conv-output-6x6"]
    assert [p.file for p in bank.problems] == [f"{tmp_path.as_posix()}/bad.md"]


# --- the bundled bank ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    return load_bank([BUNDLED_BANK_DIR], trusted=True)


def test_the_bundled_bank_parses_without_problems(bundled):
    assert [str(p) for p in bundled.problems] == []
    assert len(bundled.questions) >= 10


def test_the_bundled_bank_covers_every_kind(bundled):
    assert {q.kind for q in bundled.questions} == set(Kind)


def test_the_bundled_bank_holds_the_seed_confirmation_tests(bundled):
    by_id = bundled.by_id()
    assert by_id["sigmoid-derivative-max"].answer == "0.25"
    assert by_id["conv-output-6x6-pad1-stride1"].answer == "7x7"
    assert by_id["conv-output-8x8-pad1-stride2"].answer == "4x4"
    assert by_id["zero-init-symmetry"].demo.params["init"] == "zero"
    ridge = by_id["ridge-large-lambda-shrinks-weights"]
    assert ridge.choices[0].correct and "すべての重みが 0 に近づく" in ridge.choices[0].text


def test_every_bundled_question_lives_in_its_course_folder(bundled):
    folders = {
        "応用数学": "応用数学",
        "機械学習": "機械学習",
        "Day1": "day1",
        "Day2": "day2",
        "Day3": "day3",
        "Day4": "day4",
    }
    for question in bundled.questions:
        assert question.file.split("/")[2] == folders[question.course_part], question.id
