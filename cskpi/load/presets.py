"""Helpdesk export presets (DATA.md "Column mapping"; DECISIONS 24, 25): data, and detection.

A preset is data: the header signature that recognises an export (every signature column must
be present), the column map, each duration's unit and calendar/business clock, vocabularies,
where naive timestamps get their zone (the `--source-tz` flag, the header, or UTC), summary
lines to skip, and the ratings a ticket export carries. Facts: ../shared/reference
/helpdesk-metrics-and-exports.md, section 2. `{tz}` in a header stands for the zone written in
it (Intercom: `Conversation started at (America/New_York)`).

Mapping order (normalize): explicit `--map`, then the preset, then the alias table; headers a
preset knows to be traps (rounded hours, business minutes) are never alias-mapped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cskpi.errors import UsageError, did_you_mean
from cskpi.load.schema import Frame, squash

if TYPE_CHECKING:
    import pandas as pd

TZ = "{tz}"
MINUTES, HOURS = 60.0, 3600.0
BUSINESS_COLUMNS = ("first_response_business_seconds", "resolution_business_seconds")
"""Vendor business-hours durations (DECISIONS 24): kept beside the calendar ones, never used to
derive timestamps; the engine uses them only in business-hours reports where timestamps lack."""


@dataclass(frozen=True)
class Duration:
    """A vendor duration column: `metric` is first_response, resolution or handle."""

    metric: str
    header: str
    unit: float = 1.0
    """Seconds per number; `HH:MM:SS` and `2 hours 5 minutes` text is read as such."""
    business: bool = False

    @property
    def column(self) -> str:
        return f"{self.metric}_business_seconds" if self.business else f"{self.metric}_seconds"


@dataclass(frozen=True)
class Ratings:
    """Survey rows a ticket export carries; used only when no survey file is given."""

    score: str
    kind: str = "csat"
    agent: str | None = None
    """Header naming the rated agent (else the ticket's agent)."""
    submitted_at: str | None = None
    """Header of the rating time; without one, `resolved_at` (flagged in validate)."""
    unanswered: tuple[str, ...] = ()
    """Values meaning a survey offered (or not) without an answer: not a response."""


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    frame: Frame
    signature: tuple[str, ...]
    columns: Mapping[str, str]
    """canonical column → header."""
    durations: tuple[Duration, ...] = ()
    vocab: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """canonical column → {value: canonical value}; "" means no value."""
    zone: str = "flag"
    """Naive timestamps: `flag` (--source-tz), `header` (written in the header) or `utc`."""
    ignore: tuple[str, ...] = ()
    """Headers never alias-mapped (traps: rounded hours, first vs full resolution)."""
    extract: Mapping[str, str] = field(default_factory=dict)
    """canonical column → regex whose group 1 is the value (`Name (email)` → Name)."""
    summary: tuple[str, str] | None = None
    """(header, regex): rows whose header cell matches and are otherwise empty are skipped."""
    ratings: Ratings | None = None
    survey_kind: str | None = None
    supplement: bool = False
    """Given with a ticket export, fills its columns by ticket id (Zendesk ticket_metrics)."""
    caveats: tuple[str, ...] = ()


def _keyed(words: str) -> dict[str, str]:
    """`"a b=c; d=e"` → {a: c, b: c, d: e} (vocabulary shorthand)."""
    out = {}
    for part in words.split(";"):
        names, _, value = part.rpartition("=")
        for name in names.split("|"):
            out[name.strip()] = value.strip()
    return out


# Best effort, from the products' UI translations (de, fr, es, ja, ko): exports written in the
# account language. English labels fall through to the generic table.
_STATUS_I18N = _keyed(
    "Neu|Nouveau|Nuevo|新規|신규=new; Offen|Ouvert|Abierto|オープン|열림=open;"
    " Wartend|En attente|Pendiente|保留中|보류=pending; Angehalten|En pause|En espera|待機中|대기 중"
    "=on_hold; Gelöst|Résolu|Resuelto|解決済み|해결됨=resolved; Geschlossen|Clos|Cerrado|終了|종료됨"
    "=closed"
)
_FRESHDESK_SCORES = _keyed(
    "Extremely happy|Very happy|Awesome|103|102=5; Happy|101=4; Neutral|Just okay|100=3;"
    " Unhappy|-101=2; Very unhappy|Extremely unhappy|Not good|-102|-103=1"
)
"""Freshdesk's 103 … -103 scale on 1–5: positive (≥ 4) = above neutral (assumption, unconfirmed
by Freshdesk docs); the 3-point survey Awesome / Just Okay / Not Good maps to 5 / 3 / 1."""

ZENDESK_CSV = Preset(
    "zendesk_csv",
    "Zendesk ticket CSV export",
    Frame.TICKETS,
    signature=(
        "Id",
        "Requester",
        "Created at",
        "Solved at",
        "Reopens",
        "Replies",
        "First reply time in minutes",
        "First reply time in minutes within business hours",
        "Full resolution time in minutes",
    ),
    columns={
        "ticket_id": "Id",
        "created_at": "Created at",
        "updated_at": "Updated at",
        "resolved_at": "Solved at",
        "status": "Status",
        "priority": "Priority",
        "channel": "Via",
        "agent": "Assignee",
        "team": "Group",
        "topic": "Ticket type",
        "customer_id": "Requester id",
        "agent_replies": "Replies",
        "reopens": "Reopens",
    },
    durations=(
        Duration("first_response", "First reply time in minutes", MINUTES),
        Duration(
            "first_response",
            "First reply time in minutes within business hours",
            MINUTES,
            business=True,
        ),
        Duration("resolution", "Full resolution time in minutes", MINUTES),
        Duration(
            "resolution",
            "Full resolution time in minutes within business hours",
            MINUTES,
            business=True,
        ),
    ),
    vocab={
        "status": _STATUS_I18N,
        "channel": _keyed(
            "Web form|Web Widget|Help Center=web; Mail|Email=email;"
            " Phone call (incoming)|Phone call (outgoing)|Voicemail=phone;"
            " Chat|Messaging=chat; API|Web service=api; Mobile SDK=mobile;"
            " Twitter|Facebook|X Corp=social; Closed ticket=follow_up"
        ),
    },
    ignore=(
        "Resolution time",
        "Requester",
        "Submitter",
        "First resolution time in minutes",
        "First resolution time in minutes within business hours",
        "Summation column",
    ),
    ratings=Ratings("Satisfaction Score", unanswered=("Offered", "Not Offered", "Unoffered")),
    caveats=("dates are in the account's time zone at export time: pass --source-tz",),
)

_ZENDESK_CHANNEL = _keyed(
    "voice=phone; mobile_sdk=mobile; native_messaging|chat=chat;"
    " twitter|facebook=social; web|help_center=web"
)
ZENDESK_TICKETS_JSON = Preset(
    "zendesk_tickets_json",
    "Zendesk API tickets (JSON / incremental NDJSON)",
    Frame.TICKETS,
    signature=(
        "id",
        "created_at",
        "updated_at",
        "status",
        "requester_id",
        "submitter_id",
        "via.channel",
    ),
    columns={
        "ticket_id": "id",
        "created_at": "created_at",
        "updated_at": "updated_at",
        "status": "status",
        "priority": "priority",
        "channel": "via.channel",
        "agent": "assignee_id",
        "team": "group_id",
        "topic": "type",
        "customer_id": "requester_id",
    },
    vocab={"channel": _ZENDESK_CHANNEL},
    zone="utc",
    ratings=Ratings("satisfaction_rating.score", unanswered=("offered", "unoffered")),
)

ZENDESK_METRICS_JSON = Preset(
    "zendesk_ticket_metrics_json",
    "Zendesk API ticket_metrics (JSON)",
    Frame.TICKETS,
    signature=(
        "ticket_id",
        "created_at",
        "solved_at",
        "reopens",
        "replies",
        "reply_time_in_minutes.calendar",
        "reply_time_in_minutes.business",
        "full_resolution_time_in_minutes.calendar",
    ),
    columns={
        "ticket_id": "ticket_id",
        "created_at": "created_at",
        "updated_at": "updated_at",
        "resolved_at": "solved_at",
        "agent_replies": "replies",
        "reopens": "reopens",
    },
    durations=(
        Duration("first_response", "reply_time_in_minutes.calendar", MINUTES),
        Duration("first_response", "reply_time_in_minutes.business", MINUTES, True),
        Duration("resolution", "full_resolution_time_in_minutes.calendar", MINUTES),
        Duration("resolution", "full_resolution_time_in_minutes.business", MINUTES, True),
    ),
    zone="utc",
    ignore=("id",),
    supplement=True,
)

ZENDESK_RATINGS_JSON = Preset(
    "zendesk_satisfaction_json",
    "Zendesk API satisfaction_ratings (JSON)",
    Frame.SURVEYS,
    signature=(
        "id",
        "ticket_id",
        "score",
        "assignee_id",
        "requester_id",
        "created_at",
        "updated_at",
    ),
    columns={
        "response_id": "id",
        "ticket_id": "ticket_id",
        "score": "score",
        "submitted_at": "updated_at",
        "agent": "assignee_id",
        "team": "group_id",
        "customer_id": "requester_id",
        "comment": "comment",
    },
    zone="utc",
    survey_kind="csat",
    ignore=("created_at",),
    ratings=Ratings("score", unanswered=("offered", "unoffered")),
    caveats=("submitted_at = updated_at (a rating can be changed; the last change counts)",),
)

FRESHDESK_CSV = Preset(
    "freshdesk_csv",
    "Freshdesk ticket CSV export",
    Frame.TICKETS,
    signature=(
        "Ticket ID",
        "Status",
        "Priority",
        "Source",
        "Created time",
        "Initial response time",
        "Resolved time",
    ),
    columns={
        "ticket_id": "Ticket ID",
        "status": "Status",
        "priority": "Priority",
        "channel": "Source",
        "topic": "Type",
        "agent": "Agent",
        "team": "Group",
        "created_at": "Created time",
        "updated_at": "Last update time",
        "resolved_at": "Resolved time",
        "closed_at": "Closed time",
        "first_response_at": "Initial response time",
        "agent_replies": "Agent interactions",
        "customer_replies": "Customer interactions",
        "customer_id": "Contact ID",
    },
    durations=(
        Duration("first_response", "First response time (in hrs)", HOURS, True),
        Duration("resolution", "Resolution time (in hrs)", HOURS, True),
        Duration("handle", "Time tracked", HOURS),
    ),
    vocab={
        "status": {**_STATUS_I18N, **_keyed("Waiting on Customer|Waiting on Third Party=pending")},
        "channel": _keyed(
            "Portal|Feedback Widget=web; Outbound Email=email;"
            " Twitter|Facebook=social; Mobihelp=mobile; WhatsApp=chat"
        ),
        "score": _FRESHDESK_SCORES,
    },
    ignore=("Due by Time", "Resolution status", "First response status"),
    ratings=Ratings("Survey results"),
    caveats=(
        "the zone of Freshdesk CSV timestamps is not documented: pass --source-tz",
        "'(in hrs)' columns are business hours (HH:MM:SS), used only in business-hours "
        "reports where timestamps are missing",
    ),
)

INTERCOM_CSV = Preset(
    "intercom_csv",
    "Intercom conversations CSV export",
    Frame.TICKETS,
    signature=(
        "Conversation ID",
        f"Conversation started at ({TZ})",
        f"Conversation first replied at ({TZ})",
        f"Conversation last closed at ({TZ})",
        "Current conversation state",
        "First response time (seconds)",
    ),
    columns={
        "ticket_id": "Conversation ID",
        "created_at": f"Conversation started at ({TZ})",
        "updated_at": f"Conversation updated at ({TZ})",
        "first_response_at": f"Conversation first replied at ({TZ})",
        "resolved_at": f"Conversation last closed at ({TZ})",
        "status": "Current conversation state",
        "priority": "Conversation priority",
        "agent": "Teammate currently assigned",
        "team": "Team currently assigned",
        "channel": "Channel",
        "region": "Country",
        "customer_id": "User ID",
        "first_contact_resolved": "Resolved on first contact",
    },
    durations=(
        Duration("first_response", "First response time (seconds)"),
        Duration(
            "first_response",
            "First response time, only within office hours (seconds)",
            business=True,
        ),
        Duration("resolution", "Time to close (seconds)"),
        Duration("resolution", "Time to close, within office hours (seconds)", business=True),
        Duration("handle", "Handling time (seconds)"),
    ),
    vocab={
        "priority": _keyed("Priority|Prioritized=high; Not priority=normal"),
        "channel": _keyed("Messenger|Conversation=chat"),
    },
    zone="header",
    ignore=(
        f"Conversation created at ({TZ})",
        "Time to first close (seconds)",
        "Time to first close, within office hours (seconds)",
    ),
    ratings=Ratings("Last teammate rating", agent="Last teammate rated"),
)

CHATWOOT_CSAT_CSV = Preset(
    "chatwoot_csat_csv",
    "Chatwoot CSAT responses CSV",
    Frame.SURVEYS,
    signature=(
        "Agent Name",
        "Rating",
        "Feedback Comment",
        "Contact Name",
        "Link to the conversation",
        "Recorded date",
    ),
    columns={
        "agent": "Agent Name",
        "score": "Rating",
        "comment": "Feedback Comment",
        "customer_id": "Contact Email Address",
        "ticket_id": "Link to the conversation",
        "submitted_at": "Recorded date",
    },
    extract={"agent": r"^\s*(.*?)\s*\([^()]*\)\s*$", "ticket_id": r"/conversations/(\d+)"},
    summary=("Agent Name", r"^Reporting period\b"),
    survey_kind="csat",
    zone="utc",
    caveats=(
        "headers are translated to the exporting user's language; this preset knows the "
        "English ones",
    ),
)

ZAMMAD_XLSX = Preset(
    "zammad_xlsx",
    "Zammad ticket Excel export",
    Frame.TICKETS,
    signature=(
        "#",
        "Title",
        "State",
        "Priority",
        "Owner",
        "Created At",
        "First Response At",
        "First Response In Min",
        "Close In Min",
    ),
    columns={
        "ticket_id": "#",
        "status": "State",
        "priority": "Priority",
        "team": "Group",
        "agent": "Owner",
        "customer_id": "Customer",
        "channel": "Create Channel",
        "created_at": "Created At",
        "updated_at": "Updated At",
        "closed_at": "Closed At",
        "first_response_at": "First Response At",
    },
    durations=(
        Duration("first_response", "First Response In Min", MINUTES, True),
        Duration("resolution", "Close In Min", MINUTES, True),
    ),
    vocab={
        "status": _keyed("pending reminder|pending close=pending; merged=merged; removed=deleted"),
        "priority": _keyed("1 low=low; 2 normal=normal; 3 high=high"),
        "agent": {"-": ""},
    },
    ignore=(
        "Close Diff In Min",
        "First Response Diff In Min",
        "Update In Min",
        "Update Diff In Min",
        "Time Units Total",
        "Close Escalation At",
    ),
    caveats=("'In Min' values are working minutes of the SLA calendar (empty without an SLA)",),
)

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
