"""CSV/TSV: `read_delimited` picks the path; big files are read by pyarrow, every field as text.

Under `_PYARROW_MIN_BYTES` the csv module reads the file (`csv_small`). A bigger plain UTF-8
file (no BOM, CR or NUL) is streamed: one pass in `_STREAM_BLOCK` blocks settles the
encoding and counts the lines, and pyarrow reads the file itself (`_csv_stream`); a file with
quotes streams too when its rows turn out to be its lines (no value holds a line end). Other
big files are decoded whole and read from memory, their lines found by `csv_lines`
(`_csv_arrow`). Columns of a few distinct values (`Options.labels`) are read
dictionary-encoded, as categories.
Whatever pyarrow cannot read exactly (a bad row, a skipped line) goes to the csv module, which
reports it; except a file cut inside its last row (no line end after a row with fewer fields
than the header): that row alone is dropped as `truncated_line` (DECISIONS 44) and pyarrow's
read of the others is kept, so a cut download of a big export stays on the fast path. The size
thresholds are read in this module only.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cskpi.errors import InputError
from cskpi.load.readers.csv_lines import record_scan, swallowed
from cskpi.load.readers.csv_small import FIELD_LIMIT, csv_module, truncated
from cskpi.load.readers.csv_times import Stamps
from cskpi.load.readers.dialect import comma_decimals, csv_args, quote_for, sniff
from cskpi.load.readers.frames import arrow_frame, column_names, drop_unnamed, prune
from cskpi.load.readers.model import Options, Part
from cskpi.load.readers.source import Source
from cskpi.load.readers.text import Text, decode, refuse_binary, valid_utf8

if TYPE_CHECKING:
    import numpy as np

_PYARROW_MIN_BYTES = 2**20  # smaller CSVs take the csv module (3.4 MB: 0.43 s vs 0.05 s)
_STREAM_BLOCK = 64 << 20  # bytes per block of the pass over a big CSV (`_plain_file`)
_READ_BLOCK = 4 << 20  # bytes pyarrow reads at a time (see `_arrow_rows`)
_HEADER_SNIFF = 1_000_000  # characters searched for the header line on the pyarrow path
_BLANK = re.compile("[\ufeff \t\r\n]*")  # what precedes the first line `_refuse_json` reads


def read_delimited(src: Source, opts: Options, delimiter: str | None, kind: str) -> Part:
    """One CSV/TSV file; `delimiter` None: sniffed from the header line unless `--delimiter`
    forces one (`dialect`)."""
    forced = opts.delimiter or delimiter
    part = _csv_stream(src, forced, opts, kind)
    if part is None:
        decoded = decode(src, opts, kind)
        encoding = decoded.encoding
        first = _first_line(decoded)
        _refuse_json(src.name, first, kind)
        delimiter = forced or sniff(first)
        quote = quote_for(delimiter, opts.quote)
        if len(decoded.data) >= _PYARROW_MIN_BYTES and not decoded.dirty:
            part = _csv_arrow(src.name, decoded, delimiter, opts, quote)
        part = part or csv_module(src.name, decoded.text, delimiter, opts, decoded.dirty, quote)
        part.encoding = encoding
    part.decimal_comma = comma_decimals(part.delimiter, opts.decimal)
    return part


def _first_line(decoded: Text) -> str:
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


def _csv_arrow(
    name: str, decoded: Text, delimiter: str, opts: Options, quote: str = '"'
) -> Part | None:
    """pyarrow's multi-threaded reader for big files; None (-> csv module, which recovers line
    numbers and pads short rows) when any row is bad or record lines cannot be derived. Once
    the rows are read, `decoded` is emptied (`Text.forget`)."""
    import pyarrow as pa

    prefix = decoded.head(_HEADER_SNIFF)[0]  # not all of it: StringIO holds 4 bytes a char
    if decoded.encoding in ("utf-8", "utf-8-sig"):
        utf8 = decoded.data[3:] if decoded.encoding == "utf-8-sig" else decoded.data
    else:
        utf8 = decoded.text.encode("utf-8")
    # no quotes and no \r (most exports): every \n ends a record, so the lines need no scan
    # when pyarrow reads as many rows as there are line ends (no empty line was skipped)
    plain = (not quote or utf8.find(quote.encode()) < 0) and utf8.find(b"\r") < 0
    scan = (None, False) if plain else record_scan(utf8, delimiter, quote)
    if scan is None:
        return None
    scanned, quoted_breaks = scan
    rows = _arrow_rows(name, prefix, pa.BufferReader(utf8), delimiter, quote, opts, quoted_breaks)
    if rows is None:
        return None
    if quoted_breaks and swallowed(utf8, delimiter, quote, rows.fields):
        return None  # an unbalanced quote: the csv module reports it and reads on after it
    cut = rows.cut is not None  # the last record is the truncated row pyarrow skipped
    if rows.cut is not None and not _ends_with(utf8[-len(rows.cut) - 1 :], rows.cut):
        return None  # a short row inside the file: the csv module pads it and counts it
    lines: Sequence[int] | np.ndarray
    if scanned is not None:
        lines = scanned
    elif (records := utf8.count(b"\n") + (not utf8.endswith(b"\n"))) == rows.count + cut:
        lines = range(1, records + 1)
    else:
        found = record_scan(utf8, delimiter, quote)
        if found is None:
            return None
        lines = found[0]
    if len(lines) != rows.count + cut:
        return None
    decoded.forget()  # read: the bytes go before the columns are copied into pandas
    del utf8
    if not cut:
        return rows.part(lines)
    part = rows.part(lines[:-1])
    part.malformed.append(truncated(name, int(lines[-1]), *rows.cut_fields))
    return part


def _ends_with(tail: bytes, row: bytes) -> bool:
    """Whether `tail` (the last `len(row) + 1` bytes of a file) is a line end, then `row`:
    the row pyarrow read last is the file's last line, and no line end follows it."""
    return len(tail) == len(row) + 1 and tail[:1] in (b"\n", b"\r") and tail[1:] == row


@dataclass
class _Rows:
    """What pyarrow read of a CSV: the table (header row included) and how to name it."""

    table: Any
    keep: list[str]
    unnamed: set[str]
    warnings: list[str]
    cut: bytes | None = None
    """The one row pyarrow skipped, when it had fewer fields than the header: the file's
    last line, cut short, if the caller finds it there (`_ends_with`); None when none was."""
    cut_fields: tuple[int, int] = (0, 0)
    """That row's fields and the header's."""
    fields: int = 0
    """The header's fields."""
    delimiter: str = ","
    stamps: dict[str, Stamps] = field(default_factory=dict)
    """Columns read as timestamps (`csv_times`), header row excluded; the table lacks them."""
    count: int = 0
    """Rows read, the header's included (the table lacks the stamps' columns, so its own
    count may be none)."""

    def part(self, lines: Sequence[int] | np.ndarray) -> Part:
        """The rows as a raw part; `lines`: each record's line, the header's first."""
        import pandas as pd

        count = self.count - 1
        table, self.table = self.table, None  # the frame takes over the columns
        text = [name for name in self.keep if name not in self.stamps]
        forms = {name: stamps.form for name, stamps in self.stamps.items()}
        handed = [_without_header(table.slice(1).select(text))]
        del table
        frame = arrow_frame(handed, count)
        if self.stamps:  # in the file's column order, each array as it is (no copy)
            frame = pd.DataFrame(
                {
                    n: _stamped(self.stamps.pop(n)) if n in self.stamps else frame[n]
                    for n in self.keep
                },
                index=frame.index,
                copy=False,
            )
        part = Part(drop_unnamed(frame, self.unnamed), lines[1:], warnings=self.warnings)
        part.delimiter = self.delimiter
        part.forms = forms
        return part


def _stamped(stamps: Stamps) -> Any:
    """A column read as timestamps, as pandas holds it: naive, or UTC (no copy either way)."""
    import pandas as pd

    from cskpi.load.parse import as_utc

    naive = pd.Series(stamps.read(), copy=False)
    return as_utc(naive) if stamps.aware else naive


def _without_header(table: Any) -> Any:
    """Dictionary columns with their first chunk encoded again: the header row, sliced off,
    left its name in that chunk's dictionary, and the name would become a category no row
    holds."""
    import pyarrow as pa

    for i, kind in enumerate(table.schema):
        values = table.column(i)
        if pa.types.is_dictionary(kind.type) and values.num_chunks:
            first = values.chunk(0).dictionary_decode().dictionary_encode()
            chunks = [first.cast(kind.type), *values.chunks[1:]]
            table = table.set_column(i, kind, pa.chunked_array(chunks, type=kind.type))
    return table


def _arrow_rows(
    name: str,
    prefix: str,
    source: Any,
    delimiter: str,
    quote: str,
    opts: Options,
    quoted_breaks: bool,
    rows: int = 0,
) -> _Rows | None:
    """Read a CSV (`source`: a buffer or a path) with pyarrow, every field as text; None when
    the header cannot be found in `prefix` (the text's first `_HEADER_SNIFF` characters) or
    a row is bad: the csv module then reads the file and reports what it finds. One row with
    too few fields is skipped and handed back (`_Rows.cut`) for the caller to check that it
    is the file's cut last line.

    `rows`: the file's lines, when `source` is its path: the columns `Options.times` names
    are then read block by block, as timestamps where they can be (`_streamed`)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    old_limit = csv.field_size_limit(FIELD_LIMIT)
    try:
        text = io.StringIO(prefix, newline="")
        reader = csv.reader(text, delimiter=delimiter, **csv_args(quote))
        header = next((row for row in reader if row), None)
    except csv.Error:
        return None  # the csv module reports the line
    finally:
        csv.field_size_limit(old_limit)
    if header is None or sum(len(f) + 1 for f in header) >= len(prefix) - 2:
        return None  # no header, or one that may run past the prefix
    names, unnamed, warnings = column_names(name, header)
    keep = [names[i] for i in prune(names, opts.columns)]
    few = opts.labels(keep) if opts.labels is not None and keep else set()
    bad: list[Any] = []  # pyarrow's InvalidRow: expected_columns, actual_columns, text

    def on_bad(row: Any) -> str:
        bad.append(row)
        return "skip"

    options = dict(
        # 4 MiB blocks instead of 1 MiB: a quarter of the chunks per column, which every
        # later step pays for (10 M tickets: read 2.4 s instead of 4-6, to pandas 0.5 s
        # instead of 2.5-4)
        read_options=pacsv.ReadOptions(column_names=names, block_size=_READ_BLOCK),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char=quote or False,
            # without line ends inside quoted values, pyarrow splits the file at any line
            # end and parses the blocks in parallel (1 M tickets: 3 times faster)
            newlines_in_values=quoted_breaks,
            invalid_row_handler=on_bad,
        ),
        convert_options=pacsv.ConvertOptions(
            # large_string: what pandas keeps text in, so no cast copies it (10 M
            # tickets: 2 s and 0.8 GB); a column of a few distinct values as a
            # dictionary: codes and a few strings (10 M tickets, agent, status,
            # escalated, reopened, agent_replies: 0.4 GB less)
            column_types={
                n: pa.dictionary(pa.int32(), pa.string()) if n in few else pa.large_string()
                for n in names
            },
            include_columns=keep or names[:1],  # an empty list would mean "all"
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        ),
    )
    stamped = opts.times(keep) - few if rows and opts.times is not None and keep else set()
    stamps: dict[str, Stamps] = {}
    try:
        if stamped:
            table, stamps, read = _streamed(source, options, keep, stamped, rows)
        else:
            table = pacsv.read_csv(source, **options)
            read = table.num_rows
    except (pa.ArrowInvalid, OSError):
        return None
    found = _Rows(table, keep, unnamed, warnings, fields=len(names), delimiter=delimiter)
    found.stamps, found.count = stamps, read
    if len(bad) == 1 and (row := bad[0]).actual_columns < row.expected_columns and row.text:
        found.cut = row.text.encode("utf-8")
        found.cut_fields = (row.actual_columns, row.expected_columns)
    elif bad:
        return None
    return found


def _streamed(
    source: str, options: dict[str, Any], keep: list[str], stamped: set[str], rows: int
) -> tuple[Any, dict[str, Stamps], int]:
    """The file block by block (pyarrow's streaming reader): each `stamped` column into
    `Stamps` for as long as its blocks take (the header row left out), the other columns as
    read. A column a block ends as stamps goes on as text, its values so far written back
    (`Stamps.text`). (The table of the text columns, header row included; the stamps; the
    rows read, the header's included.)"""
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa
    import pyarrow.csv as pacsv

    reader = pacsv.open_csv(source, **options)
    stamps = {name: Stamps(rows) for name in keep if name in stamped}
    chunks: dict[str, list[Any]] = {name: [] for name in keep}
    heads: dict[str, Any] = {}  # the header row's value of each stamped column

    def take(batch: Any, first: bool) -> None:
        for name in keep:
            column = batch.column(name)
            going = stamps.get(name)
            if going is not None:
                if first:
                    heads[name] = column.slice(0, 1)
                if going.add(column.slice(1) if first else column):
                    continue
                del stamps[name]
                if not first:
                    chunks[name].append(pa.concat_arrays([heads[name], going.text()]))
            chunks[name].append(column)

    read = 0
    with ThreadPoolExecutor(1) as pool:
        pending = None
        for batch in reader:
            if pending is not None:
                pending.result()
            pending = pool.submit(take, batch, not read)
            read += batch.num_rows
        if pending is not None:
            pending.result()
    table = pa.table(
        {
            name: pa.chunked_array(chunks[name], type=reader.schema.field(name).type)
            for name in keep
            if name not in stamps
        }
    )
    return table, stamps, read


@dataclass
class _Plain:
    """What one pass over a plain UTF-8 CSV file found (`_plain_file`)."""

    prefix: str
    """The text's first `_HEADER_SNIFF` characters at most."""
    records: int
    """Line ends, plus one when the last line has none."""
    quotes: bool = False
    """Whether the quote character occurs (then pyarrow reads minding quoted line ends)."""


def _plain_file(path: str, mark: bytes = b'"') -> _Plain | None:
    """One pass over a file in `_STREAM_BLOCK` blocks: valid UTF-8 without a BOM, NUL or
    carriage return (then, without quotes, every line end ends a record). None for any other
    file.

    The buffer is no bigger than the file: zeroing a whole 64 MB block took 41 ms of the
    56 ms pass over the 3.4 MB sample (and 64 MB of memory for a 1 MB file)."""
    carry = b""  # the start of a character cut by the previous block's end
    records = 0
    quotes = False
    prefix = b""
    last = b""
    with open(path, "rb") as fh:
        # one buffer read into again and again; a byte over the size sees the end in one read
        buffer = bytearray(min(_STREAM_BLOCK, os.fstat(fh.fileno()).st_size + 1))
        view = memoryview(buffer)
        while size := fh.readinto(buffer):
            block = buffer if size == len(buffer) else bytearray(view[:size])
            if len(prefix) < 4 * _HEADER_SNIFF:  # enough bytes for the prefix's characters
                prefix += bytes(view[: min(size, 4 * _HEADER_SNIFF - len(prefix))])
                if prefix.startswith(codecs.BOM_UTF8):
                    return None  # a BOM: the whole-file path reads it as utf-8-sig
            if b"\x00" in block or b"\r" in block:
                return None
            quotes = quotes or (bool(mark) and mark in block)
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
                if not valid_utf8(carry + bytes(view[:start])):
                    return None
            cut = size
            while cut > start and size - cut < 3 and block[cut - 1] & 0xC0 == 0x80:
                cut -= 1  # continuation bytes of a character that may go on
            if cut > start and block[cut - 1] >= 0xC0:
                cut -= 1  # its lead byte
            if not valid_utf8(view[start:cut]):
                return None
            carry = bytes(view[cut:size])
    if carry and not valid_utf8(carry):
        return None  # the file ends inside a character
    decoder = codecs.getincrementaldecoder("utf-8")()
    return _Plain(decoder.decode(prefix)[:_HEADER_SNIFF], records + (last != b"\n"), quotes)


def _csv_stream(src: Source, delimiter: str | None, opts: Options, kind: str) -> Part | None:
    """A big plain UTF-8 CSV read by pyarrow straight from the file, never all in memory.

    Reading the whole file first held its bytes (1.7 GB for 10 million tickets) next to
    the columns pyarrow makes from them. Here one pass in blocks settles the encoding and
    counts the lines, and pyarrow reads the file itself. None (the whole-file path) for
    anything else: standard input, gzip, another encoding, a BOM, a line end inside a quoted
    value, CR line ends, NUL bytes or a row pyarrow cannot read. `delimiter` None: sniffed
    from the header line.
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
    refuse_binary(src.name, src.head, kind)
    plain = _plain_file(src.path, (opts.quote if opts.quote is not None else '"').encode())
    if plain is None:
        return None
    blank = _BLANK.match(plain.prefix)
    first_end = plain.prefix.find("\n", blank.end() if blank else 0)
    if first_end < 0:
        return None
    first = plain.prefix[blank.end() if blank else 0 : first_end]
    _refuse_json(src.name, first, kind)
    delimiter = delimiter or sniff(first)
    quote = quote_for(delimiter, opts.quote)
    # quoted values may hold line ends: pyarrow then splits the file where no quote is open
    # (newlines_in_values: splitting at any line end could cut a value, and its row would
    # be read as two), and a value holding a line end makes fewer rows than lines, which
    # sends the file to the whole-file path (it finds the records and unbalanced quotes)
    quoted = plain.quotes and bool(quote)
    if quoted and _open_at_end(src.path, quote):
        return None  # the csv module reports a value the file's end cuts (DECISIONS 44)
    rows = _arrow_rows(
        src.name, plain.prefix, src.path, delimiter, quote, opts, quoted, plain.records
    )
    if rows is None:
        return None
    cut = rows.cut is not None
    if rows.cut is not None and not _ends_with(_tail(src.path, len(rows.cut) + 1), rows.cut):
        return None  # a short row inside the file: the csv module pads it and counts it
    if rows.count + cut != plain.records:
        return None  # an empty line pyarrow skipped, or a line end inside a quoted value
    part = rows.part(range(1, plain.records + 1 - cut))
    if cut:
        part.malformed.append(truncated(src.name, plain.records, *rows.cut_fields))
    part.encoding = "utf-8"
    return part


def _open_at_end(path: str, quote: str) -> bool:
    """Whether the file's last line may leave a quoted value open: an odd number of quotes in
    it, or a last line longer than `_HEADER_SNIFF` bytes (not looked at). A quote left open
    on an earlier line takes in the line end after it, and its file has fewer rows than
    lines; at the end nothing follows, so only this line can hide one."""
    tail = _tail(path, _HEADER_SNIFF)
    body = tail[:-1] if tail.endswith(b"\n") else tail
    start = body.rfind(b"\n")
    if start < 0 and len(tail) == _HEADER_SNIFF:
        return True
    return body[start + 1 :].count(quote.encode()) % 2 == 1


def _tail(path: str, size: int) -> bytes:
    """The last `size` bytes of a file (all of it when it is shorter)."""
    with open(path, "rb") as fh:
        fh.seek(max(0, os.path.getsize(path) - size))
        return fh.read()
