"""The demo line: a demo id and NAME=VALUE pairs, values read as JSON when they parse."""

from __future__ import annotations

import re

import pytest

from content.demo_line import DemoLineError, parse_demo_line, parse_value, split_words


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("6", 6),
        ("0.5", 0.5),
        ("1e-3", 0.001),
        ("true", True),
        ("null", None),
        ("[1, 2]", [1, 2]),
        ('"6"', "6"),
        ("he", "he"),
        ("[1, 2", "[1, 2"),
        ("", ""),
    ],
)
def test_values_are_json_when_they_parse_else_strings(text, value):
    assert parse_value(text) == value


def test_absurdly_deep_brackets_stay_a_string():
    text = "[" * 100_000
    assert parse_value(text) == text


def test_a_demo_line_gives_the_id_and_typed_parameters():
    assert parse_demo_line("conv-output-size H=6 W=6 FH=2 FW=2 pad=1 stride=1") == (
        "conv-output-size",
        {"H": 6, "W": 6, "FH": 2, "FW": 2, "pad": 1, "stride": 1},
    )


def test_a_demo_without_parameters_is_just_its_id():
    assert parse_demo_line("  sigmoid-derivative-max  ") == ("sigmoid-derivative-max", {})


def test_whitespace_inside_brackets_and_quotes_does_not_split():
    assert parse_demo_line('attention Q=[[1, 0], [0, 1]] label="two words" init=he') == (
        "attention",
        {"Q": [[1, 0], [0, 1]], "label": "two words", "init": "he"},
    )


def test_escaped_quotes_stay_inside_the_string():
    assert split_words(r'a x="say \"hi\" now" y=1') == ["a", r'x="say \"hi\" now"', "y=1"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the demo line is empty"),
        ("Conv H=6", "demo id 'Conv' is not a slug"),
        ("conv H", "demo parameter 'H' is not NAME=VALUE"),
        ("conv H=", "demo parameter 'H=' is not NAME=VALUE"),
        ("conv 1H=2", "demo parameter '1H=2' is not NAME=VALUE"),
        ("conv H=1 H=2", "demo parameter 'H' is given twice"),
        ("conv x=[1, 2", "unclosed bracket in 'x=[1, 2' (missing ']')"),
        ("conv x=1]", "unbalanced ']' in 'x=1]'"),
        ("conv x=[1)", "unbalanced ')' in 'x=[1)'"),
        ('conv label="open', "unclosed double quote in 'label=\"open'"),
    ],
)
def test_malformed_demo_lines_say_what_is_wrong(text, message):
    with pytest.raises(DemoLineError, match="^" + re.escape(message)):
        parse_demo_line(text)
