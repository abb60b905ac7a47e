"""Running the options of a code question, each in the question's snippet, in a subprocess.

A bank is data, not code: snippets run only for a trusted bank (the bundled one, or another
after ``--trust-bank``), in a separate Python process with a time limit and a memory cap,
so a runaway option can neither hang nor crash the app. Every option runs in a fresh
namespace that already has ``import numpy as np``; the output of each is captured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

from content.model import Kind, Question
from content.parser import fill_placeholder

TIME_LIMIT_S = 20.0
MEMORY_LIMIT_BYTES = 2 * 1024**3

# Runs inside the subprocess: reads [code, …] as JSON on stdin, writes [{stdout, error}, …].
_DRIVER = r"""
import contextlib, io, json, sys, traceback
import numpy as np
np.set_printoptions(precision=6, suppress=True)
results = []
for code in json.load(sys.stdin):
    out = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<option>", "exec"), {"np": np, "__name__": "__snippet__"})
    except BaseException as exc:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    results.append({"stdout": out.getvalue(), "error": error})
json.dump(results, sys.__stdout__)
"""


class SnippetsNotTrusted(PermissionError):
    """The bank is not trusted, so its code is shown but not run."""


@dataclass(frozen=True)
class OptionRun:
    """What one option printed, or the error it raised (None when it ran cleanly)."""

    key: str
    code: str
    stdout: str
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


def _limit_memory() -> None:  # pragma: no cover - runs in the child process
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def run_options(
    question: Question, *, trusted: bool, timeout: float = TIME_LIMIT_S
) -> list[OptionRun]:
    """Run every option of code question ``question`` inside its snippet; one subprocess.

    Raises SnippetsNotTrusted for an untrusted bank and TimeoutError when the options take
    longer than ``timeout`` seconds together.
    """
    if question.kind is not Kind.CODE:
        raise ValueError(f"question {question.id} is not a code question")
    if not trusted:
        raise SnippetsNotTrusted(
            f"Code of question {question.id} is not run: the bank is not trusted "
            "(pass --trust-bank to run snippets of a bank you trust)."
        )
    programs = [fill_placeholder(question.snippet, choice.text) for choice in question.choices]
    try:
        finished = subprocess.run(
            [sys.executable, "-I", "-c", _DRIVER],
            input=json.dumps(programs),
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_limit_memory if sys.platform != "win32" else None,
        )
    except subprocess.TimeoutExpired as error:
        raise TimeoutError(
            f"The options of question {question.id} did not finish within {timeout:g} s."
        ) from error
    if finished.returncode != 0:
        detail = finished.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"The snippet runner for question {question.id} failed: {detail[0]}")
    results = json.loads(finished.stdout)
    return [
        OptionRun(choice.key, program, result["stdout"], result["error"])
        for choice, program, result in zip(question.choices, programs, results, strict=True)
    ]
