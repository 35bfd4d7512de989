"""Writing reports to files: atomic replace, and the format a file name implies.

`--output` files are written to a temporary file in the target's directory and renamed over
the target (CLI.md "Output streams"): a failed or interrupted run never leaves a half-written
report, and an existing report stays untouched until the new one is complete.
"""

from __future__ import annotations

import contextlib
import os
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
    neither tells.
    """
    if explicit:
        return str(explicit)
    found = EXTENSION_FORMATS.get(Path(path).suffix.lower())
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
    target. A symlinked target is written through: the link stays, its target is replaced.
    Any failure removes the temporary file, leaves the old target as it was and raises
    InputError (exit 4).
    """
    shown = str(path)
    target = Path(os.path.realpath(path))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target.is_dir():
        raise InputError(f"{shown}: cannot write (it is a directory)")
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
