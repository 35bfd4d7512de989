"""Each CSV record's start line, found in the bytes without parsing them (numpy).

pyarrow gives the rows but not their lines. A line end closes a record when an even number of
quotes precedes it; the bytes are scanned in `_CHUNK` slices so the masks stay small. None where
quoting is not plain: the csv module then reads the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_CHUNK = 16 * 2**20  # bytes scanned at a time for record line numbers


def _record_lines(data: bytes, delimiter: str, quote: str = '"') -> np.ndarray | None:
    """1-based start line of each non-empty record, or None where quoting is not plain."""
    scan = record_scan(data, delimiter, quote)
    return None if scan is None else scan[0]


def record_scan(data: bytes, delimiter: str, quote: str = '"') -> tuple[np.ndarray, bool] | None:
    """(`_record_lines`, whether a line end lies inside a quoted value), or None where quoting
    is not plain.

    Lines end at \\n, \\r\\n or \\r (as in the csv module). A line end closes a record when
    an even number of quotes precedes it; that holds when every quote opening a value follows
    a delimiter, a line end or another quote (doubled quotes keep the parity), and the total
    is even (no quote left open at the end). The bytes are scanned in `_CHUNK` slices, so the
    temporary masks stay small whatever the file size. `quote` "": no quoting."""
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    size = len(buf)
    if not size:
        return np.zeros(0, dtype=np.int64), False
    mark = ord(quote) if quote else 0
    has_quotes = bool(quote) and data.find(quote.encode()) >= 0  # far quicker than a mask
    has_cr = data.find(b"\r") >= 0
    allowed = np.array([ord(delimiter), 10, 13, mark], dtype=np.uint8)
    quotes_before = breaks_before = 0
    quoted_breaks = False
    ends: list[np.ndarray] = []  # positions of the line ends that close a record
    index: list[np.ndarray] = []  # ... and their 0-based rank among all line ends
    for start in range(0, size, _CHUNK):
        stop = min(start + _CHUNK, size)
        part = buf[start:stop]
        if has_cr:
            after = buf[start + 1 : stop + 1]
            if stop == size:
                after = np.append(after, np.uint8(0))
            breaks = np.flatnonzero((part == 10) | ((part == 13) & (after != 10)))
        else:
            breaks = np.flatnonzero(part == 10)
        if not has_quotes:
            ends.append(breaks + start)
            index.append(np.arange(breaks_before, breaks_before + len(breaks)))
            breaks_before += len(breaks)
            continue
        quotes = np.flatnonzero(part == mark)
        opening: np.ndarray = quotes[quotes_before % 2 :: 2] + start  # even rank in the file
        opening = opening[opening > 0]
        if len(opening) and not np.isin(buf[opening - 1], allowed).all():
            return None
        closing = (np.searchsorted(quotes, breaks) + quotes_before) % 2 == 0
        quoted_breaks = quoted_breaks or not closing.all()
        ends.append(breaks[closing] + start)
        index.append(np.flatnonzero(closing) + breaks_before)
        quotes_before += len(quotes)
        breaks_before += len(breaks)
    if quotes_before % 2:
        return None
    end = np.concatenate(ends)
    starts = np.concatenate(([0], end + 1))
    length = np.concatenate((end, [size])) - starts
    first = buf[np.minimum(starts, size - 1)]
    empty = (length == 0) | ((length == 1) & (first == 13))
    lines = np.concatenate(([1], np.concatenate(index) + 2))
    return np.asarray(lines[~empty], dtype=np.int64), quoted_breaks


def swallowed(data: bytes, delimiter: str, quote: str, fields: int) -> bool:
    """Whether a quoted value swallowed lines that look like rows: `csv_small.swallows`'
    rule on the bytes. A line lies wholly inside a quoted value when an odd number of quotes
    precedes it and it holds none; it looks like a row when it holds at least `fields - 1`
    delimiters. A value is implausible when at least one of its inner lines, and more than
    half of them, look like rows. A value runs from a line that ends inside quotes to the next
    line that ends outside them, so a doubled quote inside it does not cut it in two. Scanned in slices cut at line ends (`_CHUNK` bytes)."""
    import numpy as np

    if not quote or fields < 2:
        return False
    buf = np.frombuffer(data, dtype=np.uint8)
    mark, sep = ord(quote), ord(delimiter)
    quotes_before = 0
    closed_before = 0  # lines that ended outside a quoted value
    groups: list[np.ndarray] = []  # per inner line: its value's id
    looks: list[np.ndarray] = []  # ... and whether it looks like a row
    start = 0
    while start < len(buf):
        stop = data.find(b"\n", start + _CHUNK)
        stop = len(buf) if stop < 0 else stop + 1
        part = buf[start:stop]
        breaks = np.flatnonzero((part == 10) | (part == 13))  # \r\n: an empty line between
        lines = len(breaks) + 1
        quotes = np.bincount(np.searchsorted(breaks, np.flatnonzero(part == mark)), minlength=lines)
        seps = np.bincount(np.searchsorted(breaks, np.flatnonzero(part == sep)), minlength=lines)
        before = quotes_before + np.concatenate(([0], np.cumsum(quotes)[:-1]))
        length = np.diff(np.concatenate(([-1], breaks, [len(part)]))) - 1
        inner = (before % 2 == 1) & (quotes == 0) & (length > 0)
        # a value's lines are those between two lines that end outside a quoted value: its
        # id is the number of such lines before it (an escaped "" inside it changes the
        # count of quotes, not the value)
        closed = (before + quotes) % 2 == 0
        value = closed_before + np.concatenate(([0], np.cumsum(closed)[:-1]))
        groups.append(value[inner])
        looks.append(seps[inner] >= fields - 1)
        quotes_before += int(quotes.sum())
        closed_before += int(closed.sum())
        start = stop
    if not groups:
        return False
    ids = np.unique(np.concatenate(groups), return_inverse=True)[1]
    if not len(ids):
        return False
    total = np.bincount(ids)
    like = np.bincount(ids, weights=np.concatenate(looks).astype(np.float64))
    return bool(((like >= 1) & (2 * like > total)).any())
