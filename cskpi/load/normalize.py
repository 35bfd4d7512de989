"""Raw export frame → canonical tickets or surveys frame (DATA.md), counting what is unusable.

Mapping order: explicit `--map` / `[columns]`, then (issue 6) presets, then the alias table,
compared case-, space- and punctuation-insensitively with unit suffixes ignored
(`Handle Time (s)` → `handle_seconds`). Unmapped columns are kept under their own names so
they can be used with `--by`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cskpi.config import Config
from cskpi.errors import InputError, UsageError, did_you_mean, nearest_many
from cskpi.load import parse, presets
from cskpi.load.presets import BUSINESS_COLUMNS, Match
from cskpi.load.quality import FrameQuality
from cskpi.load.schema import (
    COLUMNS,
    EXCLUDED_STATUSES,
    SURVEY_KINDS,
    Column,
    Frame,
    squash,
)
from cskpi.memory import release

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from cskpi.load.plan import ReadPlan
    from cskpi.load.readers import FileInfo, RawInput


@dataclass(frozen=True)
class LoadOptions:
    """How to interpret input files (flags and config merged by the caller)."""

    input_format: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    dayfirst: bool = False
    date_format: str | None = None
    source_tz: str = "UTC"
    mapping: tuple[tuple[str, str], ...] = ()
    """(canonical, source) pairs; canonical may be prefixed `tickets.` / `surveys.`."""
    include_status: tuple[str, ...] = ()
    survey_kind: str | None = None
    config: Config = field(default_factory=Config)
    preset: str = "auto"
    """`--preset`: auto (recognise the export from its header), none, or a preset name."""


@dataclass(frozen=True)
class Loaded:
    """One canonical frame and how it was obtained."""

    frame: pd.DataFrame
    kind: Frame
    mapping: tuple[tuple[str, str], ...]
    """(source column, canonical column) pairs, in canonical order."""
    unmapped: tuple[str, ...]
    files: tuple[FileInfo, ...]
    quality: FrameQuality
    notes: tuple[str, ...] = ()
    excluded: pd.DataFrame | None = None
    """Tickets dropped for an excluded status: still used to link surveys (DECISIONS 7)."""
    preset: Match | None = None
    """The helpdesk preset the file was read with, and why (None: the alias table alone)."""


_UNIT_SUFFIX = re.compile(
    r"(\s*[\(\[][^\)\]]*[\)\]]\s*$)|(_?in_?(seconds|secs|minutes|mins|hours|hrs|ms)$)"
    r"|(_(seconds|secs|minutes|mins|hours|hrs|ms)$)",
    re.IGNORECASE,
)


def _keys(name: str) -> set[str]:
    return {squash(name), squash(_UNIT_SUFFIX.sub("", name))} - {""}


def explicit_for(frame: Frame, mapping: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The `--map` pairs that apply to `frame` (unprefixed names apply to whichever has them).

    A name both frames have (`agent`, `ticket_id`, ...) applies unprefixed to each file that
    has the source column; `tickets.` / `surveys.` pin it to one frame.
    """
    names = {c.name for c in COLUMNS[frame]}
    every = {c.name for cols in COLUMNS.values() for c in cols}
    out = {}
    for canon, source in mapping:
        prefix, _, bare = canon.rpartition(".")
        if prefix and prefix not in {f.value for f in Frame}:
            raise UsageError(
                f"--map {canon}={source}: prefix must be tickets. or surveys. "
                "(or customers., orders., schedules., costs.)"
            )
        own = {c.name for c in COLUMNS[Frame(prefix)]} if prefix else every
        if bare not in own:
            where = f" in {prefix}" if prefix else ""
            raise UsageError(
                f"--map {canon}={source}: unknown canonical column '{bare}'{where}"
                f"{did_you_mean(bare, sorted(own))}"
            )
        if (prefix == frame.value) or (not prefix and bare in names):
            out[bare] = source
    return out


_SHARING = (
    Frame.TICKETS,
    Frame.SURVEYS,
    Frame.CUSTOMERS,
    Frame.ORDERS,
    Frame.SCHEDULES,
    Frame.COSTS,
)
"""Frames read from files of their own (issue 9 adds the business inputs)."""


def _shared(name: str) -> bool:
    """A canonical name of more than one of `_SHARING` (`agent`, `customer_id`, `amount`):
    an unprefixed `--map` of it applies to each file that has the source column."""
    return sum(name in {c.name for c in COLUMNS[f]} for f in _SHARING) > 1


def resolve_mapping(
    headers: Sequence[str],
    frame: Frame,
    explicit: dict[str, str],
    label: str,
    match: Match | None = None,
) -> dict[str, str]:
    """canonical → source column for `headers`: explicit, then the preset, then aliases.

    A preset also maps vendor business-hours durations (`BUSINESS_COLUMNS`) and keeps the
    headers it knows to be traps away from the aliases."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    by_key: dict[str, str] = {}
    for header in headers:
        for key in _keys(header):
            by_key.setdefault(key, header)
    for canon, source in explicit.items():
        found = source if source in headers else by_key.get(squash(source))
        if found is None and _shared(canon):
            continue  # an unprefixed shared name applies to the files that have the column
        if found is None:
            raise InputError(
                f"{label}: --map {canon}={source}: no column '{source}'; found: {_listing(headers)}"
            )
        mapping[canon] = found
        used.add(found)
    if match is not None and match.target(frame) is frame:
        names = {c.name for c in COLUMNS[frame]} | set(BUSINESS_COLUMNS)
        for canon, source in match.mapping().items():
            if canon in names and canon not in mapping and source not in used:
                mapping[canon] = source
                used.add(source)
        used |= match.reserved()
    for col in COLUMNS[frame]:
        if col.name in mapping:
            continue
        for candidate in (col.name, *col.aliases):
            hit = by_key.get(squash(candidate))
            if hit is not None and hit not in used:
                mapping[col.name] = hit
                used.add(hit)
                break
    return mapping


def _short(name: str, width: int = 60) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _listing(headers: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(_short(h) for h in headers[:limit])
    return shown + (f", … ({len(headers)} columns)" if len(headers) > limit else "")


def missing_required(
    headers: Sequence[str], frame: Frame, mapping: dict[str, str], label: str, can_default: set[str]
) -> None:
    """Exit 4 naming every missing required column, the closest headers and the fix."""
    missing = [
        c
        for c in COLUMNS[frame]
        if c.required and c.name not in mapping and c.name not in can_default
    ]
    if not missing:
        return
    free = [h for h in headers if h not in mapping.values() and len(h) <= 200][:500]
    fixes = []
    for col in missing:
        close = nearest_many(col.name, free) or free[:1]
        fixes.append(f"--map {col.name}={_quote(_short(close[0])) if close else 'COLUMN'}")
        if close:
            free.remove(close[0])  # never suggest one column for two canonical names
    names = ", ".join(c.name for c in missing)
    raise InputError(
        f"{label}: no column for {names}; found: {_listing(list(headers))}\n"
        f"map {'it' if len(missing) == 1 else 'them'} with {' '.join(fixes)}"
    )


def mapping_for(
    headers: Sequence[str],
    frame: Frame,
    options: LoadOptions,
    label: str,
    match: Match | None = None,
) -> dict[str, str]:
    """canonical → source for one file's headers; exit 4 if a required column is missing.

    The preset is detected here from the full headers unless `match` is given."""
    if match is None:
        match = presets.detect(headers, frame, options.preset)
    mapping = resolve_mapping(headers, frame, explicit_for(frame, options.mapping), label, match)
    defaults = {"kind"} if frame is Frame.SURVEYS else set()
    missing_required(headers, frame, mapping, label, defaults)
    return mapping


def _quote(header: str) -> str:
    return f'"{header}"' if re.search(r"[\s\"'$`]", header) else header


def normalize(
    raw: RawInput,
    frame: Frame,
    options: LoadOptions,
    label: str,
    mapping: dict[str, str] | None = None,
    match: Match | None = None,
) -> Loaded:
    """Map, parse and clean one raw input into the canonical frame (`raw` is released).

    `mapping` (canonical → source) and `match` (the preset) come from the read plan when the
    reader pruned columns: they were resolved on the files' full headers, so they are not
    recomputed on the kept ones. A surveys preset given as tickets is read as surveys.
    """
    import pandas as pd

    data = raw.frame.reset_index(drop=True)
    headers = [str(c) for c in data.columns]
    if match is None:
        match = presets.detect(headers, frame, options.preset)
    notes: list[str] = [f"{label}: {note}" for note in match.notes]
    notes += list(getattr(raw, "warnings", ()))  # each names its file already
    if match.preset and match.preset.zone == "flag" and options.source_tz == "UTC":
        notes.append(
            f"{label}: {match.preset.title}: naive timestamps read as UTC; pass "
            "--source-tz if the export is in another zone"
        )
    if match.target(frame) is not frame and match.preset is not None:
        notes.append(
            f"{label}: recognised as a {match.preset.title}: read as survey responses, not tickets"
        )
        frame = match.target(frame)
    if (
        frame is Frame.SURVEYS
        and match.preset
        and match.preset.survey_kind
        and not options.survey_kind
    ):
        options = replace(options, survey_kind=match.preset.survey_kind)
    if mapping is None:
        mapping = mapping_for(headers, frame, options, label, match)
    else:
        mapping = {canon: source for canon, source in mapping.items() if source in headers}
    summary = presets.summary_rows(data, match)
    if summary is not None and summary.any():
        first = str(data.loc[summary].iloc[0].dropna().iloc[0])
        notes.append(f"{label}: skipped {int(summary.sum())} summary line(s): {first!r}")
        data = data[~summary]
    quality = FrameQuality(read=len(data) + len(raw.malformed))
    quality = quality.drop(
        "malformed_line", len(raw.malformed), (f"{m.file}:{m.line}" for m in raw.malformed)
    )
    where = _places(raw)
    unanswered = _unanswered(data, frame, mapping, match)
    if unanswered is not None:
        quality = quality.drop("survey_not_answered", int(unanswered.sum()), where(unanswered))
        data = data[~unanswered]
    file_of = None
    if len(raw.files) > 1:
        file_of = pd.Series(raw.places.file(data.index.to_numpy()), index=data.index)  # rows kept
    topts = parse.TimeOptions(
        source_tz=options.source_tz,
        dayfirst=options.dayfirst,
        date_format=options.date_format,
        excel_serials=any(f.format == "xlsx" for f in raw.files),
        file_of=file_of,
    )
    columns: dict[str, Any] = {}
    bad_required: dict[str, Any] = {}
    extract = match.preset.extract if match.preset else {}
    series: Any = None
    business_names = BUSINESS_COLUMNS if frame is Frame.TICKETS else ()
    # each raw column is let go once its last reader is parsed (raw.release: no other copy)
    uses = Counter(
        mapping[name]
        for name in (*(c.name for c in COLUMNS[frame]), *business_names)
        if name in mapping
    )
    raw.release()
    for col in COLUMNS[frame]:
        if col.name not in mapping:
            continue
        source = mapping[col.name]
        series = data[source]
        if col.name in extract:
            series = presets.extract(series, extract[col.name])
        series = presets.translate(series, match.vocab(col.name))
        values, bad, shifted = _parse(
            series, col, source, _zone_for(topts, match, source), match.unit(source)
        )
        series = None
        _let_go(data, uses, source)
        columns[col.name] = values
        if shifted:
            quality = quality.issue("dst_shifted_local_time", shifted)
        if bad is not None and bad.any():
            if col.required:
                bad_required[col.name] = bad
            else:
                reason = (
                    "unparseable_timestamp" if col.kind == "time" else f"unparseable_{col.name}"
                )
                quality = quality.issue(reason, int(bad.sum()), where(bad))
    for name in business_names:
        if name in mapping:
            source = mapping[name]
            unit = match.unit(source) or parse.unit_from_name(source)
            business = parse.parse_durations(data[source], unit)
            _let_go(data, uses, source)
            columns[name] = business.values
            if business.bad.any():
                quality = quality.issue(
                    f"unparseable_{name}", int(business.bad.sum()), where(business.bad)
                )
    out = pd.DataFrame(columns, index=data.index, copy=False)
    for header in headers:
        if header not in mapping.values() and header not in out.columns:
            out[header] = data[header]
    del data, columns
    release()  # the raw columns parsing freed: before the finish adds its own arrays
    finish = _finish_tickets if frame is Frame.TICKETS else _finish_surveys
    if frame not in (Frame.TICKETS, Frame.SURVEYS):
        from cskpi.load.business import finisher

        finish = finisher(frame)  # customers, orders, schedules, costs
    out, quality, more, excluded = finish(out, quality, bad_required, where, options, mapping)
    notes.extend(more)
    out = out.reset_index(drop=True)
    release()  # what reading and parsing freed (see cskpi.memory)
    pairs = tuple(
        (mapping[c], c)
        for c in (*(c.name for c in COLUMNS[frame]), *BUSINESS_COLUMNS)
        if c in mapping
    )
    unmapped = tuple(h for h in headers if h not in mapping.values())
    return Loaded(
        out,
        frame,
        pairs,
        unmapped,
        raw.files,
        quality,
        tuple(notes),
        excluded,
        match if match.preset else None,
    )


def _let_go(data: pd.DataFrame, uses: Counter[str], source: str) -> None:
    """One reader of raw column `source` is done; the last one drops it from `data`."""
    uses[source] -= 1
    if not uses[source]:
        del data[source]


def _unanswered(
    data: pd.DataFrame, frame: Frame, mapping: dict[str, str], match: Match
) -> pd.Series | None:
    """Survey rows a preset marks as offered without an answer (Zendesk `offered`)."""
    ratings = match.preset.ratings if match.preset else None
    if frame is not Frame.SURVEYS or ratings is None or "score" not in mapping:
        return None
    raw = data[mapping["score"]]
    mask = presets.translate(raw, dict.fromkeys(ratings.unanswered, "")).isna() & raw.notna()
    return mask if mask.any() else None


def _zone_for(topts: parse.TimeOptions, match: Match, source: str) -> parse.TimeOptions:
    """The zone of a preset's naive timestamps: written in the header, UTC, or the flag."""
    preset = match.preset
    if preset is None or preset.zone == "flag":
        return topts
    zone = "UTC" if preset.zone == "utc" else match.zones.get(source)
    return replace(topts, source_tz=zone) if zone else topts


def _places(raw: RawInput) -> Any:
    """mask → up to three `file:line` strings for examples."""
    import numpy as np

    def where(mask: pd.Series) -> list[str]:
        # the frame keeps the reader's positional index until the end, so labels are rows
        idx = np.asarray(mask.index[np.asarray(mask, dtype=bool)][:3], dtype="int64")
        return raw.places.named(raw.files, idx)

    return where


def _parse(
    raw: pd.Series, col: Column, source: str, topts: parse.TimeOptions, unit: float | None = None
) -> tuple[pd.Series, pd.Series | None, int]:
    if col.kind == "time":
        p = parse.parse_times(raw, source, topts)
        return p.values, p.bad, p.shifted
    if col.kind == "duration":
        p = parse.parse_durations(raw, parse.unit_from_name(source) if unit is None else unit)
        return p.values, p.bad, 0
    if col.kind == "int":
        p = parse.parse_ints(raw)
        return p.values, p.bad, 0
    if col.kind == "bool":
        p = parse.parse_bools(raw)
        return p.values, p.bad, 0
    if col.kind == "id":
        return parse.parse_ids(raw), None, 0
    if col.kind == "label":
        return labels(raw, col.name), None, 0
    if col.kind in ("float", "money", "period"):
        return raw, None, 0  # scores: per survey kind in _finish_surveys; money, period: business
    return raw.astype("str"), None, 0


_STATUS = {
    "new": "new",
    "open": "open",
    "opened": "open",
    "active": "open",
    "pending": "pending",
    "waiting": "pending",
    "waitingoncustomer": "pending",
    "awaitingcustomer": "pending",
    "onhold": "on_hold",
    "hold": "on_hold",
    "solved": "resolved",
    "resolved": "resolved",
    "done": "resolved",
    "closed": "closed",
    "merged": "merged",
    "deleted": "deleted",
    "spam": "spam",
    "removed": "deleted",
    "snoozed": "pending",
}
_PRIORITY = {
    "low": "low",
    "normal": "normal",
    "medium": "normal",
    "standard": "normal",
    "high": "high",
    "urgent": "urgent",
    "critical": "urgent",
    "p1": "urgent",
    "p2": "high",
    "p3": "normal",
    "p4": "low",
}
_VOCAB = {"status": _STATUS, "priority": _PRIORITY}


def labels(raw: pd.Series, name: str) -> pd.Series:
    """Text labels → category; status/priority normalised where recognisable, channel lower.

    The cleaning runs on the distinct values (categories), not on every row.
    """
    import numpy as np
    import pandas as pd

    codes, categories = parse.distinct(raw)
    names = categories.astype("str").str.strip()
    if name == "channel":
        names = names.str.lower()
    vocab = _VOCAB.get(name)
    if vocab is not None:
        norm = names.str.lower().str.replace(r"[^a-z0-9]", "", regex=True).map(vocab)
        names = norm.fillna(names)
    names = names.where(names != "")
    new_codes, uniques = pd.factorize(names, sort=True)
    mapped = (
        np.where(codes >= 0, new_codes[np.maximum(codes, 0)], -1)
        if len(new_codes)
        else np.full(len(codes), -1)
    )
    return pd.Series(
        pd.Categorical.from_codes(mapped, categories=pd.Index(uniques, dtype=object)),
        index=raw.index,
    )


def _finish_tickets(
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
    bad_created = bad_required.get("created_at", pd.Series(False, index=out.index)) & ~missing_id
    quality = quality.drop("unparseable_created_at", int(bad_created.sum()), where(bad_created))
    no_created = out["created_at"].isna() & ~missing_id & ~bad_created
    quality = quality.drop("missing_created_at", int(no_created.sum()), where(no_created))
    drop = np.array(missing_id | bad_created | no_created, dtype=bool)  # a writable copy

    dup, quality = _duplicates(
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
        gone = out["status"].isin(excluded).to_numpy(dtype=bool) & ~drop
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
        out = _kept(out, ~drop)
    out = _derive_times(out)  # on the kept rows only: a dropped row's duration may not fit
    return out, _time_issues(out, quality), notes, excluded_rows


def _time_issues(out: pd.DataFrame, quality: FrameQuality) -> FrameQuality:
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
        done = out["status"].isin(["resolved", "closed"])
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
            out = out.assign(**{stamp: out[stamp].fillna(derived) if stamp in out else derived})
    if "closed_at" in out:
        out = out.assign(
            resolved_at=out["resolved_at"].fillna(out["closed_at"])
            if "resolved_at" in out
            else out["closed_at"]
        )
    return out


def _duplicates(
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

    # empty ids get -1: never duplicates of each other; in place, one array of the rows' size
    codes = id_codes(out[key])
    codes[dropped] = -1
    codes += 1  # -1 → 0: counted apart, so that no copy of the valid codes is made
    counts = np.bincount(codes, minlength=1)
    counts[0] = 0
    drop: np.ndarray = np.zeros(len(out), dtype=bool)
    if counts.max() <= 1:
        return drop, quality
    dup = np.flatnonzero(counts[codes] > 1)
    group = out.iloc[dup].assign(_row=dup)
    if newest:
        group = group.sort_values(newest, kind="stable", na_position="first")
    gone = group[group[key].duplicated(keep="last")]
    drop[gone["_row"].to_numpy()] = True
    return drop, quality.drop(reason, len(gone), gone[key].head(3))


def _dedupe(
    out: pd.DataFrame, quality: FrameQuality, key: str, reason: str, newest: str | None
) -> tuple[pd.DataFrame, FrameQuality]:
    """Keep one row per `key` (see `_duplicates`)."""
    import numpy as np

    drop, quality = _duplicates(out, np.zeros(len(out), dtype=bool), quality, key, reason, newest)
    return (_kept(out, ~drop) if drop.any() else out), quality


def _kept(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
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


_KIND_WORDS = {
    "csat": "csat",
    "satisfaction": "csat",
    "customersatisfaction": "csat",
    "nps": "nps",
    "netpromoter": "nps",
    "netpromoterscore": "nps",
    "ces": "ces",
    "effort": "ces",
    "customereffort": "ces",
    "customereffortscore": "ces",
    "esat": "esat",
    "employeesatisfaction": "esat",
}
_TEXT_SCORES = {
    "good": "high",
    "great": "high",
    "positive": "high",
    "bad": "low",
    "negative": "low",
    "poor": "low",
    "verysatisfied": 5.0,
    "satisfied": 4.0,
    "neutral": 3.0,
    "dissatisfied": 2.0,
    "unsatisfied": 2.0,
    "verydissatisfied": 1.0,
    "verygood": 5.0,
    "excellent": 5.0,
    "verybad": 1.0,
    "😡": 1.0,
    "😠": 1.0,
    "🙁": 2.0,
    "😞": 2.0,
    "😐": 3.0,
    "🙂": 4.0,
    "😊": 4.0,
    "😀": 5.0,
    "😃": 5.0,
    "😍": 5.0,
}


def _finish_surveys(
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

    bad_time = np.asarray(
        bad_required.get("submitted_at", pd.Series(False, index=out.index)), dtype=bool
    )
    quality = quality.drop("unparseable_submitted_at", int(bad_time.sum()), where(rows(bad_time)))
    no_time = out["submitted_at"].isna().to_numpy(dtype=bool) & ~bad_time
    quality = quality.drop("missing_submitted_at", int(no_time.sum()), where(rows(no_time)))
    gone = bad_time | no_time

    if options.survey_kind or "kind" not in out:
        given = options.survey_kind
        if not given:
            given = _KIND_WORDS.get(squash(mapping.get("score", "")).replace("score", ""))
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
        found = words.str.replace(r"[^a-z]", "", regex=True).map(_KIND_WORDS)
        table = found.map({k: i for i, k in enumerate(kinds)}).fillna(-1).to_numpy(dtype="int64")
        kind_codes = np.where(codes >= 0, table[np.maximum(codes, 0)] if len(table) else -1, -1)
        unknown = (kind_codes < 0) & ~gone
    quality = quality.drop("unknown_survey_kind", int(unknown.sum()), where(rows(unknown)))
    gone |= unknown

    score_series, missing_series = _scores(out["score"], config)
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
        out = _kept(out, keep)
    if "response_id" in out:
        out, quality = _dedupe(out, quality, "response_id", "duplicate_response_id", None)
    return out, quality, notes, None


def _scores(raw: pd.Series, config: Config) -> tuple[pd.Series, pd.Series]:
    """Numbers, or rating words/emoji mapped onto the CSAT scale. Returns (score, missing)."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        # already numbers (Parquet, JSON): the text round trip below would read them back
        return raw.astype("float64"), raw.isna()
    digits = _digit_scores(raw)
    if digits is not None:
        return digits, raw.isna()
    text = raw.astype("str").str.strip()
    missing = (
        raw.isna() | (text == "") | text.str.lower().isin(["offered", "unoffered", "not offered"])
    )
    score = pd.to_numeric(text.where(~missing), errors="coerce")
    words = score.isna() & ~missing
    if words.any():
        scale = config.csat.scale
        mapped = text[words].str.lower().str.replace(r"[\s_\-]", "", regex=True).map(_TEXT_SCORES)
        mapped = mapped.replace({"high": scale.high, "low": scale.low})
        score[words] = pd.to_numeric(mapped, errors="coerce")
    return score.astype("float64"), missing


def _digit_scores(raw: pd.Series) -> pd.Series | None:
    """Text scores that are all plain digits (a CSV of numbers) as float64; None otherwise.

    The general path strips, checks for words and runs `to_numeric` on every value: 1.3 s
    for 2.5 million responses, for the same numbers."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(raw.dtype, pd.StringDtype):
        return None
    try:
        values = parse.text_array(raw)
        if values is None or not len(values) or values.null_count == len(values):
            return None
        plain = pc.and_(
            pc.and_(pc.string_is_ascii(values), pc.utf8_is_digit(values)),
            pc.less_equal(pc.binary_length(values), 15),
        )
        if pc.sum(plain.fill_null(False)).as_py() != len(values) - values.null_count:
            return None
        scores = pc.cast(values, pa.int64()).cast(pa.float64()).fill_null(np.nan)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return pd.Series(np.asarray(scores.to_numpy(zero_copy_only=False)), index=raw.index)


def read_frame(
    paths: Sequence[str],
    frame: Frame,
    options: LoadOptions,
    stdin: Any = None,
    keep: ReadPlan | None = None,
) -> Loaded:
    """Read files and normalise them into one canonical frame (see `read_frames`)."""
    parts = read_frames(paths, frame, options, stdin, keep)
    if len(parts) > 1:
        raise UsageError(
            f"{', '.join(paths)}: the files are different exports "
            f"({', '.join(p.preset.key if p.preset else 'generic' for p in parts)});"
            " read them with cskpi.load"
        )
    return parts[0]


def read_frames(
    paths: Sequence[str],
    frame: Frame,
    options: LoadOptions,
    stdin: Any = None,
    keep: ReadPlan | None = None,
) -> list[Loaded]:
    """Read files and normalise them into canonical frames: one per kind of export.

    Each file's preset is detected from its full header. Files of one kind are read together
    (one frame); files of different kinds (Zendesk tickets + ticket_metrics +
    satisfaction_ratings) are read per kind, so the caller can join them. A surveys preset
    given as tickets comes back as a surveys frame. With a read plan, each file keeps only the
    source columns mapped to the plan's canonical columns and the plan's extra names (Parquet
    is pruned at read time).
    """
    from cskpi.load.readers import read_inputs

    label = ", ".join(paths) if len(paths) <= 2 else f"{paths[0]} (+{len(paths) - 1} files)"
    mapping: dict[str, str] = {}
    seen: dict[str, Match] = {}
    wanted = (
        set() if keep is None else set(keep.tickets if frame is Frame.TICKETS else keep.surveys)
    )
    wanted |= {
        f"{c[: -len('_seconds')]}_business_seconds" for c in wanted if c.endswith("_seconds")
    }
    extras = {squash(name) for name in keep.extras} if keep is not None else set()

    def prune(headers: list[str]) -> list[str]:
        match = presets.detect(headers, frame, options.preset)
        seen.setdefault(match.key, match)
        if len(seen) > 1:
            return []  # different exports: read again per kind below
        if keep is None:
            return headers
        target = match.target(frame)
        found = mapping_for(headers, target, options, label, match)
        for canon, source in found.items():
            mapping.setdefault(canon, source)
        every = wanted | (set(keep.surveys) if target is not frame else set())
        kept = {source for canon, source in found.items() if canon in every}
        kept.update(h for h in headers if squash(h) in extras)
        kept.update(match.keep())
        return [h for h in headers if h in kept]

    raw = read_inputs(
        paths,
        input_format=options.input_format,
        encoding=options.encoding,
        sheet=options.sheet,
        stdin=stdin,
        columns=prune,
    )
    if len(seen) > 1:
        return [
            part
            for group in _by_kind([f.path for f in raw.files], frame, options)
            for part in read_frames(group, frame, options, stdin, keep)
        ]
    if raw.files and len(raw.files) <= 2:
        label = ", ".join(f.path for f in raw.files)
    elif raw.files:
        label = f"{raw.files[0].path} (+{len(raw.files) - 1} files)"
    match = next(iter(seen.values()), None)
    return [normalize(raw, frame, options, label, mapping if keep is not None else None, match)]


def _by_kind(paths: list[str], frame: Frame, options: LoadOptions) -> list[list[str]]:
    """Paths grouped by the preset each file's header matches, in first-seen order."""
    from cskpi.load.readers import read_inputs

    groups: dict[str, list[str]] = {}
    for path in paths:
        found: list[str] = []

        def peek(headers: list[str], found: list[str] = found) -> list[str]:
            found.append(presets.detect(headers, frame, options.preset).key)
            return []

        read_inputs(
            [path],
            input_format=options.input_format,
            encoding=options.encoding,
            sheet=options.sheet,
            columns=peek,
        )
        groups.setdefault(found[0], []).append(path)
    return list(groups.values())


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
            rows[stamp], stamp, _zone_for(topts, match, stamp)
        ).values
        when = f"'{stamp}'"
    else:
        out["submitted_at"] = rows.get("resolved_at", pd.NaT)
        when = "the ticket's resolved_at (the export has no rating time)"
    out["score"] = presets.translate(answer[answer.notna()], match.vocab("score"))
    agent = match.header(ratings.agent)
    if agent is not None and agent in rows:
        out["agent"] = labels(rows[agent], "agent")
    examples = out["ticket_id"]

    def where(mask: pd.Series) -> list[str]:
        return [str(v) for v in examples[mask[mask].index].head(3)]

    quality = FrameQuality(read=len(out))
    out, quality, more, _ = _finish_surveys(
        out, quality, {}, where, replace(options, survey_kind=ratings.kind), {"score": score}
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
    quality = _time_issues(out, quality)
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
