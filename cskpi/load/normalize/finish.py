"""The finishing step for tickets and surveys: parsed columns → the final canonical frame.

Unusable rows are counted reason by reason (each on the rows still remaining) into the
frame's quality, and the frame is filtered once at the end. Tickets: missing id or creation
time, duplicates, excluded statuses, derived times and time issues. Surveys: missing time,
kind or score, scores judged against their kind's scale, duplicate response ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cskpi.arrays import in_values
from cskpi.load.normalize.columns import KIND_WORDS, scores
from cskpi.load.normalize.dedupe import dedupe, duplicates, kept
from cskpi.load.plausible import implausible, without
from cskpi.load.quality import FrameQuality
from cskpi.load.schema import EXCLUDED_STATUSES, SURVEY_KINDS, squash

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.load.normalize.options import LoadOptions


TICKET_DROPS = (
    "missing_ticket_id",
    "unparseable_created_at",
    "implausible_created_at",
    "missing_created_at",
    "duplicate_ticket_id",
    "excluded_status",
)
"""The reasons `finish_tickets` drops rows for, in the order it counts them."""
TIME_ISSUES = (
    "first_response_before_created",
    "resolved_before_created",
    "negative_handle_seconds",
    "resolved_without_timestamp",
)
"""The issues `time_issues` counts, in its order."""
SURVEY_DROPS = (
    "unparseable_submitted_at",
    "implausible_submitted_at",
    "missing_submitted_at",
    "unknown_survey_kind",
    "missing_score",
    "duplicate_response_id",
)
"""The reasons `finish_surveys` drops rows for, in the order it counts them."""
SURVEY_ISSUES = ("unparseable_score", "score_out_of_scale")
"""The issues `finish_surveys` counts, in its order."""


def finish_tickets(
    out: pd.DataFrame,
    quality: FrameQuality,
    bad_required: dict[str, Any],
    where: Any,
    options: LoadOptions,
    mapping: dict[str, str],
) -> tuple[pd.DataFrame, FrameQuality, list[str], Any]:
    """Drop unusable, duplicated and excluded tickets: the reasons are counted one after the
    other on the remaining rows, and the frame is filtered once at the end."""
    import numpy as np
    import pandas as pd

    notes: list[str] = []
    excluded_rows = None
    missing_id = out["ticket_id"].isna()
    quality = quality.drop("missing_ticket_id", int(missing_id.sum()), where(missing_id))
    none = pd.Series(False, index=out.index)
    bad_created = bad_required.get("created_at", none) & ~missing_id
    quality = quality.drop("unparseable_created_at", int(bad_created.sum()), where(bad_created))
    far_created = bad_required.get("implausible_created_at", none) & ~missing_id
    quality = quality.drop("implausible_created_at", int(far_created.sum()), where(far_created))
    no_created = out["created_at"].isna() & ~missing_id & ~bad_created & ~far_created
    quality = quality.drop("missing_created_at", int(no_created.sum()), where(no_created))
    drop = np.array(missing_id | bad_created | far_created | no_created, dtype=bool)  # a copy

    dup, quality = duplicates(
        out,
        drop,
        quality,
        "ticket_id",
        "duplicate_ticket_id",
        "updated_at" if "updated_at" in out else None,
    )
    drop |= dup
    if "status" in out:
        excluded = [s for s in EXCLUDED_STATUSES if s not in options.include_status]
        gone = in_values(out["status"], tuple(excluded)) & ~drop
        quality = quality.drop(
            "excluded_status", int(gone.sum()), out.loc[gone, "ticket_id"].head(3)
        )
        excluded_rows = _derive_times(out[gone].reset_index(drop=True))
        drop |= gone
        if excluded and gone.any():
            notes.append(
                f"{int(gone.sum())} tickets with status {'/'.join(excluded)} excluded "
                "(count them with --include-status)"
            )
    if drop.any():
        out = kept(out, ~drop)
    out = _derive_times(out)  # on the kept rows only: a dropped row's duration may not fit
    out, quality = _implausible_derived(out, quality, bad_required, options)
    return out, time_issues(out, quality), notes, excluded_rows


DERIVED_FAR = "_cskpi_derived_far"
"""With `LoadOptions.mark_derived`: per kept ticket, the times derived from a duration that
`_implausible_derived` counted, one bit each (`DERIVED_BITS`)."""
DERIVED_BITS = ((1, "first_response_at"), (2, "resolved_at"))


def _implausible_derived(
    out: pd.DataFrame, quality: FrameQuality, bad_required: dict[str, Any], options: LoadOptions
) -> tuple[pd.DataFrame, FrameQuality]:
    """Times derived from durations are timestamps too (DECISIONS 40): an implausible one
    (`created_at` + a duration of decades) is emptied and counted like a read one, once per
    ticket (a read value that was implausible was emptied before the derivation)."""
    import numpy as np

    marks: np.ndarray | None = None
    if options.mark_derived:
        marks = np.zeros(len(out), dtype=np.int8)
    for bit, column in DERIVED_BITS:
        if column not in out or (far := implausible(out[column], options.now)) is None:
            continue
        out = out.assign(**{column: without(out[column], far)})
        counted = bad_required.get(f"implausible_{column}")
        if counted is not None:
            far &= ~counted.reindex(out.index, fill_value=False).to_numpy(dtype=bool)
        reason = f"implausible_{column}"
        quality = quality.issue(reason, int(far.sum()), out["ticket_id"].to_numpy()[far][:3])
        if marks is not None:
            marks[far] |= bit
    if marks is not None:
        out = out.assign(**{DERIVED_FAR: marks})
    return out, quality


def time_issues(out: pd.DataFrame, quality: FrameQuality) -> FrameQuality:
    """Count responses/resolutions before creation and resolved statuses without a time."""
    created = out["created_at"]
    for column, reason in (
        ("first_response_at", "first_response_before_created"),
        ("resolved_at", "resolved_before_created"),
    ):
        if column in out:
            neg = out[column] < created
            quality = quality.issue(reason, int(neg.sum()), out.loc[neg, "ticket_id"].head(3))
    if "handle_seconds" in out:  # work time cannot be negative: left out of aht, counted
        neg = out["handle_seconds"] < 0
        quality = quality.issue(
            "negative_handle_seconds", int(neg.sum()), out.loc[neg, "ticket_id"].head(3)
        )
    if "status" in out:
        done = in_values(out["status"], ("resolved", "closed"))
        no_time = done & (out["resolved_at"].isna() if "resolved_at" in out else True)
        quality = quality.issue(
            "resolved_without_timestamp", int(no_time.sum()), out.loc[no_time, "ticket_id"].head(3)
        )
    return quality


def _derive_times(out: pd.DataFrame) -> pd.DataFrame:
    """Durations fill missing timestamps; a ticket closed without a solve is resolved at close.

    Columns are replaced, never written into (copy-on-write), so nothing is copied when no
    time is derived.
    """
    import pandas as pd

    created = out["created_at"]
    for stamp, seconds in (
        ("first_response_at", "first_response_seconds"),
        ("resolved_at", "resolution_seconds"),
    ):
        if seconds in out:
            derived = created + pd.to_timedelta(out[seconds], unit="s")
            if stamp in out:  # the given times in the derived ones' unit (as pandas made
                # them when it mixed two units, which it will refuse to do)
                derived = out[stamp].astype(derived.dtype).fillna(derived)
            out = out.assign(**{stamp: derived})
    if "closed_at" in out:
        out = out.assign(
            resolved_at=out["resolved_at"].fillna(out["closed_at"])
            if "resolved_at" in out
            else out["closed_at"]
        )
    return out


def finish_surveys(
    out: pd.DataFrame,
    quality: FrameQuality,
    bad_required: dict[str, Any],
    where: Any,
    options: LoadOptions,
    mapping: dict[str, str],
) -> tuple[pd.DataFrame, FrameQuality, list[str], Any]:
    """Drop surveys without a time, kind or score (counted in that order on the remaining
    rows), judge scores against their kind's scale, de-duplicate response ids; the frame is
    filtered once, and the kind words are cleaned per distinct value, not per row."""
    import numpy as np
    import pandas as pd

    notes: list[str] = []
    config = options.config
    kinds = list(SURVEY_KINDS)

    def rows(values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=out.index)

    none = pd.Series(False, index=out.index)
    bad_time = np.asarray(bad_required.get("submitted_at", none), dtype=bool)
    quality = quality.drop("unparseable_submitted_at", int(bad_time.sum()), where(rows(bad_time)))
    # a survey is placed by its submission time: an implausible one drops it (DECISIONS 40)
    far_time = np.asarray(bad_required.get("implausible_submitted_at", none), dtype=bool)
    quality = quality.drop("implausible_submitted_at", int(far_time.sum()), where(rows(far_time)))
    no_time = out["submitted_at"].isna().to_numpy(dtype=bool) & ~bad_time & ~far_time
    quality = quality.drop("missing_submitted_at", int(no_time.sum()), where(rows(no_time)))
    gone = bad_time | far_time | no_time

    if options.survey_kind or "kind" not in out:
        given = options.survey_kind
        if not given:
            given = KIND_WORDS.get(squash(mapping.get("score", "")).replace("score", ""))
            if given is None:
                given = "csat"
                notes.append(
                    "surveys: no survey kind column; reading scores as CSAT "
                    "(use --surveys nps=FILE to say otherwise)"
                )
        kind_codes = np.full(len(out), kinds.index(given) if given in kinds else -1)
        unknown: np.ndarray = np.zeros(len(out), dtype=bool)
    else:
        codes, uniques = pd.factorize(out["kind"])  # missing kinds: -1, unknown below
        words = pd.Series(np.asarray(uniques, dtype=object)).astype("str").str.lower()
        found = words.str.replace(r"[^a-z]", "", regex=True).map(KIND_WORDS)
        table = found.map({k: i for i, k in enumerate(kinds)}).fillna(-1).to_numpy(dtype="int64")
        kind_codes = np.where(codes >= 0, table[np.maximum(codes, 0)] if len(table) else -1, -1)
        unknown = (kind_codes < 0) & ~gone
    quality = quality.drop("unknown_survey_kind", int(unknown.sum()), where(rows(unknown)))
    gone |= unknown

    score_series, missing_series = scores(out["score"], config)
    missing = missing_series.to_numpy(dtype=bool) & ~gone
    quality = quality.drop("missing_score", int(missing.sum()), where(rows(missing)))
    gone |= missing
    score = score_series.to_numpy(dtype="float64")
    scales = {
        "csat": config.csat.scale,
        "nps": None,
        "ces": config.ces_scale,
        "esat": config.esat_scale,
    }
    ranges = [
        (0.0, 10.0) if (scale := scales[k]) is None else (scale.low, scale.high) for k in kinds
    ]
    low = np.array([r[0] for r in ranges] + [np.nan])  # the last entry: no kind
    high = np.array([r[1] for r in ranges] + [np.nan])
    with np.errstate(invalid="ignore"):
        outside = ~np.isnan(score) & ((score < low[kind_codes]) | (score > high[kind_codes]))
    outside &= ~gone
    unread = np.isnan(score) & ~gone
    quality = quality.issue("unparseable_score", int(unread.sum()), where(rows(unread)))
    quality = quality.issue("score_out_of_scale", int(outside.sum()), where(rows(outside)))
    keep = ~gone
    out = out.assign(
        kind=pd.Categorical.from_codes(kind_codes, categories=kinds),
        score=np.where(outside, np.nan, score),
    )
    if gone.any():
        out = kept(out, keep)
    if "response_id" in out:
        out, quality = dedupe(out, quality, "response_id", "duplicate_response_id", None)
    return out, quality, notes, None
