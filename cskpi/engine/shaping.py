"""Shaping a computed report: overall values, `--compare` columns, `--sort`, and the final
column order of the rows table (DECISIONS 5, 12, 13, 37, 39)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cskpi.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.engine.keys import ByColumn
    from cskpi.kpis.registry import Kpi
    from cskpi.result import Compare, Period
    from cskpi.time.window import Buckets, Previous


def scalar(value: Any) -> Any:
    import math

    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def overall_values(frame: pd.DataFrame, kpis: list[Kpi]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kpi in kpis:
        out[kpi.id] = scalar(frame[kpi.id].iloc[0])
        out[f"{kpi.id}_n"] = scalar(frame[f"{kpi.id}_n"].iloc[0])
    return out


def value_change(now: Any, before: Any) -> Any:
    if now is None or before is None:
        return None
    return now - before


def overall_change(
    overall: dict[str, Any], before: dict[str, Any], kpis: list[Kpi]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kpi in kpis:
        out[kpi.id] = overall[kpi.id]
        out[f"{kpi.id}_n"] = overall[f"{kpi.id}_n"]
        out[f"{kpi.id}_previous"] = before[kpi.id]
        out[f"{kpi.id}_change"] = value_change(overall[kpi.id], before[kpi.id])
    return out


def attach_previous(
    rows: pd.DataFrame,
    prev: pd.DataFrame,
    kpis: list[Kpi],
    nby: int,
    index: np.ndarray,
    covered: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Each row's previous values: groups matched by label, bucket `i` with previous bucket
    `index[i]` (DECISIONS 5, 37); rows from now only. `covered[kpi][j]`: whether the inputs
    cover previous bucket j — where not, `_previous` is null (DECISIONS 38)."""
    import numpy as np

    keys = [f"_by{j}" for j in range(nby)]
    ids = [k.id for k in kpis]
    before = prev[[*keys, "_bucket", *ids]].rename(
        columns={"_bucket": "_prev", **{i: f"{i}_previous" for i in ids}}
    )
    rows = rows.assign(_prev=np.asarray(index, dtype="int64")[rows["_bucket"].to_numpy()])
    merged = rows.merge(before, on=[*keys, "_prev"], how="left", sort=False)
    at = merged["_prev"].to_numpy()
    for kpi in kpis:
        previous = merged[f"{kpi.id}_previous"].to_numpy(dtype="float64", na_value=np.nan)
        previous = np.where(covered[kpi.id][at], previous, np.nan)
        merged[f"{kpi.id}_previous"] = previous
        merged[f"{kpi.id}_change"] = merged[kpi.id].astype("float64").to_numpy() - previous
    return merged


def parse_sort(text: str, kpis: list[Kpi]) -> tuple[str, bool]:
    name, _, order = text.partition(":")
    ids = [k.id for k in kpis]
    if name not in ids:
        raise UsageError(
            f"--sort {text}: '{name}' is not one of the report's KPIs{did_you_mean(name, ids)}"
        )
    if order not in ("", "asc", "desc"):
        raise UsageError(f"--sort {text}: order must be asc or desc")
    return name, order == "asc"


def finish_rows(
    rows: pd.DataFrame,
    by: list[ByColumn],
    buckets: Buckets,
    period: Period | None,
    kpis: list[Kpi],
    compare: Compare | None,
    partial: np.ndarray | None = None,
    previous: Previous | None = None,
) -> pd.DataFrame:
    """Rename internal key columns and put columns in contract order (DECISIONS 12): the
    groups, with a period `period`, `partial` (DECISIONS 39) and with `--compare`
    `period_previous` (DECISIONS 37), then each KPI."""
    import numpy as np
    import pandas as pd

    if "_rank_value" in rows:
        rows = rows.drop(columns="_rank_value")
    if not by and period is None and "_rank" not in rows:
        rows = rows.sort_values("_bucket", kind="stable")
    out: dict[str, Any] = {}  # one frame made at the end: not a column inserted at a time
    for j, col in enumerate(by):
        out[col.name] = rows[f"_by{j}"].astype("str").to_numpy()
    if period is not None:
        bucket = rows["_bucket"].to_numpy(dtype="int64")
        out["period"] = np.asarray(buckets.labels, dtype=object)[bucket]
        flags = np.zeros(len(buckets.labels), dtype=bool) if partial is None else partial
        out["partial"] = np.asarray(flags, dtype=bool)[bucket]
        if compare is not None and previous is not None:
            labels = np.asarray(previous.buckets.labels, dtype=object)
            out["period_previous"] = labels[rows["_prev"].to_numpy(dtype="int64")]
    for kpi in kpis:
        out[kpi.id] = rows[kpi.id].to_numpy()
        out[f"{kpi.id}_n"] = rows[f"{kpi.id}_n"].to_numpy()
        if compare is not None:
            out[f"{kpi.id}_previous"] = rows[f"{kpi.id}_previous"].to_numpy(dtype="float64")
            out[f"{kpi.id}_change"] = rows[f"{kpi.id}_change"].to_numpy(dtype="float64")
    return pd.DataFrame(out, index=pd.RangeIndex(len(rows)))
