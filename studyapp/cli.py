"""The ``studyapp`` command line: one parser for the whole command surface.

Handlers live in ``studyapp.commands.*`` and are imported only when their command runs, so
``studyapp --help`` and the light commands never load NumPy, SQLAlchemy or Textual.
Errors reach stderr as one sentence; exit code 2 for usage errors and 1 for failures.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import re
import sys
from collections.abc import Sequence

from studyapp import __version__
from studyapp.config import ENV_BANK, ENV_DB, LANGUAGES, AppConfig
from studyapp.errors import StudyappError, UsageError

PROG = "studyapp"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one sentence instead of a usage dump."""

    def error(self, message: str):
        unknown = re.match(
            r"argument (COMMAND|ACTION): invalid choice: '([^']*)' \(choose from (.*)\)", message
        )
        if unknown:
            what = "command" if unknown[1] == "COMMAND" else f"{self.prog} action"
            choices = unknown[3].replace("'", "")
            message = f"unknown {what} '{unknown[2]}'; choose from {choices}"
        message = message[0].upper() + message[1:] if message else message
        raise UsageError(f"{message.rstrip('.')} (see '{self.prog} --help').")


def _shared_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options every command accepts, before or after the command name.

    On subcommands the defaults are suppressed so that a value given before the command
    name is not overwritten by the subcommand's default.
    """

    def default(value):
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("shared options")
    group.add_argument(
        "--db",
        metavar="URL",
        default=default(None),
        help=f"database file or SQLAlchemy URL (env {ENV_DB}; default: the user data directory)",
    )
    group.add_argument(
        "--bank",
        metavar="DIR",
        action="append",
        default=default(None),
        help=f"question bank directory, repeatable; replaces the bundled bank (env {ENV_BANK})",
    )
    group.add_argument(
        "--trust-bank",
        action="store_true",
        default=default(False),
        help="allow code snippets of a non-bundled bank to run",
    )
    group.add_argument(
        "--profile",
        metavar="NAME",
        default=default(None),
        help="learner profile (default: 'default')",
    )
    group.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=default(None),
        help="language of the interface (default: ja)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="show tracebacks on errors",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "A terminal study tool for the JDLA E資格 exam: confirmation-test questions, "
            "spaced repetition (FSRS-6), and live NumPy demos that prove every answer. "
            "Without a command, opens the study app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _shared_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, handler: str, help: str, parent=commands) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=help, description=help)
        _shared_options(sub, suppress=True)
        sub.set_defaults(handler=handler)
        return sub

    bank = commands.add_parser("bank", help="check and list the question bank")
    bank_commands = bank.add_subparsers(dest="bank_command", metavar="ACTION", required=True)
    check = command(
        "check",
        "studyapp.commands.bank:check",
        "parse and validate bank files; prints file:line: message per problem",
        bank_commands,
    )
    check.add_argument(
        "dirs", nargs="*", metavar="DIR", help="bank directories (default: the bank in use)"
    )
    listing = command(
        "list",
        "studyapp.commands.bank:list_questions",
        "list the questions of the bank",
        bank_commands,
    )
    listing.add_argument("--json", action="store_true", help="print one JSON document")

    stats = command(
        "stats", "studyapp.commands.stats:stats", "counts of questions, cards and reviews"
    )
    stats.add_argument("--json", action="store_true", help="print one JSON document")

    demo = commands.add_parser("demo", help="list and run the live demos")
    demo_commands = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    demo_list = command(
        "list",
        "studyapp.commands.demo:list_demos",
        "list demos and their parameters",
        demo_commands,
    )
    demo_list.add_argument("--json", action="store_true", help="print one JSON document")
    demo_run = command("run", "studyapp.commands.demo:run_demo", "run one demo", demo_commands)
    demo_run.add_argument("demo_id", metavar="ID", help="demo id (see 'studyapp demo list')")
    demo_run.add_argument(
        "--set",
        dest="assignments",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="set a parameter; VALUE is read as JSON when it parses, else as a string",
    )
    demo_run.add_argument("--json", action="store_true", help="print one JSON document")

    verify = command(
        "verify",
        "studyapp.commands.verify:verify",
        "run every question's demo and check its claims",
    )
    verify.add_argument("--json", action="store_true", help="print one JSON document")
    verify.add_argument(
        "--question",
        dest="question_ids",
        metavar="ID",
        action="append",
        help="check only this question (repeatable)",
    )

    report = command("report", "studyapp.commands.report:report", "the progress report")
    report.add_argument("--format", choices=("text", "markdown", "html", "json"), default="text")
    report.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")

    export = command(
        "export",
        "studyapp.commands.transfer:export",
        "back up profiles, settings and the review log as JSON",
    )
    export.add_argument("file", metavar="FILE", help="file to write ('-' for standard output)")
    import_ = command(
        "import",
        "studyapp.commands.transfer:import_",
        "restore a JSON backup and rebuild card state",
    )
    import_.add_argument("file", metavar="FILE", help="file to read ('-' for standard input)")

    exam = commands.add_parser("exam", help="exam date and readiness")
    exam_commands = exam.add_subparsers(dest="exam_command", metavar="ACTION", required=True)
    set_date = command(
        "set-date", "studyapp.commands.exam:set_date", "set the exam date", exam_commands
    )
    set_date.add_argument("date", metavar="YYYY-MM-DD", help="the exam date ('none' to clear it)")
    status = command(
        "status", "studyapp.commands.exam:status", "readiness for exam day", exam_commands
    )
    status.add_argument("--json", action="store_true", help="print one JSON document")

    return parser


def _freeze_imported_objects() -> None:
    """Leave the objects created by imports out of every later garbage collection.

    SQLAlchemy alone creates about half a million objects when imported; without this, each
    full collection — and the one at exit — walks them all (0.15 s of a 1 s report).
    """
    gc.freeze()


def _load_handler(path: str):
    module_name, _, function_name = path.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def _report(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


# The demos' matrices are small: one BLAS thread is faster than a pool, and a pool of
# spinning threads would slow the TUI's worker threads and other programs.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def cap_blas_threads() -> None:
    """One BLAS thread unless the user chose otherwise; effective before NumPy is imported."""
    for variable in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")


def main(argv: Sequence[str] | None = None) -> int:
    cap_blas_threads()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    debug = "--debug" in argv
    try:
        args = parser.parse_args(argv)
        config = AppConfig.resolve(
            db=args.db,
            banks=args.bank,
            trust_bank=args.trust_bank,
            profile=args.profile,
            lang=args.lang,
            debug=args.debug,
        )
        handler = getattr(args, "handler", None)
        if handler is None:
            from studyapp.tui.app import run_app

            _freeze_imported_objects()
            return run_app(config)
        command = _load_handler(handler)
        _freeze_imported_objects()
        return int(command(args, config) or 0)
    except StudyappError as error:
        if debug:
            raise
        _report(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        _report("interrupted.")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as error:  # the last line of defence: one sentence, not a traceback
        if debug:
            raise
        _report(f"unexpected {type(error).__name__}: {error} (run with --debug for details).")
        return 1
