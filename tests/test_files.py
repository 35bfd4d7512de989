"""Atomic output files and the format implied by a file name."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cskpi.errors import InputError, UsageError
from cskpi.render import files
from cskpi.render.files import EXTENSION_FORMATS, format_for_path, write_atomic


def leftovers(directory: Path) -> list[str]:
    """Temporary files a failed write could have left (`.report.csv.xxxx.tmp`)."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_write_str_as_utf8(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    write_atomic(target, "agent\n김민준\n")
    assert target.read_bytes() == "agent\n김민준\n".encode()
    assert leftovers(tmp_path) == []


def test_write_bytes_as_is(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    write_atomic(str(target), b"PK\x03\x04\x00\xff")
    assert target.read_bytes() == b"PK\x03\x04\x00\xff"


def test_replace_existing(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert leftovers(tmp_path) == []


def test_existing_permissions_kept(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.chmod(0o664)
    write_atomic(target, "newer")
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_new_file_gets_0644_less_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "a.csv", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.csv").stat().st_mode) == 0o640  # 0o644 & ~0o027
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "b.csv", "x")
    finally:
        os.umask(old)
    # Not the 0o600 that mkstemp gives temporary files.
    assert stat.S_IMODE((tmp_path / "b.csv").stat().st_mode) == 0o644


def test_failure_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old report")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(InputError) as caught:
        write_atomic(target, "new report")
    assert str(caught.value) == f"{target}: cannot write (No space left on device)"
    assert caught.value.exit_code == 4
    assert isinstance(caught.value.__cause__, OSError)
    assert target.read_text() == "old report"
    assert leftovers(tmp_path) == []


def test_failure_while_writing_removes_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old report")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "fsync", broken_fsync)
    with pytest.raises(InputError, match=r"report\.csv: cannot write \(Input/output error\)"):
        write_atomic(target, "new report")
    assert target.read_text() == "old report"
    assert leftovers(tmp_path) == []


def test_interrupt_removes_temp_and_propagates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old report")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new report")
    assert target.read_text() == "old report"
    assert leftovers(tmp_path) == []


def test_directory_target_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    with pytest.raises(InputError, match=r"reports: cannot write \(it is a directory\)"):
        write_atomic(folder, "x")
    assert folder.is_dir()
    assert leftovers(tmp_path) == []


def test_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "report.csv"
    with pytest.raises(InputError, match=r"cannot write \(No such file or directory\)"):
        write_atomic(target, "x")


def test_parent_is_a_file_is_an_input_error(tmp_path: Path) -> None:
    # fails for root too (unlike a read-only directory): the parent is not a directory
    blocker = tmp_path / "blocker"
    blocker.write_text("old")
    with pytest.raises(InputError, match=r"cannot write \(Not a directory\)"):
        write_atomic(blocker / "report.csv", "new")
    assert blocker.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


# -- format_for_path ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("report.csv", "csv"),
        ("report.tsv", "tsv"),
        ("report.json", "json"),
        ("report.jsonl", "jsonl"),
        ("report.ndjson", "jsonl"),
        ("report.md", "markdown"),
        ("report.markdown", "markdown"),
        ("report.html", "html"),
        ("report.htm", "html"),
        ("report.xlsx", "xlsx"),
        ("report.parquet", "parquet"),
        ("out/2024.03.report.CSV", "csv"),
        ("/tmp/x.Json", "json"),
    ],
)
def test_format_from_extension(path: str, fmt: str) -> None:
    assert format_for_path(path, None) == fmt


def test_every_contract_extension_is_known() -> None:
    contract = [".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".md", ".markdown"]
    contract += [".html", ".htm", ".xlsx", ".parquet"]
    assert sorted(EXTENSION_FORMATS) == sorted(contract)


def test_explicit_format_agrees_with_the_extension_or_names_an_unknown_one() -> None:
    assert format_for_path("report.csv", "csv") == "csv"
    assert format_for_path("report.foo", "csv") == "csv"  # no extension's format to contradict
    assert format_for_path("report", "xlsx") == "xlsx"


def test_format_contradicting_the_extension_is_a_usage_error() -> None:
    """DECISIONS 47: `-o r.xlsx -f csv` once wrote CSV text into r.xlsx."""
    with pytest.raises(UsageError) as caught:
        format_for_path("r.xlsx", "csv")
    assert str(caught.value) == (
        "-o r.xlsx is xlsx by its extension but --format is csv; "
        "drop --format or name the file for csv"
    )


def test_format_contradicting_the_extension_exits_2_before_reading(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cskpi.cli import app

    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(
        app, ["report", str(tmp_path / "absent.csv"), "-o", str(out), "-f", "csv"]
    )
    # exit 2 (usage), not 4 for the missing input: judged before any file is read
    assert result.exit_code == 2
    assert "is xlsx by its extension but --format is csv" in result.output
    assert not out.exists()


@pytest.mark.parametrize("path", ["report.foo", "report", "report.csv.gz"])
def test_unknown_extension_is_a_usage_error(path: str) -> None:
    with pytest.raises(UsageError) as caught:
        format_for_path(path, None)
    message = str(caught.value)
    assert message.startswith(f"{path}: cannot tell the format from the extension; use --format ")
    assert "csv|tsv|json|jsonl|markdown|html|xlsx|parquet" in message
    assert caught.value.exit_code == 2
