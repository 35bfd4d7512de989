"""Columns → raw frame, for every format: header names, pruning, Arrow → pandas.

A blank header gets `Unnamed: i` (dropped when its column holds no value) and a repeated one
`name.1`, `name.2`, ... (`column_names`); `prune` keeps the columns asked for. Frames are made
from Arrow tables column by column (`arrow_frame`), so the data is never held twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cskpi.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


MAX_COLUMNS = 16_384
"""Columns a file may have (Excel's limit): matching headers costs per name, and a 4 MB CSV
of two million empty header names took minutes (issue 19 item 8)."""


def column_names(name: str, header: Sequence[object]) -> tuple[list[str], set[str], list[str]]:
    """(column names, generated names, warnings): blanks get `Unnamed: i`, repeats `.1`...

    Linear in the header's width: each base name remembers the last suffix it took (a header
    of 3,000 columns all named `x` was cubic, issue 19 item 8), and a name repeated many
    times is one warning, not one per copy. A header wider than `MAX_COLUMNS` is refused."""
    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"{name}: the header has {len(header):,} columns, more than the {MAX_COLUMNS:,} "
            "cskpi reads (Excel's limit)"
        )
    names: list[str] = []
    taken: set[str] = set()
    unnamed: set[str] = set()
    last: dict[str, int] = {}  # base name -> the last suffix given to it
    repeats: dict[str, list[str]] = {}  # base name -> the names its repeats were read as
    for i, value in enumerate(header):
        base = "" if value is None else str(value)
        if not base.strip():
            base = f"Unnamed: {i}"
            unnamed.add(base)
        column, k = base, last.get(base, 0)
        while column in taken:
            k += 1
            column = f"{base}.{k}"
        last[base] = k
        if column != base and base not in unnamed:
            repeats.setdefault(base, []).append(column)
        names.append(column)
        taken.add(column)
    warnings = [_repeated(name, base, read) for base, read in repeats.items()]
    return names, unnamed, warnings


def _repeated(name: str, base: str, read: list[str]) -> str:
    if len(read) == 1:
        return f"{name}: column '{base}' appears more than once; read as '{read[0]}'"
    picked = read if len(read) <= 3 else [*read[:2], "...", read[-1]]
    shown = ", ".join(c if c == "..." else f"'{c}'" for c in picked)
    return f"{name}: column '{base}' appears {len(read) + 1} times; read as {shown}"


def prune(names: list[str], columns: Callable[[list[str]], list[str]] | None) -> list[int]:
    """Positions of the columns to read, in file order."""
    if columns is None:
        return list(range(len(names)))
    wanted = set(columns(list(names)))
    return [i for i, n in enumerate(names) if n in wanted]


def text_frame(columns: dict[str, Sequence[str | None]], rows: int) -> pd.DataFrame:
    """A frame of text columns (pyarrow-built: pandas' string dtype where it is the default)."""
    import pyarrow as pa

    try:
        arrays = [pa.array([v or None for v in col], type=pa.string()) for col in columns.values()]
        names = list(columns)
        table = pa.Table.from_arrays(arrays, names=names)
    except UnicodeEncodeError:  # a lone surrogate (JSON `"\ud83d"`) is no text: U+FFFD
        arrays = [pa.array([mend(v) for v in col], type=pa.string()) for col in columns.values()]
        table = pa.Table.from_arrays(arrays, names=[str(mend(n)) for n in columns])
    return arrow_frame([table], rows)


def mend(value: str | None) -> str | None:
    """`value` with each lone UTF-16 surrogate replaced by U+FFFD (None for empty)."""
    if not value:
        return None
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def arrow_frame(handed: list[Any], rows: int) -> pd.DataFrame:
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


def drop_unnamed(frame: pd.DataFrame, unnamed: set[str]) -> pd.DataFrame:
    empty = [c for c in frame.columns if c in unnamed and frame[c].isna().all()]
    return frame.drop(columns=empty) if empty else frame
