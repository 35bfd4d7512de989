"""The finishing step of `normalize` for the business frames: customers, orders, agent
schedules and costs. `cskpi.load.business` reads them and states, per frame, the rows kept,
the de-duplication key and the history columns the steps below compute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cskpi.errors import InputError
from cskpi.load.schema import Frame

if TYPE_CHECKING:
    import pandas as pd

    from cskpi.load.normalize.options import LoadOptions
    from cskpi.load.quality import FrameQuality

    Finish = Callable[..., tuple[pd.DataFrame, FrameQuality, list[str], Any]]


def finisher(frame: Frame) -> Finish:
    """The finishing step of `normalize` for one business frame."""
    return {
        Frame.CUSTOMERS: _customers,
        Frame.ORDERS: _orders,
        Frame.SCHEDULES: _schedules,
        Frame.COSTS: _costs,
    }[frame]


# -- shared steps ----------------------------------------------------------------------------


def _require(
    out: pd.DataFrame,
    quality: FrameQuality,
    bad_required: dict[str, Any],
    where: Any,
    names: Sequence[str],
) -> tuple[pd.DataFrame, FrameQuality]:
    """Drop rows whose required value is unparseable, implausible (a time: DECISIONS 40) or
    missing, each under its first reason."""
    import pandas as pd

    gone = pd.Series(False, index=out.index)
    for name in names:
        far = f"implausible_{name}"
        for reason, key in ((f"unparseable_{name}", name), (far, far)):
            bad = bad_required.get(key, pd.Series(False, index=out.index)) & ~gone
            quality = quality.drop(reason, int(bad.sum()), where(bad))
            gone |= bad
        empty = out[name].isna() & ~gone
        quality = quality.drop(f"missing_{name}", int(empty.sum()), where(empty))
        gone |= empty
    return out[~gone], quality


def money(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Amounts as float (`$1,200.50`, `1200.5 EUR`, `-3`) and the mask of unreadable values."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("float64"), pd.Series(False, index=raw.index)
    text = raw.astype("str").str.strip().where(raw.notna())
    present = text.notna() & (text != "") & ~text.isin(["-", "--", "—", "n/a", "N/A"])
    cleaned = text.str.replace(r"[^\d.,\-]", "", regex=True).str.replace(",", "", regex=False)
    value = pd.to_numeric(cleaned.where(present), errors="coerce").astype("float64")
    return value, present & value.isna()


def _amounts(
    out: pd.DataFrame, quality: FrameQuality, where: Any, name: str
) -> tuple[pd.DataFrame, FrameQuality]:
    if name in out:
        value, bad = money(out[name])
        out[name] = value
        quality = quality.issue(f"unparseable_{name}", int(bad.sum()), where(bad))
    return out, quality


# -- customers ---------------------------------------------------------------------------------


def _customers(
    out: pd.DataFrame,
    quality: FrameQuality,
    bad_required: dict[str, Any],
    where: Any,
    options: LoadOptions,
    mapping: dict[str, str],
) -> tuple[pd.DataFrame, FrameQuality, list[str], Any]:
    from cskpi.load.normalize.dedupe import dedupe

    out, quality = _require(out, quality, bad_required, where, ("customer_id", "started_at"))
    out = out.copy()
    out, quality = _amounts(out, quality, where, "mrr")
    if "ended_at" in out:
        backwards = out["ended_at"] < out["started_at"]
        quality = quality.drop("ended_before_started", int(backwards.sum()), where(backwards))
        out = out[~backwards]
    out, quality = dedupe(out, quality, "customer_id", "duplicate_customer_id", None)
    return out, quality, [], None


# -- orders --------------------------------------------------------------------------------------


def _orders(
    out: pd.DataFrame,
    quality: FrameQuality,
    bad_required: dict[str, Any],
    where: Any,
    options: LoadOptions,
    mapping: dict[str, str],
) -> tuple[pd.DataFrame, FrameQuality, list[str], Any]:
    from cskpi.load.normalize.dedupe import dedupe

    out, quality = _require(
        out, quality, bad_required, where, ("order_id", "customer_id", "ordered_at")
    )
    out = out.copy()
    out, quality = _amounts(out, quality, where, "amount")
    out, quality = dedupe(out, quality, "order_id", "duplicate_order_id", None)
    return order_history(out), quality, [], None


def order_history(orders: pd.DataFrame) -> pd.DataFrame:
    """Add `_first_order`, `_new_category` and `_previous_amount` (see the module docstring):
    one sort by customer, time and id, then shifts within customer runs — no per-customer
    Python."""
    import numpy as np
    import pandas as pd

    from cskpi.arrays import times_us

    orders = orders.reset_index(drop=True)
    ids, _ = pd.factorize(orders["order_id"], sort=True)  # integer ranks of the text ids
    customers, _ = pd.factorize(orders["customer_id"])
    order = np.lexsort((ids, times_us(orders["ordered_at"]), customers))
    customer = customers[order]
    same: np.ndarray = np.zeros(len(order), dtype=bool)
    same[1:] = customer[1:] == customer[:-1]  # the previous sorted row is the same customer's
    first: np.ndarray = np.empty(len(order), dtype=bool)
    first[order] = ~same
    previous = np.full(len(order), np.nan)
    if "amount" in orders:
        amount = orders["amount"].to_numpy(dtype="float64")[order]
        shifted = np.concatenate(([np.nan], amount[:-1]))
        previous[order] = np.where(same, shifted, np.nan)
    new_category: np.ndarray = np.zeros(len(order), dtype=bool)
    if "category" in orders:
        category, _ = pd.factorize(orders["category"])
        pairs = pd.DataFrame({"c": customer, "k": category[order]})
        new_category[order] = (category[order] >= 0) & ~pairs.duplicated().to_numpy()
    return orders.assign(_first_order=first, _new_category=new_category, _previous_amount=previous)


# -- schedules -------------------------------------------------------------------------------------


def _schedules(
    out: pd.DataFrame,
    quality: FrameQuality,
    bad_required: dict[str, Any],
    where: Any,
    options: LoadOptions,
    mapping: dict[str, str],
) -> tuple[pd.DataFrame, FrameQuality, list[str], Any]:
    import numpy as np
    import pandas as pd

    has_span = "start" in mapping and "end" in mapping
    if "date" not in mapping and "start" not in mapping:
        raise InputError(
            "schedules: no column for date (or start and end); map one with "
            "--map schedules.date=COLUMN"
        )
    if "scheduled_seconds" not in mapping and not has_span:
        raise InputError(
            "schedules: no column for scheduled_seconds (or start and end); map "
            "it with --map schedules.scheduled_seconds=COLUMN"
        )
    out, quality = _require(out, quality, bad_required, where, ("agent",))
    out = out.copy()
    notes: list[str] = []
    if "start" in out:
        out["date"] = out["date"].fillna(out["start"]) if "date" in out else out["start"]
    if has_span:
        span = (out["end"] - out["start"]).dt.total_seconds()
        backwards = span < 0
        quality = quality.issue("shift_end_before_start", int(backwards.sum()), where(backwards))
        span = span.where(~backwards)
        seconds = (
            out["scheduled_seconds"]
            if "scheduled_seconds" in out
            else pd.Series(np.nan, index=out.index)
        )
        out["scheduled_seconds"] = seconds.fillna(span)
    undated = out["date"].isna()
    quality = quality.drop("missing_date", int(undated.sum()), where(undated))
    out = out[~undated]
    none = out["scheduled_seconds"].isna()
    quality = quality.issue("missing_scheduled_seconds", int(none.sum()), where(none))
    return out, quality, notes, None


# -- costs -----------------------------------------------------------------------------------------

_PERIOD = (
    r"^(?P<year>\d{4})(?:(?:[-/]?[Qq](?P<quarter>[1-4]))|(?:[-/](?P<month>\d{1,2})"
    r"(?:[-/]\d{1,2}(?:[T ].*)?)?))?$"
)


def _costs(
    out: pd.DataFrame,
    quality: FrameQuality,
    bad_required: dict[str, Any],
    where: Any,
    options: LoadOptions,
    mapping: dict[str, str],
) -> tuple[pd.DataFrame, FrameQuality, list[str], Any]:
    out = out.copy()
    out, quality = _amounts(out, quality, where, "amount")
    starts, months, label = periods(out["period"])
    bad = out["period"].notna() & starts.isna()
    quality = quality.drop("unparseable_period", int(bad.sum()), where(bad))
    out = out.assign(period=label, _period_start=starts, _period_months=months)
    out, quality = _require(out[~bad], quality, {}, where, ("period", "amount"))
    return out, quality, [], None


def periods(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Cost periods → (first day as naive datetime64, length in months, canonical label).

    `2024-03` / `2024/3` / `2024-03-15` (a date names its month) → a month; `2024-Q1` /
    `2024Q1` → a quarter; `2024` → a year. Unreadable → NaT.
    """
    import numpy as np
    import pandas as pd

    text = raw.astype("str").str.strip().where(raw.notna())
    parts = text.str.extract(_PERIOD)
    year = pd.to_numeric(parts["year"], errors="coerce")
    month = pd.to_numeric(parts["month"], errors="coerce")
    quarter = pd.to_numeric(parts["quarter"], errors="coerce")
    ok = year.notna() & (month.isna() | month.between(1, 12))
    first = np.where(month.notna(), month, np.where(quarter.notna(), quarter * 3 - 2, 1))
    length = np.where(month.notna(), 1, np.where(quarter.notna(), 3, 12))
    stamp = pd.to_datetime(
        pd.DataFrame({"year": year.where(ok, 2000), "month": np.where(ok, first, 1), "day": 1}),
        errors="coerce",
    )
    starts = stamp.where(ok).astype("datetime64[us]")
    label = np.where(
        month.notna(),
        stamp.dt.strftime("%Y-%m"),
        np.where(
            quarter.notna(),
            year.astype("Int64").astype("str") + "-Q" + quarter.astype("Int64").astype("str"),
            year.astype("Int64").astype("str"),
        ),
    )
    return (
        starts,
        pd.Series(np.where(ok, length, 0), index=raw.index, dtype="int64"),
        pd.Series(label, index=raw.index, dtype=object).where(ok),
    )
