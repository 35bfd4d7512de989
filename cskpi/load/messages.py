"""Read `--messages` and `--events` files into canonical frames (columns: `schema`, shapes:
`shapes`), counting what is unusable. Any format the readers know; the vendor shape is
recognised from the header; `--map messages.author_role=Sender` (or `events.`) overrides.

Mapping order: explicit `--map`, the vendor shape, then the alias table. Rows without a ticket
id or a readable time, and messages whose author role cannot be told, are dropped and counted;
a message without a visibility flag is public.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cskpi.errors import InputError
from cskpi.load import parse
from cskpi.load.plausible import implausible
from cskpi.load.quality import FrameQuality
from cskpi.load.schema import COLUMNS, Frame, squash
from cskpi.load.shapes import (
    BY_NAME,
    PRIVATE_ALIASES,
    ROLE_WORDS,
    ROLES,
    Found,
    Rule,
    Shape,
    detect,
)

if TYPE_CHECKING:
    import pandas as pd

    from cskpi.load.fold import Conversation
    from cskpi.load.normalize import Loaded, LoadOptions
    from cskpi.load.presets import Match
    from cskpi.load.readers import RawInput


def read_conversation(
    paths: Sequence[str],
    frame: Frame,
    options: LoadOptions,
    stdin: Any = None,
    requesters: pd.Series | None = None,
) -> Loaded:
    """One canonical messages or events frame from `paths` (files, globs, `-`).

    `requesters` (ticket id → customer id) gives an author role to shapes without one
    (Zendesk comments: the requester is the customer)."""
    from cskpi.load.normalize import explicit_for, missing_required, resolve_mapping, short_lines
    from cskpi.load.readers import read_inputs

    explicit = explicit_for(frame, options.mapping)
    label = ", ".join(paths) if len(paths) <= 2 else f"{paths[0]} (+{len(paths) - 1} files)"

    def keep(headers: list[str]) -> list[str]:
        found = detect(headers, frame.value)
        mapping = _mapping(headers, frame, found, explicit, label, resolve_mapping)
        if found.shape is None or not found.shape.explode:  # name every column the file has
            missing_required(headers, frame, mapping, label, _defaults(found))
        wanted = {*mapping.values(), *found.headers.values()}
        wanted |= {h for h in headers if squash(h) in {squash(a) for a in PRIVATE_ALIASES}}
        return [h for h in headers if h in wanted]

    fmt = options.input_format if "-" in paths else None
    raw = read_inputs(
        paths,
        input_format=fmt,
        encoding=options.encoding,
        delimiter=options.delimiter,
        quote=options.quote,
        decimal=options.decimal,
        sheet=options.sheet,
        stdin=stdin,
        columns=keep,
    )
    data = raw.frame
    found = detect([str(c) for c in data.columns], frame.value)
    if found.shape is not None and found.shape.explode:
        data, found = _explode(data, found)
    headers = [str(c) for c in data.columns]
    mapping = _mapping(headers, frame, found, explicit, label, resolve_mapping)
    shape = found.shape
    missing_required(headers, frame, mapping, label, _defaults(found))
    quality = FrameQuality(read=len(data) + len(raw.malformed)).skipped(raw.malformed)
    quality = short_lines(raw, raw.frame, quality, _places(raw, raw.frame))
    notes = [f"{label}: recognised as {shape.title}"] if shape is not None else []
    data, quality = _apply_filter(data, found, quality, raw)
    out, quality, more = (_messages if frame is Frame.MESSAGES else _events)(
        data, mapping, found, options, quality, raw, requesters
    )
    pairs = tuple((mapping[c.name], c.name) for c in COLUMNS[frame] if c.name in mapping)
    unmapped = tuple(h for h in headers if h not in mapping.values())
    from cskpi.load.normalize import Loaded

    return Loaded(
        out.reset_index(drop=True),
        frame,
        pairs,
        unmapped,
        raw.files,
        quality,
        (*notes, *more),
        None,
        _as_match(found),
    )


def _defaults(found: Found) -> set[str]:
    """Required columns a shape's rules supply (author roles, statuses)."""
    shape = found.shape
    out = set()
    if shape is not None and (shape.requester_is_customer or any(r.role for r in shape.rules)):
        out.add("author_role")
    if shape is not None and any(r.status for r in shape.rules):
        out.add("status")
    return out


def _mapping(
    headers: list[str],
    frame: Frame,
    found: Found,
    explicit: dict[str, str],
    label: str,
    resolve: Any,
) -> dict[str, str]:
    """canonical → source: explicit `--map`, then the shape's columns, then aliases."""
    shape_map = (
        {}
        if found.shape is None
        else {
            canon: hit
            for canon, name in found.shape.columns.items()
            if (hit := found.header(name)) is not None and hit in headers
        }
    )
    rule_headers = {
        h
        for r in (found.shape.rules if found.shape else ())
        if (h := found.header(r.header)) is not None
    }
    mapping: dict[str, str] = resolve(headers, frame, {**shape_map, **explicit}, label)
    # a header a shape reads through its rules is not also an alias for another column
    return {
        c: s for c, s in mapping.items() if s not in rule_headers or c in explicit or c in shape_map
    }


def _explode(data: pd.DataFrame, found: Found) -> tuple[pd.DataFrame, Found]:
    """Rows of a JSON-list column (Zendesk audit `events`) → one row per sub-record, with the
    parent's other columns; sub-record fields read as `<column>.<field>`."""
    import json

    import numpy as np
    import pandas as pd

    assert found.shape is not None and found.shape.explode
    column = found.header(found.shape.explode) or found.shape.explode
    texts = data[column].to_numpy(dtype=object)
    parsed = [json.loads(t) if isinstance(t, str) and t.startswith("[") else [] for t in texts]
    lengths = np.fromiter((len(p) for p in parsed), dtype="int64", count=len(parsed))
    records = [r if isinstance(r, dict) else {} for p in parsed for r in p]
    sub = pd.DataFrame.from_records(records).add_prefix(f"{column}.").astype("str")
    sub = sub.where(sub != "None")
    rows: np.ndarray = np.repeat(np.arange(len(data)), lengths)
    parent = data.drop(columns=[column]).iloc[rows]
    out = pd.concat([parent.reset_index(drop=True), sub.reset_index(drop=True)], axis=1)
    out.index = data.index[rows]  # examples name the record the sub-record came from
    index = {squash(str(h)): str(h) for h in out.columns}
    names = {*found.shape.columns.values(), *(r.header for r in found.shape.rules)}
    hits = {n: index[squash(n)] for n in names if squash(n) in index}
    return out, Found(found.shape, {**found.headers, **hits})


def _rule_mask(data: pd.DataFrame, found: Found, rule: Rule) -> pd.Series | None:
    """Rows where the rule's header holds one of its values (compared like headers)."""
    import numpy as np
    import pandas as pd

    header = found.header(rule.header)
    if header is None or header not in data:
        return None
    cat = data[header].astype("str").where(data[header].notna()).astype("category")
    keys = pd.Series(cat.cat.categories).astype("str").map(squash)
    hit = keys.isin([squash(v) for v in rule.values]) if rule.values else keys != ""
    codes = cat.cat.codes.to_numpy()
    mask = (
        np.where(codes >= 0, hit.to_numpy()[np.maximum(codes, 0)], False)
        if len(hit)
        else np.zeros(len(codes), dtype=bool)
    )
    return pd.Series(mask, index=data.index)


def _apply_filter(
    data: pd.DataFrame, found: Found, quality: FrameQuality, raw: RawInput
) -> tuple[pd.DataFrame, FrameQuality]:
    """Drop records a shape says are not messages / status changes (counted, by rule)."""
    import pandas as pd

    shape = found.shape
    if shape is None:
        return data, quality
    matched = pd.Series(False, index=data.index)
    dropped = pd.Series(False, index=data.index)
    for rule in shape.rules:
        mask = _rule_mask(data, found, rule)
        if mask is not None:
            dropped |= mask & ~matched & (not rule.keep)
            matched |= mask
    if not shape.keep_unmatched:
        dropped |= ~matched
    reason = "not_a_status_change" if shape.frame == "events" else "not_a_message"
    quality = quality.drop(reason, int(dropped.sum()))
    return data[~dropped], quality


def _first_rule(data: pd.DataFrame, found: Found, target: str) -> pd.Series:
    """Per row, the value the first matching rule sets for `target` (None where none does)."""
    import pandas as pd

    out = pd.Series(None, index=data.index, dtype=object)
    for rule in found.shape.rules if found.shape else ():
        value = getattr(rule, target)
        if value is None:
            continue
        mask = _rule_mask(data, found, rule)
        if mask is not None:
            out = out.where(~(mask & out.isna()), value)
    return out


def _on_categories(values: pd.Series, fn: Any) -> pd.Series:
    """`fn` applied to each distinct value of a categorical column, not to every row."""
    import numpy as np
    import pandas as pd

    mapped = np.asarray([fn(str(c)) for c in values.cat.categories] + [None], dtype=object)
    codes = values.cat.codes.to_numpy()
    return pd.Series(mapped[np.where(codes >= 0, codes, len(mapped) - 1)], index=values.index)


def _places(raw: RawInput, data: pd.DataFrame) -> Any:
    def where(mask: pd.Series) -> list[str]:
        rows = mask[mask].index[:3]
        if raw.places.rows != len(raw.frame):
            return [f"row {int(i) + 2}" for i in rows]
        return raw.places.named(raw.files, rows.to_numpy())

    return where


def _base(
    data: pd.DataFrame,
    mapping: dict[str, str],
    time: str,
    options: LoadOptions,
    shape: Shape | None,
    quality: FrameQuality,
    raw: RawInput,
) -> tuple[pd.DataFrame, pd.DataFrame, FrameQuality]:
    """ticket_id and the time column parsed; rows without either, or with an implausible time,
    dropped and counted."""
    import pandas as pd

    where = _places(raw, data)
    topts = parse.TimeOptions(
        source_tz="UTC" if shape and shape.zone == "utc" else options.source_tz,
        dayfirst=options.dayfirst,
        date_format=options.date_format,
        excel_serials=any(f.format == "xlsx" for f in raw.files),
    )
    ids = parse.parse_ids(data[mapping["ticket_id"]])
    times = parse.parse_times(data[mapping[time]], mapping[time], topts)
    out = pd.DataFrame({"ticket_id": ids, time: times.values}, index=data.index)
    no_id = ids.isna()
    quality = quality.drop("missing_ticket_id", int(no_id.sum()), where(no_id))
    bad = times.bad & ~no_id
    quality = quality.drop(f"unparseable_{time}", int(bad.sum()), where(bad))
    mask = implausible(out[time], options.now)  # DECISIONS 40: as if it had no time
    far = pd.Series(False if mask is None else mask, index=out.index) & ~no_id
    quality = quality.drop(f"implausible_{time}", int(far.sum()), where(far))
    none = out[time].isna() & ~no_id & ~bad
    quality = quality.drop(f"missing_{time}", int(none.sum()), where(none))
    quality = quality.issue("dst_shifted_local_time", times.shifted)
    keep = ~(no_id | bad | far | none)
    return out[keep], data[keep], quality


def _messages(
    data: pd.DataFrame,
    mapping: dict[str, str],
    found: Found,
    options: LoadOptions,
    quality: FrameQuality,
    raw: RawInput,
    requesters: pd.Series | None,
) -> tuple[pd.DataFrame, FrameQuality, list[str]]:
    import pandas as pd

    from cskpi.load.normalize import labels

    notes: list[str] = []
    shape = found.shape
    out, data, quality = _base(data, mapping, "created_at", options, shape, quality, raw)
    role = _first_rule(data, found, "role")
    if "author_role" in mapping:
        role = role.fillna(
            _on_categories(
                labels(data[mapping["author_role"]], "author_role"),
                lambda word: ROLE_WORDS.get(squash(word)),
            )
        )
    author = data[mapping["author"]] if "author" in mapping else None
    if shape is not None and shape.requester_is_customer and author is not None:
        if requesters is None or not len(requesters):
            notes.append(
                "messages: no requester ids in the tickets (customer_id): the "
                "author roles of these comments cannot be told"
            )
        else:
            asked = out["ticket_id"].map(requesters)
            is_customer = parse.parse_ids(author).eq(asked).fillna(False)
            role = role.fillna(
                pd.Series(is_customer.map({True: "customer", False: "agent"}), index=data.index)
            )
    unknown = role.isna()
    quality = quality.drop("unknown_author_role", int(unknown.sum()), _places(raw, data)(unknown))
    out["author_role"] = pd.Categorical(role, categories=list(ROLES))
    public = pd.Series(True, index=data.index, dtype="boolean")
    private = next(
        (
            h
            for h in data.columns
            if squash(str(h)) in {squash(a) for a in PRIVATE_ALIASES} and h not in mapping.values()
        ),
        None,
    )
    if "public" in mapping or private is not None:
        parsed = parse.parse_bools(data[mapping.get("public", private)])
        quality = quality.issue(
            "unparseable_public", int(parsed.bad.sum()), _places(raw, data)(parsed.bad)
        )
        flag = parsed.values if "public" in mapping else ~parsed.values
        public = flag.fillna(True)
    ruled = _first_rule(data, found, "public")
    public = public.where(ruled.isna(), ruled.astype("boolean"))
    out["public"] = public.astype(bool)
    for name in ("author", "via"):
        if name in mapping:
            out[name] = labels(data[mapping[name]], name)
    if "message_id" in mapping:
        out["message_id"] = parse.parse_ids(data[mapping["message_id"]])
    out = out[~unknown]
    if "message_id" in out:
        dup = out["message_id"].notna() & out.duplicated(["ticket_id", "message_id"], keep="last")
        quality = quality.drop(
            "duplicate_message_id", int(dup.sum()), out.loc[dup, "message_id"].head(3)
        )
        out = out[~dup]
    return out, quality, notes


def _events(
    data: pd.DataFrame,
    mapping: dict[str, str],
    found: Found,
    options: LoadOptions,
    quality: FrameQuality,
    raw: RawInput,
    requesters: pd.Series | None,
) -> tuple[pd.DataFrame, FrameQuality, list[str]]:

    from cskpi.load.normalize import labels

    out, data, quality = _base(data, mapping, "at", options, found.shape, quality, raw)
    status = _first_rule(data, found, "status")
    if "status" in mapping:
        status = status.fillna(
            data[mapping["status"]].astype("str").where(data[mapping["status"]].notna())
        )
    out["status"] = labels(status.astype("str").where(status.notna()), "status")
    none = out["status"].isna()
    quality = quality.drop("missing_status", int(none.sum()), _places(raw, data)(none))
    out = out[~none]
    out["status"] = out["status"].cat.remove_unused_categories()
    dup = out.duplicated(["ticket_id", "at", "status"], keep="first")
    quality = quality.drop("duplicate_event", int(dup.sum()), out.loc[dup, "ticket_id"].head(3))
    return out[~dup], quality, []


def _as_match(found: Found) -> Match | None:
    """The shape as a preset match, so `validate` shows it like a ticket preset."""
    from cskpi.load.presets import Match, Preset

    shape = found.shape
    if shape is None:
        return None
    preset = Preset(
        shape.name,
        shape.title,
        Frame(shape.frame),
        shape.signature,
        shape.columns,
        caveats=shape.caveats,
    )
    matched = tuple(found.headers[n] for n in shape.signature if n in found.headers)
    return Match(preset, matched, headers=found.headers)


def requesters_of(tickets: pd.DataFrame | None) -> pd.Series | None:
    """ticket id → customer id, for shapes whose authors carry no role."""
    if tickets is None or "customer_id" not in tickets:
        return None
    known = tickets[tickets["customer_id"].notna()]
    return known.drop_duplicates("ticket_id").set_index("ticket_id")["customer_id"]


def load_conversation(
    tickets: Loaded | None,
    messages: Sequence[str],
    events: Sequence[str],
    options: LoadOptions,
    stdin: Any = None,
) -> tuple[Loaded, Loaded | None, Loaded | None, Conversation]:
    """Read `--messages` / `--events` and fold them into the tickets (`cskpi.load.fold`);
    the history is kept whole, for the engine to cut at `as_of`."""
    from cskpi.load.fold import fold

    if tickets is None:
        raise InputError("--messages/--events need the ticket export they belong to")
    if "-" in (*messages, *events):
        raise InputError("--messages/--events: read them from files, not standard input")
    m = (
        read_conversation(messages, Frame.MESSAGES, options, stdin, requesters_of(tickets.frame))
        if messages
        else None
    )
    shape = BY_NAME.get(m.preset.key) if m is not None and m.preset is not None else None
    if m is not None and shape is not None and shape.opening_from_ticket:
        m = _with_openings(m, tickets.frame)
    e = read_conversation(events, Frame.EVENTS, options, stdin) if events else None
    return fold(tickets, m, e, options.config)


OPENING = "(ticket opened)"


def _with_openings(m: Loaded, tickets: pd.DataFrame) -> Loaded:
    """A customer message at `created_at` for each ticket of the export (which leaves out the
    message that opened it), before the ticket's other messages."""
    import pandas as pd

    ids = pd.Series(m.frame["ticket_id"].dropna().unique())
    created = ids.map(tickets.drop_duplicates("ticket_id").set_index("ticket_id")["created_at"])
    ids, created = ids[created.notna()], created[created.notna()]
    opening = pd.DataFrame(
        {
            "ticket_id": ids.to_numpy(),
            "created_at": created.to_numpy(),
            "author_role": pd.Categorical(["customer"] * len(ids), categories=list(ROLES)),
            "public": True,
            "via": OPENING,
        }
    )
    frame = pd.concat([opening, m.frame], ignore_index=True)
    frame["via"] = frame["via"].astype("category")
    note = (
        f"messages: {len(ids):,} opening messages stand in for the tickets' first message "
        "(the export leaves it out), at each ticket's created_at"
    )
    return replace(m, frame=frame, notes=(*m.notes, note))


TICKET_COLUMNS = frozenset(
    {
        "customer_id",
        "first_response_at",
        "first_response_seconds",
        "agent_replies",
        "customer_replies",
        "reopens",
        "resolved_at",
    }
)
"""Ticket columns read besides the plan's when messages are given: the requester (author
roles of Zendesk comments) and the vendor values the derived ones are compared with."""
