"""Frames made from frames already loaded: survey rows from the ratings a ticket export
carries (`ratings_as_surveys`), and a supplement joined onto a ticket export by ticket id
(`join_supplement`, Zendesk ticket_metrics).
"""

from __future__ import annotations

from dataclasses import replace

from cskpi.load import parse, presets
from cskpi.load.normalize.columns import labels, zone_for
from cskpi.load.normalize.finish import finish_surveys, time_issues
from cskpi.load.normalize.options import Loaded, LoadOptions
from cskpi.load.plausible import implausible, without
from cskpi.load.presets import BUSINESS_COLUMNS
from cskpi.load.quality import FrameQuality
from cskpi.load.schema import COLUMNS, Frame


def ratings_as_surveys(tickets: Loaded, options: LoadOptions) -> Loaded | None:
    """Survey rows from the ratings a ticket export carries (DECISIONS 25): Zendesk
    "Satisfaction Score", Freshdesk "Survey results", Intercom "Last teammate rating". Only
    for answers (offered / not offered are not responses); `submitted_at` is the rating time
    when the export has one, else the ticket's `resolved_at`."""
    import pandas as pd

    match = tickets.preset
    ratings = match.preset.ratings if match and match.preset else None
    if match is None or ratings is None or tickets.kind is not Frame.TICKETS:
        return None
    score = match.header(ratings.score)
    frame = tickets.frame
    if score is None or score not in frame:
        return None
    answer = presets.translate(frame[score], dict.fromkeys(ratings.unanswered, ""))
    answer = answer.where(answer.astype("str").str.strip() != "")
    unanswered = int((answer.isna() & frame[score].notna()).sum())
    rows = frame[answer.notna()]
    if rows.empty:
        return None
    out = pd.DataFrame(
        {"ticket_id": rows["ticket_id"], "response_id": rows["ticket_id"]}, index=rows.index
    )
    stamp = match.header(ratings.submitted_at)
    if stamp is not None and stamp in rows:
        topts = parse.TimeOptions(source_tz=options.source_tz, dayfirst=options.dayfirst)
        out["submitted_at"] = parse.parse_times(
            rows[stamp], stamp, zone_for(topts, match, stamp)
        ).values
        when = f"'{stamp}'"
    else:
        missing = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us, UTC]")
        out["submitted_at"] = rows.get("resolved_at", missing)
        when = "the ticket's resolved_at (the export has no rating time)"
    out["score"] = presets.translate(answer[answer.notna()], match.vocab("score"))
    agent = match.header(ratings.agent)
    if agent is not None and agent in rows:
        out["agent"] = labels(rows[agent], "agent")
    examples = out["ticket_id"]

    def where(mask: pd.Series) -> list[str]:
        return [str(v) for v in examples[mask[mask].index].head(3)]

    quality = FrameQuality(read=len(out))
    rejected = {}
    far = implausible(out["submitted_at"], options.now)  # DECISIONS 40
    if far is not None:
        out["submitted_at"] = without(out["submitted_at"], far)
        rejected["implausible_submitted_at"] = pd.Series(far, index=out.index)
    out, quality, more, _ = finish_surveys(
        out, quality, rejected, where, replace(options, survey_kind=ratings.kind), {"score": score}
    )
    note = (
        f"{len(rows)} {ratings.kind.upper()} ratings read from the ticket export's "
        f"'{score}' column (no survey file given); submitted_at = {when}"
        + (f"; {unanswered} offered without an answer left out" if unanswered else "")
    )
    return Loaded(
        out.reset_index(drop=True),
        Frame.SURVEYS,
        ((score, "score"),),
        (),
        tickets.files,
        quality,
        (note, *more),
        None,
        match,
    )


_JOIN_ISSUES = (
    "first_response_before_created",
    "resolved_before_created",
    "resolved_without_timestamp",
)


def join_supplement(base: Loaded, extra: Loaded) -> Loaded:
    """Fill a ticket export's missing values from a supplement with the same ticket ids
    (Zendesk ticket_metrics: solved_at, reply and resolution minutes, reopens, replies)."""
    names = [
        c.name
        for c in COLUMNS[Frame.TICKETS]
        if c.name not in ("ticket_id", "created_at", "updated_at")
    ] + list(BUSINESS_COLUMNS)
    fill = [c for c in names if c in extra.frame]
    by_id = extra.frame.drop_duplicates("ticket_id", keep="last").set_index("ticket_id")[fill]
    out = base.frame.copy()
    known = out["ticket_id"].isin(by_id.index)
    for name in fill:
        values = out["ticket_id"].map(by_id[name])
        out[name] = out[name].fillna(values) if name in out else values
    quality = replace(
        base.quality,
        issues=tuple(i for i in base.quality.issues if i[0] not in _JOIN_ISSUES),
        examples=tuple(e for e in base.quality.examples if e[0] not in _JOIN_ISSUES),
    )
    quality = time_issues(out, quality)
    lost = int((~extra.frame["ticket_id"].isin(out["ticket_id"])).sum())
    title = extra.preset.preset.title if extra.preset and extra.preset.preset else "supplement"
    note = f"joined {int(known.sum())} of {len(out)} tickets with {title} on ticket_id" + (
        f"; {lost} records matched no ticket" if lost else ""
    )
    mapping = base.mapping + tuple(m for m in extra.mapping if m[1] in fill)
    return replace(
        base,
        frame=out,
        mapping=mapping,
        files=base.files + extra.files,
        quality=quality,
        notes=(*base.notes, *extra.notes, note),
    )


def text_ids_if_mixed(parts: list[Loaded], column: str = "ticket_id") -> list[Loaded]:
    """The frames whose ids are to be matched or stacked, their `column` all integers or all
    text: where some file typed its ids as integers and another wrote them as text, the
    integers become the text `parse.parse_ids` makes of them (`cskpi.load.ids`)."""
    from cskpi.load.ids import is_integer

    kinds = {is_integer(p.frame[column]) for p in parts if column in p.frame}
    if len(kinds) < 2:
        return parts
    return [text_ids(part, column) for part in parts]


def text_ids(part: Loaded, column: str = "ticket_id") -> Loaded:
    """`part` with its integer ids in `column` as text (the rows it excluded too)."""
    from cskpi.load.ids import as_text, is_integer

    if column not in part.frame or not is_integer(part.frame[column]):
        return part
    frame = part.frame.assign(**{column: as_text(part.frame[column])})
    excluded = part.excluded
    if excluded is not None and column in excluded:
        excluded = excluded.assign(**{column: as_text(excluded[column])})
    return replace(part, frame=frame, excluded=excluded)
