"""Progress while the inputs are read: a bar with bytes read / total and an ETA (issue 17).

Shown only where someone watches: on a terminal (stderr), never with `--quiet` or
`TERM=dumb`, and only once a read has taken a second, so pipes, cron logs and quick runs stay
clean (`shows_progress`). The total is the size of the input files (globs expanded, standard
input not counted); the bytes read are the process's own count from the operating system
(`/proc/self/io`, `rchar`), so no reader needs to report anything. Once every byte is read the
label turns to `parsing` and the bar pulses with the time spent (a whole-file read parses
after reading). Where the system has no such count, the bar pulses from the start.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

PROC_IO = "/proc/self/io"
DELAY = 1.0
"""Seconds a read runs before the bar appears."""


def shows_progress(quiet: bool, stream: TextIO | None = None) -> bool:
    """Whether progress may be drawn on `stream` (default stderr): a terminal, not --quiet,
    not TERM=dumb."""
    stream = sys.stderr if stream is None else stream
    if quiet or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a file
        return False


def input_bytes(paths: Sequence[str]) -> int:
    """The size of the input files: globs expanded; standard input, missing files and
    anything not a regular file count 0 (the readers say what is wrong with them)."""
    import glob

    total = 0
    for path in paths:
        if path == "-":
            continue
        names = glob.glob(path) if glob.has_magic(path) and not os.path.exists(path) else [path]
        for name in names:
            try:
                if os.path.isfile(name):
                    total += os.path.getsize(name)
            except OSError:
                continue
    return total


def bytes_read(text: str) -> int | None:
    """`rchar` (bytes the process has read) from the text of `/proc/self/io`, or None."""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "rchar" and value.strip().isdigit():
            return int(value)
    return None


def process_bytes_read() -> int | None:
    """The operating system's count of bytes this process has read, where it keeps one."""
    try:
        with open(PROC_IO, encoding="ascii") as fh:
            return bytes_read(fh.read())
    except OSError:
        return None


@contextmanager
def reading(
    paths: Sequence[str],
    quiet: bool,
    *,
    stream: TextIO | None = None,
    delay: float = DELAY,
) -> Iterator[None]:
    """While the block reads `paths`: after `delay` seconds, on a terminal only, a transient
    bar on `stream` (default stderr) with bytes read / total, the rate and the time left."""
    if not shows_progress(quiet, stream):
        yield
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    total = input_bytes(paths)
    start = process_bytes_read()
    counted = start is not None and total > 0
    shown = ", ".join(os.path.basename(p) or p for p in paths)
    label = shown if len(shown) <= 40 else shown[:39] + "…"
    columns: list[Any] = [TextColumn("{task.description}"), BarColumn()]
    if counted:
        columns += [DownloadColumn(), TimeRemainingColumn()]
    columns.append(TimeElapsedColumn())
    console = Console(file=stream) if stream is not None else Console(stderr=True)
    bar = Progress(*columns, console=console, transient=True)
    task = bar.add_task(f"reading {label}", total=total if counted else None)
    stop = threading.Event()

    def follow() -> None:
        if stop.wait(delay):
            return
        bar.start()
        current, parsing = task, False
        while True:
            now = process_bytes_read()
            if counted and not parsing and now is not None and start is not None:
                done = min(now - start, total)
                bar.update(current, completed=done)
                if done >= total:  # all read: what is left is parsing, of unknown length
                    bar.remove_task(current)
                    current = bar.add_task(f"parsing {label}", total=None, completed=total)
                    parsing = True
            if stop.wait(0.1):
                return

    watcher = threading.Thread(target=follow, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        bar.stop()
