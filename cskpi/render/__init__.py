"""Renderers: each output format is rendered from the same `Result` (ARCHITECTURE).

`render(result, fmt)` returns the bytes or text to write; the terminal table is separate
(`render.table.render_table` returns a rich renderable).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cskpi.errors import UsageError

if TYPE_CHECKING:
    from cskpi.result import Result


def _text(fmt: str) -> Callable[[Result, bool], str | bytes]:
    def run(result: Result, excel: bool) -> str | bytes:
        from cskpi.render.text import render_text

        return render_text(result, fmt, excel=excel)

    return run


def _html(result: Result, excel: bool) -> str | bytes:
    from cskpi.render.html import render_html

    return render_html(result)


def _xlsx(result: Result, excel: bool) -> str | bytes:
    from cskpi.render.excel import render_xlsx

    return render_xlsx(result)


def _parquet(result: Result, excel: bool) -> str | bytes:
    from cskpi.render.parquet import render_parquet

    return render_parquet(result)


RENDERERS: dict[str, Callable[[Result, bool], str | bytes]] = {
    **{fmt: _text(fmt) for fmt in ("csv", "tsv", "json", "jsonl", "markdown")},
    "html": _html,
    "xlsx": _xlsx,
    "parquet": _parquet,
}
"""Format name → renderer(result, excel) for every file format."""


def render(
    result: Result, fmt: str, *, excel: bool = False, title: str | None = None
) -> str | bytes:
    """The rendered report in `fmt` (any format but the terminal table); `title` is the HTML
    report's heading (`--title`)."""
    if fmt == "html" and title is not None:
        from cskpi.render.html import render_html

        return render_html(result, title)
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise UsageError(
            f"--format {fmt} is not available in this version; use one of "
            f"table, {', '.join(RENDERERS)}"
        )
    return renderer(result, excel)
