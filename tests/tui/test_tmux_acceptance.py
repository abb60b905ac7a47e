"""Acceptance in a real terminal: studyapp under tmux, driven by keys as a learner would.

Start, first review, answer, rate, open the demo, quit; then the database must hold the
answer. Runs by default; skipped only where tmux is missing (.ci/run installs it).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest

from .conftest import TEST_BANK

TMUX = shutil.which("tmux")

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
]


class Terminal:
    """One tmux server of our own (its own socket), so the user's tmux is never touched."""

    def __init__(self, command: str, width: int = 110, height: int = 32):
        self.socket = f"studyapp-test-{uuid.uuid4().hex[:10]}"
        self.tmux("new-session", "-d", "-s", "main", "-x", str(width), "-y", str(height), command)

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            [TMUX, "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "main", key)
            time.sleep(0.15)

    def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{texts} not on screen after {timeout} s:\n{screen}")
            time.sleep(0.2)

    def close(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True)


def test_first_review_answer_rate_demo_and_quit(tmp_path):
    database = tmp_path / "studyapp.db"
    command = (
        f"{sys.executable} -m studyapp --db {database} --bank {TEST_BANK}; "
        "echo studyapp-exited-$?; sleep 60"
    )
    terminal = Terminal(command)
    try:
        # The numbers arrive after the first frame (a fresh database opens in a worker).
        terminal.wait_for(
            "studyapp — ホーム", "r か Enter で今日の復習を始めます。", "今日の新規       6"
        )

        terminal.keys("r")
        terminal.wait_for("シグモイド関数で勾配消失が起こりやすい理由", "残り 6")
        terminal.keys("2", "Enter")
        # The feedback, then the rating buttons with Good's interval (they render a frame later).
        terminal.wait_for("✓ 正解", "解説", "3 正解", "10分後")

        terminal.keys("d")
        terminal.wait_for("studyapp — デモ", "正解の根拠", "✓ max_value ≈ 0.25 ± 1e-9")
        terminal.keys("Escape")
        terminal.wait_for("✓ 正解", "1 もう一度")

        terminal.keys("3")
        terminal.wait_for("シグモイド関数の導関数の最大値", "前の問題: 正解 → 10分後")
        terminal.keys("C-q")
        terminal.wait_for("studyapp-exited-0")
    finally:
        terminal.close()

    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT question_id, rating, correct FROM reviews").fetchall()
    assert rows == [("tui-sigmoid-reason", 3, 1)]
