"""Data quality: every unusable row or value counted by reason, with a few examples.

Invariant (DECISIONS 32): `read = used + out_of_window + Σ dropped`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

MAX_EXAMPLES = 3


@dataclass(frozen=True)
class FrameQuality:
    """Counts for one frame (tickets or surveys)."""

    read: int = 0
    dropped: tuple[tuple[str, int], ...] = ()
    """Whole rows removed, each under its first reason, in the order reasons were found."""
    issues: tuple[tuple[str, int], ...] = ()
    """Values excluded from some KPIs; the row itself is kept."""
    examples: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """reason → up to three places (`file:line`, or a ticket id)."""
    used: int | None = None
    out_of_window: int | None = None

    @property
    def kept(self) -> int:
        return self.read - sum(n for _, n in self.dropped)

    def drop(self, reason: str, count: int, examples: Iterable[str] = ()) -> FrameQuality:
        return self._add("dropped", reason, count, examples)

    def issue(self, reason: str, count: int, examples: Iterable[str] = ()) -> FrameQuality:
        return self._add("issues", reason, count, examples)

    def skipped(self, lines: Iterable[Any]) -> FrameQuality:
        """Drop the lines a reader skipped (`cskpi.load.readers.Malformed`: `file`, `line`,
        `kind`), each under its kind: `malformed_line`, or `truncated_line` for a file cut
        inside its last line (DECISIONS 44)."""
        quality = self
        by_kind: dict[str, list[str]] = {}
        for item in lines:
            by_kind.setdefault(item.kind, []).append(f"{item.file}:{item.line}")
        for kind, places in by_kind.items():
            quality = quality.drop(kind, len(places), places)
        return quality

    def _add(self, kind: str, reason: str, count: int, examples: Iterable[str]) -> FrameQuality:
        if count <= 0:
            return self
        counts = dict(getattr(self, kind))
        counts[reason] = counts.get(reason, 0) + int(count)
        ex = dict(self.examples)
        shown = list(ex.get(reason, ()))
        for item in examples:
            if len(shown) >= MAX_EXAMPLES:
                break
            if str(item) not in shown:
                shown.append(str(item))
        ex[reason] = tuple(shown)
        changes: dict[str, Any] = {kind: tuple(counts.items()), "examples": tuple(ex.items())}
        return replace(self, **changes)

    def with_usage(self, used: int) -> FrameQuality:
        """Split the kept rows into used (in the window of some requested KPI) and the rest."""
        return replace(self, used=used, out_of_window=self.kept - used)

    def problems(self) -> int:
        return sum(n for _, n in self.dropped) + sum(n for _, n in self.issues)

    def as_json(self) -> dict[str, Any]:
        used = self.kept if self.used is None else self.used
        return {
            "read": self.read,
            "used": used,
            "out_of_window": 0 if self.out_of_window is None else self.out_of_window,
            "dropped": dict(self.dropped),
            "issues": dict(self.issues),
        }


@dataclass(frozen=True)
class DataQuality:
    """Both frames' counts; rendered under `data_quality` in JSON and summarised on stderr."""

    tickets: FrameQuality = field(default_factory=FrameQuality)
    surveys: FrameQuality = field(default_factory=FrameQuality)
    others: tuple[tuple[str, FrameQuality], ...] = ()
    """The business inputs given (customers, orders, schedules, costs); the engine splits
    their kept rows into used (in the window) and out of window, like tickets'."""

    def as_json(self) -> dict[str, Any]:
        out = {"tickets": self.tickets.as_json(), "surveys": self.surveys.as_json()}
        out.update((name, fq.as_json()) for name, fq in self.others)
        return out

    def examples(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """The places beside each count, by frame and reason."""
        frames = (("tickets", self.tickets), ("surveys", self.surveys), *self.others)
        return {name: dict(fq.examples) for name, fq in frames}

    def summary_lines(self) -> list[str]:
        """Short human summary for stderr: per frame with problems, a head line and one
        indented line per reason (with up to three places)."""
        lines = []
        for name, fq in (("tickets", self.tickets), ("surveys", self.surveys), *self.others):
            if not fq.problems():
                continue
            examples = dict(fq.examples)
            dropped = sum(n for _, n in fq.dropped)
            lines.append(f"data quality, {name}: {fq.read:,} read, {dropped:,} dropped")
            for kind, entries in (("dropped", fq.dropped), ("flagged", fq.issues)):
                for reason, count in entries:
                    where = examples.get(reason)
                    hint = f" (e.g. {', '.join(where)})" if where else ""
                    lines.append(f"  {count:,} {reason.replace('_', ' ')}: {kind}{hint}")
        return lines
