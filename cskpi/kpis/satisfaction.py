"""Customer satisfaction KPIs (KPIS.md "Customer satisfaction").

Survey rows carry `kind` (csat, nps, ces, esat) and `score`; out-of-scale scores were set
to null during loading and counted, so they are outside every population here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cskpi.kpis.registry import Anchor, Unit, kpi

if TYPE_CHECKING:
    import numpy as np

    from cskpi.kpis.context import Context
    from cskpi.kpis.view import GroupView

    Out = tuple[np.ndarray, np.ndarray]

S = Anchor.SUBMITTED


def _scores(g: GroupView, kind: str) -> np.ndarray:
    """Scores of `kind` responses, NaN for every other row."""
    import numpy as np

    score = g.floats("score")
    is_kind = (g.frame["kind"] == kind).to_numpy(dtype=bool)
    return np.where(is_kind, score, np.nan)


@kpi(
    id="csat", name="CSAT", unit=Unit.RATIO, anchor=S, needs=("surveys:score", "surveys:kind=csat")
)
def csat(g: GroupView, ctx: Context) -> Out:
    """Share of CSAT responses that are positive: score ≥ `csat.positive_min` (default: the
    top two points of the scale, 4 on 1–5; binary Good maps to the top)."""
    import numpy as np

    score = _scores(g, "csat")
    return g.share(score >= ctx.config.csat.positive, ~np.isnan(score))


@kpi(
    id="csat_mean",
    name="CSAT (mean score)",
    unit=Unit.SCORE,
    anchor=S,
    needs=("surveys:score", "surveys:kind=csat"),
)
def csat_mean(g: GroupView, ctx: Context) -> Out:
    """Mean CSAT score on the survey's own scale."""
    return g.mean(_scores(g, "csat"))


@kpi(
    id="csat_responses",
    name="CSAT responses",
    unit=Unit.COUNT,
    anchor=S,
    needs=("surveys:score", "surveys:kind=csat"),
    additive=True,
)
def csat_responses(g: GroupView, ctx: Context) -> Out:
    """Number of CSAT responses with a usable score."""
    import numpy as np

    n = g.count(~np.isnan(_scores(g, "csat")))
    return n, n


@kpi(
    id="survey_response_rate",
    name="Survey response rate",
    unit=Unit.RATIO,
    anchor=Anchor.RESOLVED,
    needs=("resolved_at", "surveys:ticket_id"),
)
def survey_response_rate(g: GroupView, ctx: Context) -> Out:
    """Distinct tickets resolved in the window with at least one CSAT response, divided by
    tickets resolved in the window (DECISIONS 17)."""
    import numpy as np

    answered = g.frame["ticket_id"].isin(ctx.csat_tickets).to_numpy(dtype=bool)
    return g.share(answered, np.ones(len(g.frame), dtype=bool))


@kpi(
    id="negative_feedback_rate",
    name="Negative feedback rate",
    unit=Unit.RATIO,
    anchor=S,
    needs=("surveys:score", "surveys:kind=csat"),
)
def negative_feedback_rate(g: GroupView, ctx: Context) -> Out:
    """Share of CSAT responses at or below `csat.negative_max` (default: the bottom two
    points of the scale, 2 on 1–5)."""
    import numpy as np

    score = _scores(g, "csat")
    return g.share(score <= ctx.config.csat.negative, ~np.isnan(score))


@kpi(id="nps", name="NPS", unit=Unit.NPS, anchor=S, needs=("surveys:score", "surveys:kind=nps"))
def nps(g: GroupView, ctx: Context) -> Out:
    """100 × share of 9–10 − 100 × share of 0–6, over NPS responses on the 0–10 scale."""
    import numpy as np

    score = _scores(g, "nps")
    valid = ~np.isnan(score)
    promoters, n = g.share(score >= 9, valid)
    detractors, _ = g.share(score <= 6, valid)
    return 100.0 * (promoters - detractors), n


@kpi(
    id="ces",
    name="Customer effort score",
    unit=Unit.SCORE,
    anchor=S,
    needs=("surveys:score", "surveys:kind=ces"),
)
def ces(g: GroupView, ctx: Context) -> Out:
    """Mean Customer Effort Score (scale `[ces] scale`, default 1–7, higher = easier)."""
    return g.mean(_scores(g, "ces"))


@kpi(
    id="esat",
    name="Employee satisfaction",
    unit=Unit.SCORE,
    anchor=S,
    needs=("surveys:score", "surveys:kind=esat"),
)
def esat(g: GroupView, ctx: Context) -> Out:
    """Mean employee satisfaction score (scale `[esat] scale`, default 1–5)."""
    return g.mean(_scores(g, "esat"))
