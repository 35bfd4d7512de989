"""`cskpi explain` output: a rich renderable for the terminal, or JSON for scripts."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cskpi.engine.explain import Story


def render_explain(story: Story, fmt: str) -> Any:
    """JSON text (`json`), or a rich Group of key lines and two tables (`table`)."""
    if fmt == "json":
        return json.dumps(story.as_json(), ensure_ascii=False, indent=2) + "\n"
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from cskpi.engine.explain import short
    from cskpi.units import NULL, humanize

    def when(value: str | None) -> str:
        return NULL if value is None else short(value)

    parts: list[Any] = [
        Text(
            f"ticket {story.ticket_id} — as of {when(story.as_of)}, times in {story.timezone}, "
            f"{story.clock} clock",
            style="bold",
        )
    ]
    parts.extend(Text(line) for line in story.lines)
    if story.messages:
        table = Table(title="messages", title_justify="left", box=None, pad_edge=False)
        for name in ("at", "role", "visibility", "author", "counted", "why"):
            table.add_column(name, no_wrap=name != "why")
        for m in story.messages:
            style = "dim" if m["counted"] == "skipped" else None
            table.add_row(
                when(m["at"]),
                m["role"],
                "public" if m["public"] else "private",
                m["author"] or NULL,
                m["counted"],
                m["why"],
                style=style,
            )
        parts.append(table)
    if story.changes:
        table = Table(title="status changes", title_justify="left", box=None, pad_edge=False)
        for name in ("at", "status", "until", "clock", "calendar", "business", "event"):
            table.add_column(
                name,
                no_wrap=name == "at",
                justify="right" if name in ("calendar", "business") else "left",
            )
        for c in story.changes:
            table.add_row(
                when(c["at"]),
                c["status"],
                when(c["until"]),
                c["clock"],
                humanize(c["seconds"], "seconds"),
                humanize(c["business_seconds"], "seconds"),
                c["event"],
                style="dim" if c["clock"] not in ("active", "paused") else None,
            )
        parts.append(table)
    if not story.messages and not story.changes:
        parts.append(
            Text(
                "no messages or status changes for this ticket (give --messages and --events)",
                style="dim",
            )
        )
    return Group(*parts)
