"""Errors that carry user-facing text; `cli.py` maps each class to an exit code."""

from __future__ import annotations

from collections.abc import Iterable


class CskpiError(Exception):
    """Base of every error a user can cause. Its message is shown as-is (one or two lines)."""

    exit_code = 1


class UsageError(CskpiError):
    """Bad option, bad config, unknown KPI or column name: exit 2."""

    exit_code = 2


class TargetMissed(CskpiError):
    """`--check` and at least one target missed: exit 3."""

    exit_code = 3


class InputError(CskpiError):
    """A file problem, input or output, or data that cannot support a request: exit 4."""

    exit_code = 4


def nearest(name: str, choices: Iterable[object]) -> str | None:
    """The closest of `choices` to `name`, for "did you mean" hints (None when nothing is close)."""
    import difflib

    options = [str(c) for c in choices]
    found = difflib.get_close_matches(name, options, n=1, cutoff=0.5)
    return found[0] if found else None


def nearest_many(name: str, choices: Iterable[object], n: int = 3) -> list[str]:
    """Up to `n` close matches of `name` among `choices` (case- and punctuation-insensitive)."""
    import difflib

    options = [str(c) for c in choices]
    keyed = {_squash(o): o for o in options}
    found = difflib.get_close_matches(_squash(name), list(keyed), n=n, cutoff=0.4)
    return [keyed[f] for f in found]


def did_you_mean(name: str, choices: Iterable[object]) -> str:
    """' (did you mean X?)' or ''."""
    hit = nearest(name, choices)
    return f" (did you mean {hit}?)" if hit else ""


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
