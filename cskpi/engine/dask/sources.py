"""Inputs of the Dask engine as partitions: files, directories, globs and fsspec URLs.

A partition is one file. A directory stands for every readable file below it (sorted by path,
names starting with `.` or `_` skipped: `_SUCCESS`, `.crc`); a glob for the files it
matches. Directory levels spelled `key=value` (hive partitioning, `year=2024/`) become
columns of the rows below them. A URL (`s3://`, `gs://`, `abfs://`, ...) is listed and read
through fsspec when it and the package for its protocol are installed; each worker copies its
file to a temporary local one and reads that with the local readers.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cskpi.errors import InputError, UsageError
from cskpi.load.readers.inputs import FORMATS, detect_format

GLOB = "*?["


@dataclass(frozen=True)
class Part:
    """One file of an input: its path or URL and its hive columns (`year=2024` → year)."""

    path: str
    hive: tuple[tuple[str, str], ...] = ()


def partitions(specs: Sequence[str], input_format: str | None = None) -> list[Part]:
    """The files `specs` name, in order, each with the hive columns of its directories."""
    parts: list[Part] = []
    for spec in specs:
        if spec == "-":
            raise UsageError("--engine dask cannot read standard input; name the files")
        if "://" in spec:
            parts.extend(_remote(spec, input_format))
            continue
        if os.path.isdir(spec):
            found = [
                os.path.join(top, name)
                for top, dirs, names in os.walk(spec)
                for name in names
                if not _hidden(os.path.relpath(os.path.join(top, name), spec))
            ]
            parts.extend(_readable(spec, sorted(found), spec, input_format))
        elif any(c in spec for c in GLOB):
            root = _fixed_prefix(spec)
            found = sorted(p for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
            if not found:
                raise InputError(f"no file matches '{spec}'")
            parts.extend(_readable(spec, found, root, input_format))
        elif os.path.isfile(spec):
            parts.append(Part(spec))
        else:
            raise InputError(f"{spec}: no such file")
    return parts


def _readable(spec: str, paths: list[str], root: str, input_format: str | None) -> list[Part]:
    kept = [
        Part(p, hive_columns(os.path.relpath(p, root)))
        for p in paths
        if input_format is not None or _format(p) is not None
    ]
    if not kept:
        raise InputError(f"{spec}: no {'/'.join(FORMATS)} file in it")
    return kept


def _format(path: str) -> str | None:
    try:
        return detect_format(path)
    except (InputError, UsageError):
        return None


def _hidden(relative: str) -> bool:
    return any(part.startswith((".", "_")) for part in relative.split(os.sep))


def _fixed_prefix(pattern: str) -> str:
    """The directory part of a glob before its first wildcard."""
    head = pattern
    for i, ch in enumerate(pattern):
        if ch in GLOB:
            head = pattern[:i]
            break
    return os.path.dirname(head) or "."


def hive_columns(relative: str) -> tuple[tuple[str, str], ...]:
    """`year=2024/month=03/part-0.parquet` → (("year", "2024"), ("month", "03"))."""
    parts = relative.replace("\\", "/").split("/")[:-1]
    found = []
    for part in parts:
        key, sep, value = part.partition("=")
        if sep and key:
            found.append((key, value))
    return tuple(found)


def _remote(url: str, input_format: str | None) -> list[Part]:
    """The files under or matching `url`, listed through fsspec."""
    fs, path = _filesystem(url)
    protocol = url.split("://", 1)[0]
    try:
        if any(c in path for c in GLOB):
            found = sorted(str(p) for p in fs.glob(path))
            root = _fixed_prefix(path)
        elif fs.isdir(path):
            found = sorted(str(p) for p in fs.find(path))
            found = [p for p in found if not _hidden(os.path.relpath(p, path))]
            root = path
        else:
            found, root = [path], os.path.dirname(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{url}: cannot list it ({exc})") from exc
    if not found:
        raise InputError(f"no file matches '{url}'")
    return _readable(
        url, [f"{protocol}://{p}" for p in found], f"{protocol}://{root}", input_format
    )


def _filesystem(url: str) -> tuple[Any, str]:
    protocol = url.split("://", 1)[0]
    try:
        import fsspec
    except ImportError as exc:
        raise UsageError(
            f"{url}: reading {protocol}:// needs fsspec: pip install 'cskpi[dask]'"
        ) from exc
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise UsageError(
            f"{url}: no fsspec file system for {protocol}:// is installed ({exc}); "
            "e.g. pip install s3fs, gcsfs or adlfs"
        ) from exc
    return fs, str(path)


@contextmanager
def local_copy(path: str) -> Iterator[str]:
    """`path` itself, or for a URL a temporary local copy (removed afterwards)."""
    if "://" not in path:
        yield path
        return
    import shutil
    import tempfile

    fs, remote = _filesystem(path)
    suffix = "".join(os.path.basename(remote).partition(".")[1:])
    with tempfile.TemporaryDirectory(prefix="cskpi-") as tmp:
        local = os.path.join(tmp, f"part.{suffix.lstrip('.')}" if suffix else "part")
        try:
            with fs.open(remote, "rb") as src, open(local, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 22)
        except OSError as exc:
            raise InputError(f"{path}: cannot read it ({exc})") from exc
        yield local
