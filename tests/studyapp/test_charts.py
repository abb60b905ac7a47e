"""Bar charts: a fixed full scale for percentages, Japanese labels aligned by terminal cells."""

from __future__ import annotations

from rich.cells import cell_len

from studyapp.charts import bar_chart


def test_a_full_bar_is_the_peak_given_not_the_largest_value():
    half, full = bar_chart(["a", "b"], {"%": [50, 100]}, width=31, peak=100)
    assert half.plain.count("█") * 2 == full.plain.count("█")
    (alone,) = bar_chart(["a"], {"%": [50]}, width=31, peak=100)
    assert alone.plain.count("█") == half.plain.count("█")  # not drawn full on its own


def test_japanese_labels_line_up_with_ascii_ones():
    lines = bar_chart(["3-1 順伝播型ネットワーク", "x"], {"%": [100, 100]}, width=60)
    starts = [cell_len(line.plain[: line.plain.index("█")]) for line in lines]
    assert starts[0] == starts[1]
    assert {line.cell_len for line in lines} == {59}
