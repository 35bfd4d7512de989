"""The types every step of normalisation shares: how to read (`LoadOptions`) and what comes
out (`Loaded`: one canonical frame, its mapping, files, quality counts and notes).

The lowest module of `cskpi.load.normalize`: it imports none of the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from cskpi.config import Config
from cskpi.load.presets import Match
from cskpi.load.quality import FrameQuality
from cskpi.load.schema import Frame

if TYPE_CHECKING:
    import pandas as pd

    from cskpi.load.readers import FileInfo


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
    delimiter: str | None = None
    """`--delimiter`; None: sniffed per CSV from its header line (DECISIONS 47)."""
    quote: str | None = None
    """`--quote`: a character, "" for none; None: `"`, none for tab-separated files."""
    decimal: str | None = None
    """`--decimal , or .`; None: `,` in `;`-separated files."""
    now: datetime | None = None
    """The run's "now": the wall clock read once at the edge (the command line, `cskpi.load`),
    or an explicit `--as-of` when that is later. A timestamp more than a day after it, or
    before 1970, is implausible (DECISIONS 40, `cskpi.load.plausible`). None: no upper bound
    (nothing below the edge reads the clock)."""
    mark_derived: bool = False
    """The Dask engine's parts: each kept ticket says, in `DERIVED_FAR`
    (`cskpi.load.normalize.finish`), which of its times derived from a duration were
    implausible and counted, so a duplicate dropped across parts can take its count back."""


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
    headers: tuple[str, ...] = ()
    """Every column of the files, before a read plan kept some (for "no such column" errors);
    empty when not known."""
    slots: tuple[tuple[str, int], ...] = ()
    """Each issue the column-by-column parse counted, with where it was first counted (the
    column's place, then implausible / DST shift / unparseable): the Dask engine orders the
    reasons of several files as the parse of all of them at once would have found them."""
