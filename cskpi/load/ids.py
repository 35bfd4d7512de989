"""Identifiers as integers when their text allows it, so that de-duplication and the
survey-to-ticket link count and look up integers instead of hashing millions of strings.

Most helpdesk ids are a fixed prefix and a number: `12345` (Zendesk), `T0000123`, `SUP-981`.
When every id of a column is `prefix + 1..18 ASCII digits` with one prefix, and the digits
either all have the same width or never start with `0`, the number alone identifies the id:
`T007` and `T07` cannot both occur, so two ids are equal exactly when their numbers are.
Anything else (mixed prefixes, letters after the digits, `007` next to `7`) returns None and
the caller hashes the text as before. Missing ids get -1.

A warehouse extract types its ids as integers: `ticket_id` and `response_id` of such a file
stay int64 (`parse_ids(keep_integers=True)`), and are their own numbers here — no text is made
or parsed (10 million ids: 1.5 s to format, twice 2 s to parse back). Where two frames are
matched on ids and one holds integers and the other text, `same_kind` gives the integers as
the text `parse_ids` would have made, so the match is the one text ids give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cskpi.arrays import countable

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

_BLOCK = 1 << 20
"""Rows written into the id → row table at a time (`positions`)."""
_SHAPE = re.compile(r"([\x00-\x7f]*?)([0-9]{1,18})")


@dataclass(frozen=True)
class Scheme:
    prefix: str
    width: int | None
    """The digits' common width, or None when widths vary (then none starts with `0`)."""


def _arrow(values: pd.Series) -> Any:
    """The ids as Arrow text (chunked as pandas holds them: combining the chunks would copy
    every id), or None when they are not text."""
    from cskpi.load.parse import text_array

    return text_array(values)


def _digits(arr: Any, scheme: Scheme) -> tuple[Any, Any]:
    """(digits text, mask of values that have the scheme's shape, or None when all do)."""
    import pyarrow.compute as pc

    digits = pc.utf8_slice_codeunits(arr, len(scheme.prefix)) if scheme.prefix else arr
    size = pc.binary_length(digits)
    checks = [pc.string_is_ascii(digits), pc.utf8_is_digit(digits)]
    if scheme.width is not None:
        checks.append(pc.equal(size, scheme.width))
    else:
        checks += [pc.less_equal(size, 18), pc.invert(pc.starts_with(digits, "0"))]
    if scheme.prefix:
        checks.append(pc.starts_with(arr, scheme.prefix))
    shaped = checks[0]
    for check in checks[1:]:
        shaped = pc.and_(shaped, check)
    shaped = shaped.fill_null(False)
    return digits, None if pc.sum(shaped).as_py() == len(arr) - arr.null_count else shaped


def _fixed(arr: Any, scheme: Scheme) -> tuple[np.ndarray, np.ndarray] | None:
    """(numbers, shaped mask) for ids that all have the scheme's one width, read as a byte
    matrix (one row per id) instead of six Arrow passes and a text-to-integer cast; None
    when the scheme has no fixed width or some id has another length.

    Ten million `T00000001`-style ids: 0.1 s instead of 0.5 s per column. Each chunk is
    read where it lies, into one output array."""
    import numpy as np

    from cskpi.load.parse import text_chunks

    if scheme.width is None or not len(arr):
        return None
    width = len(scheme.prefix.encode("ascii")) + scheme.width
    numbers: np.ndarray = np.full(len(arr), -1, dtype=np.int64)
    found: np.ndarray = np.zeros(len(arr), dtype=bool)
    start = 0
    for chunk, offsets, data in text_chunks(arr):
        end = start + len(chunk)
        valid = chunk.is_valid().to_numpy(zero_copy_only=False)
        if not np.array_equal(np.diff(offsets) == width, valid):
            return None  # another length, or a missing id that holds bytes
        count = int(np.count_nonzero(valid))
        whole = count == len(chunk)  # no missing id: write into the output directly
        rows = data[int(offsets[0]) : int(offsets[-1])].reshape(count, width)
        shaped = found[start:end] if whole else np.zeros(count, dtype=bool)
        shaped[:] = True
        for j, byte in enumerate(scheme.prefix.encode("ascii")):
            shaped &= rows[:, j] == byte
        chunk_numbers = numbers[start:end] if whole else np.zeros(count, dtype=np.int64)
        chunk_numbers[:] = 0
        for j in range(width - scheme.width, width):  # one pass per digit, not per id
            digit = rows[:, j] - np.uint8(48)  # bytes below "0" wrap above 9
            shaped &= digit <= 9
            chunk_numbers *= 10
            chunk_numbers += digit
        if not whole:
            numbers[start:end][valid] = chunk_numbers
            found[start:end][valid] = shaped
        start = end
    numbers[~found] = -1
    return numbers, found


def _numbers(digits: Any, shaped: Any) -> np.ndarray:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if shaped is not None:
        digits = pc.if_else(shaped, digits, pa.scalar(None, digits.type))
    ints = pc.cast(digits, pa.int64()).fill_null(-1)
    return np.asarray(ints.to_numpy(zero_copy_only=False), dtype=np.int64)


def is_integer(values: pd.Series) -> bool:
    """Whether `values` are integer ids (never missing, never negative: `parse_ids`)."""
    import pandas as pd

    return pd.api.types.is_integer_dtype(values.dtype) and not isinstance(
        values.dtype, pd.CategoricalDtype
    )


def as_text(values: pd.Series) -> pd.Series:
    """Integer ids as the text ids `parse_ids` makes of them (`123` → `"123"`); text as is."""
    if not is_integer(values):
        return values
    return values.astype("str")


def same_kind(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Two id columns to be matched, both integers or both text."""
    if is_integer(a) == is_integer(b):
        return a, b
    return as_text(a), as_text(b)


def increasing(values: pd.Series) -> bool:
    """Whether `values` are integer ids in strictly increasing order: unique without being
    counted (a warehouse extract's ids usually are; 10 million: 15 ms)."""
    import numpy as np

    if not is_integer(values) or len(values) < 2:
        return is_integer(values)
    ints = np.asarray(values.to_numpy(dtype=np.int64, copy=False))
    return bool(np.all(ints[1:] > ints[:-1]))


INTEGERS = Scheme("", None)
"""The scheme of integer ids: the number is the id."""


def int_ids(values: pd.Series) -> tuple[np.ndarray, Scheme] | None:
    """The ids of `values` as non-negative integers (-1 missing) and their scheme, or None."""
    import numpy as np
    import pyarrow.compute as pc

    if is_integer(values):  # never missing nor negative
        view = np.asarray(values.to_numpy(dtype=np.int64, copy=False)).view()
        view.flags.writeable = False  # the column's own buffer: callers copy before writing
        return view, INTEGERS
    arr = _arrow(values)
    if arr is None or arr.null_count == len(arr):
        return None
    found = _SHAPE.fullmatch(str(pc.first(arr).as_py()))
    if found is None:
        return None
    prefix = found.group(1)
    lengths = pc.min_max(pc.binary_length(arr))
    low, high = lengths["min"].as_py(), lengths["max"].as_py()
    scheme = Scheme(prefix, low - len(prefix) if low == high else None)
    fixed = _fixed(arr, scheme)
    if fixed is not None:
        numbers, shaped_rows = fixed
        return (numbers, scheme) if shaped_rows.sum() == len(arr) - arr.null_count else None
    digits, shaped = _digits(arr, scheme)
    if shaped is not None:
        return None
    return _numbers(digits, None), scheme


def encode(values: pd.Series, scheme: Scheme) -> np.ndarray | None:
    """Other ids (e.g. a survey's ticket ids) under `scheme`; -1 where they cannot match."""
    import numpy as np

    if is_integer(values):
        if scheme == INTEGERS:
            return np.asarray(values.to_numpy(dtype=np.int64))
        values = as_text(values)
    arr = _arrow(values)
    if arr is None:
        return None
    fixed = _fixed(arr, scheme)
    if fixed is not None:
        return fixed[0]
    return _numbers(*_digits(arr, scheme))


def codes(values: pd.Series) -> np.ndarray:
    """Equal ids ↔ equal non-negative codes (bounded for `bincount`), -1 for missing ones."""
    import numpy as np
    import pandas as pd

    found = int_ids(values)
    if found is None:
        return np.asarray(pd.factorize(values)[0], dtype=np.int64)
    ints = found[0] if found[0].flags.writeable else found[0].copy()  # the caller's to change
    valid = ints >= 0
    if not valid.any():
        return ints
    # no copy of the valid ids: 10 million of them are 80 MB
    low = int(np.min(ints, where=valid, initial=np.iinfo(np.int64).max))
    high = int(ints.max())
    if countable(high - low + 1, len(ints)):
        ints -= low
        ints[~valid] = -1
        return ints
    dense = np.asarray(pd.factorize(ints)[0], dtype=np.int64)
    return np.where(valid, dense, -1)


def positions(values: pd.Series, keys: pd.Series) -> np.ndarray | None:
    """Row position in `keys` (unique ids) of each value, -1 where absent; None when the
    ids are not integer-shaped (the caller hashes the text)."""
    import numpy as np

    found = int_ids(keys)
    if found is None:
        return None
    key_ints, scheme = found
    wanted = encode(values, scheme)
    if wanted is None:
        return None
    out: np.ndarray = np.full(len(wanted), -1, dtype=np.int64)
    valid = key_ints >= 0
    if not valid.any():
        return out
    every = bool(valid.all())  # the usual case: no copy of the keys, no list of their rows
    if every and bool(np.all(key_ints[1:] > key_ints[:-1])):
        return _sorted_positions(key_ints, wanted, out)
    small = np.int32 if len(valid) < 2**31 else np.int64
    rows: np.ndarray | None = None if every else np.flatnonzero(valid).astype(small)
    if not every:
        key_ints = key_ints[valid]
    low, high = int(key_ints.min()), int(key_ints.max())
    inside = (wanted >= low) & (wanted <= high)
    if countable(high - low + 1, len(key_ints)):
        table: np.ndarray = np.full(high - low + 1, -1, dtype=small)
        # in place where the keys are writable (not a view of Arrow's buffer)
        key_ints = np.subtract(key_ints, low, out=key_ints if key_ints.flags.writeable else None)
        # the first row of a repeated id wins: written last, block by block from the end,
        # so that the rows' numbers are never all held (10 million: 40 MB)
        for start in reversed(range(0, len(key_ints), _BLOCK)):
            stop = min(start + _BLOCK, len(key_ints))
            held = np.arange(start, stop, dtype=small) if rows is None else rows[start:stop]
            table[key_ints[start:stop][::-1]] = held[::-1]
        out[inside] = table[wanted[inside] - low]
        return out
    if rows is None:
        rows = np.arange(len(valid), dtype=small)
    order = np.argsort(key_ints, kind="stable")
    ordered = key_ints[order]
    at = np.minimum(np.searchsorted(ordered, wanted[inside]), len(ordered) - 1)
    hit = ordered[at] == wanted[inside]
    out[np.flatnonzero(inside)[hit]] = rows[order[at[hit]]]
    return out


def _sorted_positions(keys: np.ndarray, wanted: np.ndarray, out: np.ndarray) -> np.ndarray:
    """`positions` for keys in strictly increasing order (a warehouse extract's usually are):
    a run without gaps is an offset, others a binary search; no table of the id range."""
    import numpy as np

    low, high = int(keys[0]), int(keys[-1])
    inside = np.flatnonzero((wanted >= low) & (wanted <= high))
    sought = wanted[inside]
    if high - low + 1 == len(keys):
        out[inside] = sought - low
        return out
    at = np.asarray(np.searchsorted(keys, sought))  # below len(keys): none is above `high`
    hit = keys[at] == sought
    out[inside[hit]] = at[hit]
    return out
