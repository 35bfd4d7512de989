"""Dropping rows: one row per key (the latest update, else the last read), and the
column-at-a-time filter every drop goes through (`kept`: no second frame at the peak).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.load.quality import FrameQuality
from cskpi.memory import release

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

_BLOCK = 1 << 20
"""Rows per block where the repeated ids are looked for."""


def duplicates(
    out: pd.DataFrame,
    dropped: np.ndarray,
    quality: FrameQuality,
    key: str,
    reason: str,
    newest: str | None,
) -> tuple[np.ndarray, FrameQuality]:
    """Rows to drop so that one row per `key` remains among the rows not `dropped` yet: the
    latest `newest` when given, else the last one read.

    Ids are counted as integers when they are `prefix + number` (`cskpi.load.ids`), else
    factorised once; only the (usually few) duplicated rows are sorted.
    """
    import numpy as np

    from cskpi.load.ids import codes as id_codes
    from cskpi.load.ids import increasing

    if increasing(out[key]):  # integer ids in increasing order are unique: nothing to count
        return np.zeros(len(out), dtype=bool), quality
    # empty ids get -1: never duplicates of each other; in place, one array of the rows' size
    codes = id_codes(out[key])
    codes[dropped] = -1
    codes += 1  # -1 → 0: counted apart, so that no copy of the valid codes is made
    counts = np.bincount(codes, minlength=1)
    counts[0] = 0
    drop: np.ndarray = np.zeros(len(out), dtype=bool)
    if counts.max() <= 1:
        return drop, quality
    # the rows whose id is repeated, found a block of rows at a time (no count per row)
    dup = np.concatenate(
        [
            np.flatnonzero(counts[codes[at : at + _BLOCK]] > 1) + at
            for at in range(0, len(codes), _BLOCK)  # blocks of rows, not rows
        ]
    )
    group = out.iloc[dup].assign(_row=dup)
    if newest:
        group = group.sort_values(newest, kind="stable", na_position="first")
    gone = group[group[key].duplicated(keep="last")]
    drop[gone["_row"].to_numpy()] = True
    return drop, quality.drop(reason, len(gone), gone[key].head(3))


def dedupe(
    out: pd.DataFrame, quality: FrameQuality, key: str, reason: str, newest: str | None
) -> tuple[pd.DataFrame, FrameQuality]:
    """Keep one row per `key` (see `duplicates`)."""
    import numpy as np

    drop, quality = duplicates(out, np.zeros(len(out), dtype=bool), quality, key, reason, newest)
    return (kept(out, ~drop) if drop.any() else out), quality


def kept(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """`frame[keep]`, taken one column at a time; `frame` is emptied on the way.

    Each column is let go as soon as its kept rows are taken, so filtering needs one column
    more than the frame, not a second frame (0.7 GB less at the peak on 10 million tickets).
    Callers must not use `frame` afterwards.
    """
    import pandas as pd

    index = frame.index[keep]
    taken = {}
    for name in list(frame.columns):
        taken[name] = frame.pop(name).array[keep]
        release()  # the column may live in Arrow's pool (zero-copy from the reader)
    return pd.DataFrame(taken, index=index, copy=False)
