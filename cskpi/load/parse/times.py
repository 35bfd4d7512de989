"""Timestamps: any accepted form (ISO 8601, day/month text, Unix epochs, Excel serials, typed
datetimes) → `datetime64[us, UTC]`, naive values in the source zone; plain ISO 8601 text takes
Arrow's cast (a fixed-width column: byte comparisons instead of a regex per value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cskpi.arrays import wrap
from cskpi.errors import InputError
from cskpi.load.parse.text import Parsed, is_present, matches, only_filled, text_array, text_chunks

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
_FAST_UTC_RE = f"^{_FAST_DATE}{_FAST_TIME}Z$"


def plain_form(value: str) -> str | None:
    """ "naive" or "utc" when `value` has a form on which Arrow's cast and the general parser
    agree (`_iso_fast`) and whose text a timestamp gives back (`readers.csv_times`): plain ISO
    8601 without an offset, or in UTC written `Z`; None for any other value."""
    if re.fullmatch(_FAST_NAIVE_RE, value):
        return "naive"
    return "utc" if re.fullmatch(_FAST_UTC_RE, value) else None


EXCEL_EPOCH = "1899-12-30"
EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
SERIAL_RANGE = (20_000, 80_000)
"""Numbers read as Excel serial days in any file (docs/DATA.md): 1954-10-03 to 2119-01-11.
As Unix seconds they would all fall on 1 January 1970, 05:33 to 22:13."""
EPOCH_MIN = 1e8
"""A number this big (1973-03-03 as Unix seconds) is an epoch time, never a serial day."""


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
        out = _from_numbers(raw.astype("float64"), options, column)
        return Parsed(out, is_present(raw) & out.isna())
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

    text: str | None = None
    form = b""
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
            form = text.encode("ascii")
        if same_form(chunk, offsets, lengths, filled, count, data, form):
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


def same_form(
    chunk: Any,
    offsets: np.ndarray,
    lengths: np.ndarray,
    filled: np.ndarray,
    count: int,
    data: np.ndarray,
    form: bytes,
) -> bool:
    """Whether every non-empty value of an Arrow text chunk has the form of `form` (an ASCII
    value: the same length, a digit where it has one, its other bytes elsewhere) and a year
    1900–2099, and no missing value holds bytes.

    Position by position over the values' byte matrix, in blocks that stay in the cache: a
    lookup of every byte's class took 0.99 s for 10 million values of 19 bytes, this 0.11 s."""
    import numpy as np

    width = len(form)
    if count and np.count_nonzero(lengths == width) != count:
        return False  # another width
    if chunk.null_count and (filled & ~chunk.is_valid().to_numpy(zero_copy_only=False)).any():
        return False  # a null that holds bytes
    data = data[offsets[0] : offsets[len(chunk)]]
    rows = data.reshape(count, width) if count else data.reshape(0, max(width, 1))
    given = np.frombuffer(form, dtype=np.uint8)
    digits = (given >= 48) & (given < 58)
    at_digits, at_others = np.flatnonzero(digits), np.flatnonzero(~digits)
    zero = np.uint8(48)
    for start in range(0, count, _FORM_BLOCK):
        block = rows[start : start + _FORM_BLOCK]
        if not (block[:, at_digits] - zero < 10).all():
            return False
        if not (block[:, at_others] == given[at_others]).all():
            return False
    if count:  # years 1900–2099: "19" or "20" first
        century = rows[:, 0].astype(np.int16) * 10 + rows[:, 1] - 11 * 48
        if not np.all((century == 19) | (century == 20)):
            return False
    return True


_FORM_BLOCK = 50_000
"""Values `same_form` compares at a time (1 MB of 19-byte values: in the cache)."""


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
        return wrap(array.to_numpy(zero_copy_only=False), raw.index)

    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us, UTC]")
    if stamps is not None:  # Arrow's UTC stamps as they are (a tz_localize took 0.3 s)
        out = pd.Series(stamps.to_pandas().array, index=raw.index, copy=False)
    shifted = 0
    if local is not None:
        naive_times = series(local)
        local = values = form = None  # Arrow's stamps and text let go before the next copy
        utc, shifted = _localize(naive_times, tz)
        del naive_times
        out = utc if stamps is None else out.where(~series(naive), utc)
    return out, series(done), shifted


def _parse_text(raw: pd.Series, column: str, options: TimeOptions) -> Parsed:
    """The general parser for text timestamps: every accepted form, mixed in one column."""
    import pandas as pd

    present = is_present(raw)
    text = raw.astype("str").str.strip().where(present)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us, UTC]")
    if not present.any():
        return Parsed(out, present)
    named_utc = text.str.endswith((" UTC", " GMT"), na=False)  # Ruby `Time#to_s` (Chatwoot)
    if named_utc.any():
        text = text.where(~named_utc, text.str[:-4] + "Z")
    numeric = matches(text, _NUMBER_RE)
    if numeric.any():
        out[numeric] = _from_numbers(text[numeric].astype("float64"), options, column)
    rest = present & ~numeric
    shifted = 0
    if options.date_format:
        naive = pd.to_datetime(text[rest], format=options.date_format, errors="coerce")
        shifted += _assign_naive_or_aware(out, naive, options.source_tz)
    else:
        iso = rest & matches(text, _ISO_RE)
        if iso.any():
            with_offset = iso & matches(text, _OFFSET_RE)
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


def _serial_text(days: float) -> str:
    import pandas as pd

    return f"{pd.Timestamp(EXCEL_EPOCH) + pd.Timedelta(days=days):%Y-%m-%d %H:%M}"


def as_utc(naive: pd.Series) -> pd.Series:
    """Naive UTC microseconds as `datetime64[us, UTC]`, the same buffer reinterpreted: a
    `tz_localize("UTC")` copies the column (10 million times: 80 MB of fresh memory each)."""
    import pandas as pd

    if naive.dtype != "datetime64[us]":
        return naive.dt.tz_localize("UTC")
    try:  # DatetimeArray's constructor of record: no conversion, no copy
        values = pd.arrays.DatetimeArray._simple_new(
            naive.array._ndarray, dtype=pd.DatetimeTZDtype("us", "UTC")
        )
    except (AttributeError, TypeError):  # another pandas: the copy
        return naive.dt.tz_localize("UTC")
    return pd.Series(values, index=naive.index, name=naive.name, copy=False)


def _localize(naive: pd.Series, tz: str) -> tuple[pd.Series, int]:
    """Naive local times → UTC. DST gaps shift forward, overlaps take the earlier instant."""
    import numpy as np

    if tz == "UTC":
        return as_utc(naive), 0
    strict = naive.dt.tz_localize(tz, nonexistent="NaT", ambiguous="NaT")
    odd = int((strict.isna() & naive.notna()).sum())
    if not odd:
        return strict.dt.tz_convert("UTC"), 0
    fixed = naive.dt.tz_localize(
        tz, nonexistent="shift_forward", ambiguous=np.ones(len(naive), dtype=bool)
    )
    return fixed.dt.tz_convert("UTC"), odd


def _from_numbers(values: pd.Series, options: TimeOptions, column: str = "") -> pd.Series:
    """Unix epoch seconds (milliseconds when |v| ≥ 1e11), or Excel serial days for XLSX; in
    other files, numbers in the serial range (`SERIAL_RANGE`) are serial days when no number
    of the column is an epoch time (≥ `EPOCH_MIN`), and a mix of both is refused."""
    import numpy as np
    import pandas as pd

    serial = None if options.excel_serials else values.between(*SERIAL_RANGE)
    if serial is not None and serial.any():
        epochs = values.abs() >= EPOCH_MIN
        if epochs.any():
            first = values[serial].iloc[0]
            raise InputError(
                f"{column}: Excel serial dates ({int(serial.sum()):,}, e.g. {first:.12g} = "
                f"{_serial_text(first)}) and Unix epoch times ({int(epochs.sum()):,}) in one "
                "column; cannot tell which is which\n"
                "save the column in one form (ISO 8601 text, e.g. 2024-01-01 09:00, is best)"
            )
        days = pd.to_timedelta(values.where(serial), unit="D")
        naive = (pd.Timestamp(EXCEL_EPOCH) + days).astype("datetime64[us]")
        out = _localize(naive, options.source_tz)[0]
        others = ~serial & values.notna()
        if others.any():  # 0 and other placeholders: as before (1970, implausible)
            out[others] = _from_numbers(values[others], replace(options, excel_serials=False))
        return out
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
