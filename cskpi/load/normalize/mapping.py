"""Source columns → canonical columns, for one file's headers.

Mapping order: explicit `--map` / `[columns]`, then presets, then the alias table,
compared case-, space- and punctuation-insensitively with unit suffixes ignored
(`Handle Time (s)` → `handle_seconds`). A missing required column exits 4 naming the closest
headers and the `--map` that fixes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from cskpi.errors import InputError, UsageError, did_you_mean, nearest_many
from cskpi.load import presets
from cskpi.load.normalize.kinds import TICKET_LIFE, looks_like, wrong_kind_message
from cskpi.load.presets import BUSINESS_COLUMNS, Match
from cskpi.load.readers.dialect import delimiter_hint
from cskpi.load.schema import COLUMNS, Column, Frame, squash

if TYPE_CHECKING:
    from cskpi.load.normalize.options import LoadOptions


_UNIT_SUFFIX = re.compile(
    r"(\s*[\(\[][^\)\]]*[\)\]]\s*$)|(_?in_?(seconds|secs|minutes|mins|hours|hrs|ms)$)"
    r"|(_(seconds|secs|minutes|mins|hours|hrs|ms)$)",
    re.IGNORECASE,
)


_DURATION_SUFFIX = re.compile(
    r"(\s*[\(\[]\s*(in\s+)?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|ms|days?|d)\s*[\)\]]\s*$)"
    r"|([\s_]+(in[\s_]+)?(seconds?|secs?|minutes?|mins?|hours?|hrs?|ms|days?)$)",
    re.IGNORECASE,
)
"""A unit at the end of a header (`(seconds)`, `_minutes`, ` in hrs`): the column is a
duration, never a timestamp (`first_response_seconds` is not `first_response_at`)."""


# A header's keys are worked out once per process, not once per `resolve_mapping`: a file
# refused as tickets is mapped as every other kind too (`looks_like`), nine passes over the
# same headers, and each key scans the whole header. A file whose one header is a 10 MB field
# took 87 s to refuse; a few seconds with these caches (the one pass each key needs).


@lru_cache(maxsize=4096)
def _keys(name: str) -> frozenset[str]:
    return frozenset({squash(name), squash(_UNIT_SUFFIX.sub("", name))} - {""})


@lru_cache(maxsize=4096)
def _bare(name: str) -> str:
    """`name` without its unit suffix, squashed (`first_response_seconds` → `firstresponse`)."""
    return squash(_DURATION_SUFFIX.sub("", name))


@lru_cache(maxsize=4096)
def _is_duration(name: str) -> bool:
    """`name` ends in a unit (`_DURATION_SUFFIX`)."""
    return _DURATION_SUFFIX.search(name) is not None


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
"""Frames read from files of their own (the business inputs)."""


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
    exact: dict[str, str] = {}
    for header in headers:
        exact.setdefault(squash(header), header)
    by_key = _by_key(headers, exact)
    plain = _by_key([h for h in headers if not _is_duration(h)], exact)
    durations: dict[str, str] = {}  # bare key → header, for headers that end in a unit
    for header in headers:
        if _is_duration(header):
            durations.setdefault(_bare(header), header)
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
    for col in COLUMNS[frame]:  # an exact canonical name wins over every alias
        hit = exact.get(squash(col.name))
        if col.name not in mapping and hit is not None and hit not in used:
            mapping[col.name] = hit
            used.add(hit)
    for col in COLUMNS[frame]:
        if col.name in mapping:
            continue
        for hit in _candidates(col, plain if col.kind == "time" else by_key, durations):
            if hit not in used:
                mapping[col.name] = hit
                used.add(hit)
                break
    return mapping


def _by_key(headers: Sequence[str], exact: dict[str, str]) -> dict[str, str]:
    """Comparison key → header: a header's own name first, then its name without a suffix
    (so `First Response` is found as such even after `First Response (minutes)`)."""
    given = set(headers)
    by_key = {key: header for key, header in exact.items() if header in given}
    for header in headers:
        for key in _keys(header):
            by_key.setdefault(key, header)
    return by_key


def _candidates(col: Column, by_key: dict[str, str], durations: dict[str, str]) -> list[str]:
    """The headers that may feed `col`, best first: its name and aliases (for a timestamp,
    `by_key` holds no header ending in a unit), then, for a duration, its bare name with any
    unit (`first_response_minutes` → `first_response_seconds`)."""
    hits = [by_key.get(squash(candidate)) for candidate in (col.name, *col.aliases)]
    found = [h for h in hits if h is not None]
    if col.kind == "duration" and (bare := durations.get(_bare(col.name))) is not None:
        found.append(bare)
    return found


def _short(name: str, width: int = 60) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _listing(headers: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(_short(h) for h in headers[:limit])
    return shown + (f", … ({len(headers)} columns)" if len(headers) > limit else "")


def missing_required(
    headers: Sequence[str],
    frame: Frame,
    mapping: dict[str, str],
    label: str,
    can_default: set[str],
    match: Match | None = None,
) -> None:
    """Exit 4 naming every missing required column, the closest headers and the fix.

    Tickets that look like another input (surveys, customers, ...) are a usage error naming
    the option that takes them; a column held back by a preset the header nearly matches is
    explained, never "mapped" to itself."""
    missing = [
        c
        for c in COLUMNS[frame]
        if c.required and c.name not in mapping and c.name not in can_default
    ]
    if not missing:
        return
    if match is not None and match.near is not None:
        _held_back(headers, frame, [c.name for c in missing], label, match)
    if frame is Frame.TICKETS:
        _not_tickets(headers, label)
    held = match.reserved() if match is not None else set()
    free = [h for h in headers if h not in {*mapping.values(), *held} and len(h) <= 200][:500]
    fixes = []
    for col in missing:
        close = nearest_many(col.name, free) or free[:1]
        fixes.append(f"--map {col.name}={_quote(_short(close[0])) if close else 'COLUMN'}")
        if close:
            free.remove(close[0])  # never suggest one column for two canonical names
    names = ", ".join(c.name for c in missing)
    hint = delimiter_hint(list(headers))
    if hint is not None:  # one header holding the others: cut at the wrong delimiter
        raise InputError(
            f"{label}: no column for {names}; found: {_listing(list(headers))}\n"
            f"the header looks cut at the wrong delimiter: use {hint}"
        )
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
    missing_required(headers, frame, mapping, label, defaults, match)
    if frame is Frame.TICKETS and not set(TICKET_LIFE) & set(mapping):
        _not_tickets(headers, label, only=Frame.MESSAGES)
    return mapping


def _not_tickets(headers: Sequence[str], label: str, only: Frame | None = None) -> None:
    """Exit 2 when `headers` given as tickets pass for another input (`only`: that one)."""

    def resolve(kind: Frame) -> dict[str, str]:
        wanted = kind in (only, Frame.TICKETS) or only is None
        return resolve_mapping(headers, kind, {}, label) if wanted else {}

    found = looks_like(headers, resolve)
    if found is not None:
        raise UsageError(wrong_kind_message(label, headers, *found))


def _held_back(
    headers: Sequence[str], frame: Frame, missing: list[str], label: str, match: Match
) -> None:
    """Exit 4 when a missing column is there but set aside for the preset the header nearly
    matches (Zendesk satisfaction ratings keep `created_at` away from the survey time)."""
    plain = resolve_mapping(headers, frame, {}, label)
    held = match.reserved()
    for name in missing:
        header = plain.get(name)
        if header is None or header not in held or match.near is None:
            continue
        raise InputError(
            f"{label}: {header} is set aside: the header nearly matches {match.near.title} "
            f"(it lacks {', '.join(match.missing)}), which does not read {header} as {name}\n"
            f"if the file is not one, use --preset none; if it is, export it with "
            f"{', '.join(match.missing)}"
        )


def _quote(header: str) -> str:
    return f'"{header}"' if re.search(r"[\s\"'$`]", header) else header
