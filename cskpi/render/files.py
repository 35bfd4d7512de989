"""Writing reports to files: atomic replace, and the format a file name implies.

`--output` files are written to a temporary file in the target's directory and renamed over
the target (CLI.md "Output streams"): a failed or interrupted run never leaves a half-written
report, and an existing report stays untouched until the new one is complete. A character
device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe) is written in place instead, and a
symlink that someone else planted in a shared sticky directory (`/tmp`) is not followed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from cskpi.errors import InputError, UsageError

EXTENSION_FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
}
"""Output file extension (lower case) → `--format` value."""

_FILE_FORMATS = ("csv", "tsv", "json", "jsonl", "markdown", "html", "xlsx", "parquet")

_DEFAULT_MODE = 0o644


def format_for_path(path: str, explicit: str | None) -> str:
    """The output format for `--output path`: `explicit` (`--format`) wins, else the extension.

    The extension is matched case-insensitively (`REPORT.CSV` is csv). Raises UsageError when
    neither tells, and when they disagree (`-o r.xlsx -f csv` would put CSV text in a file
    Excel cannot open; DECISIONS 47).
    """
    found = EXTENSION_FORMATS.get(Path(path).suffix.lower())
    if explicit:
        if found is not None and str(explicit) not in (found, "table"):  # table: said later
            raise UsageError(
                f"-o {path} is {found} by its extension but --format is {explicit}; "
                f"drop --format or name the file for {explicit}"
            )
        return str(explicit)
    if found is None:
        raise UsageError(
            f"{path}: cannot tell the format from the extension; "
            f"use --format {'|'.join(_FILE_FORMATS)} "
            f"or name the file {' '.join(EXTENSION_FORMATS)}"
        )
    return found


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write `data` (str is UTF-8 encoded) to `path` all at once, or not at all.

    A temporary file next to the target is written, flushed and fsynced, given the existing
    target's permission bits (a new file gets 0o644 less the umask), then renamed over the
    target. A symlinked target is written through: the link stays, its target is replaced;
    a link another user planted in a sticky directory is refused. A character device or a
    FIFO is written in place.
    Any failure removes the temporary file, leaves the old target as it was and raises
    InputError (exit 4).
    """
    shown = str(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    _refuse_planted_link(Path(path), shown)
    try:
        mode = os.stat(path).st_mode  # through links: `/dev/stdout` may be a pipe
    except OSError:
        mode = stat.S_IFREG  # a new file (or one we will fail to write, said below)
    if stat.S_ISDIR(mode):
        raise InputError(f"{shown}: cannot write (it is a directory)")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        _write_in_place(Path(path), payload, shown)
        return
    target = Path(os.path.realpath(path))
    if not stat.S_ISREG(mode):
        raise InputError(f"{shown}: cannot write (not a regular file, a device or a pipe)")
    tmp_name: str | None = None
    try:
        mode = _mode_for(target)
        with tempfile.NamedTemporaryFile(
            mode="wb", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
        ) as handle:
            tmp_name = handle.name
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(f"{shown}: cannot write ({reason})") from exc
    finally:
        # Also on KeyboardInterrupt: never leave `.report.csv.xxxx.tmp` behind.
        if tmp_name is not None:
            _remove_quietly(tmp_name)
    _sync_directory(target.parent)


def _refuse_planted_link(path: Path, shown: str) -> None:
    """A symlink in a sticky directory (`/tmp`) owned neither by us nor by the directory's
    owner was planted by another user: following it would let them aim our report at any
    file we may replace (the rule of Linux's fs.protected_symlinks)."""
    try:
        link = path.lstat()
        if not stat.S_ISLNK(link.st_mode):
            return
        directory = path.parent.stat()
    except OSError:
        return
    sticky = bool(directory.st_mode & stat.S_ISVTX)
    if sticky and link.st_uid not in (os.geteuid(), directory.st_uid):
        raise InputError(
            f"{shown}: cannot write (a symlink another user owns in a shared directory; "
            "remove it or write elsewhere)"
        )


def _write_in_place(target: Path, payload: bytes, shown: str) -> None:
    """A character device or FIFO, written as it is (never replaced by a regular file); a
    failed write (`/dev/full`: no space left) is an error, not a silent loss."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NOCTTY)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(f"{shown}: cannot write ({reason})") from exc


def _mode_for(target: Path) -> int:
    """The existing file's permission bits, else 0o644 less the process umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        pass
    umask = os.umask(0)
    os.umask(umask)
    return _DEFAULT_MODE & ~umask


def _remove_quietly(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows (best effort)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
