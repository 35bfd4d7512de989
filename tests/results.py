"""Hand-made `Result`s with a period, for the html, xlsx, parquet and sparkline tests.

Two agents over three months (Asia/Seoul), with `--compare previous`:

| agent     | period  | created | frt (s) | csat        |
|-----------|---------|---------|---------|-------------|
| kim       | 2024-01 | 12      | 1830.0  | 0.875 (n 8) |
| kim       | 2024-02 | 10      | 2400.5  | null (n 0)  |
| kim       | 2024-03 | 14      | 900.0   | 0.75 (n 4)  |
| <script>… | 2024-01 | 3       | 7500.5  | 0.1 + 0.2   |
| <script>… | 2024-03 | 1       | null    | 1.0 (n 1)   |

The hostile agent has no row for 2024-02. Overall: 40 tickets, frt 2000.25 s, CSAT 0.8.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cskpi.result import Compare, KpiInfo, Period, Result, TargetStatus

HOSTILE = "<script>alert(1)</script>"
FORMULA = "=cmd|' /c calc'!A1"
TZ = "Asia/Seoul"
KPIS = (
    KpiInfo("tickets_created", "Tickets created", "count", "created", additive=True),
    KpiInfo("frt_median", "First response time (median)", "seconds", "created"),
    KpiInfo("csat", "CSAT", "ratio", "submitted"),
)


def trend_rows(agents: list[str] | None = None) -> pd.DataFrame:
    kim, bad = (agents or ["kim", HOSTILE])[:2]
    nan = np.nan
    return pd.DataFrame(
        {
            "agent": [kim, kim, kim, bad, bad],
            "period": ["2024-01", "2024-02", "2024-03", "2024-01", "2024-03"],
            "tickets_created": np.array([12, 10, 14, 3, 1], dtype="int64"),
            "tickets_created_n": np.array([12, 10, 14, 3, 1], dtype="int64"),
            "tickets_created_previous": [10.0, 12.0, 10.0, nan, 3.0],
            "tickets_created_change": [2.0, -2.0, 4.0, nan, -2.0],
            "frt_median": [1830.0, 2400.5, 900.0, 7500.5, nan],
            "frt_median_n": np.array([10, 9, 12, 2, 0], dtype="int64"),
            "frt_median_previous": [nan, 1830.0, 2400.5, nan, nan],
            "frt_median_change": [nan, 570.5, -1500.5, nan, nan],
            "csat": [0.875, nan, 0.75, 0.1 + 0.2, 1.0],
            "csat_n": np.array([8, 0, 4, 2, 1], dtype="int64"),
            "csat_previous": [nan, 0.875, nan, nan, 0.3],
            "csat_change": [nan, nan, nan, nan, 0.7],
        }
    )


def trend_result(**changes: Any) -> Result:
    values: dict[str, Any] = {
        "as_of": pd.Timestamp("2024-03-31T18:00", tz=TZ),
        "since": pd.Timestamp("2024-01-01", tz=TZ),
        "until": pd.Timestamp("2024-04-01", tz=TZ),
        "timezone": TZ,
        "business_hours": False,
        "group_by": ("agent",),
        "period": Period.MONTH,
        "compare": Compare.PREVIOUS,
        "kpis": KPIS,
        "rows": trend_rows(),
        "overall": {
            "tickets_created": 40,
            "tickets_created_n": 40,
            "tickets_created_previous": 35,
            "tickets_created_change": 5,
            "frt_median": 2000.25,
            "frt_median_n": 33,
            "frt_median_previous": 2400.0,
            "frt_median_change": -399.75,
            "csat": 0.8,
            "csat_n": 15,
            "csat_previous": None,
            "csat_change": None,
        },
        "targets": (
            TargetStatus(
                "frt_median", "<= 1h", 2000.25, True, "First response time (median)", "seconds"
            ),
            TargetStatus("csat", ">= 85%", 0.8, False, "CSAT", "ratio"),
        ),
        "data_quality": {
            "tickets": {
                "read": np.int64(45),
                "used": 40,
                "out_of_window": 3,
                "dropped": {"duplicate_ticket_id": 2},
                "issues": {"first_response_before_created": 1},
            },
            "surveys": {"read": 16, "used": 15, "out_of_window": 1, "dropped": {}, "issues": {}},
        },
        "notes": ("2 tickets with status spam excluded",),
    }
    values.update(changes)
    return Result(**values)


def flat_result(**changes: Any) -> Result:
    """The same report with no period and no compare: one row per agent."""
    rows = trend_rows().drop(columns=["period"]).iloc[[0, 3]].reset_index(drop=True)
    rows = rows[[c for c in rows.columns if not c.endswith(("_previous", "_change"))]]
    return trend_result(period=None, compare=None, rows=rows, **changes)


def many_groups_result(groups: int) -> Result:
    """`groups` agents a..., one month each of two; agent i has i + 1 tickets a month."""
    names = [f"agent{i:02d}" for i in range(groups)]
    agent = [n for n in names for _ in range(2)]
    created = np.array([i + 1 for i in range(groups) for _ in range(2)], dtype="int64")
    rows = pd.DataFrame(
        {
            "agent": agent,
            "period": ["2024-01", "2024-02"] * groups,
            "tickets_created": created,
            "tickets_created_n": created,
            "frt_median": [600.0 + i for i in range(2 * groups)],
            "frt_median_n": created,
            "csat": [0.5] * (2 * groups),
            "csat_n": created,
        }
    )
    return trend_result(rows=rows, compare=None, targets=())
