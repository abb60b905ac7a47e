"""The demo registry: typed parameters, validation in one sentence, JSON-safe results."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from engine.demos import (
    BoolParam,
    ChoiceParam,
    FloatParam,
    IntParam,
    ListParam,
    MatrixParam,
    ParameterError,
    UnknownDemoError,
    all_demos,
    get_demo,
    run,
    run_demo,
    to_json_value,
)


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        (IntParam("n", 1, min=0, max=10), 7, 7),
        (IntParam("n", 1, min=0, max=10), 7.0, 7),
        (FloatParam("x", 0.0, min=-1, max=1), 1, 1.0),
        (BoolParam("flag", False), True, True),
        (ChoiceParam("mode", "max", choices=("max", "avg")), "avg", "avg"),
        (ListParam("v", [1.0]), [1, 2.5], [1.0, 2.5]),
        (MatrixParam("m", [[1.0]]), [[1, 2], [3, 4]], [[1.0, 2.0], [3.0, 4.0]]),
    ],
)
def test_parameters_accept_and_normalise_valid_values(param, value, expected):
    assert param.coerce(value, "demo") == expected


@pytest.mark.parametrize(
    ("param", "value", "fragment"),
    [
        (IntParam("n", 1, min=0, max=10), 11, "must be ≤ 10"),
        (IntParam("n", 1, min=0, max=10), -1, "must be ≥ 0"),
        (IntParam("n", 1), 1.5, "must be an integer"),
        (IntParam("n", 1), True, "must be an integer"),
        (IntParam("n", 1), "3", "must be an integer"),
        (FloatParam("x", 0.0), float("nan"), "finite"),
        (BoolParam("flag", False), 1, "true or false"),
        (ChoiceParam("mode", "max", choices=("max", "avg")), "min", "one of max, avg"),
        (ListParam("v", [1.0], max_length=2), [1, 2, 3], "1–2 elements"),
        (ListParam("v", [1.0]), [1, "a"], "list of numbers"),
        (MatrixParam("m", [[1.0]]), [[1, 2], [3]], "equal length"),
        (MatrixParam("m", [[1.0]]), [1, 2], "matrix"),
    ],
)
def test_bad_parameter_values_raise_one_sentence_naming_the_parameter(param, value, fragment):
    with pytest.raises(ParameterError) as error:
        param.coerce(value, "demo-x")
    message = str(error.value)
    assert fragment in message
    assert param.name in message and "demo-x" in message
    assert message.count(".") <= 2 and "\n" not in message


def test_unknown_parameter_names_list_the_known_ones():
    with pytest.raises(ParameterError, match="its parameters: H, W, FH, FW, pad, stride"):
        run_demo("conv-output-size", bogus=1)


def test_unknown_demo_ids_suggest_close_ones():
    with pytest.raises(UnknownDemoError, match="Did you mean conv-output-size"):
        get_demo("conv-output-sise")


def test_every_default_lies_in_its_own_range():
    for demo in all_demos().values():
        assert demo.resolve() == demo.defaults()


def test_numpy_values_become_plain_json():
    value = to_json_value(
        {"a": np.float32(0.5), "b": np.arange(3), "c": (np.int64(2), [np.bool_(True)])}
    )
    assert value == {"a": 0.5, "b": [0, 1, 2], "c": [2, [True]]}
    assert json.loads(json.dumps(value)) == value


@pytest.mark.parametrize("demo_id", sorted(all_demos()))
def test_every_demo_runs_at_its_defaults_deterministically_with_json_values(demo_id):
    demo = get_demo(demo_id)
    first, second = run(demo), run(demo)
    assert first.values == second.values or _nan_equal(first.values, second.values)
    document = first.to_json()
    assert json.loads(json.dumps(document, ensure_ascii=False)) is not None
    assert set(document) >= {"id", "params", "values", "narrative", "plots"}
    assert document["narrative"].strip()
    assert document["values"]
    for plot in document["plots"]:
        assert plot["kind"] in {"line", "bar", "histogram", "heatmap"}


def _nan_equal(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_nan_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_nan_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b
