"""The demo registry: typed parameters, results, and the ``@demo`` decorator.

A demo is a pure function registered under an id. It takes typed parameters (each with a
default and a range or choices), computes on the engine at call time, and returns a
:class:`DemoResult`: named values (JSON scalars and lists), a short Japanese narrative in
Markdown, and optional plot series that the user interfaces draw.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np


class ParameterError(ValueError):
    """A demo parameter is unknown, of the wrong type or out of range (one sentence)."""


class UnknownDemoError(LookupError):
    """No demo is registered under the requested id."""


# --- parameters ---------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Param:
    """A typed demo parameter. Subclasses define ``type_name`` and ``coerce``."""

    name: str
    default: Any
    help: str = ""
    type_name: ClassVar[str] = ""

    def coerce(self, value: Any) -> Any:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """A JSON description for ``demo list`` and the TUI form."""
        return {
            "name": self.name,
            "type": self.type_name,
            "default": self.default,
            "help": self.help,
        }

    def _fail(self, demo_id: str, what: str) -> ParameterError:
        return ParameterError(f"Parameter {self.name} of demo {demo_id} {what}.")


@dataclass(frozen=True)
class _Bounded(Param):
    min: float | None = None
    max: float | None = None

    def _check_range(self, value: float, demo_id: str) -> None:
        if self.min is not None and value < self.min:
            raise self._fail(demo_id, f"must be ≥ {self.min:g}, got {value:g}")
        if self.max is not None and value > self.max:
            raise self._fail(demo_id, f"must be ≤ {self.max:g}, got {value:g}")

    def _range(self) -> dict[str, Any]:
        return {"min": self.min, "max": self.max}


@dataclass(frozen=True)
class IntParam(_Bounded):
    type_name: ClassVar[str] = "int"

    def coerce(self, value: Any, demo_id: str = "") -> int:
        if _is_number(value) and float(value).is_integer():
            value = int(value)
        else:
            raise self._fail(demo_id, f"must be an integer, got {value!r}")
        self._check_range(value, demo_id)
        return value

    def describe(self) -> dict[str, Any]:
        return super().describe() | self._range()


@dataclass(frozen=True)
class FloatParam(_Bounded):
    type_name: ClassVar[str] = "float"

    def coerce(self, value: Any, demo_id: str = "") -> float:
        if not _is_number(value) or not math.isfinite(value):
            raise self._fail(demo_id, f"must be a finite number, got {value!r}")
        value = float(value)
        self._check_range(value, demo_id)
        return value

    def describe(self) -> dict[str, Any]:
        return super().describe() | self._range()


@dataclass(frozen=True)
class BoolParam(Param):
    type_name: ClassVar[str] = "bool"

    def coerce(self, value: Any, demo_id: str = "") -> bool:
        if not isinstance(value, bool):
            raise self._fail(demo_id, f"must be true or false, got {value!r}")
        return value


@dataclass(frozen=True)
class ChoiceParam(Param):
    choices: tuple[str, ...] = ()
    type_name: ClassVar[str] = "choice"

    def coerce(self, value: Any, demo_id: str = "") -> str:
        text = value if isinstance(value, str) else _format_scalar(value)
        if text not in self.choices:
            raise self._fail(demo_id, f"must be one of {', '.join(self.choices)}, got {value!r}")
        return text

    def describe(self) -> dict[str, Any]:
        return super().describe() | {"choices": list(self.choices)}


@dataclass(frozen=True)
class ListParam(_Bounded):
    """A list of numbers; ``min``/``max`` bound every element."""

    min_length: int = 1
    max_length: int = 64
    type_name: ClassVar[str] = "list"

    def coerce(self, value: Any, demo_id: str = "") -> list[float]:
        if not isinstance(value, list) or not all(_is_number(v) for v in value):
            raise self._fail(demo_id, f"must be a list of numbers such as [1, 2, 3], got {value!r}")
        if not self.min_length <= len(value) <= self.max_length:
            raise self._fail(
                demo_id, f"must have {self.min_length}–{self.max_length} elements, got {len(value)}"
            )
        for element in value:
            if not math.isfinite(element):
                raise self._fail(demo_id, f"must contain finite numbers only, got {element!r}")
            self._check_range(element, demo_id)
        return [float(v) for v in value]

    def describe(self) -> dict[str, Any]:
        return (
            super().describe()
            | self._range()
            | {
                "min_length": self.min_length,
                "max_length": self.max_length,
            }
        )


@dataclass(frozen=True)
class MatrixParam(_Bounded):
    """A matrix as nested lists of numbers, rectangular, at most ``max_rows`` × ``max_cols``."""

    max_rows: int = 16
    max_cols: int = 16
    type_name: ClassVar[str] = "matrix"

    def coerce(self, value: Any, demo_id: str = "") -> list[list[float]]:
        rows_ok = (
            isinstance(value, list) and value and all(isinstance(r, list) and r for r in value)
        )
        if not rows_ok or not all(_is_number(v) for row in value for v in row):
            raise self._fail(demo_id, f"must be a matrix such as [[1, 0], [0, 1]], got {value!r}")
        if len({len(row) for row in value}) != 1:
            raise self._fail(demo_id, "must have rows of equal length")
        if len(value) > self.max_rows or len(value[0]) > self.max_cols:
            raise self._fail(demo_id, f"must be at most {self.max_rows}×{self.max_cols}")
        for element in (v for row in value for v in row):
            if not math.isfinite(element):
                raise self._fail(demo_id, f"must contain finite numbers only, got {element!r}")
            self._check_range(element, demo_id)
        return [[float(v) for v in row] for row in value]

    def describe(self) -> dict[str, Any]:
        return (
            super().describe()
            | self._range()
            | {
                "max_rows": self.max_rows,
                "max_cols": self.max_cols,
            }
        )


def _format_scalar(value: Any) -> str:
    return repr(value) if not isinstance(value, (int, float)) else f"{value:g}"


# --- results ------------------------------------------------------------------------------

PlotKind = Literal["line", "bar", "histogram", "heatmap"]


@dataclass
class Plot:
    """A plot series the TUI draws in the terminal and the HTML report draws as an image.

    - line: ``x`` holds the x values, ``series`` one or more named y lists of the same length.
    - bar: ``x`` holds the labels, ``series`` one or more named value lists.
    - histogram: ``x`` holds the bin edges (len = counts + 1), ``series`` {name: counts}.
    - heatmap: ``z`` holds the rows; ``x``/``y_ticks`` optional column/row labels.
    """

    kind: PlotKind
    title: str
    x: list[Any] = field(default_factory=list)
    series: dict[str, list[float]] = field(default_factory=dict)
    z: list[list[float]] = field(default_factory=list)
    y_ticks: list[str] = field(default_factory=list)
    x_label: str = ""
    y_label: str = ""

    def to_json(self) -> dict[str, Any]:
        return to_json_value(
            {
                "kind": self.kind,
                "title": self.title,
                "x": self.x,
                "series": self.series,
                "z": self.z,
                "y_ticks": self.y_ticks,
                "x_label": self.x_label,
                "y_label": self.y_label,
            }
        )


@dataclass
class DemoResult:
    """What a demo function returns: named values, a Japanese narrative, optional plots."""

    values: dict[str, Any]
    narrative: str
    plots: list[Plot] = field(default_factory=list)


def to_json_value(value: Any) -> Any:
    """NumPy scalars and arrays (also nested in dicts, lists, tuples) as plain JSON values.

    NaN and infinities stay floats: Python's json writes and reads them (NaN, Infinity),
    and a demo such as softmax-overflow must be able to show a NaN.
    """
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    return value


# --- demos --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    """A registered demo: id, Japanese title, parameters, and the function that computes it."""

    id: str
    title: str
    params: tuple[Param, ...]
    function: Callable[..., DemoResult]
    description: str = ""
    syllabus: tuple[str, ...] = ()

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParameterError(f"Demo {self.id} has no parameter {name!r} (its parameters: {known}).")

    def defaults(self) -> dict[str, Any]:
        return {param.name: param.default for param in self.params}

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The full, validated parameter set: defaults overridden by ``overrides``."""
        values = self.defaults()
        for name, value in (overrides or {}).items():
            values[name] = self.param(name).coerce(value, self.id)
        return values

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "syllabus": list(self.syllabus),
            "params": [param.describe() for param in self.params],
        }


@dataclass
class DemoRun:
    """One run of a demo: the parameters used, its result, and how long it took."""

    demo: Demo
    params: dict[str, Any]
    result: DemoResult
    seconds: float

    @property
    def values(self) -> dict[str, Any]:
        return self.result.values

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.demo.id,
            "title": self.demo.title,
            "params": to_json_value(self.params),
            "values": to_json_value(self.result.values),
            "narrative": self.result.narrative,
            "plots": [plot.to_json() for plot in self.result.plots],
            "elapsed_ms": round(self.seconds * 1000, 3),
        }


REGISTRY: dict[str, Demo] = {}


def demo(
    demo_id: str,
    *,
    title: str,
    params: tuple[Param, ...] | list[Param] = (),
    description: str = "",
    syllabus: tuple[str, ...] = (),
) -> Callable[[Callable[..., DemoResult]], Callable[..., DemoResult]]:
    """Register the decorated function as demo ``demo_id``.

    The function is called with every parameter as a keyword argument, already validated.
    """

    def register(function: Callable[..., DemoResult]) -> Callable[..., DemoResult]:
        if demo_id in REGISTRY:
            raise ValueError(f"demo id {demo_id!r} is registered twice")
        for param in params:
            param.coerce(param.default, demo_id)  # a default out of its own range is a bug
        REGISTRY[demo_id] = Demo(demo_id, title, tuple(params), function, description, syllabus)
        return function

    return register


def run(demo: Demo, overrides: Mapping[str, Any] | None = None) -> DemoRun:
    """Validate the parameters, run the demo on the engine, and time it."""
    params = demo.resolve(overrides)
    started = time.perf_counter()
    result = demo.function(**params)
    elapsed = time.perf_counter() - started
    result.values = to_json_value(result.values)
    return DemoRun(demo, params, result, elapsed)
