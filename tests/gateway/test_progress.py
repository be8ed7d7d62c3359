"""Progress bars (rich): units and a rate, exactly one final line when not a terminal."""

from __future__ import annotations

import io

from gateway.progress import Progress


def test_one_final_line_with_units_and_rate_off_a_terminal():
    out = io.StringIO()
    with Progress(370_000, "demo events", unit="events", stream=out) as progress:
        for _ in range(37):
            progress.advance(9_974)  # the nominal total is an estimate
        assert progress.done == 369_038
        progress.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("demo events")
    assert "100%" in line and "370,000/370,000" in line
    assert "events/s" in line


def test_advance_never_passes_the_total():
    out = io.StringIO()
    progress = Progress(10, "ingest x.ndjson", unit="B", stream=out)
    progress.advance(7)
    progress.advance(7)
    assert progress.done == 10
    progress.close()
    progress.close()  # closing twice draws nothing more
    assert len(out.getvalue().splitlines()) == 1
