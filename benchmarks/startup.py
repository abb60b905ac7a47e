"""Start-up budget: the TUI's first usable screen ≤ 2× a minimal one-Label Textual app.

Both apps are started the same way: ``python …`` in a pseudo-terminal of 110×32, whose
output is drained as a terminal would. Each appends the wall-clock times of its start-up
stages to the file named by STUDYAPP_STARTUP_REPORT and exits:

- the minimal app: ``first_screen`` when its first frame is on screen (Textual's Ready);
- studyapp: ``first_screen`` (the home screen drawn, numbers pending) and ``usable`` (the
  home screen shows the numbers from the database: keys act at once).

studyapp runs on a database with 50,000 reviews (built with benchmarks/answer_latency.py's
``build_database``: the bundled bank plus its generated questions, a simulated year of
history). The ratio compares studyapp's ``usable`` with the minimal app's first screen,
medians over several alternating runs after one warm-up each. Prints one JSON line:

    {"minimal_s": …, "studyapp_s": …, "ratio": …, "reviews_in_db": 50000, "budget_ratio": 2.0, …}

    python benchmarks/startup.py [--runs 7] [--reviews 50000]
"""

from __future__ import annotations

import argparse
import fcntl
import importlib.util
import json
import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUDGET_RATIO = 2.0
COLUMNS, ROWS = 110, 32
REPORT_VARIABLE = "STUDYAPP_STARTUP_REPORT"  # studyapp.tui.app.STARTUP_REPORT_VARIABLE

MINIMAL_APP = """
import json, os, time
from textual.app import App
from textual.widgets import Label


class Minimal(App):
    def compose(self):
        yield Label("minimal")

    def on_ready(self):
        with open(os.environ["STUDYAPP_STARTUP_REPORT"], "a") as report:
            report.write(json.dumps({"first_screen": time.time()}) + "\\n")
        self.exit()


Minimal().run()
"""


def load_answer_latency():
    """benchmarks/answer_latency.py as a module (it knows how to build a 50k-review DB)."""
    spec = importlib.util.spec_from_file_location("answer_latency", HERE / "answer_latency.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_in_pty(command: list[str], env: dict[str, str], report: Path) -> dict[str, float]:
    """Start ``command`` in a 110×32 pty; the start-up stages it reports, in seconds."""
    report.unlink(missing_ok=True)
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))

    def drain() -> None:  # a terminal reads everything the app writes
        while True:
            try:
                if not os.read(leader, 65536):
                    return
            except OSError:
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    started = time.time()
    process = subprocess.Popen(
        command,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**env, REPORT_VARIABLE: str(report)},
        start_new_session=True,
    )
    os.close(follower)
    try:
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    if process.returncode != 0 or not report.exists():
        raise RuntimeError(f"{command} exited with {process.returncode} and no start-up report")
    stages = json.loads(report.read_text().splitlines()[-1])
    return {stage: at - started for stage, at in stages.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reviews", type=int, default=50_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="studyapp-startup-") as workdir:
        work = Path(workdir)
        answer_latency = load_answer_latency()
        config, _seconds = answer_latency.build_database(work, 300, args.reviews, random.Random(1))
        minimal = work / "minimal.py"
        minimal.write_text(MINIMAL_APP, encoding="utf-8")
        banks = [arg for bank in config.bank_dirs for arg in ("--bank", str(bank))]
        studyapp = [sys.executable, "-m", "studyapp", "--db", config.db, *banks]
        env = {
            **os.environ,
            "HOME": str(work),  # no user keymap or data
            "XDG_CONFIG_HOME": str(work / "config"),
            "XDG_DATA_HOME": str(work / "data"),
            "TERM": os.environ.get("TERM", "xterm-256color"),
            "PYTHONPATH": str(HERE.parent),
        }
        report = work / "report.jsonl"
        run_in_pty([sys.executable, str(minimal)], env, report)  # warm-ups
        run_in_pty(studyapp, env, report)
        minimal_runs, studyapp_runs = [], []
        for _ in range(args.runs):
            minimal_runs.append(run_in_pty([sys.executable, str(minimal)], env, report))
            studyapp_runs.append(run_in_pty(studyapp, env, report))
        with answer_latency.open_store(config, sync=False) as store:
            reviews = store.scheduler.stats().reviews

    minimal_s = statistics.median(run["first_screen"] for run in minimal_runs)
    first_screen_s = statistics.median(run["first_screen"] for run in studyapp_runs)
    usable_s = statistics.median(run["usable"] for run in studyapp_runs)
    print(
        json.dumps(
            {
                "minimal_s": round(minimal_s, 3),
                "studyapp_s": round(usable_s, 3),
                "ratio": round(usable_s / minimal_s, 2),
                "reviews_in_db": reviews,
                "budget_ratio": BUDGET_RATIO,
                "studyapp_first_screen_s": round(first_screen_s, 3),
                "first_screen_ratio": round(first_screen_s / minimal_s, 2),
                "runs": args.runs,
                "within_budget": usable_s / minimal_s <= BUDGET_RATIO,
            }
        )
    )


if __name__ == "__main__":
    main()
