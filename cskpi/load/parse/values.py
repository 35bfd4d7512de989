"""Other values: integers (counts), booleans, labels (distinct values, judged once each) and
identifiers (verbatim text; `123.0` from XLSX → `123`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.arrays import wrap
from cskpi.load.parse.text import Parsed, is_present, only_filled, text_array, text_chunks

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

_DIGITS_RE = r"^\d{1,15}$"  # a count that float64 holds exactly


_TRUE = {"true", "t", "yes", "y", "1", "1.0", "x"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def distinct(raw: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(integer code per row, -1 when missing; the distinct values): a column's work done once
    per distinct value. Text goes through Arrow's dictionary encoding (0.1 s for 10 million
    values, where `astype("category")` took 0.9 s), with int32 codes; other columns through
    categories, whose codes are taken as they are (int8 for a few labels: no int32 copy)."""
    import numpy as np
    import pandas as pd

    if isinstance(raw.dtype, pd.StringDtype):
        import pyarrow as pa
        import pyarrow.compute as pc

        try:
            encoded = pc.dictionary_encode(pa.chunked_array(pa.array(raw, from_pandas=True)))
            encoded = encoded.unify_dictionaries()
        except (pa.ArrowException, TypeError, ValueError):
            encoded = None
        if encoded is not None and encoded.num_chunks:
            codes = np.concatenate(
                [
                    np.asarray(c.indices.fill_null(-1).to_numpy(zero_copy_only=False), "int32")
                    for c in encoded.chunks
                ]
            )
            values = encoded.chunk(0).dictionary.to_pandas(types_mapper=None)
            return codes, pd.Series(values, dtype="str")
    cat = raw if isinstance(raw.dtype, pd.CategoricalDtype) else raw.astype("category")
    return np.asarray(cat.cat.codes.to_numpy()), pd.Series(cat.cat.categories)


def parse_bools(raw: pd.Series) -> Parsed:
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(raw.dtype):
        return Parsed(raw.astype("boolean"), pd.Series(False, index=raw.index))
    if isinstance(raw.dtype, (pd.StringDtype, pd.CategoricalDtype)):  # once per distinct value
        codes, values = distinct(raw)
        text = values.astype("str").str.strip().str.lower()
        given = (text != "").to_numpy(dtype=bool)
        true = text.isin(_TRUE).to_numpy(dtype=bool) & given
        false = text.isin(_FALSE).to_numpy(dtype=bool) & given
        present, safe = codes >= 0, np.maximum(codes, 0)
        if not len(values):
            present = np.zeros(len(codes), dtype=bool)
            given = true = false = np.zeros(1, dtype=bool)
        known = present & (true | false)[safe]
        out = pd.arrays.BooleanArray(present & true[safe], ~known)
        bad = present & given[safe] & ~known
        return Parsed(pd.Series(out, index=raw.index), pd.Series(bad, index=raw.index))
    present = is_present(raw)
    text = raw.astype("str").str.strip().str.lower()
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    out[text.isin(_TRUE) & present] = True
    out[text.isin(_FALSE) & present] = False
    return Parsed(out, present & out.isna())


def parse_ints(raw: pd.Series) -> Parsed:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if (
        isinstance(raw.dtype, np.dtype)
        and raw.dtype.kind in "iu"
        and (
            not len(raw)
            or (int(raw.min()) >= 0 and (raw.dtype.itemsize <= 4 or int(raw.max()) < 2**53))
        )
    ):  # typed counts, all of them usable, as they are: no float round trip (10 M: 1 s and
        # six copies). Up to 4 bytes they keep their width (an Int16 column of 10 million
        # counts is 30 MB where Int64 is 90 MB); 8-byte ones are Int64, as the general path
        # makes them (below 2**53: exact as the floats it reads them through)
        values = raw.to_numpy()
        if values.dtype.itemsize == 8:
            values = values.astype(np.int64, copy=False)
        out = pd.Series(
            pd.arrays.IntegerArray(values, np.zeros(len(values), dtype=bool)), index=raw.index
        )
        return Parsed(out, pd.Series(False, index=raw.index))
    if isinstance(raw.dtype, pd.CategoricalDtype):  # a CSV's few counts: each read once
        each = parse_ints(pd.Series(raw.cat.categories))
        # per row through the categories' values with a last one for a missing row (code
        # -1): no temporaries of the rows' size but the result
        codes = raw.cat.codes.to_numpy()
        value: np.ndarray = np.append(each.values.to_numpy(dtype=np.int64, na_value=0), 0)
        # in the width typed files keep counts in (Parquet int16: 20 MB per 10 million
        # rows where int64 is 80 MB), wider only when a count needs it
        for width in (np.int16, np.int32):
            if value.max() <= np.iinfo(width).max:
                value = value.astype(width)
                break
        missing: np.ndarray = np.append(each.values.isna().to_numpy(dtype=bool), True)
        bad: np.ndarray = np.append(each.bad.to_numpy(dtype=bool), False)
        out = pd.arrays.IntegerArray(value[codes], missing[codes])
        return Parsed(pd.Series(out, index=raw.index), pd.Series(bad[codes], index=raw.index))
    values = text_array(raw)
    if values is None:
        return _parse_counts(raw)
    # plain digits (nearly every count in an export): Arrow's cast; the rest as before
    digits = pc.match_substring_regex(values, _DIGITS_RE).fill_null(False)
    ints = pc.if_else(digits, values, pa.scalar(None, values.type)).cast(pa.int64())
    out = pd.Series(
        pd.arrays.IntegerArray(
            ints.fill_null(0).to_numpy(zero_copy_only=False),
            ints.is_null().to_numpy(zero_copy_only=False),
        ),
        index=raw.index,
    )
    bad = pd.Series(False, index=raw.index)
    todo = raw.notna() & ~wrap(digits.to_numpy(zero_copy_only=False), raw.index)
    if todo.any():
        rest = _parse_counts(raw[todo])
        out[todo] = rest.values.array  # positional: the index need not be unique
        bad[todo] = rest.bad.to_numpy()
    return Parsed(out, bad)


def _parse_counts(raw: pd.Series) -> Parsed:
    import pandas as pd

    present = is_present(raw)
    num = pd.to_numeric(raw.where(present), errors="coerce").astype("float64")
    # counts: whole, not negative, exactly representable; anything else is unusable
    whole = num.where((num == num.round()) & (num >= 0) & (num < 2.0**53))
    return Parsed(whole.astype("Int64"), present & whole.isna())


def _clean_ids(raw: pd.Series) -> pd.Series | None:
    """An Arrow text column whose values need no strip, with blanks as missing, without
    copying the text (10 million ids: 0.1 s instead of 1 s); None when some value starts or
    ends with a space, a control or a non-ASCII byte (it may be Unicode whitespace)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    values = text_array(raw)
    if values is None:
        return None
    out = []
    for chunk, offsets, data in text_chunks(values):
        filled = np.diff(offsets) > 0
        if chunk.null_count:
            filled &= chunk.is_valid().to_numpy(zero_copy_only=False)
        if filled.any():
            for edge in (data[offsets[:-1][filled]], data[offsets[1:][filled] - 1]):
                if ((edge <= 0x20) | (edge >= 0x7F)).any():
                    return None
        out.append(only_filled(chunk, filled))  # blanks (and nulls) as missing
    text = pa.chunked_array(out, type=values.type)
    return pd.Series(pd.array(text, dtype=raw.dtype), index=raw.index, copy=False)


def parse_ids(raw: pd.Series, keep_integers: bool = False) -> pd.Series:
    """Identifiers as text, verbatim (`000123` stays `000123`); `123.0` from XLSX → `123`.

    `keep_integers`: a typed integer column that is never missing nor negative stays int64
    (`cskpi.load.ids`: integer ids are their own numbers; no text is made)."""
    import pandas as pd

    if (
        keep_integers
        and pd.api.types.is_integer_dtype(raw.dtype)
        and not isinstance(raw.dtype, pd.CategoricalDtype)
        and len(raw)
        and not raw.isna().any()
        and int(raw.min()) >= 0
        and int(raw.max()) < 2**63
    ):
        return raw.astype("int64")  # no copy when already int64 (copy on write)

    if isinstance(raw.dtype, pd.StringDtype):  # text: stripped once, blanks are missing
        clean = _clean_ids(raw)
        if clean is not None:
            return clean
        text = raw.str.strip()
        return text.where(raw.notna() & (text != "")).astype("str")
    present = is_present(raw)
    text = raw.astype("str").str.strip()
    if pd.api.types.is_float_dtype(raw.dtype):
        # whole numbers a float holds exactly (not inf, not 1e300) are ids without ".0"
        whole = present & (raw.abs() < 2.0**53) & (raw == raw.round())
        text[whole] = raw[whole].astype("int64").astype("str")
    elif raw.dtype == object:
        # XLSX cells arrive as Python objects: a number typed into an id column is a float.
        floats = raw.map(type).eq(float) & present
        if floats.any():
            nums = raw[floats].astype("float64")
            whole = (nums.abs() < 2.0**53) & (nums == nums.round())
            text[whole[whole].index] = nums[whole].astype("int64").astype("str")
    return text.where(present).astype("str")
