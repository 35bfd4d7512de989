"""Raw export frame → canonical tickets or surveys frame (DATA.md), counting what is unusable.

Mapping order: explicit `--map` / `[columns]`, then (issue 6) presets, then the alias table,
compared case-, space- and punctuation-insensitively with unit suffixes ignored
(`Handle Time (s)` → `handle_seconds`). Unmapped columns are kept under their own names so
they can be used with `--by`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cskpi.config import Config
from cskpi.errors import InputError, UsageError, did_you_mean, nearest_many
from cskpi.load import parse
from cskpi.load.quality import FrameQuality
from cskpi.load.schema import (
    COLUMNS,
    EXCLUDED_STATUSES,
    SURVEY_KINDS,
    Column,
    Frame,
    squash,
)

if TYPE_CHECKING:
    import pandas as pd

    from cskpi.load.readers import FileInfo, RawInput
    from cskpi.plan import ReadPlan


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


_UNIT_SUFFIX = re.compile(
    r"(\s*[\(\[][^\)\]]*[\)\]]\s*$)|(_?in_?(seconds|secs|minutes|mins|hours|hrs|ms)$)"
    r"|(_(seconds|secs|minutes|mins|hours|hrs|ms)$)", re.IGNORECASE)


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
        if prefix and prefix not in ("tickets", "surveys"):
            raise UsageError(f"--map {canon}={source}: prefix must be tickets. or surveys.")
        own = {c.name for c in COLUMNS[Frame(prefix)]} if prefix else every
        if bare not in own:
            where = f" in {prefix}" if prefix else ""
            raise UsageError(f"--map {canon}={source}: unknown canonical column '{bare}'{where}"
                             f"{did_you_mean(bare, sorted(own))}")
        if (prefix == frame.value) or (not prefix and bare in names):
            out[bare] = source
    return out


def _shared(name: str) -> bool:
    return all(name in {c.name for c in cols} for cols in COLUMNS.values())


def resolve_mapping(headers: Sequence[str], frame: Frame,
                    explicit: dict[str, str], label: str) -> dict[str, str]:
    """canonical → source column for `headers`."""
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
            raise InputError(f"{label}: --map {canon}={source}: no column '{source}'; "
                             f"found: {_listing(headers)}")
        mapping[canon] = found
        used.add(found)
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


def _listing(headers: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(headers[:limit])
    return shown + (f", … ({len(headers)} columns)" if len(headers) > limit else "")


def missing_required(headers: Sequence[str], frame: Frame, mapping: dict[str, str],
                     label: str, can_default: set[str]) -> None:
    """Exit 4 naming every missing required column, the closest headers and the fix."""
    missing = [c for c in COLUMNS[frame] if c.required and c.name not in mapping
               and c.name not in can_default]
    if not missing:
        return
    free = [h for h in headers if h not in mapping.values()]
    fixes = []
    for col in missing:
        close = nearest_many(col.name, free) or free[:1]
        fixes.append(f"--map {col.name}={_quote(close[0]) if close else 'COLUMN'}")
        if close:
            free.remove(close[0])  # never suggest one column for two canonical names
    names = ", ".join(c.name for c in missing)
    raise InputError(f"{label}: no column for {names}; found: {_listing(list(headers))}\n"
                     f"map {'it' if len(missing) == 1 else 'them'} with {' '.join(fixes)}")


def mapping_for(headers: Sequence[str], frame: Frame, options: LoadOptions,
                label: str) -> dict[str, str]:
    """canonical → source for one file's headers; exit 4 if a required column is missing."""
    mapping = resolve_mapping(headers, frame, explicit_for(frame, options.mapping), label)
    defaults = {"kind"} if frame is Frame.SURVEYS else set()
    missing_required(headers, frame, mapping, label, defaults)
    return mapping


def _quote(header: str) -> str:
    return f'"{header}"' if re.search(r"[\s\"'$`]", header) else header


def normalize(raw: RawInput, frame: Frame, options: LoadOptions, label: str,
              mapping: dict[str, str] | None = None) -> Loaded:
    """Map, parse and clean one raw input into the canonical frame.

    `mapping` (canonical → source) comes from the read plan when the reader pruned columns:
    it was resolved on the files' full headers, so it is not recomputed on the kept ones.
    """
    import pandas as pd

    data = raw.frame.reset_index(drop=True)
    headers = [str(c) for c in data.columns]
    if mapping is None:
        mapping = mapping_for(headers, frame, options, label)
    else:
        mapping = {canon: source for canon, source in mapping.items() if source in headers}
    quality = FrameQuality(read=len(data) + len(raw.malformed))
    quality = quality.drop("malformed_line", len(raw.malformed),
                           (f"{m.file}:{m.line}" for m in raw.malformed))
    where = _places(raw)
    file_of = None
    if raw.source_file is not None and len(raw.files) > 1:
        file_of = pd.Series(raw.source_file, index=data.index)
    topts = parse.TimeOptions(source_tz=options.source_tz, dayfirst=options.dayfirst,
                              date_format=options.date_format,
                              excel_serials=any(f.format == "xlsx" for f in raw.files),
                              file_of=file_of)
    columns: dict[str, Any] = {}
    notes: list[str] = []
    bad_required: dict[str, Any] = {}
    for col in COLUMNS[frame]:
        if col.name not in mapping:
            continue
        source = mapping[col.name]
        values, bad, shifted = _parse(data[source], col, source, topts)
        columns[col.name] = values
        if shifted:
            quality = quality.issue("dst_shifted_local_time", shifted)
        if bad is not None and bad.any():
            if col.required:
                bad_required[col.name] = bad
            else:
                reason = ("unparseable_timestamp" if col.kind == "time"
                          else f"unparseable_{col.name}")
                quality = quality.issue(reason, int(bad.sum()), where(bad))
    out = pd.DataFrame(columns, index=data.index)
    for header in headers:
        if header not in mapping.values() and header not in out.columns:
            out[header] = data[header]
    finish = _finish_tickets if frame is Frame.TICKETS else _finish_surveys
    out, quality, more, excluded = finish(out, quality, bad_required, where, options, mapping)
    notes.extend(more)
    out = out.reset_index(drop=True)
    pairs = tuple((mapping[c.name], c.name) for c in COLUMNS[frame] if c.name in mapping)
    unmapped = tuple(h for h in headers if h not in mapping.values())
    return Loaded(out, frame, pairs, unmapped, raw.files, quality, tuple(notes), excluded)


def _places(raw: RawInput) -> Any:
    """mask → up to three `file:line` strings for examples."""
    import numpy as np

    def where(mask: pd.Series) -> list[str]:
        # the frame keeps the reader's positional index until the end, so labels are rows
        idx = np.asarray(mask.index[np.asarray(mask, dtype=bool)][:3], dtype="int64")
        if raw.source_line is None or raw.source_file is None:
            return [f"row {i + 2}" for i in idx]
        return [f"{raw.files[int(raw.source_file[i])].path}:{int(raw.source_line[i])}"
                for i in idx]

    return where


def _parse(raw: pd.Series, col: Column, source: str,
           topts: parse.TimeOptions) -> tuple[pd.Series, pd.Series | None, int]:
    if col.kind == "time":
        p = parse.parse_times(raw, source, topts)
        return p.values, p.bad, p.shifted
    if col.kind == "duration":
        p = parse.parse_durations(raw, parse.unit_from_name(source))
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
    if col.kind == "float":
        return raw, None, 0  # scores: parsed per survey kind in _finish_surveys
    return raw.astype("str"), None, 0


_STATUS = {"new": "new", "open": "open", "opened": "open", "active": "open",
           "pending": "pending", "waiting": "pending", "waitingoncustomer": "pending",
           "awaitingcustomer": "pending", "onhold": "on_hold", "hold": "on_hold",
           "solved": "resolved", "resolved": "resolved", "done": "resolved",
           "closed": "closed", "merged": "merged", "deleted": "deleted", "spam": "spam",
           "removed": "deleted", "snoozed": "pending"}
_PRIORITY = {"low": "low", "normal": "normal", "medium": "normal", "standard": "normal",
             "high": "high", "urgent": "urgent", "critical": "urgent", "p1": "urgent",
             "p2": "high", "p3": "normal", "p4": "low"}
_VOCAB = {"status": _STATUS, "priority": _PRIORITY}


def labels(raw: pd.Series, name: str) -> pd.Series:
    """Text labels → category; status/priority normalised where recognisable, channel lower.

    The cleaning runs on the distinct values (categories), not on every row.
    """
    import numpy as np
    import pandas as pd

    cat = raw if isinstance(raw.dtype, pd.CategoricalDtype) else raw.astype("category")
    names = pd.Series(cat.cat.categories).astype("str").str.strip()
    if name == "channel":
        names = names.str.lower()
    vocab = _VOCAB.get(name)
    if vocab is not None:
        norm = names.str.lower().str.replace(r"[^a-z0-9]", "", regex=True).map(vocab)
        names = norm.fillna(names)
    names = names.where(names != "")
    new_codes, uniques = pd.factorize(names, sort=True)
    codes = cat.cat.codes.to_numpy()
    mapped = np.where(codes >= 0, new_codes[np.maximum(codes, 0)], -1) if len(new_codes) \
        else np.full(len(codes), -1)
    return pd.Series(pd.Categorical.from_codes(mapped, categories=pd.Index(uniques, dtype=object)),
                     index=raw.index)


def _finish_tickets(out: pd.DataFrame, quality: FrameQuality, bad_required: dict[str, Any],
                    where: Any, options: LoadOptions,
                    mapping: dict[str, str]) -> tuple[pd.DataFrame, FrameQuality, list[str], Any]:
    import pandas as pd

    notes: list[str] = []
    excluded_rows = None
    missing_id = out["ticket_id"].isna()
    quality = quality.drop("missing_ticket_id", int(missing_id.sum()), where(missing_id))
    bad_created = bad_required.get("created_at", pd.Series(False, index=out.index)) & ~missing_id
    quality = quality.drop("unparseable_created_at", int(bad_created.sum()), where(bad_created))
    no_created = out["created_at"].isna() & ~missing_id & ~bad_created
    quality = quality.drop("missing_created_at", int(no_created.sum()), where(no_created))
    out = out[~(missing_id | bad_created | no_created)]

    out = _derive_times(out)
    out, quality = _dedupe(out, quality, "ticket_id", "duplicate_ticket_id",
                           "updated_at" if "updated_at" in out else None)
    if "status" in out:
        excluded = [s for s in EXCLUDED_STATUSES if s not in options.include_status]
        gone = out["status"].isin(excluded)
        quality = quality.drop("excluded_status", int(gone.sum()),
                               out.loc[gone, "ticket_id"].head(3))
        excluded_rows = out[gone].reset_index(drop=True)
        out = out[~gone]
        if excluded and gone.any():
            notes.append(f"{int(gone.sum())} tickets with status {'/'.join(excluded)} excluded "
                         "(count them with --include-status)")
    created = out["created_at"]
    for column, reason in (("first_response_at", "first_response_before_created"),
                           ("resolved_at", "resolved_before_created")):
        if column in out:
            neg = out[column] < created
            quality = quality.issue(reason, int(neg.sum()), out.loc[neg, "ticket_id"].head(3))
    if "status" in out:
        done = out["status"].isin(["resolved", "closed"])
        no_time = done & (out["resolved_at"].isna() if "resolved_at" in out else True)
        quality = quality.issue("resolved_without_timestamp", int(no_time.sum()),
                                out.loc[no_time, "ticket_id"].head(3))
    return out, quality, notes, excluded_rows


def _derive_times(out: pd.DataFrame) -> pd.DataFrame:
    """Durations fill missing timestamps; a ticket closed without a solve is resolved at close."""
    import pandas as pd

    out = out.copy()
    created = out["created_at"]
    for stamp, seconds in (("first_response_at", "first_response_seconds"),
                           ("resolved_at", "resolution_seconds")):
        if seconds in out:
            derived = created + pd.to_timedelta(out[seconds], unit="s")
            out[stamp] = out[stamp].fillna(derived) if stamp in out else derived
    if "closed_at" in out:
        out["resolved_at"] = (out["resolved_at"].fillna(out["closed_at"])
                              if "resolved_at" in out else out["closed_at"])
    return out


def _dedupe(out: pd.DataFrame, quality: FrameQuality, key: str, reason: str,
            newest: str | None) -> tuple[pd.DataFrame, FrameQuality]:
    """Keep one row per `key`: the latest `newest` when given, else the last one read.

    The ids are factorised once; only the (usually few) duplicated rows are sorted.
    """
    import numpy as np
    import pandas as pd

    codes, _ = pd.factorize(out[key])  # empty ids get -1: never duplicates of each other
    counts = np.bincount(codes[codes >= 0]) if (codes >= 0).any() else np.zeros(0, dtype="int64")
    if not len(counts) or counts.max() <= 1:
        return out, quality
    dup = np.flatnonzero((codes >= 0) & (counts[np.maximum(codes, 0)] > 1))
    group = out.iloc[dup]
    if newest:
        group = group.sort_values(newest, kind="stable", na_position="first")
    gone = group[group[key].duplicated(keep="last")]
    quality = quality.drop(reason, len(gone), gone[key].head(3))
    return out.drop(index=gone.index), quality


_KIND_WORDS = {"csat": "csat", "satisfaction": "csat", "customersatisfaction": "csat",
               "nps": "nps", "netpromoter": "nps", "netpromoterscore": "nps", "ces": "ces",
               "effort": "ces", "customereffort": "ces", "customereffortscore": "ces",
               "esat": "esat", "employeesatisfaction": "esat"}
_TEXT_SCORES = {"good": "high", "great": "high", "positive": "high", "bad": "low",
                "negative": "low", "poor": "low", "verysatisfied": 5.0, "satisfied": 4.0,
                "neutral": 3.0, "dissatisfied": 2.0, "unsatisfied": 2.0,
                "verydissatisfied": 1.0, "verygood": 5.0, "excellent": 5.0, "verybad": 1.0,
                "😡": 1.0, "😠": 1.0, "🙁": 2.0, "😞": 2.0, "😐": 3.0, "🙂": 4.0, "😊": 4.0,
                "😀": 5.0, "😃": 5.0, "😍": 5.0}


def _finish_surveys(out: pd.DataFrame, quality: FrameQuality, bad_required: dict[str, Any],
                    where: Any, options: LoadOptions,
                    mapping: dict[str, str]) -> tuple[pd.DataFrame, FrameQuality, list[str], Any]:
    import pandas as pd

    notes: list[str] = []
    config = options.config
    bad_time = bad_required.get("submitted_at", pd.Series(False, index=out.index))
    quality = quality.drop("unparseable_submitted_at", int(bad_time.sum()), where(bad_time))
    no_time = out["submitted_at"].isna() & ~bad_time
    quality = quality.drop("missing_submitted_at", int(no_time.sum()), where(no_time))
    out = out[~(bad_time | no_time)].copy()

    if options.survey_kind:
        kind = pd.Series(options.survey_kind, index=out.index)
    elif "kind" in out:
        raw = out["kind"].astype("str").str.lower().str.replace(r"[^a-z]", "", regex=True)
        kind = raw.map(_KIND_WORDS)
    else:
        guess = _KIND_WORDS.get(squash(mapping.get("score", "")).replace("score", ""))
        kind = pd.Series(guess or "csat", index=out.index)
        if guess is None:
            notes.append("surveys: no survey kind column; reading scores as CSAT "
                         "(use --surveys nps=FILE to say otherwise)")
    unknown = kind.isna()
    quality = quality.drop("unknown_survey_kind", int(unknown.sum()), where(unknown))
    out = out[~unknown]
    out["kind"] = pd.Categorical(kind[~unknown], categories=list(SURVEY_KINDS))

    score, missing = _scores(out["score"], out["kind"], config)
    quality = quality.drop("missing_score", int(missing.sum()), where(missing))
    out = out[~missing].copy()
    score = score[~missing]
    scales = {"csat": config.csat.scale, "nps": None, "ces": config.ces_scale,
              "esat": config.esat_scale}
    low = out["kind"].map({k: (0.0 if s is None else s.low) for k, s in scales.items()})
    high = out["kind"].map({k: (10.0 if s is None else s.high) for k, s in scales.items()})
    outside = score.notna() & ((score < low.astype("float64")) | (score > high.astype("float64")))
    unread = score.isna()
    quality = quality.issue("unparseable_score", int(unread.sum()), where(unread))
    quality = quality.issue("score_out_of_scale", int(outside.sum()), where(outside))
    out["score"] = score.where(~outside).astype("float64")
    if "response_id" in out:
        out, quality = _dedupe(out, quality, "response_id", "duplicate_response_id", None)
    return out, quality, notes, None


def _scores(raw: pd.Series, kind: pd.Series, config: Config) -> tuple[pd.Series, pd.Series]:
    """Numbers, or rating words/emoji mapped onto the CSAT scale. Returns (score, missing)."""
    import pandas as pd

    text = raw.astype("str").str.strip()
    missing = raw.isna() | (text == "") | text.str.lower().isin(["offered", "unoffered",
                                                                  "not offered"])
    score = pd.to_numeric(text.where(~missing), errors="coerce")
    words = score.isna() & ~missing
    if words.any():
        scale = config.csat.scale
        mapped = text[words].str.lower().str.replace(r"[\s_\-]", "", regex=True).map(
            _TEXT_SCORES)
        mapped = mapped.replace({"high": scale.high, "low": scale.low})
        score[words] = pd.to_numeric(mapped, errors="coerce")
    return score.astype("float64"), missing


def read_frame(paths: Sequence[str], frame: Frame, options: LoadOptions,
               stdin: Any = None, keep: ReadPlan | None = None) -> Loaded:
    """Read files and normalise them into one canonical frame.

    With a read plan, each file keeps only the source columns mapped to the plan's canonical
    columns and the plan's extra names (Parquet is pruned at read time).
    """
    from cskpi.load.readers import read_inputs

    label = ", ".join(paths) if len(paths) <= 2 else f"{paths[0]} (+{len(paths) - 1} files)"
    mapping: dict[str, str] = {}
    prune = None
    if keep is not None:
        wanted = keep.tickets if frame is Frame.TICKETS else keep.surveys
        extras = {squash(name) for name in keep.extras}

        def prune(headers: list[str]) -> list[str]:
            found = mapping_for(headers, frame, options, label)
            for canon, source in found.items():
                mapping.setdefault(canon, source)
            kept = {source for canon, source in found.items() if canon in wanted}
            kept.update(h for h in headers if squash(h) in extras)
            return [h for h in headers if h in kept]

    raw = read_inputs(paths, input_format=options.input_format, encoding=options.encoding,
                      sheet=options.sheet, stdin=stdin, columns=prune)
    if raw.files and len(raw.files) <= 2:
        label = ", ".join(f.path for f in raw.files)
    elif raw.files:
        label = f"{raw.files[0].path} (+{len(raw.files) - 1} files)"
    return normalize(raw, frame, options, label, mapping if keep is not None else None)
