"""``studyapp demo list`` / ``demo run``: the contract output and one-sentence errors."""

from __future__ import annotations

import json

import pytest

from studyapp.cli import main


def run_json(capsys, *args: str):
    assert main(list(args)) == 0
    out = capsys.readouterr().out
    return json.loads(out)


def test_demo_list_json_describes_every_parameter(capsys):
    demos = {demo["id"]: demo for demo in run_json(capsys, "demo", "list", "--json")}
    conv = demos["conv-output-size"]
    assert conv["title"]
    params = {param["name"]: param for param in conv["params"]}
    assert list(params) == ["H", "W", "FH", "FW", "pad", "stride"]
    assert params["H"] == params["H"] | {"type": "int", "default": 6, "min": 1}
    init = {param["name"]: param for param in demos["zero-init-symmetry"]["params"]}["init"]
    assert init["type"] == "choice" and init["choices"] == ["zero", "normal", "xavier", "he"]


def test_demo_list_text_names_ids_titles_and_defaults(capsys):
    assert main(["demo", "list"]) == 0
    out = capsys.readouterr().out
    assert "conv-output-size" in out and "H=6 (int 1–256)" in out


def test_demo_run_json_prints_one_document_with_the_contract_keys(capsys):
    document = run_json(
        capsys,
        "demo",
        "run",
        "conv-output-size",
        "--set",
        "H=8",
        "--set",
        "W=8",
        "--set",
        "FH=3",
        "--set",
        "FW=3",
        "--set",
        "pad=1",
        "--set",
        "stride=2",
        "--json",
    )
    assert {"id", "params", "values"} <= set(document)
    assert document["id"] == "conv-output-size"
    assert document["params"] == {"H": 8, "W": 8, "FH": 3, "FW": 3, "pad": 1, "stride": 2}
    assert (document["values"]["out_h"], document["values"]["out_w"]) == (4, 4)


def test_demo_run_parses_values_as_json_else_as_strings(capsys):
    document = run_json(
        capsys, "demo", "run", "softmax-overflow", "--set", "x=[1000, 1000]", "--json"
    )
    assert document["params"]["x"] == [1000.0, 1000.0]
    assert document["values"]["naive_has_nan"] is True
    choice = run_json(
        capsys,
        "demo",
        "run",
        "zero-init-symmetry",
        "--set",
        "init=he",
        "--set",
        "steps=5",
        "--json",
    )
    assert choice["params"]["init"] == "he"


def test_demo_run_text_prints_narrative_values_and_plots(capsys):
    assert main(["demo", "run", "sigmoid-derivative-max"]) == 0
    out = capsys.readouterr().out
    assert "max_value = 0.25" in out
    assert "σ'(x)" in out
    assert any(0x2800 <= ord(char) <= 0x28FF for char in out)  # the braille line chart


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["demo", "run", "no-such-demo"], "There is no demo 'no-such-demo'"),
        (
            ["demo", "run", "conv-output-size", "--set", "H=0"],
            "Parameter H of demo conv-output-size must be ≥ 1",
        ),
        (["demo", "run", "conv-output-size", "--set", "depth=3"], "has no parameter 'depth'"),
        (["demo", "run", "conv-output-size", "--set", "H=six"], "must be an integer, got 'six'"),
        (["demo", "run", "conv-output-size", "--set", "H"], "--set expects NAME=VALUE"),
        (
            ["demo", "run", "zero-init-symmetry", "--set", "init=ones"],
            "must be one of zero, normal, xavier, he",
        ),
    ],
)
def test_bad_demo_arguments_are_usage_errors_in_one_sentence(capsys, args, fragment):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert fragment in captured.err
