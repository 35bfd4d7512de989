"""Parquet: typed columns, only those asked for, read row group by row group.

Binary columns become UTF-8 text, as in the text formats; `source_line` is the record index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cskpi.errors import InputError
from cskpi.load.parse import as_utc
from cskpi.load.readers.frames import arrow_frame, column_names, drop_unnamed, prune
from cskpi.load.readers.model import Options, Part
from cskpi.load.readers.source import Source, human_size

if TYPE_CHECKING:
    import numpy as np


def read_parquet(src: Source, opts: Options) -> Part:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(src.handle()) as pf:
            stored = list(pf.schema_arrow.names)
            names, unnamed, warnings = column_names(src.name, stored)
            keep = prune(names, opts.columns)
            rows = pf.metadata.num_rows
            _check_rows(src, rows, len(keep))
            unique = len(set(stored)) == len(stored)
            labels = _labels(pf.schema_arrow, stored, names, keep, opts) if unique else []
            fixed = _fixed(pf, keep) if unique else set()
            utc = {j for j in fixed if getattr(pf.schema_arrow.field(j).type, "tz", None)}
            read = ([], {}) if labels else _row_groups(pf, stored, keep, unique, fixed)
        if labels:
            # labels decoded from the file's dictionary pages: codes and a few strings, where
            # plain reading makes a string per row and then hashes them again (10 million
            # tickets, agent and status: 1.5 s)
            with pq.ParquetFile(src.handle(), read_dictionary=labels) as pf:
                read = _row_groups(pf, stored, keep, unique, fixed)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{src.name}: not a readable Parquet file ({exc})") from exc
    groups, arrays = read
    del read
    table = pa.concat_tables(groups)
    groups.clear()  # the row groups share the table's buffers
    rest = [i for i in keep if i not in fixed]
    # handed over in a list that `arrow_frame` empties: no name here keeps the table
    handed = [_as_text(_binary_as_text(table.rename_columns([names[i] for i in rest])))]
    del table
    frame = arrow_frame(handed, rows)
    if arrays:  # in the file's column order, each array as it is (no copy)
        frame = pd.DataFrame(
            {
                names[i]: (as_utc(pd.Series(arrays.pop(i))) if i in utc else arrays.pop(i))
                if i in fixed
                else frame[names[i]]
                for i in keep
            },
            index=frame.index,
            copy=False,
        )
    frame = drop_unnamed(frame, unnamed)
    return Part(frame, range(1, rows + 1), warnings=warnings)


ROWS_PER_BYTE = 0.5
"""Rows a Parquet file may declare per byte of file, beyond `ROWS_FLOOR`: a ticket takes more
than 2 bytes even compressed (its id alone), but 30 million rows of one repeated value fit in
220 KB and took a minute and 3.3 GB to read (issue 19 item 8)."""
ROWS_FLOOR = 1_000_000
CELL_BYTES = 24
"""Memory a read cell costs at the peak, about (10 million tickets, 6 columns: 1.5 GB)."""


def _check_rows(src: Source, rows: int, columns: int) -> None:
    """Refuse a file declaring far more rows than its size can hold, or than memory can."""
    import os

    from cskpi.memory import available

    try:
        size = len(src.content) if src.content is not None else os.path.getsize(src.path)
    except OSError:
        return
    if rows > max(ROWS_FLOOR, ROWS_PER_BYTE * size):
        raise InputError(
            f"{src.name}: declares {rows:,} rows in {size:,} bytes, more than one row per "
            f"{1 / ROWS_PER_BYTE:g} bytes: refused as a likely Parquet bomb"
        )
    free = available()
    need = rows * max(columns, 1) * CELL_BYTES
    if free is not None and need > free:
        raise InputError(
            f"{src.name}: {rows:,} rows of {columns} columns need about {human_size(need)} "
            f"of memory to read, but only {human_size(free)} is available"
        )


def _binary_as_text(table: Any) -> Any:
    """Binary columns as UTF-8 text, like the text formats; a byte UTF-8 cannot decode is
    written as its escape (`\\xff`), so ids that differ only there stay different (replaced
    by `\ufffd` they collapsed into false duplicates: issue 19 item 11)."""
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
                None if v is None else v.decode("utf-8", "backslashreplace")
                for v in values.to_pylist()
            ]
            text = pa.chunked_array([pa.array(decoded, type=pa.string())])
        table = table.set_column(i, column.name, text)
    return table


def _as_text(table: Any) -> Any:
    """Columns pandas cannot group or compare, as text: list, struct and map values as their
    JSON text (like nested JSON); string columns holding invalid UTF-8 (Parquet does not
    check) decoded with U+FFFD, as binary columns are. Other columns are left as they are."""
    import json

    import pyarrow as pa

    for i, column in enumerate(table.schema):
        kind = column.type
        values = table.column(i)
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if pa.types.is_nested(kind):
            text = [
                None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                for v in values.to_pylist()
            ]
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            try:
                values.validate(full=True)
                continue
            except pa.ArrowInvalid:
                if pa.types.is_dictionary(column.type):
                    values = pa.chunked_array([c.dictionary_decode() for c in values.chunks])
                raw = values.cast(
                    pa.large_binary() if pa.types.is_large_string(kind) else pa.binary()
                )
                text = [
                    None if v is None else v.decode("utf-8", "replace") for v in raw.to_pylist()
                ]
        else:
            continue
        table = table.set_column(i, column.name, pa.chunked_array([pa.array(text, pa.string())]))
    return table


def _row_groups(
    pf: Any, stored: list[str], keep: list[int], unique: bool, fixed: set[int]
) -> tuple[list[Any], dict[int, np.ndarray]]:
    """The kept columns, row group by row group: each column chunk is allocated at its size,
    where one read of the whole file grows every column's buffers by doubling (10 million
    tickets: 815 MB held for 611 MB of data). The `fixed` columns are copied out of each row
    group into one NumPy array each, made at the file's length, and the group's Arrow memory
    goes back to the pool for the next group: the whole column never exists twice (10 million
    typed tickets: about 400 MB less memory written, and no concatenation)."""
    import numpy as np

    if not unique:  # a repeated name cannot be selected
        groups = [pf.read_row_group(i).select(keep) for i in range(pf.num_row_groups)]
        return groups or [pf.schema_arrow.empty_table().select(keep)], {}
    columns = [stored[j] for j in keep]
    rest = [j for j in keep if j not in fixed]
    rest_at = [place for place, j in enumerate(keep) if j not in fixed]
    groups, arrays = [], {}
    rows, at = pf.metadata.num_rows, 0
    for i in range(pf.num_row_groups):
        group = pf.read_row_group(i, columns=columns)
        for place, j in enumerate(keep):
            if j in fixed:
                values = group.column(place).to_numpy()
                if j not in arrays:
                    arrays[j] = np.empty(rows, dtype=values.dtype)
                arrays[j][at : at + len(values)] = values
        at += group.num_rows
        groups.append(group.select(rest_at))
        del group
    if not groups:  # no row group: no rows
        groups = [pf.schema_arrow.empty_table().select(rest)]
        arrays = {j: pf.schema_arrow.empty_table().column(j).to_numpy() for j in fixed}
    return groups, arrays


def _fixed(pf: Any, keep: list[int]) -> set[int]:
    """Kept columns that become one NumPy array exactly as Arrow's own conversion makes
    them: timestamps without a zone or in UTC (a null is NaT either way; the UTC ones are
    made UTC again without a copy, `as_utc`), floats (NaN), and integers and booleans that
    every row group's statistics say hold no null (a null would make them float or
    object)."""
    import pyarrow as pa

    schema, meta = pf.schema_arrow, pf.metadata
    if len(schema) != meta.num_columns:  # nested columns: leaves and fields do not match
        return set()
    out = set()
    for j in keep:
        kind = schema.field(j).type
        if (pa.types.is_timestamp(kind) and kind.tz in (None, "UTC")) or kind in (
            pa.float32(),
            pa.float64(),
        ):
            out.add(j)
        elif pa.types.is_integer(kind) or pa.types.is_boolean(kind):
            stats = [meta.row_group(i).column(j).statistics for i in range(meta.num_row_groups)]
            if all(s is not None and s.has_null_count and s.null_count == 0 for s in stats):
                out.add(j)
    return out


def _labels(
    schema: Any, stored: list[str], names: list[str], keep: list[int], opts: Options
) -> list[str]:
    """The stored names of the kept text columns that hold labels (`Options.labels`)."""
    import pyarrow as pa

    if opts.labels is None:
        return []
    wanted = opts.labels([names[i] for i in keep])
    text = (pa.string(), pa.large_string())
    return [stored[i] for i in keep if names[i] in wanted and schema.field(i).type in text]
