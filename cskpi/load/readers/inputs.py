"""`read_inputs`: files, globs and standard input → one `RawInput`, each file by its format.

The format is `--input-format` or the file's extension (a trailing `.gz` ignored); each file
goes to its format's reader (`_READERS`) and the parts are concatenated in the order read. A
text export bigger than the free memory can take is refused before it is read.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, BinaryIO

from cskpi.errors import InputError, UsageError
from cskpi.load.readers.csv_arrow import read_delimited
from cskpi.load.readers.dialect import check_decimal, check_delimiter, check_quote
from cskpi.load.readers.json_files import jsonl_lines, read_json
from cskpi.load.readers.model import FileInfo, Options, Part, Places, RawInput
from cskpi.load.readers.parquet import read_parquet
from cskpi.load.readers.source import TEXT_MEMORY_FACTOR, Source, expand, open_source

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

FORMATS: tuple[str, ...] = ("csv", "tsv", "json", "jsonl", "parquet", "xlsx")


def read_inputs(
    paths: Sequence[str],
    *,
    input_format: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    columns: Callable[[list[str]], list[str] | dict[str, str]] | None = None,
    stdin: BinaryIO | None = None,
    labels: Callable[[list[str]], set[str]] | None = None,
    delimiter: str | None = None,
    quote: str | None = None,
    decimal: str | None = None,
    times: Callable[[list[str]], set[str]] | None = None,
) -> RawInput:
    """Read `paths` (files, globs, `-`) into one raw frame; `columns` prunes each file's header
    (a dict keeps its keys and renames them to its values, so that files whose headers are
    spelled differently stack column by column), `labels` names the kept columns that hold
    labels (`Options.labels`), `times` those feeding time columns alone (`Options.times`);
    `delimiter`, `quote`, `decimal`: `--delimiter`, `--quote`, `--decimal` (`dialect`)."""
    import numpy as np

    renames: dict[str, str] = {}

    def pruned(names: list[str]) -> list[str]:
        assert columns is not None
        kept = columns(names)
        renames.clear()
        if isinstance(kept, dict):
            renames.update({old: new for old, new in kept.items() if old != new})
        return list(kept)

    if input_format is not None and input_format not in FORMATS:
        raise UsageError(f"unknown input format '{input_format}'; use {'|'.join(FORMATS)}")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise UsageError(
                f"unknown encoding '{encoding}' (try utf-8, cp1252, cp949, cp932)"
            ) from exc
    if "-" in paths and input_format is None:
        raise UsageError("reading standard input needs --input-format")
    opts = Options(
        encoding,
        sheet,
        None if columns is None else pruned,
        labels,
        check_delimiter(delimiter),
        check_quote(quote),
        check_decimal(decimal),
        times,
    )
    parts: list[Part] = []
    infos: list[FileInfo] = []
    for path in expand(paths):
        src = open_source(path, stdin)
        fmt = input_format or detect_format(path)
        _check_memory(path, fmt)
        renames.clear()
        part = _READERS[fmt](src, opts)
        if renames:
            part.frame = part.frame.rename(columns=renames)
            part.forms = {renames.get(k, k): v for k, v in part.forms.items()}
        parts.append(part)
        infos.append(
            FileInfo(path, fmt, part.encoding, len(part.frame), part.sheet, part.decimal_comma)
        )
    if len(parts) > 1:
        _times_as_text(parts)
    frames = [p.frame for p in parts]
    frame = frames[0] if len(frames) == 1 else _stacked(frames)
    return RawInput(
        frame=frame.reset_index(drop=True),
        files=tuple(infos),
        malformed=tuple(m for p in parts for m in p.malformed),
        # a list of line numbers (the csv module's path) as one array, once
        places=Places(
            tuple(
                p.lines if isinstance(p.lines, range) else np.asarray(p.lines, dtype=np.int64)
                for p in parts
            )
        ),
        warnings=tuple(w for p in parts for w in p.warnings),
        short=_short_rows(parts),
    )


def _short_rows(parts: list[Part]) -> np.ndarray | None:
    """The padded short rows of every part, as positions in the concatenated frame."""
    import numpy as np

    if not any(p.short for p in parts):
        return None
    starts = np.cumsum([0] + [len(p.frame) for p in parts[:-1]])
    return np.concatenate(
        [
            np.asarray(p.short, dtype=np.int64) + start
            for p, start in zip(parts, starts, strict=True)
        ]
    )


def _check_memory(path: str, fmt: str) -> None:
    """Refuse a text export that cannot fit in the memory this machine has free, rather than
    letting the system kill the process halfway (Parquet reads only the needed columns)."""
    if path == "-" or fmt in ("parquet", "xlsx"):
        return
    from cskpi.memory import available

    try:
        size = os.path.getsize(path)
    except OSError:
        return
    free = available()  # MemAvailable, capped by a container's limit
    if free is None:
        return
    gzip_factor = 5 if path.endswith(".gz") else 1  # typical compression of CSV exports
    need = size * gzip_factor * TEXT_MEMORY_FACTOR
    if need > free > 0:
        raise InputError(
            f"{path}: {size / 2**30:.1f} GiB of {fmt.upper()} needs about "
            f"{need / 2**30:.0f} GiB of memory to read, but only {free / 2**30:.0f} GiB is "
            "free; convert it to Parquet (e.g. with DuckDB or pyarrow), which cskpi reads "
            "column by column"
        )


def detect_format(path: str) -> str:
    """The format named by the file's extension, ignoring a trailing `.gz`."""
    if path == "-":
        raise UsageError("reading standard input needs --input-format")
    base = path[:-3] if path.lower().endswith(".gz") else path
    suffix = os.path.splitext(base)[1].lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    what = f"unsupported format '{suffix}'" if suffix else "no extension to tell the format"
    raise InputError(f"{path}: {what}; use --input-format {'|'.join(FORMATS)}")


def _read_xlsx(src: Source, opts: Options) -> Part:
    """The .xlsx reader, imported when a workbook is read: its XML tools bring in
    urllib and email (about 50 ms of every run that reads none)."""
    from cskpi.load.readers.xlsx import read_xlsx

    return read_xlsx(src, opts)


_READERS: dict[str, Callable[[Source, Options], Part]] = {
    "csv": lambda src, opts: read_delimited(src, opts, None, "CSV"),
    "tsv": lambda src, opts: read_delimited(src, opts, "\t", "TSV"),
    "json": read_json,
    "jsonl": jsonl_lines,
    "parquet": read_parquet,
    "xlsx": lambda src, opts: _read_xlsx(src, opts),
}
_SUFFIXES: dict[str, str] = {f".{fmt}": fmt for fmt in _READERS} | {".ndjson": "jsonl"}


def _times_as_text(parts: list[Part]) -> None:
    """A column some files' parts hold as timestamps (`csv_times`) and others as text, or as
    timestamps of another kind (naive, UTC), is written back as text in every part, so the
    files stack as they were read before: the parsing sees one column of text."""
    import pyarrow as pa

    from cskpi.load.readers.csv_times import restore
    from cskpi.load.readers.frames import arrow_frame

    for name in {n for p in parts for n in p.forms}:
        kinds = {p.forms[name].endswith(b"Z") if name in p.forms else None for p in parts}
        if len(kinds) == 1:
            continue
        for part in parts:
            form = part.forms.pop(name, None)
            if form is not None:
                stamps = part.frame[name].array.asi8.view("datetime64[us]")
                text = pa.table({name: restore(stamps, form)})
                column = arrow_frame([text], len(part.frame))[name]
                part.frame[name] = column.set_axis(part.frame.index)


def _stacked(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The files' frames one after another. A column read as categories in every file stays
    categorical over their joint categories (concatenating differing categories would give
    Python objects); one that is categorical in some files only becomes text."""
    import pandas as pd

    for name in {c for f in frames for c in f.columns}:
        kinds = [isinstance(f[name].dtype, pd.CategoricalDtype) for f in frames if name in f]
        if not any(kinds):
            continue
        if all(kinds) and len(kinds) == len(frames):
            joint = pd.api.types.union_categoricals([f[name] for f in frames]).categories
            for f in frames:
                f[name] = f[name].cat.set_categories(joint)
        else:
            for f in frames:
                if name in f and isinstance(f[name].dtype, pd.CategoricalDtype):
                    f[name] = f[name].astype("str").where(f[name].notna())
    return pd.concat(frames, ignore_index=True, sort=False)
