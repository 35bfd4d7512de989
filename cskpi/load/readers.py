"""Read export files into raw DataFrames (DATA.md "Files"; DECISIONS 23, 26).

Text formats (CSV, TSV, JSON, JSON Lines) are read as text: every value is a string or missing
("" counts as missing), so identifiers such as `000123` survive; normalisation parses types.
Parquet keeps its types; XLSX keeps cell values (datetimes, numbers, text) in object columns.

CSV/TSV: a row with more fields than the header (beyond trailing empty ones), an unterminated
quote, or a field the csv module refuses is skipped and reported as `Malformed`; a row with
fewer fields is padded with missing values (counted in `warnings`); empty lines are ignored.

In every format a repeated column name is read as `name.1`, `name.2`, ...; a column without a
name gets `Unnamed: i` (0-based position) and is dropped when it holds no value.

Damaged text: a file with many control bytes is refused as binary (UTF-16 is read when it
starts with a byte-order mark or `--encoding` names it); a record holding a NUL byte is
`Malformed`. A UTF-8 file (it holds valid non-ASCII UTF-8) in which a few lines are in another
encoding (≤ 1 % of the lines, at least one) keeps its UTF-8 lines and reports each other one as
`Malformed` (CSV, TSV, JSON Lines; a JSON document is refused, naming the line). A file that
holds JSON under a .csv/.tsv name, or CSV under a .json name, is refused with the format to use.

`source_line` is, per row, the 1-based physical line where the row starts (CSV, TSV, JSONL),
the worksheet row (XLSX) or the 1-based record index (JSON, Parquet).
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import io
import itertools
import json
import os
import re
import stat
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.etree.ElementTree import ParseError

from cskpi.errors import InputError, UsageError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

FORMATS: tuple[str, ...] = ("csv", "tsv", "json", "jsonl", "parquet", "xlsx")
_PYARROW_MIN_BYTES = 2**20  # smaller CSVs take the csv module (3.4 MB: 0.43 s vs 0.05 s)
_SNIFF = 8192
_STREAM_BLOCK = 64 << 20  # bytes per block of the pass over a big CSV (`_plain_file`)
_HEADER_SNIFF = 1_000_000  # characters searched for the header line on the pyarrow path
_CHUNK = 16 * 2**20  # bytes scanned at a time for record line numbers
_EOF = "\ue000cskpi-end-of-file\ue000"  # appended line: seeing it inside a field = open quote
_FIELD_LIMIT = 64 * 2**20  # csv module's default (128 KiB) is below long ticket descriptions
_RECORD_KEYS = ("tickets", "surveys", "satisfaction_ratings", "results", "data", "records")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BLANK = re.compile("[\ufeff \t\r\n]*")  # what precedes the first line `_refuse_json` reads
_UTF8_TEXT = re.compile("[^\x00-\x7f\udc80-\udcff]")  # non-ASCII that decoded as UTF-8
_UNDECODED = re.compile("[\udc80-\udcff]")  # a byte UTF-8 could not decode (surrogateescape)
_DIRTY = re.compile("[\x00\udc80-\udcff]")  # that, or a NUL byte
_CONTROL = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])  # not tab, line ends, form feed
_BINARY_SHARE = 0.05  # more control bytes than this in the first 8 KiB: not a text file
_WIDE = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


@dataclass(frozen=True)
class Malformed:
    """A line that could not be parsed and was skipped."""

    file: str
    line: int  # 1-based physical line (header = 1)
    reason: str


@dataclass(frozen=True)
class FileInfo:
    """One file read: its format, the encoding used (text formats) and the rows it gave."""

    path: str
    format: str
    encoding: str | None
    rows: int
    sheet: str | None = None


@dataclass(frozen=True)
class Places:
    """Each row's file and line, kept per file (a `range` for most formats) rather than as
    two arrays of the rows' size: 160 MB held through normalising 10 million rows."""

    lines: tuple[Sequence[int] | np.ndarray, ...]
    """Per file, its rows' lines in order."""

    @property
    def rows(self) -> int:
        return sum(len(lines) for lines in self.lines)

    def file(self, rows: np.ndarray) -> np.ndarray:
        """The file index (into `RawInput.files`) of each row position in `rows`."""
        import numpy as np

        ends = np.cumsum([len(lines) for lines in self.lines])
        found: np.ndarray = np.asarray(
            np.searchsorted(ends, np.asarray(rows, dtype=np.int64), side="right")
        )
        return found

    def line(self, rows: np.ndarray) -> np.ndarray:
        """The line of each row position in `rows`: a loop over the files, not the rows."""
        import numpy as np

        rows = np.asarray(rows, dtype=np.int64)
        files = self.file(rows)
        out: np.ndarray = np.zeros(len(rows), dtype=np.int64)
        start = 0
        for k, lines in enumerate(self.lines):
            hit = files == k
            if hit.any():
                local = rows[hit] - start
                if isinstance(lines, range):
                    out[hit] = lines.start + local * lines.step
                else:
                    out[hit] = np.asarray(lines, dtype=np.int64)[local]
            start += len(lines)
        return out

    def named(self, files: Sequence[FileInfo], rows: np.ndarray) -> list[str]:
        """`path:line` of each row position in `rows` (for examples: a few rows)."""
        return [
            f"{files[int(f)].path}:{int(n)}"
            for f, n in zip(self.file(rows), self.line(rows), strict=True)
        ]


@dataclass(frozen=True)
class RawInput:
    """All input files concatenated in the order read, with where each row came from."""

    frame: pd.DataFrame
    files: tuple[FileInfo, ...]
    malformed: tuple[Malformed, ...]
    places: Places
    """Where each row came from: its file and line / worksheet row / record (see top)."""
    warnings: tuple[str, ...] = ()  # renamed duplicate columns, padded short rows

    @property
    def source_line(self) -> np.ndarray:
        """Per row: line / worksheet row / record index (all rows: 80 MB per 10 million)."""
        import numpy as np

        return self.places.line(np.arange(self.places.rows))

    @property
    def source_file(self) -> np.ndarray:
        """Per row: index into `files`."""
        import numpy as np

        return self.places.file(np.arange(self.places.rows))

    def release(self) -> None:
        """Let go of the raw columns once they are parsed (`normalize`): keeping them to the
        end doubled the memory of a large export. The rows' places stay for messages."""
        # a copy: an empty slice would be a view that keeps every column's buffer alive
        object.__setattr__(self, "frame", self.frame.iloc[:0].copy())


@dataclass(frozen=True)
class _Options:
    encoding: str | None
    sheet: str | None
    columns: Callable[[list[str]], list[str]] | None


@dataclass
class _Part:
    frame: pd.DataFrame
    lines: Sequence[int] | np.ndarray
    encoding: str | None = None
    sheet: str | None = None
    malformed: list[Malformed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Text:
    """A text file and its encoding. `dirty`: it holds NUL bytes or undecodable bytes (as
    lone surrogates, see `_DIRTY`), so its records must be checked one by one. `decoded`:
    the text, or None for valid UTF-8 not decoded yet (the pyarrow path reads the bytes)."""

    decoded: str | None
    encoding: str
    data: bytes
    dirty: bool = False

    @property
    def text(self) -> str:
        if self.decoded is None:
            self.decoded = self.data.decode(self.encoding)
        return self.decoded

    def head(self, chars: int) -> tuple[str, bool]:
        """(the first `chars` characters, whether that is all of the text), decoding only
        as many bytes as they can take."""
        if self.decoded is not None:
            return self.decoded[:chars], len(self.decoded) <= chars
        size = 4 * chars + 3  # UTF-8: at most 4 bytes a character, and a BOM
        if size >= len(self.data):
            return self.text[:chars], len(self.text) <= chars
        text = codecs.getincrementaldecoder(self.encoding)().decode(self.data[:size])
        return text[:chars], False

    def forget(self) -> None:
        """Let go of the bytes and the text once they are parsed: for a big CSV they are as
        large as the file, and the parsed columns are about to be copied into pandas."""
        self.data, self.decoded = b"", None


@dataclass
class _Source:
    name: str  # shown in messages
    path: str  # as given; "-" for standard input
    head: bytes
    content: bytes | None = None  # standard input or a pipe, read once

    @property
    def gz(self) -> bool:
        return self.head.startswith(b"\x1f\x8b")

    def data(self) -> bytes:
        """The file's bytes (decompressed), read again at each call: not kept here, so a
        reader can let go of them once parsed (`_Text.forget`)."""
        content = self.content
        if content is None:
            try:
                with open(self.path, "rb") as fh:
                    content = fh.read()
            except OSError as exc:
                raise InputError(f"{self.path}: cannot read the file ({exc.strerror})") from exc
        if not self.gz:
            return content
        try:
            raw = gzip.decompress(content)
        except (EOFError, OSError, zlib.error) as exc:
            raise InputError(f"{self.name}: truncated or corrupt gzip file") from exc
        if not raw:
            raise InputError(f"{self.name}: the file is empty")
        return raw

    def handle(self) -> str | io.BytesIO:
        return self.path if self.content is None and not self.gz else io.BytesIO(self.data())


def read_inputs(
    paths: Sequence[str],
    *,
    input_format: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    columns: Callable[[list[str]], list[str]] | None = None,
    stdin: BinaryIO | None = None,
) -> RawInput:
    """Read `paths` (files, globs, `-`) into one raw frame; `columns` prunes each file's header."""
    import numpy as np
    import pandas as pd

    if input_format is not None and input_format not in FORMATS:
        raise UsageError(f"unknown input format '{input_format}'; use {'|'.join(FORMATS)}")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise UsageError(f"unknown encoding '{encoding}' (try utf-8, cp949, cp932)") from exc
    if "-" in paths and input_format is None:
        raise UsageError("reading standard input needs --input-format")
    opts = _Options(encoding, sheet, columns)
    parts: list[_Part] = []
    infos: list[FileInfo] = []
    for path in _expand(paths):
        src = _open(path, stdin)
        fmt = input_format or detect_format(path)
        _check_memory(path, fmt)
        part = _READERS[fmt](src, opts)
        parts.append(part)
        infos.append(FileInfo(path, fmt, part.encoding, len(part.frame), part.sheet))
    frames = [p.frame for p in parts]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True, sort=False)
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
    )


TEXT_MEMORY_FACTOR = 3
"""Peak memory of reading a text export is about this many times its size (README)."""


def _check_memory(path: str, fmt: str) -> None:
    """Refuse a text export that cannot fit in the memory this machine has free, rather than
    letting the system kill the process halfway (Parquet reads only the needed columns)."""
    if path == "-" or fmt in ("parquet", "xlsx"):
        return
    try:
        size = os.path.getsize(path)
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
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


def _expand(paths: Sequence[str]) -> list[str]:
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


def _open(path: str, stdin: BinaryIO | None) -> _Source:
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        if stream.isatty():
            raise UsageError("standard input is a terminal; pipe a file into cskpi or name one")
        content = stream.read()
        if not content:
            raise InputError("<stdin>: the input is empty")
        return _Source("<stdin>", path, content[:_SNIFF], content)
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not a file")
    content = None
    try:
        with open(path, "rb") as fh:
            if stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                head = fh.read(_SNIFF)
            else:  # a pipe (`<(zcat x.csv.gz)`) cannot be read twice: keep all of it
                content = fh.read()
                head = content[:_SNIFF]
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror})") from exc
    if not head:
        raise InputError(f"{path}: the file is empty")
    return _Source(path, path, head, content)


def _decode(src: _Source, opts: _Options, kind: str) -> _Text:
    """The text: the forced encoding, else UTF-8 (UTF-16 with a BOM), CP949 or CP932."""
    data = src.data()
    forced = codecs.lookup(opts.encoding).name if opts.encoding else None
    wide = forced in _WIDE or (
        forced is None and data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    )
    if not wide:
        _refuse_binary(src.name, data[:_SNIFF], kind)
    bom = data.startswith(codecs.BOM_UTF8)
    names = [forced] if forced else ["utf-16"] if wide else ["utf-8", "cp949", "cp932"]
    first = "utf-8-sig" if names[0] == "utf-8" and bom else names[0]
    if first.startswith("utf-8") and _valid_utf8(data):
        return _Text(None, first, data, dirty=b"\x00" in data)  # decoded when needed
    decoded: dict[str, str] = {}
    failures: list[UnicodeDecodeError] = []
    for name in ("utf-8-sig" if n == "utf-8" and bom else n for n in names):
        try:
            decoded[name] = data.decode(name)
        except UnicodeDecodeError as exc:
            failures.append(exc)
        except LookupError as exc:  # a codec, but not a text one ("base64")
            raise UsageError(f"'{opts.encoding}' is not a text encoding") from exc
        if name.startswith("utf-8") and decoded:
            break
    if not decoded:
        mixed = None if forced else _mostly_utf8(data, "utf-8-sig" if bom else "utf-8")
        if mixed is not None:
            return mixed
        start = failures[0].start
        where = f"byte 0x{data[start]:02x} at offset {start}"
        line = data.count(b"\n", 0, start) + 1
        message = (
            f"{src.name}: {where} is not valid {opts.encoding}"
            if opts.encoding
            else f"{src.name}: line {line}: not UTF-8 ({where}), CP949 or CP932 text; "
            "use --encoding NAME"
        )
        raise InputError(message) from failures[0]
    best = max(decoded, key=lambda name: _script_score(decoded[name], name))
    text = decoded[best]
    return _Text(text, best, data, dirty="\x00" in text)


def _valid_utf8(data: bytes | memoryview) -> bool:
    """Whether `data.decode("utf-8")` would succeed, checked by Arrow without building the
    text (a tenth of the time; both refuse overlong forms, surrogates and > U+10FFFF)."""
    import numpy as np
    import pyarrow as pa

    if isinstance(data, bytes) and data.isascii():
        return True
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    blob = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        blob.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _refuse_binary(name: str, head: bytes, kind: str) -> None:
    """Exit 4 for a file that is not text (many control bytes); UTF-16 without a BOM is named."""
    controls = len(head) - len(head.translate(None, _CONTROL))
    if controls <= _BINARY_SHARE * len(head):
        return
    odd, even = head[1::2], head[0::2]
    for zeros, codec in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if len(zeros) >= 2 and zeros.count(0) == len(zeros):
            raise InputError(
                f"{name}: looks like {codec.upper()} text without a byte-order "
                f"mark; use --encoding {codec}"
            )
    raise InputError(f"{name}: looks like a binary file, not {kind} text")


def _mostly_utf8(data: bytes, codec: str) -> _Text | None:
    """A UTF-8 file with a few lines in another encoding, or None (DECISIONS 32: the lines
    become malformed records, counted, instead of refusing the whole file)."""
    text = data.decode(codec, errors="surrogateescape")
    if not _UTF8_TEXT.search(text):
        return None  # nothing shows the file is UTF-8: the encoding is unknown
    limit, bad, pos = max(1, (text.count("\n") + 1) // 100), 0, 0
    while (found := _UNDECODED.search(text, pos)) is not None:
        bad += 1  # lines holding undecodable bytes
        if bad > limit:
            return None
        pos = text.find("\n", found.end()) + 1
        if not pos:
            break
    return _Text(text, codec, data, dirty=True)


def _dirty_reason(text: str) -> str | None:
    """Why a record holding NUL or undecodable bytes is skipped; None for a clean one."""
    found = _DIRTY.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "NUL byte in the line"
    return f"not UTF-8 like the rest of the file (byte 0x{ord(char) - 0xDC00:02x})"


def _script_score(text: str, encoding: str) -> int:
    """How Korean (cp949) or Japanese (cp932) the decoded text looks; the bytes of either
    language often decode without error in the other codec, as rare characters."""
    good = bad = 0
    for ch in _NON_ASCII.findall(text[:200_000]):
        if "\ue000" <= ch <= "\uf8ff":  # private use: vendor extension bytes, never real text
            bad += 1
        elif encoding == "cp949" and "\uac00" <= ch <= "\ud7a3":
            # Hangul outside KS X 1001 (the 2,350 common syllables) = CP949's rare extension
            common = min(ch.encode("cp949")) >= 0xA1
            good, bad = good + common, bad + (not common)
        elif encoding == "cp949" and "\u4e00" <= ch <= "\u9fff":
            bad += 1  # Hanja are rare in Korean exports
        elif encoding == "cp932" and ("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff"):
            good += 1
        elif encoding == "cp932" and "\uff61" <= ch <= "\uff9f":
            bad += 1  # half-width katakana: what Korean bytes turn into
    return good - bad


def _read_delimited(src: _Source, opts: _Options, delimiter: str, kind: str) -> _Part:
    streamed = _csv_stream(src, delimiter, opts, kind)
    if streamed is not None:
        return streamed
    decoded = _decode(src, opts, kind)
    encoding = decoded.encoding
    _refuse_json(src.name, _first_line(decoded), kind)
    part = None
    if len(decoded.data) >= _PYARROW_MIN_BYTES and not decoded.dirty:
        part = _csv_arrow(src.name, decoded, delimiter, opts)
    part = part or _csv_module(src.name, decoded.text, delimiter, opts, decoded.dirty)
    part.encoding = encoding
    return part


def _first_line(decoded: _Text) -> str:
    """The first line that is not blank (a BOM counts as blank), from a prefix if it holds it."""
    for chars in (_HEADER_SNIFF, None):
        text, whole = (decoded.text, True) if chars is None else decoded.head(chars)
        blank = _BLANK.match(text)
        start = blank.end() if blank else 0
        end = text.find("\n", start)
        if end >= 0 or whole:
            return text[start:] if end < 0 else text[start:end]
    raise AssertionError("unreachable: the whole text is the last prefix")


def _refuse_json(name: str, first: str, kind: str) -> None:
    """Exit 4 with the right --input-format when a .csv/.tsv file holds JSON (`first`: its
    first line that is not blank)."""
    first = first.strip()
    if not first.startswith(("{", "[")):
        return
    try:
        doc = json.loads(first)
    except (json.JSONDecodeError, RecursionError):
        doc = None
    if isinstance(doc, dict):
        fmt = "jsonl"
    elif first in ("[", "{") or first.startswith(("[{", '{"')) or isinstance(doc, list):
        fmt = "json"
    else:
        return
    raise InputError(
        f"{name}: holds JSON, not {kind}; use --input-format {fmt} or rename the file to .{fmt}"
    )


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(start line, fields, "") per record, or (line, None, reason) for one that cannot be
    parsed; reading resumes on the next line, so a stray quote costs one line, not the rest."""
    skip = 0
    while True:
        lines = itertools.islice(io.StringIO(text, newline=""), skip, None)
        reader = csv.reader(itertools.chain(lines, [_EOF]), delimiter=delimiter)
        while True:
            start = skip + reader.line_num + 1
            try:
                row = next(reader)
            except csv.Error as exc:
                reason = str(exc)
                break
            if row == [_EOF]:
                return
            if row and row[-1].endswith(_EOF):
                reason = "unterminated quoted field"
                break
            yield start, row, ""
        yield start, None, reason
        skip = start


def _csv_module(name: str, text: str, delimiter: str, opts: _Options, dirty: bool = False) -> _Part:
    malformed: list[Malformed] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    short = 0
    old_limit = csv.field_size_limit(_FIELD_LIMIT)
    try:
        for line, row, reason in _csv_records(text, delimiter):
            if row is None:
                malformed.append(Malformed(name, line, reason))
            elif not row:
                continue
            elif dirty and (why := _dirty_reason("\x1f".join(row))) is not None:
                if header is None:
                    raise InputError(f"{name}: line {line}: cannot read the header ({why})")
                malformed.append(Malformed(name, line, why))
            elif header is None:
                header = row
            elif len(row) > len(header) and any(row[len(header) :]):
                malformed.append(
                    Malformed(name, line, f"{len(row)} fields, expected {len(header)}")
                )
            else:
                short += len(row) < len(header)
                row.extend([""] * (len(header) - len(row)))
                rows.append(row[: len(header)])
                lines.append(line)
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise InputError(f"{name}: no header line (the file holds only empty lines)")
    names, unnamed, warnings = _names(name, header)
    keep = _prune(names, opts.columns)
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    frame = _text_frame({names[i]: cols[i] for i in keep}, len(rows))
    if short:
        warnings.append(f"{name}: {short} row(s) had fewer fields than the header; padded")
    return _Part(_drop_unnamed(frame, unnamed), lines, malformed=malformed, warnings=warnings)


def _csv_arrow(name: str, decoded: _Text, delimiter: str, opts: _Options) -> _Part | None:
    """pyarrow's multi-threaded reader for big files; None (-> csv module, which recovers line
    numbers and pads short rows) when any row is bad or record lines cannot be derived. Once
    the rows are read, `decoded` is emptied (`_Text.forget`)."""
    import pyarrow as pa

    prefix = decoded.head(_HEADER_SNIFF)[0]  # not all of it: StringIO holds 4 bytes a char
    if decoded.encoding in ("utf-8", "utf-8-sig"):
        utf8 = decoded.data[3:] if decoded.encoding == "utf-8-sig" else decoded.data
    else:
        utf8 = decoded.text.encode("utf-8")
    # no quotes and no \r (most exports): every \n ends a record, so the lines need no scan
    # when pyarrow reads as many rows as there are line ends (no empty line was skipped)
    plain = utf8.find(b'"') < 0 and utf8.find(b"\r") < 0
    scan = (None, False) if plain else _record_scan(utf8, delimiter)
    if scan is None:
        return None
    scanned, quoted_breaks = scan
    rows = _arrow_rows(name, prefix, pa.BufferReader(utf8), delimiter, opts, quoted_breaks)
    if rows is None:
        return None
    lines: Sequence[int] | np.ndarray
    if scanned is not None:
        lines = scanned
    elif (records := utf8.count(b"\n") + (not utf8.endswith(b"\n"))) == rows.count:
        lines = range(1, records + 1)
    else:
        found = _record_scan(utf8, delimiter)
        if found is None:
            return None
        lines = found[0]
    if len(lines) != rows.count:
        return None
    decoded.forget()  # read: the bytes go before the columns are copied into pandas
    del utf8
    return rows.part(lines)


@dataclass
class _Rows:
    """What pyarrow read of a CSV: the table (header row included) and how to name it."""

    table: Any
    keep: list[str]
    unnamed: set[str]
    warnings: list[str]

    @property
    def count(self) -> int:
        return int(self.table.num_rows)

    def part(self, lines: Sequence[int] | np.ndarray) -> _Part:
        """The rows as a raw part; `lines`: each record's line, the header's first."""
        table, self.table = self.table, None  # the frame takes over the columns
        count = table.num_rows - 1
        handed = [table.slice(1).select(self.keep)]
        del table
        frame = _arrow_frame(handed, count)
        return _Part(_drop_unnamed(frame, self.unnamed), lines[1:], warnings=self.warnings)


def _arrow_rows(
    name: str, prefix: str, source: Any, delimiter: str, opts: _Options, quoted_breaks: bool
) -> _Rows | None:
    """Read a CSV (`source`: a buffer or a path) with pyarrow, every field as text; None when
    the header cannot be found in `prefix` (the text's first `_HEADER_SNIFF` characters) or
    any row is bad: the csv module then reads the file and reports what it finds."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    old_limit = csv.field_size_limit(_FIELD_LIMIT)
    try:
        reader = csv.reader(io.StringIO(prefix, newline=""), delimiter=delimiter)
        header = next((row for row in reader if row), None)
    except csv.Error:
        return None  # the csv module reports the line
    finally:
        csv.field_size_limit(old_limit)
    if header is None or sum(len(f) + 1 for f in header) >= len(prefix) - 2:
        return None  # no header, or one that may run past the prefix
    names, unnamed, warnings = _names(name, header)
    keep = [names[i] for i in _prune(names, opts.columns)]
    bad: list[object] = []

    def on_bad(row: object) -> str:
        bad.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            source,
            # 4 MiB blocks instead of 1 MiB: a quarter of the chunks per column, which every
            # later step pays for (10 M tickets: read 2.4 s instead of 4-6, to pandas 0.5 s
            # instead of 2.5-4)
            read_options=pacsv.ReadOptions(column_names=names, block_size=4 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                # without line ends inside quoted values, pyarrow splits the file at any line
                # end and parses the blocks in parallel (1 M tickets: 3 times faster)
                newlines_in_values=quoted_breaks,
                invalid_row_handler=on_bad,
            ),
            convert_options=pacsv.ConvertOptions(
                # large_string: what pandas keeps text in, so no cast copies it (10 M
                # tickets: 2 s and 0.8 GB)
                column_types=dict.fromkeys(names, pa.large_string()),
                include_columns=keep or names[:1],  # an empty list would mean "all"
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, OSError):
        return None
    return None if bad else _Rows(table, keep, unnamed, warnings)


@dataclass
class _Plain:
    """What one pass over a plain UTF-8 CSV file found (`_plain_file`)."""

    prefix: str
    """The text's first `_HEADER_SNIFF` characters at most."""
    records: int
    """Line ends, plus one when the last line has none."""


def _plain_file(path: str) -> _Plain | None:
    """One pass over a file in `_STREAM_BLOCK` blocks: valid UTF-8 without a BOM, NUL, quote
    or carriage return (then every line end ends a record). None for any other file."""
    buffer = bytearray(_STREAM_BLOCK)  # one buffer read into again and again
    view = memoryview(buffer)
    carry = b""  # the start of a character cut by the previous block's end
    records = 0
    prefix = b""
    last = b""
    with open(path, "rb") as fh:
        while size := fh.readinto(buffer):
            block = buffer if size == len(buffer) else bytearray(view[:size])
            if len(prefix) < 4 * _HEADER_SNIFF:  # enough bytes for the prefix's characters
                prefix += bytes(view[: min(size, 4 * _HEADER_SNIFF - len(prefix))])
                if prefix.startswith(codecs.BOM_UTF8):
                    return None  # a BOM: the whole-file path reads it as utf-8-sig
            if b"\x00" in block or b'"' in block or b"\r" in block:
                return None
            records += block.count(b"\n")
            last = bytes(block[-1:])
            if not carry and block.isascii():
                continue
            start = 0
            if carry:  # the end of the character the previous block cut
                while start < size and len(carry) + start < 4 and block[start] & 0xC0 == 0x80:
                    start += 1
                if start == size and len(carry) + start < 4:
                    carry += bytes(view[:size])  # the whole block goes on with it
                    continue
                if not _valid_utf8(carry + bytes(view[:start])):
                    return None
            cut = size
            while cut > start and size - cut < 3 and block[cut - 1] & 0xC0 == 0x80:
                cut -= 1  # continuation bytes of a character that may go on
            if cut > start and block[cut - 1] >= 0xC0:
                cut -= 1  # its lead byte
            if not _valid_utf8(view[start:cut]):
                return None
            carry = bytes(view[cut:size])
    if carry and not _valid_utf8(carry):
        return None  # the file ends inside a character
    decoder = codecs.getincrementaldecoder("utf-8")()
    return _Plain(decoder.decode(prefix)[:_HEADER_SNIFF], records + (last != b"\n"))


def _csv_stream(src: _Source, delimiter: str, opts: _Options, kind: str) -> _Part | None:
    """A big plain UTF-8 CSV read by pyarrow straight from the file, never all in memory.

    Reading the whole file first held its bytes (1.7 GB for 10 million tickets) next to
    the columns pyarrow makes from them. Here one pass in blocks settles the encoding and
    counts the lines, and pyarrow reads the file itself. None (the whole-file path) for
    anything else: standard input, gzip, another encoding, a BOM, quotes, CR line ends,
    NUL bytes or a row pyarrow cannot read.
    """
    if src.content is not None or src.gz:
        return None
    if opts.encoding is not None and codecs.lookup(opts.encoding).name != "utf-8":
        return None
    if src.head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return None
    try:
        if os.path.getsize(src.path) < _PYARROW_MIN_BYTES:
            return None
    except OSError:
        return None
    _refuse_binary(src.name, src.head, kind)
    plain = _plain_file(src.path)
    if plain is None:
        return None
    blank = _BLANK.match(plain.prefix)
    first_end = plain.prefix.find("\n", blank.end() if blank else 0)
    if first_end < 0:
        return None
    _refuse_json(src.name, plain.prefix[blank.end() if blank else 0 : first_end], kind)
    rows = _arrow_rows(src.name, plain.prefix, src.path, delimiter, opts, False)
    if rows is None or rows.count != plain.records:
        return None  # an empty line pyarrow skipped: the whole-file path finds the lines
    part = rows.part(range(1, plain.records + 1))
    part.encoding = "utf-8"
    return part


def _record_lines(data: bytes, delimiter: str) -> np.ndarray | None:
    """1-based start line of each non-empty record, or None where quoting is not plain."""
    scan = _record_scan(data, delimiter)
    return None if scan is None else scan[0]


def _record_scan(data: bytes, delimiter: str) -> tuple[np.ndarray, bool] | None:
    """(`_record_lines`, whether a line end lies inside a quoted value), or None where quoting
    is not plain.

    Lines end at \\n, \\r\\n or \\r (as in the csv module). A line end closes a record when
    an even number of quotes precedes it; that holds when every quote opening a value follows
    a delimiter, a line end or another quote (doubled quotes keep the parity), and the total
    is even (no quote left open at the end). The bytes are scanned in `_CHUNK` slices, so the
    temporary masks stay small whatever the file size."""
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    size = len(buf)
    if not size:
        return np.zeros(0, dtype=np.int64), False
    has_quotes = data.find(b'"') >= 0  # a search of the bytes: far quicker than a mask
    has_cr = data.find(b"\r") >= 0
    allowed = np.array([ord(delimiter), 10, 13, 34], dtype=np.uint8)
    quotes_before = breaks_before = 0
    quoted_breaks = False
    ends: list[np.ndarray] = []  # positions of the line ends that close a record
    index: list[np.ndarray] = []  # ... and their 0-based rank among all line ends
    for start in range(0, size, _CHUNK):
        stop = min(start + _CHUNK, size)
        part = buf[start:stop]
        if has_cr:
            after = buf[start + 1 : stop + 1]
            if stop == size:
                after = np.append(after, np.uint8(0))
            breaks = np.flatnonzero((part == 10) | ((part == 13) & (after != 10)))
        else:
            breaks = np.flatnonzero(part == 10)
        if not has_quotes:
            ends.append(breaks + start)
            index.append(np.arange(breaks_before, breaks_before + len(breaks)))
            breaks_before += len(breaks)
            continue
        quotes = np.flatnonzero(part == 34)
        opening: np.ndarray = quotes[quotes_before % 2 :: 2] + start  # even rank in the file
        opening = opening[opening > 0]
        if len(opening) and not np.isin(buf[opening - 1], allowed).all():
            return None
        closing = (np.searchsorted(quotes, breaks) + quotes_before) % 2 == 0
        quoted_breaks = quoted_breaks or not closing.all()
        ends.append(breaks[closing] + start)
        index.append(np.flatnonzero(closing) + breaks_before)
        quotes_before += len(quotes)
        breaks_before += len(breaks)
    if quotes_before % 2:
        return None
    end = np.concatenate(ends)
    starts = np.concatenate(([0], end + 1))
    length = np.concatenate((end, [size])) - starts
    first = buf[np.minimum(starts, size - 1)]
    empty = (length == 0) | ((length == 1) & (first == 13))
    lines = np.concatenate(([1], np.concatenate(index) + 2))
    return np.asarray(lines[~empty], dtype=np.int64), quoted_breaks


def _read_json(src: _Source, opts: _Options) -> _Part:
    decoded = _decode(src, opts, "JSON")
    text, encoding = decoded.text, decoded.encoding
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # one object per line under a .json name
            return _jsonl_part(src.name, text, encoding, opts, decoded.dirty)
        raise InputError(
            f"{src.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            + _json_hint(text, exc)
        ) from exc
    except RecursionError as exc:
        raise InputError(f"{src.name}: JSON nested too deeply to be an export") from exc
    if decoded.dirty:
        found = _DIRTY.search(text)
        bad = text.count("\n", 0, found.start() if found else 0) + 1
        raise InputError(
            f"{src.name}: line {bad}: {_dirty_reason(text)}; save the file as UTF-8 text"
        )
    records = _json_records(src.name, doc)
    return _records_part(src.name, records, range(1, len(records) + 1), encoding, opts)


def _json_hint(text: str, exc: json.JSONDecodeError) -> str:
    """'; it looks like CSV: ...' when a .json file holds delimited text."""
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if exc.pos > len(text) - len(text.lstrip("\ufeff \t\r\n")) or first.startswith(("{", "[")):
        return ""
    for delimiter, fmt in (("\t", "tsv"), (",", "csv")):
        if delimiter in first:
            return f"; it looks like {fmt.upper()}: use --input-format {fmt}"
    return ""


def _jsonl_part(name: str, text: str, encoding: str, opts: _Options, dirty: bool = False) -> _Part:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    malformed: list[Malformed] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if dirty and (why := _dirty_reason(line)) is not None:
            malformed.append(Malformed(name, number, why))
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            malformed.append(Malformed(name, number, f"not valid JSON ({exc.msg})"))
            continue
        except RecursionError:
            malformed.append(Malformed(name, number, "JSON nested too deeply"))
            continue
        if isinstance(record, dict):
            records.append(record)
            lines.append(number)
        else:
            malformed.append(Malformed(name, number, "not a JSON object"))
    if not records:
        raise InputError(f"{name}: no records found (expected one JSON object per line)")
    part = _records_part(name, records, lines, encoding, opts)
    part.malformed = malformed
    return part


def _json_records(name: str, doc: object) -> list[dict[str, Any]]:
    """The records of an array, or of the one array of objects an API response holds."""
    if isinstance(doc, dict):
        found = [k for k, v in doc.items() if v and isinstance(v, list) and _objects(v)]
        preferred = [k for k in _RECORD_KEYS if k in found]
        if len(found) > 1 and not preferred:
            raise InputError(
                f"{name}: several arrays of records ({', '.join(found)}); "
                "cannot tell which holds the rows"
            )
        doc = doc[(preferred or found)[0]] if found else []
    if not isinstance(doc, list) or not doc:
        raise InputError(
            f"{name}: no records found (expected an array of objects or an object holding one)"
        )
    if not _objects(doc):
        index = next(i for i, v in enumerate(doc, 1) if not isinstance(v, dict))
        raise InputError(f"{name}: record {index} is not an object")
    return doc


def _objects(values: list[Any]) -> bool:
    return all(isinstance(v, dict) for v in values)


def _records_part(
    name: str, records: list[dict[str, Any]], lines: Sequence[int], encoding: str, opts: _Options
) -> _Part:
    try:
        flat = [_flatten(_unwrap(r), "", {}) for r in records]
    except RecursionError as exc:
        raise InputError(f"{name}: JSON nested too deeply to be an export") from exc
    names = list(dict.fromkeys(k for r in flat for k in r))
    keep = [names[i] for i in _prune(names, opts.columns)]
    frame = _text_frame({n: [r.get(n) for r in flat] for n in keep}, len(flat))
    return _Part(frame, lines, encoding=encoding)


def _unwrap(record: dict[str, Any]) -> dict[str, Any]:
    """`{"ticket": {...}}` (Zendesk incremental export) -> the inner object."""
    if len(record) == 1:
        (value,) = record.values()
        if isinstance(value, dict):
            return value
    return record


def _flatten(
    record: dict[str, Any], prefix: str, out: dict[str, str | None]
) -> dict[str, str | None]:
    """Nested objects become `a.b` columns; other non-strings become their JSON text."""
    for key, value in record.items():
        if isinstance(value, dict) and value:
            _flatten(value, f"{prefix}{key}.", out)
        elif value is None or (isinstance(value, str | list | dict) and not value):
            out[f"{prefix}{key}"] = None
        else:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            out[f"{prefix}{key}"] = text
    return out


def _read_parquet(src: _Source, opts: _Options) -> _Part:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(src.handle()) as pf:
            stored = list(pf.schema_arrow.names)
            names, unnamed, warnings = _names(src.name, stored)
            keep = _prune(names, opts.columns)
            rows = pf.metadata.num_rows
            unique = len(set(stored)) == len(stored)
            # row group by row group: each column chunk is allocated at its size, where one
            # read of the whole file grows every column's buffers by doubling (10 million
            # tickets: 815 MB held for 611 MB of data)
            groups = [
                pf.read_row_group(i, columns=[stored[j] for j in keep])
                if unique
                else pf.read_row_group(i).select(keep)  # a repeated name cannot be selected
                for i in range(pf.num_row_groups)
            ] or [pf.schema_arrow.empty_table().select(keep)]  # no row group: no rows
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{src.name}: not a readable Parquet file ({exc})") from exc
    table = pa.concat_tables(groups)
    groups.clear()  # the row groups share the table's buffers
    # handed over in a list that `_arrow_frame` empties: no name here keeps the table
    handed = [_binary_as_text(table.rename_columns([names[i] for i in keep]))]
    del table
    frame = _drop_unnamed(_arrow_frame(handed, rows), unnamed)
    return _Part(frame, range(1, rows + 1), warnings=warnings)


def _binary_as_text(table: Any) -> Any:
    """Binary columns as UTF-8 text (undecodable bytes replaced), like the text formats."""
    import pyarrow as pa

    for i, column in enumerate(table.schema):
        kind = column.type
        if not (
            pa.types.is_binary(kind)
            or pa.types.is_large_binary(kind)
            or pa.types.is_fixed_size_binary(kind)
        ):
            continue
        values = table.column(i)
        try:
            text = values.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            decoded = [
                None if v is None else v.decode("utf-8", "replace") for v in values.to_pylist()
            ]
            text = pa.chunked_array([pa.array(decoded, type=pa.string())])
        table = table.set_column(i, column.name, text)
    return table


_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, ParseError, ValueError)


def _read_xlsx(src: _Source, opts: _Options) -> _Part:
    import openpyxl
    import pandas as pd
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(src.handle(), read_only=True, data_only=True)
    except (*_XLSX_ERRORS, InvalidFileException) as exc:
        raise InputError(f"{src.name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        if opts.sheet is not None and opts.sheet not in book.sheetnames:
            raise InputError(
                f"{src.name}: no sheet named '{opts.sheet}'; sheets: {', '.join(book.sheetnames)}"
            )
        sheet = book[opts.sheet] if opts.sheet is not None else book.worksheets[0]
        sheet.reset_dimensions()  # the stored used range is often wrong; read every cell
        header: list[Any] | None = None
        rows: list[tuple[Any, ...]] = []
        lines: list[int] = []
        for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
            row = tuple(None if v == "" else v for v in row)
            if all(v is None for v in row):
                continue
            if header is None:
                header = list(row)
            else:
                rows.append(row)
                lines.append(number)
    except _XLSX_ERRORS as exc:
        raise InputError(f"{src.name}: not a readable .xlsx workbook ({exc})") from exc
    finally:
        book.close()
    if header is None:
        others = [name for name in book.sheetnames if name != sheet.title]
        hint = f"; other sheets: {', '.join(others)} (choose one with --sheet)" if others else ""
        raise InputError(f"{src.name}: sheet '{sheet.title}' is empty{hint}")
    width = max([len(header)] + [len(r) for r in rows])
    names, unnamed, warnings = _names(src.name, header + [None] * (width - len(header)))
    cols = list(zip(*(r + (None,) * (width - len(r)) for r in rows), strict=True)) or [()] * width
    frame = pd.DataFrame(
        {names[i]: pd.Series(cols[i], dtype=object) for i in _prune(names, opts.columns)},
        index=range(len(rows)),
    )
    return _Part(_drop_unnamed(frame, unnamed), lines, sheet=sheet.title, warnings=warnings)


def _names(name: str, header: Sequence[object]) -> tuple[list[str], set[str], list[str]]:
    """(column names, generated names, warnings): blanks get `Unnamed: i`, repeats `.1`..."""
    names: list[str] = []
    unnamed: set[str] = set()
    warnings: list[str] = []
    for i, value in enumerate(header):
        base = "" if value is None else str(value)
        if not base.strip():
            base = f"Unnamed: {i}"
            unnamed.add(base)
        column, k = base, 0
        while column in names:
            k += 1
            column = f"{base}.{k}"
        if k and base not in unnamed:
            warnings.append(f"{name}: column '{base}' appears more than once; read as '{column}'")
        names.append(column)
    return names, unnamed, warnings


def _prune(names: list[str], columns: Callable[[list[str]], list[str]] | None) -> list[int]:
    """Positions of the columns to read, in file order."""
    if columns is None:
        return list(range(len(names)))
    wanted = set(columns(list(names)))
    return [i for i, n in enumerate(names) if n in wanted]


def _text_frame(columns: dict[str, Sequence[str | None]], rows: int) -> pd.DataFrame:
    """A frame of text columns (pyarrow-built: pandas' string dtype where it is the default)."""
    import pyarrow as pa

    arrays = [pa.array([v or None for v in col], type=pa.string()) for col in columns.values()]
    return _arrow_frame([pa.Table.from_arrays(arrays, names=list(columns))], rows)


def _arrow_frame(handed: list[Any], rows: int) -> pd.DataFrame:
    """The table in `handed` (a one-item list, emptied) as a frame, keeping the row count of
    a table without columns.

    Column by column, each column's Arrow memory freed once converted, so that the data is
    not held twice (10 million tickets: 1.3 GB at the peak instead of 0.99); the caller
    keeps no other reference to the table. `split_blocks`: one block per column, so
    columns are not copied into 2-D blocks of one dtype."""
    import pandas as pd
    import pyarrow as pa

    table = handed.pop()
    if not table.num_columns:
        return pd.DataFrame(index=range(rows))
    mapper = _text_dtype()
    columns = {}
    for name in table.column_names:
        one = table.select([name])
        table = table.drop_columns([name])
        columns[name] = one.to_pandas(split_blocks=True, self_destruct=True, types_mapper=mapper)[
            name
        ]
        del one
        pa.default_memory_pool().release_unused()
    return pd.DataFrame(columns, copy=False)


def _text_dtype() -> Callable[[Any], Any] | None:
    """Arrow text → pandas' own text dtype (pandas then wraps Arrow's large_string buffers
    as they are, and casts others once), rather than pyarrow's own conversion."""
    import pandas as pd
    import pyarrow as pa

    text = pd.Series([""], dtype="str").dtype
    if getattr(text, "storage", None) != "pyarrow":
        return None
    return {pa.string(): text, pa.large_string(): text}.get


def _drop_unnamed(frame: pd.DataFrame, unnamed: set[str]) -> pd.DataFrame:
    empty = [c for c in frame.columns if c in unnamed and frame[c].isna().all()]
    return frame.drop(columns=empty) if empty else frame


def _jsonl_lines(src: _Source, opts: _Options) -> _Part:
    decoded = _decode(src, opts, "JSON Lines")
    return _jsonl_part(src.name, decoded.text, decoded.encoding, opts, decoded.dirty)


_READERS: dict[str, Callable[[_Source, _Options], _Part]] = {
    "csv": lambda src, opts: _read_delimited(src, opts, ",", "CSV"),
    "tsv": lambda src, opts: _read_delimited(src, opts, "\t", "TSV"),
    "json": _read_json,
    "jsonl": _jsonl_lines,
    "parquet": _read_parquet,
    "xlsx": _read_xlsx,
}
_SUFFIXES: dict[str, str] = {f".{fmt}": fmt for fmt in _READERS} | {".ndjson": "jsonl"}
