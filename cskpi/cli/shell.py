"""What the shell shows of the commands: argument names in `--help`, and tab completion.

`NamedCommand` is the command class of every `cskpi` command: a positional argument reads
`FILE...` in the usage line and in the Arguments list (typer's own display is `{FILE}...` and
`FILE <list[str]>`, Python's view of it). `complete_kpis` completes `-k/--kpi` with the ids
of the registry, the last item of a comma list included (`frt_median,csat_<TAB>`).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand


class NamedArgument(TyperArgument):
    """A positional argument shown by its name: `FILE...` when it takes several, `[NAME]` when
    it may be left out, never with a Python type."""

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if not self.required:
            name = f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def _rich_display_name(self) -> str:
        return self.display_name_raw + ("..." if self.nargs != 1 else "")

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class NamedCommand(TyperCommand):
    """A typer command whose positional arguments are `NamedArgument`s."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = NamedArgument


def complete_kpis(incomplete: str) -> list[tuple[str, str]]:
    """The KPI ids that complete the last item of `incomplete` (a comma list), each with the
    items before it and its name as the help: `frt_median,csat_` → `frt_median,csat_rate`…;
    ids already in the list are not offered again."""
    from cskpi.kpis import all_kpis

    head, comma, last = incomplete.rpartition(",")
    prefix = head + comma
    taken = {item.strip() for item in head.split(",")} if comma else set()
    return [
        (prefix + kpi_id, kpi.name)
        for kpi_id, kpi in sorted(all_kpis().items())
        if kpi_id.startswith(last.strip()) and kpi_id not in taken
    ]
