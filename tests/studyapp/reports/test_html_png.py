"""The HTML report opened in headless Chromium: the screenshot must show a real page.

Skips when Chromium is not installed (.ci/run installs Debian's ``chromium`` where it can).
The PNG is decoded with zlib and struct only, to count the distinct colours on screen.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

import pytest

from studyapp.reports import render
from studyapp.reports.build import build_report
from tests.studyapp.reports.synthetic import NOW, scheduler_for, synthetic_store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH, HEIGHT = 1200, 2000
DECODED_ROWS = 500  # the top of the page: title, summary and section bars
ACCENT = "#2f6fb5"  # the rule under the title (as_html's --accent)


def png_pixels(data: bytes, rows: int) -> tuple[int, int, list[bytes]]:
    """Width, height and the first ``rows`` scanlines (unfiltered) of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, b"", None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    assert header is not None
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, header
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw = zlib.decompressobj().decompress(idat, (stride + 1) * rows)
    lines: list[bytes] = []
    previous = bytes(stride)
    for row in range(rows):
        start = row * (stride + 1)
        line = _unfilter(
            raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, channels
        )
        lines.append(line)
        previous = line
    return width, height, [bytes(line) for line in lines]


def _unfilter(kind: int, line: bytearray, previous: bytes, bpp: int) -> bytes:
    if kind == 1:  # Sub
        for i in range(bpp, len(line)):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif kind == 2:  # Up
        line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
    elif kind == 3:  # Average
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (left + previous[i]) // 2) & 0xFF
    elif kind == 4:  # Paeth
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predictor = a if pa <= pb and pa <= pc else b if pb <= pc else c
            line[i] = (line[i] + predictor) & 0xFF
    return bytes(line)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_html_report_renders_in_chromium_to_a_page_that_is_not_blank(tmp_path):
    with synthetic_store(tmp_path) as store:
        report = build_report(scheduler_for(store), store.profile, now=NOW)
    page = tmp_path / "report.html"
    page.write_text(render(report, "html"), encoding="utf-8")
    screenshot = tmp_path / "report.png"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={screenshot}",
            f"--window-size={WIDTH},{HEIGHT}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert screenshot.exists(), f"chromium wrote no screenshot: {result.stderr[-2000:]}"
    width, height, rows = png_pixels(screenshot.read_bytes(), DECODED_ROWS)
    assert (width, height) == (WIDTH, HEIGHT)
    channels = len(rows[0]) // width
    colours = {row[i : i + 3] for row in rows for i in range(0, len(row), channels)}
    assert len(colours) > 100, f"only {len(colours)} colours: the page looks blank"
    # Decoded right: the page's white background and the exact blue of the header's rule.
    assert rows[0][:3] == b"\xff\xff\xff"
    assert bytes.fromhex(ACCENT.lstrip("#")) in colours
    white = sum(
        row[i : i + 3] == b"\xff\xff\xff" for row in rows for i in range(0, len(row), channels)
    )
    assert white < 0.97 * width * DECODED_ROWS, "the page is almost all white"
