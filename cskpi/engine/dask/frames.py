"""Frame helpers of the Dask engine's tasks: stacking pieces, hashing keys into buckets,
splitting a frame by bucket, and the group route of each record (pandas and numpy only;
nothing here knows about Dask)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MIX = 0x9E3779B97F4A7C15
"""Fibonacci hashing: spreads consecutive integer ids over the buckets."""


def stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one after another (the first gives the columns' order and types). A column
    that is categorical in some frame is categorical over the union of the categories, in
    the order they are first met (no per-row text: each frame's codes go through a table of
    its categories' places in the union); a column a frame lacks is missing there, with the
    others' type."""
    import pandas as pd

    frames = _ids_of_one_kind([f for f in frames if f is not None])
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    names = list(dict.fromkeys(c for f in frames for c in f.columns))
    columns: dict[str, Any] = {}
    for name in names:
        held = [f.get(name, None) for f in frames]
        kinds = [c.dtype for c in held if c is not None]
        if any(isinstance(k, pd.CategoricalDtype) for k in kinds):
            columns[name] = _categories_stacked(held, [len(f) for f in frames])
            continue
        pieces = [
            c if c is not None else _missing(len(f), kinds[0])
            for c, f in zip(held, frames, strict=True)
        ]
        columns[name] = pd.concat(pieces, ignore_index=True, sort=False)
    index = pd.RangeIndex(sum(len(f) for f in frames))
    return pd.DataFrame(columns, index=index, copy=False)


def _categories_stacked(held: list[pd.Series | None], lengths: list[int]) -> pd.Categorical:
    """One categorical of the pieces (None: a frame without the column, all missing)."""
    import numpy as np
    import pandas as pd

    values: dict[object, None] = {}
    seen: dict[tuple[object, ...], Any] = {}  # pieces cut from one frame share categories
    for column in held:
        if column is None:
            continue
        if isinstance(column.dtype, pd.CategoricalDtype):
            key = tuple(column.cat.categories)
            if key not in seen:
                seen[key] = column.cat.categories
                values.update(dict.fromkeys(key))
        else:
            values.update(dict.fromkeys(column.dropna().unique()))
    dtype = pd.CategoricalDtype(list(values))
    tables = {key: dtype.categories.get_indexer(cats) for key, cats in seen.items()}
    codes: list[np.ndarray] = []
    for column, length in zip(held, lengths, strict=True):
        if column is None:
            codes.append(np.full(length, -1, dtype=np.int64))
        elif isinstance(column.dtype, pd.CategoricalDtype):
            table = tables[tuple(column.cat.categories)]
            own = column.cat.codes.to_numpy()
            codes.append(np.where(own >= 0, table[np.maximum(own, 0)] if len(table) else -1, -1))
        else:
            codes.append(np.asarray(column.astype(dtype).cat.codes.to_numpy(), dtype=np.int64))
    return pd.Categorical.from_codes(np.concatenate(codes), dtype=dtype)


def _ids_of_one_kind(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Where one frame holds integer ids and another text ids, the integers as the text the
    local engine matches them as (`cskpi.load.normalize.text_ids_if_mixed`)."""
    from cskpi.load.ids import as_text, is_integer

    for name in ("ticket_id", "response_id"):
        kinds = {is_integer(f[name]) for f in frames if name in f and len(f)}
        if len(kinds) > 1:
            frames = [f.assign(**{name: as_text(f[name])}) if name in f else f for f in frames]
    return frames


def _missing(length: int, dtype: object) -> pd.Series:
    import pandas as pd

    try:
        return pd.Series(pd.array([None] * length, dtype=dtype))
    except (TypeError, ValueError):
        return pd.Series([None] * length, dtype=object)


def key_hash(values: pd.Series, text: bool) -> np.ndarray:
    """A uint64 hash per value: integer ids by their number, others (or all, `text`) by the
    text the local engine matches them by (`cskpi.load.ids.as_text`)."""
    import numpy as np
    import pandas as pd

    from cskpi.load.ids import as_text, is_integer

    if not text and is_integer(values):
        ints = np.asarray(values.to_numpy(dtype=np.int64), dtype=np.int64).view(np.uint64)
        with np.errstate(over="ignore"):
            return np.asarray(ints * np.uint64(MIX), dtype=np.uint64) >> np.uint64(16)
    words = as_text(values)
    if isinstance(words.dtype, pd.CategoricalDtype):
        table = text_hash(words.cat.categories.astype("str"))
        codes = words.cat.codes.to_numpy()
        return np.where(codes >= 0, table[np.maximum(codes, 0)], np.uint64(0))
    return text_hash(words)


_WEIGHTS_SEED = 20241204


def text_hash(values: Any) -> np.ndarray:
    """A uint64 hash per text value (missing: as empty), from its UTF-8 bytes: each byte times
    a fixed odd weight of its place in the value, summed (a running sum over the bytes,
    differenced at the values' ends), then mixed. Vectorised over Arrow's byte buffer,
    where `pd.util.hash_array` makes a Python string per value first (a million text ids:
    about 0.5 s). Only routing uses it: equal texts hash alike; unequal ones may collide."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values, from_pandas=True) if not isinstance(values, pa.Array) else values
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.fill_null(arr.cast(pa.large_string()), "")
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    start, stop = int(offsets[0]), int(offsets[-1])
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[start:stop] if stop > start else None
    out: Any = np.zeros(n, dtype=np.uint64)
    lengths = np.diff(offsets)
    width = int(lengths[0]) if n else 0
    if data is not None and bool((lengths == width).all()):
        # one width throughout (ids usually have one): a byte matrix, one place a column
        weights = _weights(width)
        matrix = data.reshape(n, width)
        with np.errstate(over="ignore"):
            for at in range(width):
                out += matrix[:, at].astype(np.uint64) * weights[at]
    elif data is not None:
        # each byte's place in its value: its position less its value's first position
        place: Any = np.arange(stop - start, dtype=np.int64)
        place -= np.repeat(offsets[:-1] - start, lengths)
        weights = _weights(int(lengths.max()))
        with np.errstate(over="ignore"):
            running = np.cumsum(data.astype(np.uint64) * weights[place], dtype=np.uint64)
            running = np.concatenate([np.zeros(1, dtype=np.uint64), running])
            out = running[offsets[1:] - start] - running[offsets[:-1] - start]
    with np.errstate(over="ignore"):
        out = out ^ (out >> np.uint64(31))
        out = out * np.uint64(MIX)
        out = out ^ (out >> np.uint64(29))
    return np.asarray(out, dtype=np.uint64)


def _weights(places: int) -> np.ndarray:
    """The odd weight of each byte place, the same first ones however many are drawn."""
    import numpy as np

    rng = np.random.default_rng(_WEIGHTS_SEED)
    return np.asarray(rng.integers(0, 2**63, places, dtype=np.uint64) * 2 + 1)


def label_hash(values: pd.Series | None, length: int, empty: str) -> np.ndarray:
    """A uint64 hash of each record's group label in one by-column, as the local engine
    labels it (`cskpi.engine.keys.label_codes`): text stripped, numbers by value (1 and 1.0
    alike, as stacking makes them), missing or blank as the column's empty label."""
    import numpy as np
    import pandas as pd

    blank = text_hash(np.array([empty], dtype=object))[0]
    if values is None:
        return np.full(length, blank, dtype=np.uint64)
    if isinstance(values.dtype, pd.CategoricalDtype):
        names = pd.Series(values.cat.categories).astype("str").str.strip()
        words = names.where(names != "", empty).to_numpy(dtype=object)
        table = text_hash(words) if len(words) else np.zeros(0, dtype=np.uint64)
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, table[np.maximum(codes, 0)], blank).astype(np.uint64)
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.astype("float64").to_numpy()
        hashed = pd.util.hash_array(np.where(np.isnan(numbers), 0.0, numbers))
        return np.where(np.isnan(numbers), blank, hashed).astype(np.uint64)
    text = values.astype("str").str.strip()
    text = text.where(values.notna() & (text != ""), empty)
    return text_hash(text)


def combine(hashes: list[np.ndarray], length: int) -> np.ndarray:
    """One uint64 per record from one hash per by-column (order matters)."""
    import numpy as np

    out: Any = np.zeros(length, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for h in hashes:
            out = out * np.uint64(1000003) + h
    return out


def split(frame: pd.DataFrame, bucket: np.ndarray, n: int) -> list[pd.DataFrame]:
    """`frame`'s rows by bucket (0 … n-1), each keeping the rows' order (a stable sort of
    the buckets as 16-bit integers: numpy's radix sort, one pass over the rows)."""
    import numpy as np

    if n == 1:
        return [frame]
    small = bucket.astype(np.int16) if n <= np.iinfo(np.int16).max else bucket
    order = np.argsort(small, kind="stable")
    edges: Any = np.concatenate([[0], np.cumsum(np.bincount(small, minlength=n))])
    taken = frame.take(order)
    return [taken.iloc[edges[i] : edges[i + 1]].reset_index(drop=True) for i in range(n)]
