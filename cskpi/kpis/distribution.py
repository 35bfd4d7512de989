"""Distribution KPIs: the share of tickets whose first response (or resolution) time falls in
each bucket — 0–1h, 1–8h, 8–24h, over 24h by default, `[distribution] buckets` in the config.

A distribution is one KPI in the registry (`cskpi kpis`, `-k frt_distribution`) and one
column per bucket in a report: `expand` turns it into a ratio KPI per bucket,
`frt_distribution_0_1h`, `frt_distribution_1_8h`, `frt_distribution_8_24h`,
`frt_distribution_over_24h`, each with its `_n` (the tickets that have the duration, as for
`frt_median`), so every output format, `--compare` and `--sort` treat them as ratios. A
bucket holds the durations above its lower edge up to and including its upper edge (a reply
at exactly 1 h is within 0–1h, as an SLA target of 1 h is met); the first starts at 0.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from cskpi.kpis.registry import Anchor, Kpi, Unit, kpi
from cskpi.kpis.team import first_response_seconds, resolution_seconds

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np

    from cskpi.kpis.context import Context
    from cskpi.kpis.view import GroupView

    Out = tuple[np.ndarray, np.ndarray]


@kpi(
    id="frt_distribution",
    name="First response time distribution",
    unit=Unit.RATIO,
    anchor=Anchor.CREATED,
    needs=("first_response_at",),
)
def frt_distribution(g: GroupView, ctx: Context) -> Out:
    """Share of created tickets with a first response whose first response time falls in each
    bucket (default 0–1h, 1–8h, 8–24h, over 24h; `[distribution] buckets`): one column per
    bucket, `frt_distribution_0_1h` … `frt_distribution_over_24h`, each with `_n`. A bucket
    includes its upper edge."""
    raise NotImplementedError("a distribution is computed per bucket (expand)")


@kpi(
    id="resolution_time_distribution",
    name="Resolution time distribution",
    unit=Unit.RATIO,
    anchor=Anchor.RESOLVED,
    needs=("resolved_at",),
)
def resolution_time_distribution(g: GroupView, ctx: Context) -> Out:
    """Share of resolved tickets whose resolution time falls in each bucket (default 0–1h,
    1–8h, 8–24h, over 24h; `[distribution] buckets`): one column per bucket,
    `resolution_time_distribution_0_1h` …, each with `_n`. A bucket includes its upper edge."""
    raise NotImplementedError("a distribution is computed per bucket (expand)")


DURATIONS: dict[str, Callable[[GroupView, Context], np.ndarray]] = {
    "frt_distribution": first_response_seconds,
    "resolution_time_distribution": resolution_seconds,
}
"""Each distribution KPI and the per-ticket durations it buckets."""

SHORT = {"frt_distribution": "FRT", "resolution_time_distribution": "Resolution"}
"""The start of each bucket column's name: `FRT 0–1h`, `Resolution > 24h`."""


def _share(
    durations: Callable[[GroupView, Context], np.ndarray],
    low: float,
    high: float,
    g: GroupView,
    ctx: Context,
) -> Out:
    """Share of the tickets with a duration whose duration is in (low, high] ([0, high] for
    the first bucket); `_n` is the tickets with a duration."""
    import numpy as np

    seconds = durations(g, ctx)
    known = ~np.isnan(seconds)
    with np.errstate(invalid="ignore"):
        hit = (seconds <= high) & ((seconds > low) if low > 0 else (seconds >= 0))
    return g.share(hit, known)


def duration_label(seconds: float) -> str:
    """`1h`, `24h`, `30m`, `7d`, `45s`: hours up to 72 h, then days when whole."""
    whole = round(seconds)
    if whole % 3600 == 0 and whole <= 72 * 3600:
        return f"{whole // 3600}h"
    if whole % 86400 == 0:
        return f"{whole // 86400}d"
    if whole % 60 == 0:
        return f"{whole // 60}m"
    return f"{whole}s"


def bucket_labels(edges: Sequence[float]) -> list[tuple[str, str]]:
    """(column suffix, human range) per bucket: `0_1h`/`0–1h`, `1_8h`/`1–8h`, `30m_1h`,
    `over_24h`/`> 24h`."""
    out = []
    lows = [0.0, *edges]
    for low, high in zip(lows, [*edges, None], strict=True):
        low_text = duration_label(low) if low else "0"
        if high is None:
            out.append((f"over_{low_text}", f"> {low_text}"))
            continue
        high_text = duration_label(high)
        if low and low_text[-1] == high_text[-1]:  # same unit: 1_8h, 1–8h
            low_text = low_text[:-1]
        out.append((f"{low_text}_{high_text}", f"{low_text}–{high_text}"))
    return out


def expand(kpis: Sequence[Kpi], edges: Sequence[float]) -> list[Kpi]:
    """`kpis` with each distribution replaced by one ratio KPI per bucket (others as given)."""
    out: list[Kpi] = []
    for k in kpis:
        if k.id not in DURATIONS:
            out.append(k)
            continue
        lows = [0.0, *edges]
        highs = [*edges, float("inf")]
        for (suffix, text), low, high in zip(bucket_labels(edges), lows, highs, strict=True):
            out.append(
                replace(
                    k,
                    id=f"{k.id}_{suffix}",
                    name=f"{SHORT[k.id]} {text}",
                    compute=partial(_share, DURATIONS[k.id], low, high),
                    definition=f"{k.definition} This column: {text}.",
                )
            )
    return out


def family(kpi_id: str) -> str | None:
    """The distribution a bucket column belongs to (`frt_distribution_0_1h` →
    `frt_distribution`), or None."""
    return next((d for d in DURATIONS if kpi_id.startswith(f"{d}_")), None)
