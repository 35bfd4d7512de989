"""`-o` never harms the machine (issue 19 items 3, 4 and 12).

An output that is one of the inputs (itself, a symlink or a hard link to it) is refused before
anything is read; a character device or a FIFO is written in place (never replaced by a
regular file) and a failed write there is an error; a symlink another user planted in a
sticky directory is not followed; SIGTERM and SIGHUP during the final write leave no
temporary file. The tests run as root (the sticky-directory case gives the link another owner
with os.lchown).
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cskpi.cli import app
from cskpi.cli.common import cleanup_on_signals

runner = CliRunner()

TICKETS = (
    "Ticket ID,Created At,First Response At,Status,Assignee\n"
    "T1,2024-03-01 09:00,2024-03-01 09:10,open,kim\n"
    "T2,2024-03-01 12:00,2024-03-01 12:30,open,lee\n"
)
SURVEYS = "Response ID,Ticket ID,Submitted At,Survey,Score\nR1,T1,2024-03-01 11:00,csat,5\n"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)
    (tmp_path / "t.csv").write_text(TICKETS)
    (tmp_path / "s.csv").write_text(SURVEYS)


def cli(*args: object) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr, result.stderr
    return result


def one_line(result: Result, code: int, phrase: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert phrase in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stdout == ""


# -- item 3: the output is an input ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "output", "victim"),
    [
        (["t.csv"], "t.csv", "t.csv"),
        (["./t.csv"], "t.csv", "./t.csv"),  # the same file by another spelling
        (["t.csv", "--surveys", "s.csv"], "s.csv", "s.csv"),
        (["*.csv"], "t.csv", "t.csv"),  # a glob that matches the output
        (["t.csv"], "link.csv", "t.csv"),  # a symlink to the input
        (["t.csv"], "hard.csv", "t.csv"),  # a hard link to the input
    ],
)
def test_output_naming_an_input_is_refused(
    tmp_path: Path, args: list[str], output: str, victim: str
) -> None:
    (tmp_path / "link.csv").symlink_to(tmp_path / "t.csv")
    os.link(tmp_path / "t.csv", tmp_path / "hard.csv")
    result = cli("report", *args, "-o", output)
    one_line(result, 2, f"-o {output}: that is the input {victim}; write the report to another")
    assert (tmp_path / "t.csv").read_text() == TICKETS
    assert (tmp_path / "s.csv").read_text() == SURVEYS


def test_output_naming_the_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "my.toml").write_text('timezone = "UTC"\n')
    result = cli("report", "t.csv", "-c", "my.toml", "-f", "json", "-o", "my.toml")
    one_line(result, 2, "-o my.toml: that is the input my.toml")
    assert (tmp_path / "my.toml").read_text() == 'timezone = "UTC"\n'


def test_peak_output_naming_an_input_is_refused(tmp_path: Path) -> None:
    one_line(cli("peak", "t.csv", "-o", "t.csv"), 2, "-o t.csv: that is the input t.csv")
    assert (tmp_path / "t.csv").read_text() == TICKETS


def test_a_new_output_beside_the_inputs_is_written(tmp_path: Path) -> None:
    result = cli("report", "t.csv", "-k", "tickets_created", "-o", "out.csv", "-q")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out.csv").read_text().splitlines()[1].startswith("2,")  # T1, T2


# -- item 4: devices, FIFOs and planted symlinks ------------------------------------------------


def test_dev_null_stays_a_device() -> None:
    result = cli("report", "t.csv", "-f", "csv", "-o", "/dev/null", "-q")
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_full_device_is_an_error() -> None:
    one_line(
        cli("report", "t.csv", "-f", "csv", "-o", "/dev/full", "-q"),
        4,
        "/dev/full: cannot write (No space left on device)",
    )
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("report", "t.csv", "-k", "tickets_created", "-o", fifo, "-q")
    reader.join(30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a pipe, no temporary file beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.csv", "s.csv", "t.csv"]
    assert got[0].decode().splitlines()[1].startswith("2,")  # T1, T2


def test_dev_stdout_into_a_pipe(tmp_path: Path) -> None:
    """`-o /dev/stdout` with stdout a pipe: the pipe gets the report (T1, T2 → 2 created)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    args = ["report", "t.csv", "-k", "tickets_created", "-f", "csv", "-o", "/dev/stdout", "-q"]
    done = subprocess.run(
        [sys.executable, "-m", "cskpi", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].startswith("2,")


def _shared(tmp_path: Path) -> tuple[Path, Path]:
    """A /tmp-like sticky directory holding `report.csv` → a file outside it."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    victim = tmp_path / "victim.csv"
    victim.write_text("precious\n")
    link = shared / "report.csv"
    link.symlink_to(victim)
    return link, victim


def test_a_symlink_planted_by_another_user_is_refused(tmp_path: Path) -> None:
    link, victim = _shared(tmp_path)
    os.lchown(link, 12345, 12345)  # another user's link, in a directory we (root) own
    one_line(
        cli("report", "t.csv", "-o", link, "-q"),
        4,
        "cannot write (a symlink another user owns in a shared directory",
    )
    assert victim.read_text() == "precious\n"
    assert link.is_symlink()


def test_our_own_symlink_in_a_sticky_directory_is_written_through(tmp_path: Path) -> None:
    link, victim = _shared(tmp_path)
    result = cli("report", "t.csv", "-k", "tickets_created", "-o", link, "-q")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert victim.read_text().splitlines()[1].startswith("2,")


# -- item 12: SIGTERM and SIGHUP during the final write -----------------------------------------

_KILLED_WHILE_WRITING = """
import os, signal, sys
from cskpi.cli.common import cleanup_on_signals
from cskpi.render import files

def fsync(fd):  # the signal arrives while the temporary file is being made durable
    os.kill(os.getpid(), int(sys.argv[2]))

files.os.fsync = fsync
with cleanup_on_signals():
    files.write_atomic(sys.argv[1], "new report\\n")
print("survived")
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_the_write_leaves_no_temporary_file(
    tmp_path: Path, signum: signal.Signals
) -> None:
    target = tmp_path / "report.html"
    target.write_text("old report\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_WHILE_WRITING, str(target), str(int(signum))],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == -signum, (done.returncode, done.stderr)  # ended by the signal
    assert "survived" not in done.stdout
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "s.csv", "t.csv"]
    assert target.read_text() == "old report\n"


def test_signal_handlers_are_restored_after_the_write() -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    with cleanup_on_signals():
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
    assert {s: signal.getsignal(s) for s in before} == before


def test_an_ignored_signal_stays_ignored_during_the_write() -> None:
    """Under nohup SIGHUP is ignored: the write must not be cut short by it."""
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with cleanup_on_signals():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
