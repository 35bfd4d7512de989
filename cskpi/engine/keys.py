"""Group keys: `--by` columns resolved in the inputs, and one dense group code per ticket and
survey, joint over both frames so a group means the same thing on every anchor
(DECISIONS 7 and 10)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cskpi.arrays import countable, look_up
from cskpi.errors import UsageError, did_you_mean
from cskpi.kpis import all_kpis
from cskpi.load.schema import NONE_LABEL, UNASSIGNED, UNKNOWN, squash

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.engine.types import Inputs
    from cskpi.load.normalize import Loaded

DERIVED = ("sla_breached",)
"""Group columns computed from the data rather than read."""


@dataclass(frozen=True)
class ByColumn:
    name: str
    tickets: str | None
    surveys: str | None


def find_column(name: str, frame: pd.DataFrame | None) -> str | None:
    if frame is None:
        return None
    if name in frame.columns:
        return name
    hits = [c for c in frame.columns if squash(str(c)) == squash(name)]
    return str(hits[0]) if hits else None


def business_column(name: str, inputs: Inputs) -> bool:
    """Whether `--by name` names a derived column or a column of a business input."""
    if name in DERIVED:
        return inputs.tickets is not None
    given = inputs.business.given() if inputs.business else {}
    return any(find_column(name, loaded.frame) is not None for loaded in given.values())


def locate(name: str, loaded: Loaded | None) -> str | None:
    """The frame column `name` means in `loaded`: a column of the frame (a canonical name or a
    header kept as it is), else the canonical column the export's own header `name` was
    mapped to (`Assignee` → `agent`)."""
    if loaded is None:
        return None
    found = find_column(name, loaded.frame)
    if found is not None:
        return found
    key = squash(name)
    hits = [c for source, c in loaded.mapping if squash(source) == key and c in loaded.frame]
    return hits[0] if hits else None


def file_columns(inputs: Inputs) -> list[str]:
    """Every column of the ticket and survey files (their own headers), in file order."""
    out: dict[str, None] = {}
    for loaded in (inputs.tickets, inputs.surveys):
        if loaded is not None:
            headers = loaded.headers or (*(s for s, _ in loaded.mapping), *loaded.unmapped)
            out.update(dict.fromkeys(str(h) for h in headers))
    return list(out)


def no_such_column(option: str, name: str, inputs: Inputs) -> UsageError:
    """`OPTION NAME: no such column in the input (did you mean X?); columns: ...`, listing
    every column of the files; the hint prefers a real header, then a canonical name the
    files map (`agent`), never an internal column."""
    headers = file_columns(inputs)
    canonical = [
        c for loaded in (inputs.tickets, inputs.surveys) if loaded for _, c in loaded.mapping
    ]
    hint = did_you_mean(name, headers) or did_you_mean(name, canonical)
    listing = ", ".join(headers) if headers else "(none)"
    return UsageError(f"{option} {name}: no such column in the input{hint}; columns: {listing}")


def resolve_by(names: tuple[str, ...], inputs: Inputs, kpi_ids: list[str]) -> list[ByColumn]:
    """Each `--by` name found in the tickets and/or surveys (or a business input), by its
    canonical name or the export's own header (then shown under the canonical name); exit 2
    for an unknown name or one that collides with `period` or a KPI id."""
    out = []
    for name in names:
        if name == "period" or name in all_kpis():
            raise UsageError(
                f"--by {name}: the name collides with "
                f"{'the period column' if name == 'period' else 'a KPI id'}"
            )
        t = locate(name, inputs.tickets)
        mapped = {
            c for loaded in (inputs.tickets, inputs.surveys) if loaded for _, c in loaded.mapping
        }
        shown = t if t is not None and t in mapped and squash(t) != squash(name) else name
        s = locate(name, inputs.surveys) or locate(shown, inputs.surveys)
        col = ByColumn(shown, t, s)
        if col.tickets is None and col.surveys is None and not business_column(name, inputs):
            raise no_such_column("--by", name, inputs)
        out.append(col)
    return out


def label_codes(values: pd.Series | None, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Category codes (-1 for empty) and category labels of one label column.

    Work is done on the categories (a few hundred labels), never on every row's text.
    """
    import numpy as np

    codes, remap, names = _label_table(values, length)
    if codes is None:
        return np.full(length, -1, dtype="int32"), names
    return remap[codes], names


def _label_table(
    values: pd.Series | None, length: int
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """`label_codes` before its one gather: the column's category codes as they are (int8
    for a few labels; None when there is no label at all), the table from a category code
    to a label index (-1 for empty; its last entry is for the code -1), and the labels."""
    import numpy as np
    import pandas as pd

    none: np.ndarray = np.full(1, -1, dtype="int32")
    if values is None:
        return None, none, np.zeros(0, dtype=object)
    cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    names = pd.Series(cat.cat.categories).astype("str").str.strip()
    keep = (names != "").to_numpy()
    if not len(names):  # every value empty
        return None, none, np.zeros(0, dtype=object)
    codes = cat.cat.codes.to_numpy()  # int8/int16/int32: a label per row, -1 for none
    # one more entry for "no label" (-1 indexes the last), so one gather does it all
    remap: np.ndarray = np.append(np.where(keep, np.arange(len(names)), -1), -1).astype("int32")
    return codes, remap, names.to_numpy(dtype=object)


def empty_label(name: str) -> str:
    return UNASSIGNED if name == "agent" else NONE_LABEL


@dataclass
class ColumnCodes:
    """One by-column as label indices into `labels` for tickets and surveys."""

    tickets: np.ndarray
    surveys: np.ndarray
    labels: np.ndarray
    extra: list[np.ndarray] = field(default_factory=list)
    """Label indices of the business frames' rows (`cskpi.engine.business_frames.extend_codes`)."""


def group_codes(
    by: list[ByColumn],
    tickets: pd.DataFrame | None,
    surveys: pd.DataFrame | None,
    link: np.ndarray | None,
    linked: pd.DataFrame | None,
) -> list[ColumnCodes]:
    """Per by-column: label indices for tickets and surveys (DECISIONS 7 and 10).

    A survey's own non-empty value wins; otherwise the value of its ticket in `linked` (all
    tickets read, excluded statuses too; `link` holds row positions in it, -1 for none);
    `(unknown)` when the link finds no ticket; the column's empty label when no input has it.
    """
    import numpy as np

    nt = len(tickets) if tickets is not None else 0
    ns = len(surveys) if surveys is not None else 0
    out = []
    for col in by:
        empty = empty_label(col.name)
        # each frame's category codes go through a table of its few categories: one gather
        # per row, no full-length temporaries (10 million tickets: 120 MB less written)
        t_codes, t_map, t_labels = _label_table(
            tickets[col.tickets] if tickets is not None and col.tickets else None, nt
        )
        s_codes, s_labels = label_codes(
            surveys[col.surveys] if surveys is not None and col.surveys else None, ns
        )
        use_link = col.tickets is not None and link is not None and linked is not None
        e_codes, e_map, e_labels = _label_table(
            linked[col.tickets] if use_link and linked is not None else None,
            len(linked) if linked is not None else 0,
        )
        # one label table: tickets', surveys', linked tickets' labels, then empty, (unknown)
        labels = np.concatenate(
            [t_labels, s_labels, e_labels, np.array([empty, UNKNOWN], dtype=object)]
        )
        empty_at, unknown_at = len(labels) - 2, len(labels) - 1
        uniques, inverse = np.unique(labels.astype(str), return_inverse=True)
        inverse = inverse.astype("int32")  # label indices: int32 per row, not int64
        t_table = inverse[np.where(t_map >= 0, t_map, empty_at)]
        t_out = t_table[t_codes] if t_codes is not None else np.full(nt, t_table[-1])
        if use_link and link is not None:
            e_table = np.where(e_map >= 0, e_map + len(t_labels) + len(s_labels), empty_at)
            e_idx: np.ndarray | int = empty_at  # no linked row (categories alone): none
            if e_codes is not None and len(e_codes):
                e_idx = e_table[e_codes[np.maximum(link, 0)]]
            fallback = np.where(link >= 0, e_idx, unknown_at)
        else:
            fallback = np.full(ns, empty_at)
        s_idx = np.where(s_codes >= 0, s_codes + len(t_labels), fallback)
        out.append(ColumnCodes(t_out, inverse[s_idx], uniques.astype(object)))
    return out


SPECIAL = (UNASSIGNED, NONE_LABEL, UNKNOWN)
"""Group labels that name no group of the data: sorted after the named ones (DECISIONS 42)."""


def special_last(col: ColumnCodes) -> np.ndarray | None:
    """Reorder the column's labels in place: named labels first (in their order), then
    `(unassigned)`, `(none)` and `(unknown)` (in theirs). Returns the table from an old
    label index to its new one (None when nothing moves); the codes are left as they are,
    for the caller to look up once."""
    import numpy as np

    special = np.isin(col.labels.astype(str), SPECIAL)
    if not special.any():
        return None
    order = np.argsort(special, kind="stable")
    rank: np.ndarray = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order))
    col.labels = col.labels[order]
    return rank


def joint_codes(
    columns: list[ColumnCodes], sizes: list[int]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Dense by-group code per record of each frame (tickets, surveys, then the business
    frames; `sizes` are their lengths), and the labels per code, in sorted label order with
    the special groups last (DECISIONS 42).

    The tickets' and surveys' codes are int32 where the groups fit (half the memory of 10
    million int64 codes, held through the computation): whoever multiplies them by a
    bucket count widens them first. The business frames' codes are int64. With few
    possible keys, each frame's codes are made by one lookup per record per by-column
    (one by-column: one lookup in all, written over the column's label indices, which it
    hands over), never through an array of all the records."""
    import numpy as np

    if not columns:
        return [np.zeros(n, dtype="int64") for n in sizes], []
    moves = [special_last(col) for col in columns]
    widths = [len(col.labels) for col in columns]
    space = 1
    for width in widths:
        space *= width
    kind = np.int32 if space < 2**31 else np.int64
    frames = [
        list(parts)
        for parts in zip(*[(col.tickets, col.surveys, *col.extra) for col in columns], strict=True)
    ]
    if countable(space, sum(sizes)):  # few possible keys: count them, no sort
        if len(columns) == 1:  # the label index is the key: count, then one lookup
            present: np.ndarray = np.zeros(space, dtype=bool)
            for (codes,) in frames:
                present |= np.bincount(codes, minlength=space) > 0
            if moves[0] is not None:
                present[moves[0]] = present.copy()
            rank = np.cumsum(present) - 1
            table = rank if moves[0] is None else rank[moves[0]]
            keys = np.flatnonzero(present)
            # written over the label indices, which are the columns' own (`look_up`)
            out = [look_up(codes, table.astype(kind)) for (codes,) in frames]
        else:
            combined = [_combined(parts, moves, widths, kind) for parts in frames]
            present = np.zeros(space, dtype=bool)
            for c in combined:
                present |= np.bincount(c, minlength=space) > 0
            keys = np.flatnonzero(present)
            rank = (np.cumsum(present) - 1).astype(np.int32 if len(keys) < 2**31 else np.int64)
            out = []
            while combined:
                out.append(rank[combined.pop(0)])
    else:
        joined = np.concatenate([_combined(parts, moves, widths, kind) for parts in frames])
        keys, dense = np.unique(joined, return_inverse=True)
        del joined
        out = np.split(np.asarray(dense), np.cumsum(sizes)[:-1])
    labels = []
    rest = keys.copy()
    for col in reversed(columns):
        labels.append(col.labels[rest % len(col.labels)])
        rest //= len(col.labels)
    labels.reverse()
    return [p if i < 2 else p.astype(np.int64) for i, p in enumerate(out)], labels


def _combined(
    parts: list[np.ndarray], moves: list[np.ndarray | None], widths: list[int], kind: type
) -> np.ndarray:
    """One frame's key per record: its label index in each by-column (after the special
    labels moved last), as the digits of a number in mixed radix."""
    import numpy as np

    combined: np.ndarray = np.zeros(len(parts[0]), dtype=kind)
    for codes, move, width in zip(parts, moves, widths, strict=True):
        combined *= width
        combined += codes if move is None else move.astype(kind)[codes]
    return combined
