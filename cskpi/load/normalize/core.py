"""One raw input → one canonical frame (`normalize`): detect the preset, map, drop summary
lines and unanswered surveys, parse each mapped column, keep unmapped columns under their own
names (usable with `--by`), then hand over to the frame's finishing step.

Each raw column is let go once its last reader is parsed, so parsing needs little more than
one frame's memory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cskpi.load import parse, presets
from cskpi.load.normalize.columns import parse_column, zone_for
from cskpi.load.normalize.finish import finish_surveys, finish_tickets
from cskpi.load.normalize.mapping import mapping_for
from cskpi.load.normalize.options import Loaded, LoadOptions
from cskpi.load.plausible import implausible, without
from cskpi.load.presets import BUSINESS_COLUMNS, Match
from cskpi.load.quality import FrameQuality
from cskpi.load.schema import COLUMNS, Frame
from cskpi.memory import release

if TYPE_CHECKING:
    import pandas as pd

    from cskpi.load.readers import RawInput


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
    quality = FrameQuality(read=len(data) + len(raw.malformed)).skipped(raw.malformed)
    where = _places(raw)
    quality = short_lines(raw, data, quality, where)
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
    # required column → rows it could not parse; `implausible_<time column>` → rows whose
    # value was implausible and is now missing (counted below unless the column is required:
    # then the finishing step drops the row under that name)
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
    commas = raw.decimal_comma_rows() if hasattr(raw, "decimal_comma_rows") else None
    raw.release()
    slots: dict[str, int] = {}  # issue → where the parse first counted it (`Loaded.slots`)
    for place, col in enumerate(COLUMNS[frame]):
        if col.name not in mapping:
            continue
        source = mapping[col.name]
        series = data[source]
        if col.name in extract:
            series = presets.extract(series, extract[col.name])
        series = presets.translate(series, match.vocab(col.name))
        if commas is not None and col.kind in NUMBERS:  # `12,5` from a `;` file (DECISIONS 47)
            series = parse.decimal_commas(series, commas[series.index.to_numpy()])
        values, bad, shifted = parse_column(
            series, col, source, zone_for(topts, match, source), match.unit(source)
        )
        series = None
        if col.kind == "time" and (far := implausible(values, options.now)) is not None:
            values = without(values, far)  # treated as missing (DECISIONS 40)
            mask = pd.Series(far, index=values.index)
            bad_required[f"implausible_{col.name}"] = mask
            if not col.required:  # a required one drops its row in the finishing step
                quality = quality.issue(f"implausible_{col.name}", int(far.sum()), where(mask))
                slots.setdefault(f"implausible_{col.name}", 3 * place)
        _let_go(data, uses, source)
        columns[col.name] = values
        if shifted:
            quality = quality.issue("dst_shifted_local_time", shifted)
            slots.setdefault("dst_shifted_local_time", 3 * place + 1)
        if bad is not None and bad.any():
            if col.required:
                bad_required[col.name] = bad
            else:
                reason = (
                    "unparseable_timestamp" if col.kind == "time" else f"unparseable_{col.name}"
                )
                quality = quality.issue(reason, int(bad.sum()), where(bad))
                slots.setdefault(reason, 3 * place + 2)
    for place, name in enumerate(business_names, start=len(COLUMNS[frame])):
        if name in mapping:
            source = mapping[name]
            unit = match.unit(source) or parse.unit_from_name(source)
            series = data[source]
            if commas is not None:
                series = parse.decimal_commas(series, commas[series.index.to_numpy()])
            business = parse.parse_durations(series, unit)
            series = None
            _let_go(data, uses, source)
            columns[name] = business.values
            if business.bad.any():
                quality = quality.issue(
                    f"unparseable_{name}", int(business.bad.sum()), where(business.bad)
                )
                slots.setdefault(f"unparseable_{name}", 3 * place + 2)
    out = pd.DataFrame(columns, index=data.index, copy=False)
    for header in headers:
        if header not in mapping.values() and header not in out.columns:
            out[header] = data[header]
    del data, columns
    release()  # the raw columns parsing freed: before the finish adds its own arrays
    finish = finish_tickets if frame is Frame.TICKETS else finish_surveys
    if frame not in (Frame.TICKETS, Frame.SURVEYS):
        from cskpi.load.normalize.business import finisher

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
        slots=tuple(slots.items()),
    )


NUMBERS = ("duration", "int", "float", "money")
"""Column kinds written as numbers, which a decimal comma can spell (`12,5`)."""


def short_lines(
    raw: RawInput, data: pd.DataFrame, quality: FrameQuality, where: Any
) -> FrameQuality:
    """Count the rows `data` keeps that had fewer fields than the header: read, padded with
    missing values and used, but flagged `short_line` (DECISIONS 44)."""
    import numpy as np
    import pandas as pd

    short = getattr(raw, "short", None)
    if short is None or not len(short):
        return quality
    mask: np.ndarray = np.zeros(raw.places.rows, dtype=bool)
    mask[short] = True
    kept = pd.Series(mask[data.index.to_numpy()], index=data.index)
    return quality.issue("short_line", int(kept.sum()), where(kept))


def _let_go(data: pd.DataFrame, uses: Counter[str], source: str) -> None:
    """One reader of raw column `source` is done; the last one drops it from `data`."""
    uses[source] -= 1
    if not uses[source]:
        del data[source]
        # handed back now, not after the last column: the freed text of one column (10
        # million timestamps: 270 MB) would otherwise stay in Arrow's pool while the next
        # column is parsed beside it
        release()


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


def _places(raw: RawInput) -> Any:
    """mask → up to three `file:line` strings for examples."""
    import numpy as np

    def where(mask: pd.Series) -> list[str]:
        # the frame keeps the reader's positional index until the end, so labels are rows
        idx = np.asarray(mask.index[np.asarray(mask, dtype=bool)][:3], dtype="int64")
        return raw.places.named(raw.files, idx)

    return where
