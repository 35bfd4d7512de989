"""Raw export frame → canonical tickets or surveys frame (DATA.md), counting what is unusable.

Mapping order: explicit `--map` / `[columns]`, then presets, then the alias table,
compared case-, space- and punctuation-insensitively with unit suffixes ignored
(`Handle Time (s)` → `handle_seconds`). Unmapped columns are kept under their own names so
they can be used with `--by`.

Split by concept, each module importing only the ones below it (never this package):

- `options`: `LoadOptions` and `Loaded`, the types the others share;
- `mapping`: source columns → canonical ones (`--map`, presets, aliases);
- `columns`: raw columns → typed canonical columns (labels, survey scores);
- `dedupe`: one row per key, and the column-at-a-time row filter;
- `finish`: the final tickets / surveys frame and its quality counts;
- `core`: one raw input through all of the above (`normalize`);
- `frames`: files → canonical frames (`read_frames`, `read_frame`);
- `combine`: frames from loaded frames (`ratings_as_surveys`, `join_supplement`).

This package only re-exports; pandas is imported by the functions that use it.
"""

from __future__ import annotations

from cskpi.load.normalize.columns import labels
from cskpi.load.normalize.combine import (
    join_supplement,
    ratings_as_surveys,
    text_ids,
    text_ids_if_mixed,
)
from cskpi.load.normalize.core import normalize, short_lines
from cskpi.load.normalize.frames import read_frame, read_frames
from cskpi.load.normalize.mapping import (
    explicit_for,
    mapping_for,
    missing_required,
    resolve_mapping,
)
from cskpi.load.normalize.options import Loaded, LoadOptions

__all__ = [
    "LoadOptions",
    "Loaded",
    "explicit_for",
    "join_supplement",
    "labels",
    "mapping_for",
    "missing_required",
    "normalize",
    "ratings_as_surveys",
    "read_frame",
    "read_frames",
    "resolve_mapping",
    "short_lines",
    "text_ids",
    "text_ids_if_mixed",
]
