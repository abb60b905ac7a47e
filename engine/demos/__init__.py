"""Live demos on the engine, one module per topic, registered by id.

Every module in this package (except ``registry``) registers its demos with the
:func:`~engine.demos.registry.demo` decorator when imported; :func:`all_demos` imports them
all. A demo never imports Textual and never returns stored numbers: it computes on the
engine at call time.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil

from engine.demos.registry import (
    REGISTRY,
    BoolParam,
    ChoiceParam,
    Demo,
    DemoResult,
    DemoRun,
    FloatParam,
    IntParam,
    ListParam,
    MatrixParam,
    ParameterError,
    Plot,
    UnknownDemoError,
    demo,
    run,
    to_json_value,
)

__all__ = [
    "BoolParam",
    "ChoiceParam",
    "Demo",
    "DemoResult",
    "DemoRun",
    "FloatParam",
    "IntParam",
    "ListParam",
    "MatrixParam",
    "ParameterError",
    "Plot",
    "UnknownDemoError",
    "all_demos",
    "demo",
    "get_demo",
    "run",
    "run_demo",
    "to_json_value",
]


def all_demos() -> dict[str, Demo]:
    """Every registered demo by id, importing each topic module once."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "registry" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return dict(sorted(REGISTRY.items()))


def get_demo(demo_id: str) -> Demo:
    demos = all_demos()
    if demo_id not in demos:
        close = difflib.get_close_matches(demo_id, demos, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else " See 'studyapp demo list'."
        raise UnknownDemoError(f"There is no demo {demo_id!r}.{hint}")
    return demos[demo_id]


def run_demo(demo_id: str, **overrides) -> DemoRun:
    """Run demo ``demo_id`` with its defaults overridden by keyword arguments."""
    return run(get_demo(demo_id), overrides)
