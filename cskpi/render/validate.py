"""`cskpi validate`: how each input was read — format, encoding, mapping, data quality."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cskpi.units import visible

if TYPE_CHECKING:
    from cskpi.engine.types import Inputs
    from cskpi.load.normalize import Loaded


def validation(inputs: Inputs) -> dict[str, Any]:
    """The validation report as plain data: tickets, surveys, messages, events, then the
    business inputs given (customers, orders, schedules, costs)."""
    out: dict[str, Any] = {}
    business = inputs.business.given() if inputs.business is not None else {}
    for name, loaded in (
        ("tickets", inputs.tickets),
        ("surveys", inputs.surveys),
        ("messages", inputs.messages),
        ("events", inputs.events),
        *business.items(),
    ):
        if loaded is None:
            continue
        out[name] = _frame_report(loaded)
    return out


def _frame_report(loaded: Loaded) -> dict[str, Any]:
    quality = loaded.quality
    return {
        "files": [
            {"path": f.path, "format": f.format, "encoding": f.encoding, "rows": f.rows}
            for f in loaded.files
        ],
        "preset": _preset(loaded),
        "mapping": {source: canon for source, canon in loaded.mapping},
        "unmapped": list(loaded.unmapped),
        "rows": len(loaded.frame),
        "data_quality": quality.as_json(),
        "examples": {reason: list(places) for reason, places in quality.examples},
        "notes": list(loaded.notes),
    }


def _preset(loaded: Loaded) -> dict[str, Any] | None:
    """The helpdesk preset used and why: its signature columns found in the header."""
    match = loaded.preset
    if match is None or match.preset is None:
        return None
    return match.as_json()


def render_validation(inputs: Inputs, fmt: str) -> Any:
    data = validation(inputs)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(data)
    if fmt == "markdown":
        return _markdown(data)
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    for name, report in data.items():
        files = ", ".join(
            f"{f['path']} ({f['format']}, {f['encoding'] or 'binary'}, {f['rows']} rows)"
            for f in report["files"]
        )
        parts.append(Text(visible(f"{name}: {files}"), style="bold"))
        preset = report["preset"]
        if preset:
            how = "forced with --preset" if preset["forced"] else "recognised from its header"
            parts.append(
                Text(
                    visible(
                        f"preset {preset['name']} ({preset['title']}), {how}: "
                        f"{', '.join(preset['matched'])}"
                    )
                )
            )
            if preset["missing"]:
                parts.append(Text(visible(f"  missing: {', '.join(preset['missing'])}")))
            for caveat in preset["caveats"]:
                parts.append(Text(visible(f"  caveat: {caveat}"), style="dim"))
        table = Table(show_header=True, box=None, pad_edge=False)
        table.add_column("source column")
        table.add_column("→ canonical")
        for source, canon in report["mapping"].items():
            table.add_row(Text(visible(source)), Text(visible(canon)))
        for source in report["unmapped"]:
            table.add_row(
                Text(visible(source)), Text("(kept as is, usable with --by)", style="dim")
            )
        parts.append(table)
        dq = report["data_quality"]
        dropped = sum(dq["dropped"].values())
        parts.append(
            Text(f"{dq['read']} rows read, {dq['read'] - dropped} usable, {dropped} dropped")
        )
        for kind in ("dropped", "issues"):
            for reason, count in dq[kind].items():
                where = report["examples"].get(reason)
                hint = f"  e.g. {', '.join(where)}" if where else ""
                parts.append(
                    Text(
                        visible(
                            f"  {kind[:-1] if kind == 'issues' else 'dropped'}: "
                            f"{reason} × {count}{hint}"
                        )
                    )
                )
        for note in report["notes"]:
            parts.append(Text(visible(f"  note: {note}"), style="dim"))
        parts.append(Text(""))
    return Group(*parts)


def _facts(data: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The report as (input, kind, name, value) rows: files, mapping, unmapped columns,
    rows read, each drop and issue with its count, notes."""
    out: list[tuple[str, str, str, str]] = []
    for name, report in data.items():
        for f in report["files"]:
            how = f"{f['format']}, {f['encoding'] or 'binary'}"
            out.append((name, "file", str(f["path"]), f"{how}, {f['rows']} rows"))
        out += [(name, "mapping", str(s), str(c)) for s, c in report["mapping"].items()]
        out += [(name, "unmapped", str(s), "") for s in report["unmapped"]]
        dq = report["data_quality"]
        out.append((name, "read", "rows", str(dq["read"])))
        for kind, label in (("dropped", "dropped"), ("issues", "issue")):
            out += [(name, label, str(r), str(n)) for r, n in dq[kind].items()]
        out += [(name, "note", "", str(note)) for note in report["notes"]]
    return out


def _csv(data: dict[str, Any]) -> str:
    """`validate -f csv`: one row per fact (`_facts`), columns input,kind,name,value."""
    from cskpi.render.text import delimited

    return delimited([["input", "kind", "name", "value"], *_facts(data)])


def _markdown(data: dict[str, Any]) -> str:
    """`validate -f markdown`: the same facts as a table, values escaped (`md_escape`)."""
    from cskpi.render.text import md_escape

    lines = ["| input | kind | name | value |", "| --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(md_escape(v) for v in row) + " |" for row in _facts(data)]
    return "\n".join(lines) + "\n"
