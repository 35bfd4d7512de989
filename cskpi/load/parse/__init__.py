"""Vectorised value parsers: timestamps, durations, integers, booleans, labels, scores.

Each parser takes a raw column (strings from text formats, typed values from Parquet/XLSX) and
returns the canonical dtype plus the number of non-empty values it could not read, so that
normalisation can count them (nothing is dropped silently).

Modules: `text` (the Parsed result and Arrow text helpers every parser uses), `times`
(timestamps), `durations`, `values` (integers, booleans, distinct labels, ids). This package
re-exports their names; its modules import one another directly, never it.
"""

from __future__ import annotations

from cskpi.load.parse.durations import MAX_DURATION, parse_durations, unit_from_name
from cskpi.load.parse.text import (
    Parsed,
    decimal_commas,
    is_present,
    matches,
    only_filled,
    text_array,
    text_chunks,
)
from cskpi.load.parse.times import (
    EXCEL_EPOCH,
    EXCEL_MAX_SERIAL,
    TimeOptions,
    as_utc,
    parse_times,
    plain_form,
    same_form,
)
from cskpi.load.parse.values import distinct, parse_bools, parse_ids, parse_ints

__all__ = [
    "EXCEL_EPOCH",
    "EXCEL_MAX_SERIAL",
    "MAX_DURATION",
    "Parsed",
    "TimeOptions",
    "as_utc",
    "decimal_commas",
    "distinct",
    "is_present",
    "matches",
    "only_filled",
    "parse_bools",
    "parse_durations",
    "parse_ids",
    "parse_ints",
    "parse_times",
    "plain_form",
    "same_form",
    "text_array",
    "text_chunks",
    "unit_from_name",
]
