"""Issue 17: progress on long reads — a bar with bytes read / total and an ETA, on a terminal
only; nothing on stderr in a pipe or with -q."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.cli.progress import bytes_read, input_bytes, reading, shows_progress


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _term(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")


def test_shows_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert shows_progress(False, Terminal()) is True
    assert shows_progress(False, io.StringIO()) is False  # a pipe or a file
    assert shows_progress(True, Terminal()) is False  # --quiet
    monkeypatch.setenv("TERM", "dumb")
    assert shows_progress(False, Terminal()) is False
    monkeypatch.setenv("TERM", "xterm")
    assert shows_progress(False, object()) is False  # type: ignore[arg-type]  # not a stream


def test_input_bytes_sums_files_and_globs(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(b"x" * 100)
    (tmp_path / "b.csv").write_bytes(b"y" * 23)
    (tmp_path / "c.txt").write_bytes(b"z" * 7)
    # a.csv 100 + the glob's a.csv 100 and b.csv 23; stdin and a missing file count 0
    paths = [str(tmp_path / "a.csv"), str(tmp_path / "*.csv"), "-", str(tmp_path / "no.csv")]
    assert input_bytes(paths) == 100 + 100 + 23
    assert input_bytes([str(tmp_path)]) == 0  # a directory is not a file


def test_bytes_read_parses_proc_io() -> None:
    text = "rchar: 123456\nwchar: 99\nsyscr: 5\nread_bytes: 4096\n"
    assert bytes_read(text) == 123456
    assert bytes_read("wchar: 1\n") is None


def test_reading_draws_a_bar_with_bytes_and_total(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n" * 5000)  # 20,000 bytes: the bar's total reads 20.0 kB
    screen = Terminal()
    with reading([str(path)], False, stream=screen, delay=0):
        path.read_bytes()
        time.sleep(0.4)
    shown = screen.getvalue()
    assert "reading t.csv" in shown
    assert "/20.0 kB" in shown  # bytes read / total
    assert "━" in shown  # the bar
    # every byte read (20 kB and more): the label turns to parsing, the total unknown
    assert "parsing t.csv" in shown


def test_reading_is_silent_off_a_terminal_and_when_quiet(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n" * 100)
    pipe = io.StringIO()
    with reading([str(path)], False, stream=pipe, delay=0):
        time.sleep(0.2)
    assert pipe.getvalue() == ""
    screen = Terminal()
    with reading([str(path)], True, stream=screen, delay=0):
        time.sleep(0.2)
    assert screen.getvalue() == ""


def test_a_quick_read_shows_nothing(tmp_path: Path) -> None:
    screen = Terminal()
    with reading([str(tmp_path)], False, stream=screen, delay=5):
        pass
    assert screen.getvalue() == ""


@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_report_in_a_pipe_writes_no_progress(tiny_tickets: Path, quiet: list[str]) -> None:
    """CliRunner's stderr is not a terminal: only the config-free notes, never a bar."""
    result = CliRunner().invoke(
        app, ["report", str(tiny_tickets), "-k", "tickets_created", "-f", "csv", *quiet]
    )
    assert result.exit_code == 0, result.stderr
    assert "reading" not in result.stderr and "━" not in result.stderr
    if quiet:
        assert result.stderr == ""
