"""Errors that reach the user as one sentence, with the exit code the CLI contract gives them."""

from __future__ import annotations


class StudyappError(Exception):
    """A failure the user can act on: printed as one sentence, exit code 1."""

    exit_code = 1


class UsageError(StudyappError):
    """The command line asked for something impossible (bad argument, bad value): exit code 2."""

    exit_code = 2
