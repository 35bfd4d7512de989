"""Raw columns as every parser sees them: the `Parsed` result, which values are present (blank
text is not), regex matching in Arrow's RE2 engine, Arrow text arrays read in place
(offsets and data bytes, no copy), and numbers written with a decimal comma (`decimal_commas`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cskpi.arrays import wrap

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Parsed:
    values: pd.Series
    bad: pd.Series
    """Boolean mask: a non-empty input value that could not be read."""
    shifted: int = 0
    """Local times in a DST gap or overlap (shifted forward / earlier instant)."""


def matches(text: pd.Series, pattern: str) -> pd.Series:
    """Regex search per value (False for missing), in Arrow's RE2 engine: pandas falls back
    to Python's `re` for many patterns, about ten times slower on a million values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pa.array(text, from_pandas=True)
        if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
            raise TypeError(values.type)
        hit = pc.match_substring_regex(values, pattern).fill_null(False)
    except (pa.ArrowException, TypeError):
        return text.astype("str").str.contains(pattern, na=False, regex=True).astype(bool)
    return wrap(hit.to_numpy(zero_copy_only=False), text.index)


def is_present(raw: pd.Series) -> pd.Series:
    import pandas as pd

    if raw.dtype == object or isinstance(raw.dtype, pd.StringDtype):
        return raw.notna() & (raw.astype("str").str.strip() != "")
    return raw.notna()


def text_array(raw: pd.Series) -> Any:
    """The column as an Arrow string array (no copy for Arrow-backed text), or None."""
    import pyarrow as pa

    try:
        values = pa.array(raw, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        return None
    return values


def text_chunks(values: Any) -> Iterator[tuple[Any, np.ndarray, np.ndarray]]:
    """Each chunk of an Arrow text array (or the array) with its offsets, from its first row
    (`len + 1` of them), and its data bytes: the text as it lies in memory, not copied. A
    sliced chunk is copied first, so that its buffers start at its first row."""
    import numpy as np
    import pyarrow as pa

    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        if chunk.offset:
            chunk = pa.concat_arrays([chunk])
        _, offsets_buf, data_buf = chunk.buffers()
        wide = pa.types.is_large_string(chunk.type)
        offsets = np.frombuffer(offsets_buf, dtype=np.int64 if wide else np.int32)
        data = np.zeros(0, np.uint8) if data_buf is None else np.frombuffer(data_buf, np.uint8)
        yield chunk, offsets[: len(chunk) + 1], data


def only_filled(chunk: Any, filled: np.ndarray) -> Any:
    """`chunk` with only its `filled` rows valid (blanks and nulls missing): a new validity
    bitmap over the same text."""
    import numpy as np
    import pyarrow as pa

    if not chunk.null_count and np.count_nonzero(filled) == len(chunk):
        return chunk
    bitmap = pa.array(filled).buffers()[1]
    return pa.Array.from_buffers(chunk.type, len(chunk), [bitmap, *chunk.buffers()[1:]])


_COMMA_NUMBER = r"^([^\d.,]*\d+),(\d+[^\d.,]*)$"  # one comma between digits, no point
_DOTTED = r"^[^\d.,]*\d{1,3}(\.\d{3})+,\d+[^\d.,]*$"  # 1.234,50: points group thousands


def decimal_commas(raw: pd.Series, rows: np.ndarray) -> pd.Series:
    """`raw` with numbers written with a decimal comma read with a point, in the `rows` (a
    mask) only (DECISIONS 47): `12,5` → `12.5`, `-0,75 h` → `-0.75 h`, `1.234,50 €` →
    `1234.50 €`. Any other value is left as it is (`1,2,3`, `12.5`, `12:30`), and so is a
    column that is not text. In Arrow: no Python per value."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(raw) or not rows.any():
        return raw
    if isinstance(raw.dtype, pd.CategoricalDtype) and isinstance(
        raw.cat.categories.dtype, pd.StringDtype
    ):
        raw = raw.astype(raw.cat.categories.dtype)  # a column of a few values read as such
    values = text_array(raw)
    if values is None:
        return raw
    dotted = pc.match_substring_regex(values, _DOTTED).fill_null(False)
    values_undotted = pc.if_else(dotted, pc.replace_substring(values, ".", ""), values)
    fixed = pc.replace_substring_regex(values_undotted, _COMMA_NUMBER, r"\1.\2")
    out = pc.if_else(pa.array(np.asarray(rows, dtype=bool)), fixed, values)
    if isinstance(raw.dtype, pd.StringDtype):
        return pd.Series(pd.array(out, dtype=raw.dtype), index=raw.index, copy=False)
    return pd.Series(np.asarray(out.to_pandas(), dtype=object), index=raw.index)
