"""Vectorised value parsers: timestamps, durations, integers, booleans, labels, scores.

Each parser takes a raw column (strings from text formats, typed values from Parquet/XLSX) and
returns the canonical dtype plus the number of non-empty values it could not read, so that
normalisation can count them (nothing is dropped silently).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cskpi.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# an offset after a time of day: `Z`, `+09:00`, `+0900` or `+09` (ISO 8601 allows `±hh`)
# (or after an hour alone, `2024-03-01T09Z`, which ISO 8601 allows too)
_OFFSET_RE = r"(?:\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?|[T ]\d{2})\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$"
_ISO_RE = r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}"
_DM_RE = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
_NUMBER_RE = r"^[+-]?\d+(?:\.\d+)?$"
# the ISO 8601 forms Arrow's cast reads exactly as the general parser does (see `_iso_fast`)
_FAST_DATE = r"(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_FAST_TIME = r"[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
_FAST_ZONE = r"(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)"
_FAST_AWARE_RE = f"^{_FAST_DATE}{_FAST_TIME}{_FAST_ZONE}$"
_FAST_NAIVE_RE = f"^{_FAST_DATE}(?:{_FAST_TIME})?$"
_DIGITS_RE = r"^\d{1,15}$"  # a count that float64 holds exactly
EXCEL_EPOCH = "1899-12-30"
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
MAX_DURATION = 100 * 366 * 86400.0
"""Durations longer than a century (either sign) are unusable values, counted as such."""


@dataclass(frozen=True)
class TimeOptions:
    source_tz: str = "UTC"
    dayfirst: bool = False
    date_format: str | None = None
    excel_serials: bool = False
    """Numbers are Excel serial dates (XLSX input) rather than Unix epochs."""
    file_of: Any = None
    """Per row (a Series on the column's index): which input file it came from, so the
    day/month order of slash dates is settled per file (DECISIONS 23)."""


@dataclass(frozen=True)
class Parsed:
    values: pd.Series
    bad: pd.Series
    """Boolean mask: a non-empty input value that could not be read."""
    shifted: int = 0
    """Local times in a DST gap or overlap (shifted forward / earlier instant)."""


def _matches(text: pd.Series, pattern: str) -> pd.Series:
    """Regex search per value (False for missing), in Arrow's RE2 engine: pandas falls back
    to Python's `re` for many patterns, about ten times slower on a million values."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pa.array(text, from_pandas=True)
        if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
            raise TypeError(values.type)
        hit = pc.match_substring_regex(values, pattern).fill_null(False)
    except (pa.ArrowException, TypeError):
        return text.astype("str").str.contains(pattern, na=False, regex=True).astype(bool)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=text.index)


def _present(raw: pd.Series) -> pd.Series:
    import pandas as pd

    if raw.dtype == object or isinstance(raw.dtype, pd.StringDtype):
        return raw.notna() & (raw.astype("str").str.strip() != "")
    return raw.notna()


def parse_times(raw: pd.Series, column: str, options: TimeOptions) -> Parsed:
    """Any accepted timestamp form → `datetime64[us, UTC]`; naive values in `source_tz`."""
    import pandas as pd

    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        out = raw.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
        return Parsed(out, pd.Series(False, index=raw.index))
    if pd.api.types.is_datetime64_dtype(raw.dtype):
        local, shifted = _localize(raw.astype("datetime64[us]"), options.source_tz)
        return Parsed(local, pd.Series(False, index=raw.index), shifted)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        out = _from_numbers(raw.astype("float64"), options)
        return Parsed(out, _present(raw) & out.isna())
    fast = None if options.date_format else _iso_fast(raw, options.source_tz)
    if fast is None or not fast[1].any():
        return _parse_text(raw, column, options)
    out, done, shifted = fast
    todo = raw.notna() & ~done
    bad = pd.Series(False, index=raw.index)
    if todo.any():  # other forms, garbage, blanks: the general parser, on those rows only
        file_of = None if options.file_of is None else options.file_of[todo]
        rest = _parse_text(raw[todo], column, replace(options, file_of=file_of))
        out[todo] = rest.values.array  # positional: the index need not be unique
        bad[todo] = rest.bad.to_numpy()
        shifted += rest.shifted
    return Parsed(out, bad, shifted)


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


def _uniform(values: Any, shape: str) -> tuple[Any, Any] | None:
    """(`values` with its empty strings and odd values as nulls, the rows read), when the
    first value has the form `shape` and all but a few others have that same form; None
    otherwise. The rows read are every given one (None) unless some values are odd.

    An export writes one timestamp form of one width (`2024-01-01T00:00:57Z`), or nothing:
    then the values lie back to back in Arrow's data buffer, one row of a byte matrix each,
    and a few column comparisons replace a regex per value. Same form = same length, digits
    where the first value has digits, its other characters elsewhere, and a year 1900–2099
    (as the regex); month, day, hour and offset ranges are left to Arrow's cast, which
    refuses what the regex refuses. Only the validity bitmap is new: no text is copied.

    A block of the reader with some other value (a typo, another form) is matched with the
    regex instead, that block only; its odd values are left to the caller. More than
    `_ODD_SHARE` of them: None (a column of mixed forms takes the regex throughout)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    kind: np.ndarray = np.arange(256, dtype=np.uint8)  # a byte's class: digits are one
    kind[48:58] = 48
    text: str | None = None
    form: np.ndarray = np.zeros(0, dtype=np.uint8)
    out, read = [], []
    odd = 0
    for chunk, offsets, data in text_chunks(values):  # a reader's chunks: no copy into one
        if not len(chunk):
            continue
        lengths = np.diff(offsets)
        filled = lengths > 0
        count = int(np.count_nonzero(filled))
        if count and text is None:
            text = chunk[int(np.argmax(filled))].as_py()
            if not text or not text.isascii() or re.fullmatch(shape.strip("^$"), text) is None:
                return None
            form = kind[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]
        if _same_form(chunk, offsets, lengths, filled, count, data, kind, form):
            out.append(only_filled(chunk, filled))
            read.append(chunk.is_valid())
            continue
        hit = pc.match_substring_regex(chunk, shape).fill_null(False)
        blank = pc.equal(pc.binary_length(chunk), 0).fill_null(False)
        odd += len(chunk) - chunk.null_count - pc.sum(pc.or_(hit, blank)).as_py()
        if odd > _ODD_SHARE * len(values):
            return None
        out.append(pc.if_else(hit, chunk, pa.scalar(None, chunk.type)))
        read.append(pc.or_(hit, blank))
    if text is None:
        return None
    done = None if not odd else pa.chunked_array(read, type=pa.bool_())
    return pa.chunked_array(out, type=values.type), done


_ODD_SHARE = 0.01
"""Share of a column's values that may be odd and still take `_uniform` (the rest: a regex)."""


def _same_form(
    chunk: Any,
    offsets: np.ndarray,
    lengths: np.ndarray,
    filled: np.ndarray,
    count: int,
    data: np.ndarray,
    kind: np.ndarray,
    form: np.ndarray,
) -> bool:
    """Whether every non-empty value of an Arrow text chunk has `form` (byte classes) and a
    year 1900–2099, and no missing value holds bytes."""
    import numpy as np

    width = len(form)
    if count and np.count_nonzero(lengths == width) != count:
        return False  # another width
    if chunk.null_count and (filled & ~chunk.is_valid().to_numpy(zero_copy_only=False)).any():
        return False  # a null that holds bytes
    data = data[offsets[0] : offsets[len(chunk)]]
    rows = data.reshape(count, width) if count else data.reshape(0, max(width, 1))
    block = max(1, 2**22 // max(width, 1))
    for start in range(0, count, block):
        if not (kind[rows[start : start + block]] == form).all():
            return False
    if count:  # years 1900–2099: "19" or "20" first
        century = rows[:, 0].astype(np.int16) * 10 + rows[:, 1] - 11 * 48
        if not np.all((century == 19) | (century == 20)):
            return False
    return True


def _iso_fast(raw: pd.Series, tz: str) -> tuple[pd.Series, pd.Series, int] | None:
    """(values, rows read, DST-shifted count) for the plain ISO 8601 values of a text column,
    parsed by Arrow's cast; None when the column is not text.

    Only values in `_FAST_AWARE_RE` / `_FAST_NAIVE_RE` are read here: forms on which Arrow's
    cast and the general parser (`to_datetime(format="ISO8601")`) agree, years 1900–2099 so
    that any resolution holds them. A value of that shape that is no date (`2023-02-29`)
    makes the cast fail, and the whole column takes the general parser."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    values = text_array(raw)
    if values is None:
        return None
    given = values.is_valid()
    # the shape of the first values goes first: a column of one shape takes one regex pass
    sample = values.slice(0, 100).drop_null()
    shapes = [_FAST_AWARE_RE, _FAST_NAIVE_RE]
    if len(sample) and re.match(_FAST_NAIVE_RE, str(sample[0])):
        shapes.reverse()
    hits: dict[str, Any] = {}
    done: Any = None
    form = None
    for shape in shapes:
        found = _uniform(values, shape)  # one fixed-width form throughout: no regex per value
        if found is not None:
            # blanks are read here too: missing, as the general parser reads them
            form, read = found
            values, hits, done = form, {shape: form.is_valid()}, given if read is None else read
            break
    for shape in shapes if done is None else ():
        hits[shape] = pc.match_substring_regex(values, shape).fill_null(False)
        done = hits[shape] if done is None else pc.or_(done, hits[shape])
        if pc.all(pc.equal(done, given)).as_py():
            break
    aware, naive = hits.get(_FAST_AWARE_RE), hits.get(_FAST_NAIVE_RE)
    nothing = pa.scalar(None, values.type)
    try:
        stamps = local = None
        if form is not None:  # every value in the form: cast as it is
            if aware is not None:
                stamps = values.cast(pa.timestamp("us", "UTC"))
            else:
                local = values.cast(pa.timestamp("us"))
        elif aware is not None and pc.any(aware).as_py():
            stamps = pc.if_else(aware, values, nothing).cast(pa.timestamp("us", "UTC"))
        if form is None and naive is not None and pc.any(naive).as_py():
            local = pc.if_else(naive, values, nothing).cast(pa.timestamp("us"))
    except pa.ArrowInvalid:
        return None

    def series(array: Any) -> pd.Series:
        return pd.Series(array.to_numpy(zero_copy_only=False), index=raw.index)

    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us, UTC]")
    if stamps is not None:  # Arrow's UTC stamps as they are (a tz_localize took 0.3 s)
        out = pd.Series(stamps.to_pandas().array, index=raw.index, copy=False)
    shifted = 0
    if local is not None:
        utc, shifted = _localize(series(local), tz)
        out = utc if stamps is None else out.where(~series(naive), utc)
    return out, series(done), shifted


def _parse_text(raw: pd.Series, column: str, options: TimeOptions) -> Parsed:
    """The general parser for text timestamps: every accepted form, mixed in one column."""
    import pandas as pd

    present = _present(raw)
    text = raw.astype("str").str.strip().where(present)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us, UTC]")
    if not present.any():
        return Parsed(out, present)
    named_utc = text.str.endswith((" UTC", " GMT"), na=False)  # Ruby `Time#to_s` (Chatwoot)
    if named_utc.any():
        text = text.where(~named_utc, text.str[:-4] + "Z")
    numeric = _matches(text, _NUMBER_RE)
    if numeric.any():
        out[numeric] = _from_numbers(text[numeric].astype("float64"), options)
    rest = present & ~numeric
    shifted = 0
    if options.date_format:
        naive = pd.to_datetime(text[rest], format=options.date_format, errors="coerce")
        shifted += _assign_naive_or_aware(out, naive, options.source_tz)
    else:
        iso = rest & _matches(text, _ISO_RE)
        if iso.any():
            with_offset = iso & _matches(text, _OFFSET_RE)
            if with_offset.any():
                out[with_offset] = pd.to_datetime(
                    text[with_offset], format="ISO8601", errors="coerce", utc=True
                )
            naive_mask = iso & ~with_offset
            if naive_mask.any():
                naive = pd.to_datetime(
                    text[naive_mask].str.replace("/", "-", regex=False),
                    format="ISO8601",
                    errors="coerce",
                )
                shifted += _assign_naive_or_aware(out, naive, options.source_tz)
        dm = rest & ~iso
        files = [None] if options.file_of is None else sorted(set(options.file_of[dm]))
        for file in files:
            part = dm if file is None else dm & (options.file_of == file)
            if part.any():
                shifted += _parse_day_month(text[part], column, options, out)
    return Parsed(out, present & out.isna(), shifted)


def _assign_naive_or_aware(out: pd.Series, parsed: pd.Series, tz: str) -> int:
    import pandas as pd

    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        out[parsed.index] = parsed.dt.tz_convert("UTC")
        return 0
    local, shifted = _localize(parsed.astype("datetime64[us]"), tz)
    out[parsed.index] = local
    return shifted


def _parse_day_month(text: pd.Series, column: str, options: TimeOptions, out: pd.Series) -> int:
    """`03/02/2018 14:00`: settle day/month order per column, from the flag or the data."""
    import pandas as pd

    parts = text.str.extract(_DM_RE)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    dayfirst = options.dayfirst
    if not dayfirst:
        if (first > 12).any():
            dayfirst = True
        elif not (second > 12).any() and (first.notna().any()):
            example = text.iloc[0]
            hint = "%m/%d/%Y %H:%M" if ":" in example else "%m/%d/%Y"
            raise InputError(
                f"column {column}: dates like {example!r} could be day/month or month/day; "
                f"add --dayfirst, or --date-format '{hint}'"
            )
    has_time = text.str.contains(":", regex=False)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for with_time in (False, True):
        mask = has_time == with_time
        if not mask.any():
            continue
        norm = text[mask].str.replace(r"[.\-]", "/", regex=True, n=2)
        day_month = "%d/%m/%Y" if dayfirst else "%m/%d/%Y"
        formats = [f"{day_month} %H:%M:%S", f"{day_month} %H:%M"] if with_time else [day_month]
        for fmt in formats:
            todo = parsed[mask].isna()
            if not todo.any():
                break
            idx = todo[todo].index
            parsed[idx] = pd.to_datetime(norm[idx], format=fmt, errors="coerce")
    return _assign_naive_or_aware(out, parsed, options.source_tz)


def _localize(naive: pd.Series, tz: str) -> tuple[pd.Series, int]:
    """Naive local times → UTC. DST gaps shift forward, overlaps take the earlier instant."""
    import numpy as np

    if tz == "UTC":
        return naive.dt.tz_localize("UTC"), 0
    strict = naive.dt.tz_localize(tz, nonexistent="NaT", ambiguous="NaT")
    odd = int((strict.isna() & naive.notna()).sum())
    if not odd:
        return strict.dt.tz_convert("UTC"), 0
    fixed = naive.dt.tz_localize(
        tz, nonexistent="shift_forward", ambiguous=np.ones(len(naive), dtype=bool)
    )
    return fixed.dt.tz_convert("UTC"), odd


def _from_numbers(values: pd.Series, options: TimeOptions) -> pd.Series:
    """Unix epoch seconds (milliseconds when |v| ≥ 1e11), or Excel serial days for XLSX."""
    import numpy as np
    import pandas as pd

    if options.excel_serials:
        days = pd.to_timedelta(values.where(values.between(0, EXCEL_MAX_SERIAL)), unit="D")
        naive = (pd.Timestamp(EXCEL_EPOCH) + days).astype("datetime64[us]")
        return _localize(naive, options.source_tz)[0]
    ms = values.abs() >= 1e11
    seconds = values.where(~ms, values / 1000.0)
    ok = seconds.between(-62135596800, 253402300799)  # years 0001..9999
    micros = (seconds.where(ok) * 1e6).round()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    good = micros.notna()
    out[good] = pd.to_datetime(micros[good].astype(np.int64), unit="us", utc=True)
    return out


_UNIT_WORDS = (
    (re.compile(r"(milli|_ms\b|\(ms\))"), 0.001),
    (re.compile(r"(minute|\bmins?\b|_mins?\b|in ?mins?\b|\(m\)|\(min\))"), 60.0),
    (re.compile(r"(hour|hrs?\b|\(h\))"), 3600.0),
    (re.compile(r"(\bdays?\b|_days?\b|\(d\))"), 86400.0),
)
_HUMAN_UNITS = {
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
}


def unit_from_name(name: str) -> float:
    """Seconds per unit implied by a header: `reply_time_in_minutes` → 60; default seconds."""
    lowered = name.lower()
    for pattern, factor in _UNIT_WORDS:
        if pattern.search(lowered):
            return factor
    return 1.0


def parse_durations(raw: pd.Series, unit: float) -> Parsed:
    """Numbers (in `unit` seconds), `HH:MM[:SS]`, or `1 day 3 hours` text → float seconds.

    `--` and empty cells mean "no value" (NaN), never zero.
    """
    import numpy as np
    import pandas as pd

    present = _present(raw)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        seconds = raw.astype("float64") * unit
        sane = seconds.abs() <= MAX_DURATION  # as for text below (NaN is not sane: missing)
        return Parsed(seconds.where(sane), raw.notna() & ~sane)
    text = raw.astype("str").str.strip().where(present)
    none = text.isin(["--", "-", "—", "n/a", "N/A"])
    present = present & ~none
    out = pd.to_numeric(text.where(present), errors="coerce") * unit
    clock = present & out.isna() & _matches(text, r"^-?\d+:\d{2}(:\d{2})?$")
    if clock.any():
        parts = text[clock].str.split(":", expand=True).astype("float64")
        seconds = parts[2].fillna(0.0) if 2 in parts else 0.0  # all `HH:MM`: no third part
        secs = parts[0].abs() * 3600 + parts[1] * 60 + seconds
        sign = np.where(text[clock].str.startswith("-"), -1.0, 1.0)
        out[clock] = secs * sign
    human = present & out.isna()
    if human.any():
        pairs = text[human].str.lower().str.extractall(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
        factor = pairs[1].astype(object).map(_HUMAN_UNITS).astype("float64")
        amount = pd.to_numeric(pairs[0].astype(object), errors="coerce").astype("float64")
        seconds = (amount * factor).groupby(level=0).sum(min_count=1)
        complete = factor.notna().groupby(level=0).all()
        out[seconds.index] = seconds.where(complete)
    out = out.astype("float64")
    out = out.where(out.abs() <= MAX_DURATION)  # a century or more is no real duration
    return Parsed(out, present & out.isna())


_TRUE = {"true", "t", "yes", "y", "1", "1.0", "x"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def distinct(raw: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code per row, -1 when missing; the distinct values): a column's work done once per
    distinct value. Text goes through Arrow's dictionary encoding (0.1 s for 10 million
    values, where `astype("category")` took 0.9 s); other columns through categories."""
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
                    np.asarray(c.indices.fill_null(-1).to_numpy(zero_copy_only=False), "int64")
                    for c in encoded.chunks
                ]
            )
            values = encoded.chunk(0).dictionary.to_pandas(types_mapper=None)
            return codes, pd.Series(values, dtype="str")
    cat = raw if isinstance(raw.dtype, pd.CategoricalDtype) else raw.astype("category")
    return cat.cat.codes.to_numpy().astype("int64"), pd.Series(cat.cat.categories)


def parse_bools(raw: pd.Series) -> Parsed:
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(raw.dtype):
        return Parsed(raw.astype("boolean"), pd.Series(False, index=raw.index))
    if isinstance(raw.dtype, pd.StringDtype):  # judged once per distinct value
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
    present = _present(raw)
    text = raw.astype("str").str.strip().str.lower()
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    out[text.isin(_TRUE) & present] = True
    out[text.isin(_FALSE) & present] = False
    return Parsed(out, present & out.isna())


def parse_ints(raw: pd.Series) -> Parsed:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

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
    todo = raw.notna() & ~pd.Series(digits.to_numpy(zero_copy_only=False), index=raw.index)
    if todo.any():
        rest = _parse_counts(raw[todo])
        out[todo] = rest.values.array  # positional: the index need not be unique
        bad[todo] = rest.bad.to_numpy()
    return Parsed(out, bad)


def _parse_counts(raw: pd.Series) -> Parsed:
    import pandas as pd

    present = _present(raw)
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


def parse_ids(raw: pd.Series) -> pd.Series:
    """Identifiers as text, verbatim (`000123` stays `000123`); `123.0` from XLSX → `123`."""
    import pandas as pd

    if isinstance(raw.dtype, pd.StringDtype):  # text: stripped once, blanks are missing
        clean = _clean_ids(raw)
        if clean is not None:
            return clean
        text = raw.str.strip()
        return text.where(raw.notna() & (text != "")).astype("str")
    present = _present(raw)
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
