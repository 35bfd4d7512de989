"""JSON documents and JSON Lines: records flattened into text columns.

A document is an array of objects, or an API response holding one (`_RECORD_KEYS` settle which);
one object per line under a .json name is read as JSON Lines. Nested objects become `a.b`
columns, other non-strings their JSON text. A bad line of JSON Lines is `Malformed`; any error
in a document refuses the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cskpi.errors import InputError
from cskpi.load.readers.frames import MAX_COLUMNS, prune, text_frame
from cskpi.load.readers.model import Malformed, Options, Part
from cskpi.load.readers.source import Source
from cskpi.load.readers.text import DIRTY, decode, dirty_reason

_RECORD_KEYS = ("tickets", "surveys", "satisfaction_ratings", "results", "data", "records")


def read_json(src: Source, opts: Options) -> Part:
    decoded = decode(src, opts, "JSON")
    text, encoding = decoded.text, decoded.encoding
    try:
        doc = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # one object per line under a .json name
            return _jsonl_part(src.name, text, encoding, opts, decoded.dirty)
        raise InputError(
            f"{src.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            + _json_hint(text, exc)
        ) from exc
    except RecursionError as exc:
        raise InputError(f"{src.name}: JSON nested too deeply to be an export") from exc
    if decoded.dirty:
        found = DIRTY.search(text)
        bad = text.count("\n", 0, found.start() if found else 0) + 1
        raise InputError(
            f"{src.name}: line {bad}: {dirty_reason(text)}; save the file as UTF-8 text"
        )
    records = _json_records(src.name, doc)
    return _records_part(src.name, records, range(1, len(records) + 1), encoding, opts)


def _integer(text: str) -> int | str:
    """A JSON integer; one too long for Python's int (> 4,300 digits) stays its text, which no
    column reads as a number (counted where it is used), instead of failing the file."""
    return int(text) if len(text) <= 4000 else text


def _json_hint(text: str, exc: json.JSONDecodeError) -> str:
    """'; it looks like CSV: ...' when a .json file holds delimited text."""
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if exc.pos > len(text) - len(text.lstrip("\ufeff \t\r\n")) or first.startswith(("{", "[")):
        return ""
    for delimiter, fmt in (("\t", "tsv"), (",", "csv")):
        if delimiter in first:
            return f"; it looks like {fmt.upper()}: use --input-format {fmt}"
    return ""


def _jsonl_part(name: str, text: str, encoding: str, opts: Options, dirty: bool = False) -> Part:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    malformed: list[Malformed] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if dirty and (why := dirty_reason(line)) is not None:
            malformed.append(Malformed(name, number, why))
            continue
        try:
            record = json.loads(line, parse_int=_integer)
        except json.JSONDecodeError as exc:
            malformed.append(Malformed(name, number, f"not valid JSON ({exc.msg})"))
            continue
        except RecursionError:
            malformed.append(Malformed(name, number, "JSON nested too deeply"))
            continue
        if isinstance(record, dict):
            records.append(record)
            lines.append(number)
        else:
            malformed.append(Malformed(name, number, "not a JSON object"))
    if not records:
        raise InputError(f"{name}: no records found (expected one JSON object per line)")
    part = _records_part(name, records, lines, encoding, opts)
    part.malformed = malformed
    return part


def _json_records(name: str, doc: object) -> list[dict[str, Any]]:
    """The records of an array, or of the one array of objects an API response holds."""
    if isinstance(doc, dict):
        found = [k for k, v in doc.items() if v and isinstance(v, list) and _objects(v)]
        preferred = [k for k in _RECORD_KEYS if k in found]
        if len(found) > 1 and not preferred:
            raise InputError(
                f"{name}: several arrays of records ({', '.join(found)}); "
                "cannot tell which holds the rows"
            )
        doc = doc[(preferred or found)[0]] if found else []
    if not isinstance(doc, list) or not doc:
        raise InputError(
            f"{name}: no records found (expected an array of objects or an object holding one)"
        )
    if not _objects(doc):
        index = next(i for i, v in enumerate(doc, 1) if not isinstance(v, dict))
        raise InputError(f"{name}: record {index} is not an object")
    return doc


def _objects(values: list[Any]) -> bool:
    return all(isinstance(v, dict) for v in values)


def _records_part(
    name: str, records: list[dict[str, Any]], lines: Sequence[int], encoding: str, opts: Options
) -> Part:
    try:
        flat = [_flatten(_unwrap(r), "", {}) for r in records]
    except RecursionError as exc:
        raise InputError(f"{name}: JSON nested too deeply to be an export") from exc
    names = list(dict.fromkeys(k for r in flat for k in r))
    names, warnings = _densest(name, flat, names, MAX_COLUMNS)  # before matching the names
    keep = [names[i] for i in prune(names, opts.columns)]
    keep, more = _densest(name, flat, keep)
    warnings += more
    frame = text_frame({n: [r.get(n) for r in flat] for n in keep}, len(flat))
    return Part(frame, lines, encoding=encoding, warnings=warnings)


CELLS = 10_000_000
"""Cells a JSON file's frame may hold (at least `CELLS_PER_ROW` per record): records with many
distinct keys make a frame of rows × keys mostly empty cells (issue 19 item 8)."""
CELLS_PER_ROW = 64


def _densest(
    name: str, flat: list[dict[str, str | None]], keep: list[str], most: int | None = None
) -> tuple[list[str], list[str]]:
    """`keep` less the keys found in fewest records when rows × keys exceeds the cell budget
    (or there are more than `most`), with a warning naming how many were left out."""
    room = max(CELLS, CELLS_PER_ROW * len(flat)) // max(len(flat), 1)
    room = room if most is None else most
    if len(keep) <= room:
        return keep, []
    from collections import Counter

    wanted = set(keep)
    count = Counter(k for r in flat for k in r if k in wanted)
    kept = set(sorted(keep, key=lambda k: -count[k])[:room])  # stable: file order on ties
    return [k for k in keep if k in kept], [
        f"{name}: {len(keep) - len(kept):,} keys found in few records not read "
        f"({len(keep):,} distinct keys; the {room:,} most frequent are read)"
    ]


def _unwrap(record: dict[str, Any]) -> dict[str, Any]:
    """`{"ticket": {...}}` (Zendesk incremental export) -> the inner object."""
    if len(record) == 1:
        (value,) = record.values()
        if isinstance(value, dict):
            return value
    return record


def _flatten(
    record: dict[str, Any], prefix: str, out: dict[str, str | None]
) -> dict[str, str | None]:
    """Nested objects become `a.b` columns; other non-strings become their JSON text."""
    for key, value in record.items():
        if isinstance(value, dict) and value:
            _flatten(value, f"{prefix}{key}.", out)
        elif value is None or (isinstance(value, str | list | dict) and not value):
            out[f"{prefix}{key}"] = None
        else:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            out[f"{prefix}{key}"] = text
    return out


def jsonl_lines(src: Source, opts: Options) -> Part:
    decoded = decode(src, opts, "JSON Lines")
    return _jsonl_part(src.name, decoded.text, decoded.encoding, opts, decoded.dirty)
