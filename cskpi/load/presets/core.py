"""Preset registry and detection: which preset a header is, and what it maps.

Mapping order (normalize): explicit `--map`, then the preset, then the alias table; headers a
preset knows to be traps (rounded hours, business minutes) are never alias-mapped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cskpi.errors import UsageError, did_you_mean
from cskpi.load.presets.model import TZ, Preset
from cskpi.load.presets.surveys import CHATWOOT_CSAT_CSV, ZENDESK_RATINGS_JSON
from cskpi.load.presets.tickets import (
    FRESHDESK_CSV,
    INTERCOM_CSV,
    ZAMMAD_XLSX,
    ZENDESK_CSV,
    ZENDESK_METRICS_JSON,
    ZENDESK_TICKETS_JSON,
)
from cskpi.load.schema import Frame, squash

if TYPE_CHECKING:
    import pandas as pd

PRESETS: tuple[Preset, ...] = (
    ZENDESK_CSV,
    ZENDESK_TICKETS_JSON,
    ZENDESK_METRICS_JSON,
    ZENDESK_RATINGS_JSON,
    FRESHDESK_CSV,
    INTERCOM_CSV,
    CHATWOOT_CSAT_CSV,
    ZAMMAD_XLSX,
)
BY_NAME: dict[str, Preset] = {p.name: p for p in PRESETS}
CHOICES = ("auto", "none", *BY_NAME)


def check_choice(choice: str) -> str:
    """`--preset` value → itself; exit 2 on an unknown name, with the nearest."""
    if choice not in CHOICES:
        raise UsageError(
            f"--preset {choice}: unknown preset{did_you_mean(choice, CHOICES)}; "
            f"use auto, none or one of {', '.join(BY_NAME)}"
        )
    return choice


def _key(text: str) -> str:
    """Comparison key of a header or label: `#` (Zammad) stays `#`, `-101` keeps its sign."""
    key = squash(text)
    return ("-" + key if text.strip().startswith("-") else key) if key else text.strip()


def find(headers: Sequence[str], index: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """(actual header, zone written in it or "") for a preset header name, or None."""
    if TZ not in name:
        hit = index.get(_key(name))
        return (hit, "") if hit is not None else None
    before, _, after = name.partition(TZ)
    pattern = re.compile(
        rf"^\s*{re.escape(before)}(?P<tz>[A-Za-z][\w+\-/]*)"
        rf"{re.escape(after)}\s*$",
        re.IGNORECASE,
    )
    return next(((h, m["tz"]) for h in headers if (m := pattern.match(h))), None)


@dataclass(frozen=True)
class Match:
    """The preset chosen for one header (or None: aliases only) and why."""

    preset: Preset | None
    matched: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    forced: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    """preset header name → actual header, for every preset header present."""
    zones: Mapping[str, str] = field(default_factory=dict)
    """actual header → zone written in it."""
    notes: tuple[str, ...] = ()
    near: Preset | None = None
    """A preset the header nearly matched: its trap headers stay away from the aliases."""

    @property
    def key(self) -> str:
        return self.preset.name if self.preset else ""

    @property
    def zone(self) -> str | None:
        """The one zone named in the headers (Intercom), if there is exactly one."""
        zones = set(self.zones.values())
        return zones.pop() if len(zones) == 1 else None

    def target(self, frame: Frame) -> Frame:
        """The frame to read: a surveys preset given as tickets is read as surveys."""
        return self.preset.frame if self.preset is not None else frame

    def header(self, name: str | None) -> str | None:
        return self.headers.get(name) if name else None

    def _present(self, names: Sequence[str | None]) -> set[str]:
        return {h for n in names if n and (h := self.headers.get(n))}

    def mapping(self) -> dict[str, str]:
        """canonical (and business duration) column → actual header."""
        if self.preset is None:
            return {}
        out = {c: h for c, n in self.preset.columns.items() if (h := self.headers.get(n))}
        for d in self.preset.durations:
            if d.column not in out and (h := self.headers.get(d.header)):
                out[d.column] = h
        return out

    def reserved(self) -> set[str]:
        """Headers the alias table must leave alone: traps, business durations, ratings
        (also on a near miss, so a fallback never reads business minutes as calendar)."""
        preset = self.preset or self.near
        if preset is None:
            return set()
        names = [*preset.ignore, *(d.header for d in preset.durations if d.business)]
        r = preset.ratings
        return self._present([*names, r.score if r and preset.frame is Frame.TICKETS else None])

    def keep(self) -> set[str]:
        """Headers the read plan must keep besides mapped ones (ratings, summary lines)."""
        if self.preset is None:
            return set()
        r, summary = self.preset.ratings, self.preset.summary
        return self._present(
            [*((r.score, r.agent, r.submitted_at) if r else ()), summary[0] if summary else None]
        )

    def unit(self, header: str) -> float | None:
        if self.preset is None:
            return None
        return next(
            (d.unit for d in self.preset.durations if self.headers.get(d.header) == header), None
        )

    def vocab(self, column: str) -> Mapping[str, str]:
        return self.preset.vocab.get(column, {}) if self.preset else {}

    def as_json(self) -> dict[str, object] | None:
        if self.preset is None:
            return None
        return {
            "name": self.preset.name,
            "title": self.preset.title,
            "forced": self.forced,
            "matched": list(self.matched),
            "missing": list(self.missing),
            "zone": self.zone,
            "caveats": list(self.preset.caveats),
        }


def _probe(preset: Preset, headers: Sequence[str], index: Mapping[str, str]) -> Match:
    found: dict[str, str] = {}
    zones: dict[str, str] = {}
    r = preset.ratings
    names = {
        *preset.signature,
        *preset.columns.values(),
        *preset.ignore,
        *(d.header for d in preset.durations),
        *(n for n in ((r.score, r.agent, r.submitted_at) if r else ()) if n),
        *(preset.summary[:1] if preset.summary else ()),
    }
    for name in names:
        hit = find(headers, index, name)
        if hit is not None:
            found[name] = hit[0]
            if hit[1]:
                zones[hit[0]] = hit[1]
    matched = tuple(found[n] for n in preset.signature if n in found)
    missing = tuple(n.replace(TZ, "<zone>") for n in preset.signature if n not in found)
    return Match(preset, matched, missing, headers=found, zones=zones)


def detect(headers: Sequence[str], frame: Frame, choice: str = "auto") -> Match:
    """The preset for `headers`: forced by name, none, or the full signature match with the
    most columns. A near miss (a few signature columns absent) falls back to the aliases with a
    note naming the missing columns."""
    check_choice(choice)
    if choice == "none":
        return Match(None)
    index: dict[str, str] = {}
    for header in headers:
        index.setdefault(_key(header), header)
    if choice != "auto":
        match = _probe(BY_NAME[choice], headers, index)
        note = (
            f"--preset {choice}: the file lacks {', '.join(match.missing)}; mapped what is there"
            if match.missing
            else ""
        )
        return _fit(
            Match(
                match.preset,
                match.matched,
                match.missing,
                True,
                match.headers,
                match.zones,
                (note,) if note else (),
            ),
            frame,
        )
    probes = [_probe(p, headers, index) for p in PRESETS]
    full = [m for m in probes if not m.missing]
    if full:
        return _fit(max(full, key=lambda m: len(m.matched)), frame)
    near = [
        m
        for m in probes
        if len(m.matched) >= 3 and 0 < len(m.missing) <= max(1, len(m.matched) // 3)
    ]
    if not near:
        return Match(None)
    best = max(near, key=lambda m: len(m.matched) / (len(m.matched) + len(m.missing)))
    assert best.preset is not None
    note = (
        f"looks like a {best.preset.title} but lacks {', '.join(best.missing)}: read with "
        "the generic column names instead (rename the column back, map it with --map, or "
        f"force --preset {best.preset.name})"
    )
    return Match(
        None, best.matched, best.missing, headers=best.headers, notes=(note,), near=best.preset
    )


def _fit(match: Match, frame: Frame) -> Match:
    """A ticket export named as a survey file is not read with its ticket preset."""
    preset = match.preset
    if preset is None or preset.frame is frame or frame is Frame.TICKETS:
        return match
    return Match(
        None,
        notes=(
            f"{preset.title} given as a survey file: read with the generic "
            "column names (give it as a ticket export instead)",
        ),
    )


def translate(raw: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """Values found in a preset vocabulary (keys compared like headers) → canonical; "" → none."""
    import pandas as pd

    if not table:
        return raw
    keyed = {_key(k): v for k, v in table.items()}
    values = pd.Series(pd.unique(raw.dropna()))
    lookup = {v: keyed.get(_key(str(v)), v) for v in values}
    out = raw.map(lookup)
    return out.where(out != "")


def extract(raw: pd.Series, pattern: str) -> pd.Series:
    """Group 1 of `pattern` where it matches; the value itself elsewhere."""
    text = raw.astype("str").where(raw.notna())
    found = text.str.extract(pattern, expand=False)
    return found.where(found.notna(), text)


def summary_rows(data: pd.DataFrame, match: Match) -> pd.Series | None:
    """Mask of summary lines (Chatwoot `Reporting period …`) to skip, or None."""
    if match.preset is None or match.preset.summary is None:
        return None
    header = match.headers.get(match.preset.summary[0])
    if header is None or header not in data:
        return None
    hit = data[header].astype("str").str.match(match.preset.summary[1], na=False)
    hit &= data[header].notna()
    others = data.drop(columns=[header])
    return hit & (others.isna().all(axis=1) if others.shape[1] else True)
