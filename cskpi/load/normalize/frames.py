"""Files → canonical frames: one per kind of export (`read_frames`), or exactly one
(`read_frame`).

Each file's preset is detected from its full header; files of one kind are read together,
files of different kinds per kind. With a read plan, only the columns it needs are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cskpi.errors import InputError, UsageError
from cskpi.load import parse, presets
from cskpi.load.normalize.core import normalize
from cskpi.load.normalize.mapping import mapping_for
from cskpi.load.normalize.options import Loaded, LoadOptions
from cskpi.load.presets import Match
from cskpi.load.schema import COLUMNS, Frame, squash

if TYPE_CHECKING:
    from cskpi.load.plan import ReadPlan


_FEW = ("label", "bool", "int")
"""Column kinds that hold a few distinct values (labels, flags, counts): a column read for
them only is read as categories where the reader can (CSV, Parquet text), and parsed once
per distinct value."""


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

    label_sources: set[str] = set()
    time_sources: set[str] = set()  # the file being read's (`prune` sets it for each file)
    every_header: dict[str, None] = {}
    left_out: list[int] = []  # per file, unmapped columns not read (`_bounded`)

    def labels(kept: list[str]) -> set[str]:
        """Kept source columns that feed only label, flag or count columns: a few distinct
        values, read as categories (`_FEW`)."""
        return label_sources & set(kept)

    def times(kept: list[str]) -> set[str]:
        """Kept source columns that feed time columns only and are read as nothing but
        timestamps: a big CSV may read them as such (`Options.times`)."""
        return time_sources & set(kept)

    def prune(headers: list[str]) -> list[str] | dict[str, str]:
        every_header.update(dict.fromkeys(headers))
        time_sources.clear()
        match = presets.detect(headers, frame, options.preset)
        seen.setdefault(match.key, match)
        if len(seen) > 1:
            return []  # different exports: read again per kind below
        target = match.target(frame)
        found = mapping_for(headers, target, options, label, match)
        for canon, source in found.items():
            mapping.setdefault(canon, source)
        names = _names(found, mapping, target, (match, seen[match.key]), label)
        if keep is None:  # validate: every column, up to MAX_UNMAPPED beside the mapped ones
            return _renamed(_bounded(headers, found, match, left_out), names, label)
        every = wanted | (set(keep.surveys) if target is not frame else set())
        kept = {source for canon, source in found.items() if canon in every}
        kinds = {c.name: c.kind for c in COLUMNS[target]}
        read_as: dict[str, bool] = {}  # source → whether it feeds label columns only
        for canon, source in found.items():
            if canon in every:
                read_as[source] = read_as.get(source, True) and kinds.get(canon) in _FEW
        label_sources.update(source for source, label in read_as.items() if label)
        as_time: dict[str, bool] = {}  # source → whether it feeds plain time columns only
        extract = match.preset.extract if match.preset else {}
        for canon, source in found.items():
            if canon in every:
                plain = canon not in extract and not match.vocab(canon)
                as_time[source] = as_time.get(source, True) and kinds.get(canon) == "time" and plain
        others = {h for h in headers if squash(h) in extras} | match.keep()
        if options.date_format is None:
            time_sources.update(s for s, time in as_time.items() if time and s not in others)
        kept.update(h for h in headers if squash(h) in extras)
        kept.update(match.keep())
        return _renamed([h for h in headers if h in kept], names, label)

    raw = read_inputs(
        paths,
        input_format=options.input_format,
        encoding=options.encoding,
        delimiter=options.delimiter,
        quote=options.quote,
        decimal=options.decimal,
        sheet=options.sheet,
        stdin=stdin,
        columns=prune,
        labels=labels,
        times=times,
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
    loaded = normalize(raw, frame, options, label, mapping or None, match)
    notes = loaded.notes
    if any(left_out):
        notes += (
            f"{label}: {max(left_out):,} more unmapped columns not read "
            f"(only the first {MAX_UNMAPPED:,} are shown)",
        )
    return [replace(loaded, headers=tuple(every_header), notes=notes)]


MAX_UNMAPPED = 200
"""Unmapped columns `validate` reads and lists per file. JSON Lines with 10,000 distinct keys
made a frame of 10,000 × 10,000 cells (292 s, 2.3 GB; issue 19 item 8); the rest are counted
in a note."""


def _bounded(
    headers: list[str], found: dict[str, str], match: Match, left_out: list[int]
) -> list[str]:
    """`headers` less the unmapped ones after the first `MAX_UNMAPPED` (their number is
    appended to `left_out`): mapped and preset columns are always kept."""
    if len(headers) <= MAX_UNMAPPED:
        return headers
    needed = set(found.values()) | set(match.keep())
    others = [h for h in headers if h not in needed]
    shown = set(others[:MAX_UNMAPPED])
    left_out.append(len(others) - len(shown))
    return [h for h in headers if h in needed or h in shown]


def _names(
    found: dict[str, str],
    mapping: dict[str, str],
    frame: Frame,
    matches: tuple[Match, Match],
    label: str,
) -> dict[str, str]:
    """New names for one file's mapped columns: the first file's name for the same canonical
    column, so that files whose headers are spelled differently stack column by column. A
    duration in another unit, or a timestamp in another zone written in the header
    (`Created at (America/New_York)`), than the first file's is refused rather than mixed.
    `matches`: this file's preset match and the first file's."""
    names = {source: mapping[canon] for canon, source in found.items() if mapping[canon] != source}
    kinds = {c.name: c.kind for c in COLUMNS[frame]}
    own, first_match = matches
    for canon, source in found.items():
        first = mapping[canon]
        if kinds.get(canon) == "duration":
            what, same = "units", parse.unit_from_name(source) == parse.unit_from_name(first)
        else:
            what, same = "time zones", own.zones.get(source) == first_match.zones.get(first)
        if not same:
            raise InputError(
                f"{label}: '{source}' and '{first}' (both {canon}) are in different {what}; "
                "read the files separately or convert one"
            )
    return names


def _renamed(kept: list[str], names: dict[str, str], label: str) -> dict[str, str]:
    """kept column → the name it is read under; a file that keeps a column under a name the
    renaming gives another is refused rather than mixed."""
    clash = sorted(set(names.values()) & (set(kept) - set(names)))
    if clash:
        raise InputError(
            f"{label}: '{clash[0]}' names different columns in different files; "
            "read the files separately or rename one"
        )
    return {h: names.get(h, h) for h in kept}


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
            delimiter=options.delimiter,
            quote=options.quote,
            decimal=options.decimal,
            sheet=options.sheet,
            columns=peek,
        )
        groups.setdefault(found[0], []).append(path)
    return list(groups.values())
