"""Time columns of a streamed CSV read as timestamps, block by block (`Stamps`): the text of
10 million timestamps (270 MB a column) is never held whole, only 8 bytes a value.

A column is read so when normalisation says it feeds time columns alone (`Options.times`) and
every value of the file is missing or has the form of the column's first value: plain ISO
8601 without an offset, or in UTC written `Z` (`parse.plain_form`), the same width and
punctuation (`parse.same_form`), a year 1900–2099, and a date and time Arrow's cast reads.
On those values the text path's fast parse (`parse.times`, `_iso_fast`) is this same cast, so
the column then takes `parse_times`' path for typed times and gives the same instants, the
same local-time shifts and no unreadable value, as the text would.

A block with any other value ends it: the values read so far are written back as the text
they were (`restore`: one form, so a value's text is its timestamp's digits in that form's
places), and the rest of the file stays text, as every column was before. So does a column
some files of one export wrote in another form (`restore` once more, when stacking them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cskpi.load.parse import only_filled, plain_form, same_form, text_chunks

if TYPE_CHECKING:
    import numpy as np


class Stamps:
    """One column's timestamps, read a block at a time into an array made at the file's
    length (`rows`): naive, or UTC when the form ends in `Z`."""

    def __init__(self, rows: int) -> None:
        import numpy as np

        self.values: np.ndarray = np.empty(rows, dtype="datetime64[us]")
        self.at = 0
        self.form = b""
        """The column's first value, as bytes: its form (empty until one is seen)."""

    @property
    def aware(self) -> bool:
        return self.form.endswith(b"Z")

    def add(self, block: Any) -> bool:
        """Append a block of the column (an Arrow text array); False, appending nothing,
        when a value is in no form or another one, or past the length made."""
        import numpy as np
        import pyarrow as pa

        if self.at + len(block) > len(self.values):
            return False
        for chunk, offsets, data in text_chunks(block):
            lengths = np.diff(offsets)
            filled = lengths > 0
            count = int(np.count_nonzero(filled))
            if count and not self.form:
                first = chunk[int(np.argmax(filled))].as_py()
                if not first.isascii() or plain_form(first) is None:
                    return False
                self.form = first.encode("ascii")
            if count and not same_form(chunk, offsets, lengths, filled, count, data, self.form):
                return False
            kind = pa.timestamp("us", "UTC") if self.aware else pa.timestamp("us")
            try:
                stamps = only_filled(chunk, filled).cast(kind)
            except pa.ArrowInvalid:  # a date of the right shape that is none (2023-02-29)
                return False
            self.values[self.at : self.at + len(chunk)] = stamps.to_numpy(zero_copy_only=False)
            self.at += len(chunk)
        return True

    def read(self) -> np.ndarray:
        """The values read so far (the array's start: no copy)."""
        return self.values[: self.at]

    def text(self) -> Any:
        """The values read so far as the text they were (`restore`)."""
        return restore(self.read(), self.form)


def restore(values: np.ndarray, form: bytes) -> Any:
    """Timestamps (`datetime64[us]`, NaT for a missing value) as Arrow text in `form`: its
    punctuation, and each value's year, month, day, hour, minute, second and fraction digits
    in their places. The inverse of the cast `Stamps.add` made, value for value: a missing
    value becomes a null, as the reader read an empty field."""
    import numpy as np
    import pyarrow as pa

    valid = ~np.isnat(values)
    stamps = values[valid]
    days = stamps.astype("datetime64[D]")
    micros = (stamps - days).astype(np.int64)  # into the day: never negative
    month_start = days.astype("datetime64[M]")
    fields = [
        (0, 4, days.astype("datetime64[Y]").astype(np.int64) + 1970),
        (5, 2, month_start.astype(np.int64) % 12 + 1),
        (8, 2, (days - month_start).astype(np.int64) + 1),
    ]
    if len(form) > 10:  # a time of day: hours and minutes
        fields += [(11, 2, micros // 3_600_000_000), (14, 2, micros // 60_000_000 % 60)]
    if form[16:17] == b":":
        fields.append((17, 2, micros // 1_000_000 % 60))
    if form[19:20] == b".":
        places = len(form) - 20 - form.endswith(b"Z")
        fields.append((20, places, micros % 1_000_000 // 10 ** (6 - places)))
    width = len(form)
    matrix: np.ndarray = np.empty((len(stamps), width), dtype=np.uint8)
    matrix[:] = np.frombuffer(form, dtype=np.uint8)
    for start, size, number in fields:
        for place in range(size):  # the last digit first
            matrix[:, start + size - 1 - place] = 48 + number // 10**place % 10
    offsets: np.ndarray = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(np.where(valid, width, 0), out=offsets[1:])
    bitmap = pa.array(valid, type=pa.bool_()).buffers()[1]
    return pa.Array.from_buffers(
        pa.large_string(),
        len(values),
        [bitmap, pa.py_buffer(offsets), pa.py_buffer(matrix)],
        null_count=int(len(values) - len(stamps)),
    )
