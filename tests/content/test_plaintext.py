"""Plain text of Markdown and of whole questions, as `bank list --json` shows it."""

from __future__ import annotations

from content.parser import parse_text
from content.plaintext import markdown_to_text, question_text
from tests.content.bank_text import CHOICE, CODE, NUMERIC


def test_inline_markup_is_stripped_and_math_becomes_unicode():
    markdown = "**強調** と *斜体* と `code` と [リンク](http://example.com) と $\\sigma(x)$ と ![図](a.png)"
    assert markdown_to_text(markdown) == "強調 と 斜体 と code と リンク と σ(x) と 図"


def test_line_breaks_join_without_a_space_between_japanese_and_with_one_otherwise():
    markdown = "日本語の文が\n続く。English text\ncontinues here."
    assert markdown_to_text(markdown) == "日本語の文が続く。English text continues here."


def test_blocks_become_lines_and_lists_keep_their_markers():
    markdown = (
        "# 見出し\n\n段落。\n\n- 項目 1\n  - 入れ子\n- 項目 2\n\n3. 三\n4. 四\n\n"
        "```python\nx = 1\n```\n\n$$\n\\frac{1}{2}\n$$\n\n| a | b |\n|---|---|\n| 1 | $x^2$ |\n\n"
        "> 引用\n\n<!-- コメント -->\n"
    )
    assert markdown_to_text(markdown).split("\n") == [
        "見出し",
        "段落。",
        "- 項目 1",
        "  - 入れ子",
        "- 項目 2",
        "3. 三",
        "4. 四",
        "x = 1",
        "1/2",
        "a | b",
        "1 | x²",
        "引用",
    ]


def test_a_choice_question_reads_as_body_options_answer_and_explanation():
    question = parse_text(CHOICE, "q.md")[0][0]
    assert question_text(question) == (
        "リッジ回帰の特徴として正しいものを選べ。\n\n"
        "A. λ を大きくすると重みが 0 に近づく\n"
        "B. λ を 0 にすると非線形回帰になる\n"
        "C. バイアス項も正則化される\n\n"
        "答え: A\n\n"
        "解説: L2 罰則は重みを原点へ引き寄せる。"
    )


def test_code_options_stay_code_and_the_unit_follows_a_numeric_answer():
    code = parse_text(CODE, "q.md")[0][0]
    assert "B. e = np.exp(x - np.max(x, axis=-1, keepdims=True))" in question_text(code)
    numeric = parse_text(NUMERIC, "q.md")[0][0]
    text = question_text(numeric)
    assert text.startswith("σ′(x) の最大値を求めよ。")
    assert "答え: 0.25 倍" in text
