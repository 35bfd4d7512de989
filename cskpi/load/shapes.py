"""Message-level inputs: vendor record shapes, as data (like `presets/` for tickets).

Two canonical frames (columns in `cskpi.load.schema`, README "Messages and status history"):

- **messages** (`--messages`): one row per message — `ticket_id`, `created_at`, `author_role`
  (customer, agent, bot, system), `public` (a private note is `false`; default `true`), and
  optionally `author`, `via`, `message_id` (de-duplication).
- **events** (`--events`): one row per status change — `ticket_id`, `at`, `status`
  (normalised like ticket statuses: new, open, pending, on_hold, resolved, closed; others kept).

A `Shape` recognises a vendor's record layout from its header (every signature column present)
and says how to map it: columns, and `Rule`s that set the role / visibility / status from vendor
fields (the first matching rule wins per target; a shape may skip records no rule matches).
Facts: docs/helpdesk-exports.md, sections 1.3, 1.4, 2.2, 2.5; record
layouts the reference does not spell out (Zendesk comments and audits, Intercom conversation
parts) follow the vendors' public API schemas and say so in their caveats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

PRIVATE_ALIASES = ("private", "is_private", "internal", "is_internal", "note", "is_note")
"""Headers meaning the opposite of `public` (`private = true` → `public = false`)."""

ROLES = ("customer", "agent", "bot", "system")
ROLE_WORDS: Mapping[str, str] = {
    **dict.fromkeys(
        (
            "customer",
            "enduser",
            "requester",
            "contact",
            "lead",
            "client",
            "visitor",
            "incoming",
            "inbound",
            "requestor",
            "consumer",
        ),
        "customer",
    ),
    **dict.fromkeys(
        (
            "agent",
            "admin",
            "staff",
            "teammate",
            "outgoing",
            "outbound",
            "operator",
            "support",
            "human",
            "humanagent",
        ),
        "agent",
    ),
    **dict.fromkeys(
        (
            "bot",
            "agentbot",
            "chatbot",
            "automation",
            "autoreply",
            "auto",
            "ai",
            "aiagent",
            "fin",
            "workflow",
            "macro",
            "trigger",
        ),
        "bot",
    ),
    **dict.fromkeys(("system", "activity", "event", "log", "notification", "rule"), "system"),
}
"""Generic role vocabulary (keys compared lower-case, letters and digits only). `user` is
left out on purpose: Intercom's users are customers, Chatwoot's are agents."""


@dataclass(frozen=True)
class Rule:
    """Where `header` holds one of `values` (compared like headers; empty `values` = any
    non-empty value), set the targets given (a rule with `keep=False` drops the record)."""

    header: str
    values: tuple[str, ...] = ()
    role: str | None = None
    public: bool | None = None
    status: str | None = None
    keep: bool = True


@dataclass(frozen=True)
class Shape:
    name: str
    title: str
    frame: str
    """`messages` or `events`."""
    signature: tuple[str, ...]
    columns: Mapping[str, str]
    """canonical column → header."""
    rules: tuple[Rule, ...] = ()
    requester_is_customer: bool = False
    """No role field: an author equal to the ticket's `customer_id` is the customer, any other
    author an agent (rules still win: bots, triggers)."""
    explode: str | None = None
    """Header holding a JSON list of sub-records (Zendesk audit `events`); its records become
    rows whose fields are read as `<explode>.<field>`."""
    zone: str = "utc"
    caveats: tuple[str, ...] = ()
    keep_unmatched: bool = True
    """False: records that match no rule are not messages / status changes (skipped)."""
    opening_from_ticket: bool = False
    """The export leaves out the message that opened the ticket (Freshdesk's description,
    Intercom's conversation source): a customer message at the ticket's `created_at` stands
    in for it."""


ZENDESK_COMMENTS = Shape(
    "zendesk_comments",
    "Zendesk ticket comments (API / incremental export)",
    "messages",
    signature=("ticket_id", "author_id", "public", "created_at", "via.channel"),
    columns={
        "ticket_id": "ticket_id",
        "created_at": "created_at",
        "public": "public",
        "author": "author_id",
        "via": "via.channel",
        "message_id": "id",
    },
    rules=(
        Rule("via.channel", ("rule", "automation"), role="system"),
        Rule(
            "via.channel",
            (
                "answer_bot",
                "answer_bot_for_agents",
                "answer_bot_api",
                "answer_bot_for_sdk",
                "answer_bot_for_slack",
                "answer_bot_for_web_widget",
                "sunshine_conversations_api",
            ),
            role="bot",
        ),
    ),
    requester_is_customer=True,
    caveats=(
        "comments carry no author role: the ticket's requester (customer_id) is the "
        "customer, any other author an agent; give the tickets with their requester id",
    ),
)

ZENDESK_AUDITS = Shape(
    "zendesk_audits",
    "Zendesk ticket audits (API JSON)",
    "events",
    signature=("ticket_id", "created_at", "events"),
    columns={"ticket_id": "ticket_id", "at": "created_at", "status": "events.value"},
    rules=(Rule("events.field_name", ("status",), keep=True),),
    explode="events",
    keep_unmatched=False,
    caveats=(
        "only `Change` events of the status field are read; comments in audits are "
        "ignored (give ticket comments with --messages)",
    ),
)

ZENDESK_FIELD_HISTORY = Shape(
    "zendesk_field_history",
    "Zendesk ticket field history (fivetran ticket_field_history)",
    "events",
    signature=("ticket_id", "field_name", "updated", "value"),
    columns={"ticket_id": "ticket_id", "at": "updated", "status": "value"},
    rules=(Rule("field_name", ("status",), keep=True),),
    keep_unmatched=False,
)

FRESHDESK_CONVERSATIONS = Shape(
    "freshdesk_conversations",
    "Freshdesk ticket conversations (API JSON)",
    "messages",
    signature=("ticket_id", "incoming", "private", "user_id", "created_at"),
    columns={
        "ticket_id": "ticket_id",
        "created_at": "created_at",
        "author": "user_id",
        "via": "source",
        "message_id": "id",
    },
    rules=(
        Rule("incoming", ("true",), role="customer"),
        Rule("incoming", ("false",), role="agent"),
        Rule("private", ("true",), public=False),
        Rule("private", ("false",), public=True),
    ),
    opening_from_ticket=True,
    caveats=(
        "conversations leave out the ticket's description: a customer message at the "
        "ticket's creation stands in for it (outbound tickets read as customer-started)",
        "Freshdesk counts public notes as responses; so does cskpi (public + human)",
    ),
)

INTERCOM_PARTS = Shape(
    "intercom_parts",
    "Intercom conversation parts (API / Airbyte conversation_parts)",
    "messages",
    signature=("conversation_id", "part_type", "author.type", "created_at"),
    columns={
        "ticket_id": "conversation_id",
        "created_at": "created_at",
        "author": "author.id",
        "message_id": "id",
    },
    rules=(
        Rule("author.type", ("bot",), role="bot"),
        Rule(
            "part_type",
            (
                "assignment",
                "open",
                "close",
                "snoozed",
                "unsnoozed",
                "away_mode_assignment",
                "participant_added",
                "participant_removed",
                "conversation_attribute_updated_by_admin",
                "timer_unsnooze",
                "default_assignment",
            ),
            role="system",
        ),
        Rule("author.type", ("admin", "team"), role="agent"),
        Rule("author.type", ("user", "lead", "contact"), role="customer"),
        Rule("part_type", ("note", "note_and_reopen"), public=False),
    ),
    opening_from_ticket=True,
    caveats=(
        "the opening message is the conversation's `source`, not a part: a customer "
        "message at the conversation's creation stands in for it (outbound "
        "conversations read as customer-started)",
        "epoch-second timestamps are UTC",
    ),
)

INTERCOM_PART_EVENTS = Shape(
    "intercom_part_events",
    "Intercom conversation parts as status changes",
    "events",
    signature=("conversation_id", "part_type", "author.type", "created_at"),
    columns={"ticket_id": "conversation_id", "at": "created_at"},
    rules=(
        Rule(
            "part_type", ("open", "note_and_reopen", "unsnoozed", "timer_unsnooze"), status="open"
        ),
        Rule("part_type", ("close",), status="closed"),
        Rule("part_type", ("snoozed",), status="pending"),
    ),
    keep_unmatched=False,
    caveats=("open → open, close → closed, snoozed → pending (snoozed counts as paused)",),
)

CHATWOOT_MESSAGES = Shape(
    "chatwoot_messages",
    "Chatwoot messages (API / database)",
    "messages",
    signature=("conversation_id", "message_type", "sender_type", "private", "created_at"),
    columns={
        "ticket_id": "conversation_id",
        "created_at": "created_at",
        "author": "sender_id",
        "message_id": "id",
    },
    rules=(
        Rule("sender_type", ("AgentBot",), role="bot"),
        Rule("message_type", ("2", "activity"), role="system"),
        Rule("message_type", ("3", "template"), role="bot"),
        Rule("content_attributes.automation_rule_id", role="system"),
        Rule("additional_attributes.campaign_id", role="system"),
        Rule("message_type", ("0", "incoming"), role="customer"),
        Rule("message_type", ("1", "outgoing"), role="agent"),
        Rule("private", ("true",), public=False),
        Rule("private", ("false",), public=True),
    ),
    caveats=("automation-rule and campaign messages are system messages, not responses",),
)

CHATWOOT_EVENTS = Shape(
    "chatwoot_reporting_events",
    "Chatwoot reporting events (resolutions and reopens)",
    "events",
    signature=("name", "conversation_id", "event_end_time", "value"),
    columns={"ticket_id": "conversation_id", "at": "event_end_time"},
    rules=(
        Rule("name", ("conversation_resolved", "conversation_bot_resolved"), status="resolved"),
        Rule("name", ("conversation_opened",), status="open"),
    ),
    keep_unmatched=False,
    caveats=(
        "only resolution and (re)open events are status changes; Chatwoot has no "
        "pending events here, so nothing pauses the clock",
    ),
)

SHAPES: tuple[Shape, ...] = (
    ZENDESK_COMMENTS,
    ZENDESK_AUDITS,
    ZENDESK_FIELD_HISTORY,
    FRESHDESK_CONVERSATIONS,
    INTERCOM_PARTS,
    INTERCOM_PART_EVENTS,
    CHATWOOT_MESSAGES,
    CHATWOOT_EVENTS,
)
BY_NAME: dict[str, Shape] = {shape.name: shape for shape in SHAPES}


@dataclass(frozen=True)
class Found:
    """The shape a header matched (or None: canonical names and aliases only)."""

    shape: Shape | None
    headers: Mapping[str, str] = field(default_factory=dict)
    """shape header name → actual header."""

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def detect(headers: list[str], frame: str) -> Found:
    """The shape whose whole signature is in `headers` (the longest signature wins)."""
    from cskpi.load.schema import squash

    index: dict[str, str] = {}
    for header in headers:
        index.setdefault(squash(header), header)
    best: Found = Found(None)
    for shape in SHAPES:
        if shape.frame != frame:
            continue
        names = {*shape.signature, *shape.columns.values(), *(r.header for r in shape.rules)}
        hits = {n: index[squash(n)] for n in names if squash(n) in index}
        if all(n in hits for n in shape.signature) and (
            best.shape is None or len(shape.signature) > len(best.shape.signature)
        ):
            best = Found(shape, hits)
    return best
