"""Checking a bank's demo links against the demo registry, without running any demo.

Each question names a demo and parameter values; a misspelt id or a parameter the demo does
not have (or out of its range) is a problem in the bank, reported as ``file:line: message``
by ``studyapp bank check``. Whether the claims hold is ``studyapp verify``'s job.
"""

from __future__ import annotations

from content.model import Bank, Problem


def demo_link_problems(bank: Bank) -> list[Problem]:
    from engine.demos import ParameterError, UnknownDemoError, get_demo

    problems = []
    for question in bank.questions:
        link = question.demo
        try:
            get_demo(link.demo_id).resolve(link.params)
        except (UnknownDemoError, ParameterError) as error:
            problems.append(Problem(question.file, link.line or question.line, str(error)))
    return problems
