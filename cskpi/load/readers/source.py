"""Where a file's bytes come from: paths, globs, standard input, pipes, gzip (`Source`).

Only the first `SNIFF` bytes are read up front; `Source.data` reads the whole file again
(decompressed) at each call, so a reader can let go of the bytes once parsed. Standard input
and pipes cannot be read twice: their bytes are kept.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import stat
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from cskpi.errors import InputError, UsageError

SNIFF = 8192


@dataclass
class Source:
    name: str  # shown in messages
    path: str  # as given; "-" for standard input
    head: bytes
    content: bytes | None = None  # standard input or a pipe, read once

    @property
    def gz(self) -> bool:
        return self.head.startswith(b"\x1f\x8b")

    def data(self) -> bytes:
        """The file's bytes (decompressed), read again at each call: not kept here, so a
        reader can let go of them once parsed (`Text.forget`)."""
        content = self.content
        if content is None:
            try:
                with open(self.path, "rb") as fh:
                    content = fh.read()
            except OSError as exc:
                raise InputError(f"{self.path}: cannot read the file ({exc.strerror})") from exc
        if not self.gz:
            return content
        raw = gunzip(self.name, content)
        if not raw:
            raise InputError(f"{self.name}: the file is empty")
        return raw

    def handle(self) -> str | io.BytesIO:
        return self.path if self.content is None and not self.gz else io.BytesIO(self.data())


TEXT_MEMORY_FACTOR = 3
"""Peak memory of reading a text export is about this many times its size (README)."""
GZIP_RATIO = 32
"""A gzip file may decompress to at most this many times its size (beyond `GZIP_FLOOR`):
exports compress 5 to 15 times; a bomb, hundreds of times (issue 19 item 8)."""
GZIP_FLOOR = 64 * 2**20
GZIP_CHUNK = 4 * 2**20


def gunzip(name: str, content: bytes) -> bytes:
    """`content` decompressed, a chunk at a time, refused as soon as it grows past
    `GZIP_RATIO` times its compressed size (at least `GZIP_FLOOR`) or past what the memory
    available can read (`TEXT_MEMORY_FACTOR`): a 2 MB bomb is never expanded in memory."""
    from cskpi.memory import available

    ratio_limit = max(GZIP_FLOOR, GZIP_RATIO * len(content))
    free = available()
    memory_limit = free // TEXT_MEMORY_FACTOR if free else ratio_limit
    limit = min(ratio_limit, memory_limit)
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
            while chunk := stream.read(GZIP_CHUNK):
                if out.tell() + len(chunk) > limit:
                    why = (
                        f"more than {GZIP_RATIO} times its size: refused as a likely gzip bomb"
                        if limit == ratio_limit
                        else f"more than the {human_size(free or 0)} of memory available can read"
                    )
                    raise InputError(
                        f"{name}: decompresses to over {human_size(limit)}, {why}\n"
                        "if it is a real export, decompress it first (gunzip) and read that file"
                    )
                out.write(chunk)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(f"{name}: truncated or corrupt gzip file") from exc
    return out.getvalue()


def human_size(n: int) -> str:
    """Bytes as `1.5 GiB` or `0.9 MiB`."""
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / 2**20:,.1f} MiB"


def expand(paths: Sequence[str]) -> list[str]:
    out: list[str] = []
    for path in paths:
        if path == "-" or os.path.exists(path) or not any(c in path for c in "*?["):
            out.append(path)
            continue
        found = sorted(p for p in glob.glob(path) if os.path.isfile(p))  # no dirs, FIFOs
        if not found:
            raise InputError(f"no file matches '{path}'")
        out.extend(found)
    if not out:
        raise UsageError("no input file given")
    return out


def open_source(path: str, stdin: BinaryIO | None) -> Source:
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        if stream.isatty():
            raise UsageError("standard input is a terminal; pipe a file into cskpi or name one")
        content = stream.read()
        if not content:
            raise InputError("<stdin>: the input is empty")
        return Source("<stdin>", path, content[:SNIFF], content)
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not a file")
    content = None
    try:
        with open(path, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if stat.S_ISREG(mode):
                head = fh.read(SNIFF)
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                # /dev/zero or /dev/urandom never end, a terminal waits: never read one
                raise InputError(f"{path}: is a device, not a file")
            else:  # a pipe (`<(zcat x.csv.gz)`) cannot be read twice: keep all of it
                content = fh.read()
                head = content[:SNIFF]
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if not head:
        raise InputError(f"{path}: the file is empty")
    return Source(path, path, head, content)
