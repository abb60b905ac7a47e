"""The layering of DESIGN.md, enforced: the core never imports Textual, the engine only NumPy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE_PACKAGES = ("studyapp", "engine", "content", "data")


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        parts = relative.parts if relative.name != "__init__" else relative.parts[:-1]
        yield ".".join(parts), path


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _core_modules():
    for package in CORE_PACKAGES:
        for name, path in _modules(package):
            if not name.startswith("studyapp.tui"):
                yield name, path


def test_no_module_outside_tui_mentions_textual_in_an_import():
    offenders = [name for name, path in _core_modules() if "textual" in _imported_roots(path)]
    assert offenders == []


def test_importing_every_core_module_loads_no_textual():
    names = [name for name, _ in _core_modules() if name != "studyapp.__main__"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_engine_imports_numpy_and_the_standard_library_only():
    allowed = {"numpy", "engine", "__future__"} | set(sys.stdlib_module_names)
    offenders = {name: sorted(_imported_roots(path) - allowed) for name, path in _modules("engine")}
    assert {name: extra for name, extra in offenders.items() if extra} == {}


def test_content_knows_nothing_of_sql_textual_or_the_engine():
    forbidden = {"sqlalchemy", "textual", "engine", "data", "studyapp", "numpy"}
    offenders = {
        name: sorted(_imported_roots(path) & forbidden) for name, path in _modules("content")
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_data_does_not_import_the_application_or_the_ui():
    forbidden = {"textual", "studyapp", "engine"}
    offenders = {name: sorted(_imported_roots(path) & forbidden) for name, path in _modules("data")}
    assert {name: bad for name, bad in offenders.items() if bad} == {}
