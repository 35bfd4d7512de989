"""CSV/TSV through Python's csv module: small files, damaged ones, any that pyarrow refuses.

Slower, but it recovers and knows each row's line: a row with extra fields, an unterminated
quote or a field the csv module refuses is skipped as `Malformed`, and reading goes on at the
next line; empty lines are ignored. So is a record whose quoted value swallowed lines that look
like rows (`swallows`: an unbalanced quote), as `unbalanced_quote`: the lines after it are read
again as rows. A short row is padded and kept (`Part.short`), except the
last one when the text ends without a line end: a cut file, skipped as `truncated_line`
(DECISIONS 44).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator

from cskpi.errors import InputError
from cskpi.load.readers.dialect import csv_args
from cskpi.load.readers.frames import column_names, drop_unnamed, prune, text_frame
from cskpi.load.readers.model import Malformed, Options, Part
from cskpi.load.readers.text import dirty_reason

_EOF = "\ue000cskpi-end-of-file\ue000"  # appended line: seeing it inside a field = open quote
FIELD_LIMIT = 64 * 2**20  # csv module's default (128 KiB) is below long ticket descriptions
_LINE_END = re.compile(r"\r\n|\r|\n")


def _csv_records(
    text: str, delimiter: str, quote: str = '"'
) -> Iterator[tuple[int, list[str] | None, str]]:
    """(start line, fields, "") per record, or (line, None, reason) for one that cannot be
    parsed; reading resumes on the next line, so a stray quote costs one line, not the rest.
    `quote` "" reads without quoting. A record whose quoted value swallows lines that look
    like rows (`swallows`) is one that cannot be parsed (reason starts with `UNBALANCED`)."""
    skip = 0
    fields = 0  # the header's, once read
    dialect = csv_args(quote)
    while True:
        lines = itertools.islice(io.StringIO(text, newline=""), skip, None)
        reader = csv.reader(itertools.chain(lines, [_EOF]), delimiter=delimiter, **dialect)
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
            spanned = skip + reader.line_num - start
            if spanned > 1 and fields and (rows := swallows(row, delimiter, quote, fields)):
                reason = f"{UNBALANCED}: a quoted value holds {rows} lines that look like rows"
                break
            fields = fields or len(row)
            yield start, row, ""
        yield start, None, reason
        skip = start


UNBALANCED = "unbalanced quote"
"""How a record whose quoted value swallowed rows is reported (`Malformed.kind`
`unbalanced_quote`)."""


def swallows(row: list[str], delimiter: str, quote: str, fields: int) -> int:
    """How many rows a record's quoted value swallowed, or 0 when it looks like real text.

    A field holding line ends was quoted. Its lines wholly inside it (not its first or last)
    that hold text and no quote look like rows when they hold at least the header's `fields - 1`
    delimiters; when at least one does, and more than half of those lines do, the value is
    implausible: a quote opened by mistake (`"Urgent`) that ran on to the next stray quote
    (`3 ft"`). The same rule as `csv_lines.swallowed`, which judges the bytes."""
    most = 0
    for value in row:
        if "\n" not in value and "\r" not in value:
            continue
        inner = [line for line in _LINE_END.split(value)[1:-1] if line and quote not in line]
        look = sum(line.count(delimiter) >= fields - 1 for line in inner)
        if look and 2 * look > len(inner):
            most = max(most, look)
    return most


def csv_module(
    name: str, text: str, delimiter: str, opts: Options, dirty: bool = False, quote: str = '"'
) -> Part:
    malformed: list[Malformed] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    short: list[int] = []  # positions in `rows` of the padded ones
    last_short = 0  # fields of the last record read, when it was a short row; else 0
    old_limit = csv.field_size_limit(FIELD_LIMIT)
    try:
        for line, row, reason in _csv_records(text, delimiter, quote):
            if row is not None and not row:
                continue
            last_short = 0
            if row is None:
                kind = "unbalanced_quote" if reason.startswith(UNBALANCED) else "malformed_line"
                malformed.append(Malformed(name, line, reason, kind))
            elif dirty and (why := dirty_reason("\x1f".join(row))) is not None:
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
                if len(row) < len(header):
                    short.append(len(rows))
                    last_short = len(row)
                row.extend([""] * (len(header) - len(row)))
                rows.append(row[: len(header)])
                lines.append(line)
    finally:
        csv.field_size_limit(old_limit)
    if header is None:
        raise InputError(f"{name}: no header line (the file holds only empty lines)")
    if last_short and not text.endswith(("\n", "\r")):  # the file ends inside this row
        rows.pop()
        short.pop()
        malformed.append(truncated(name, lines.pop(), last_short, len(header)))
    names, unnamed, warnings = column_names(name, header)
    keep = prune(names, opts.columns)
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    frame = text_frame({names[i]: cols[i] for i in keep}, len(rows))
    part = Part(
        drop_unnamed(frame, unnamed), lines, malformed=malformed, warnings=warnings, short=short
    )
    part.delimiter = delimiter
    return part


def truncated(name: str, line: int, fields: int, expected: int) -> Malformed:
    """The last line of a file that ends without a line end and with fewer fields than the
    header: the file was cut (a partial download), so the row is dropped (DECISIONS 44)."""
    reason = f"{fields} fields, expected {expected}, and no line end: the file ends inside it"
    return Malformed(name, line, reason, "truncated_line")
