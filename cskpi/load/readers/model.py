"""What reading gives, and what passes between `read_inputs` and a format's reader.

`RawInput` is the result: all files' rows in one frame, each row's place (`Places`), the files
read (`FileInfo`) and the lines skipped (`Malformed`). A format's reader gets the user's
`Options` and returns one file as a `Part`. Plain data only: nothing is read here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Malformed:
    """A line that could not be parsed and was skipped."""

    file: str
    line: int  # 1-based physical line (header = 1)
    reason: str
    kind: str = "malformed_line"
    """The data-quality reason the row is dropped under: `malformed_line`, or
    `truncated_line` for a CSV's last line cut short (DECISIONS 44)."""


@dataclass(frozen=True)
class FileInfo:
    """One file read: its format, the encoding used (text formats) and the rows it gave."""

    path: str
    format: str
    encoding: str | None
    rows: int
    sheet: str | None = None
    decimal_comma: bool = False
    """Its numbers use a decimal comma (`12,5`): a `;`-separated file or `--decimal ,`
    (DECISIONS 47); parsing converts them."""


@dataclass(frozen=True)
class Places:
    """Each row's file and line, kept per file (a `range` for most formats) rather than as
    two arrays of the rows' size: 160 MB held through normalising 10 million rows."""

    lines: tuple[Sequence[int] | np.ndarray, ...]
    """Per file, its rows' lines in order."""

    @property
    def rows(self) -> int:
        return sum(len(lines) for lines in self.lines)

    def file(self, rows: np.ndarray) -> np.ndarray:
        """The file index (into `RawInput.files`) of each row position in `rows`."""
        import numpy as np

        ends = np.cumsum([len(lines) for lines in self.lines])
        found: np.ndarray = np.asarray(
            np.searchsorted(ends, np.asarray(rows, dtype=np.int64), side="right")
        )
        return found

    def line(self, rows: np.ndarray) -> np.ndarray:
        """The line of each row position in `rows`: a loop over the files, not the rows."""
        import numpy as np

        rows = np.asarray(rows, dtype=np.int64)
        files = self.file(rows)
        out: np.ndarray = np.zeros(len(rows), dtype=np.int64)
        start = 0
        for k, lines in enumerate(self.lines):
            hit = files == k
            if hit.any():
                local = rows[hit] - start
                if isinstance(lines, range):
                    out[hit] = lines.start + local * lines.step
                else:
                    out[hit] = np.asarray(lines, dtype=np.int64)[local]
            start += len(lines)
        return out

    def named(self, files: Sequence[FileInfo], rows: np.ndarray) -> list[str]:
        """`path:line` of each row position in `rows` (for examples: a few rows)."""
        return [
            f"{files[int(f)].path}:{int(n)}"
            for f, n in zip(self.file(rows), self.line(rows), strict=True)
        ]


@dataclass(frozen=True)
class RawInput:
    """All input files concatenated in the order read, with where each row came from."""

    frame: pd.DataFrame
    files: tuple[FileInfo, ...]
    malformed: tuple[Malformed, ...]
    places: Places
    """Where each row came from: its file and line / worksheet row / record (see top)."""
    warnings: tuple[str, ...] = ()  # renamed duplicate columns
    short: np.ndarray | None = None
    """Positions of the rows that had fewer fields than the header and were padded with
    missing values (CSV/TSV; DECISIONS 44: `short_line`); None when there is none."""

    @property
    def source_line(self) -> np.ndarray:
        """Per row: line / worksheet row / record index (all rows: 80 MB per 10 million)."""
        import numpy as np

        return self.places.line(np.arange(self.places.rows))

    def decimal_comma_rows(self) -> np.ndarray | None:
        """Per row, whether its file writes numbers with a decimal comma (DECISIONS 47);
        None when no file does."""
        import numpy as np

        flags = np.array([f.decimal_comma for f in self.files], dtype=bool)
        if not flags.any():
            return None
        return np.asarray(flags[self.source_file], dtype=bool)

    @property
    def source_file(self) -> np.ndarray:
        """Per row: index into `files`."""
        import numpy as np

        return self.places.file(np.arange(self.places.rows))

    def release(self) -> None:
        """Let go of the raw columns once they are parsed (`normalize`): keeping them to the
        end doubled the memory of a large export. The rows' places stay for messages."""
        # a copy: an empty slice would be a view that keeps every column's buffer alive
        object.__setattr__(self, "frame", self.frame.iloc[:0].copy())


@dataclass(frozen=True)
class Options:
    encoding: str | None
    sheet: str | None
    columns: Callable[[list[str]], list[str]] | None
    labels: Callable[[list[str]], set[str]] | None = None
    """Of the kept names, those holding a few distinct values (labels, flags, counts): CSV and
    Parquet read their text columns dictionary-encoded, as pandas categories, so no string
    is made per row."""
    delimiter: str | None = None
    """`--delimiter`: None sniffs it (`dialect`)."""
    quote: str | None = None
    """`--quote`: a character, "" for none; None: `"` except for tab-separated files."""
    decimal: str | None = None
    """`--decimal`: `,` or `.`; None: `,` for `;`-separated files."""
    times: Callable[[list[str]], set[str]] | None = None
    """Of the kept names, those feeding time columns alone, read as no other text (no preset
    vocabulary or extraction, no `--date-format`): a big CSV reads them as timestamps where
    every value is plain ISO 8601 of one form (`csv_times`)."""


@dataclass
class Part:
    frame: pd.DataFrame
    lines: Sequence[int] | np.ndarray
    encoding: str | None = None
    sheet: str | None = None
    malformed: list[Malformed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    short: list[int] = field(default_factory=list)
    """Positions in `frame` of the rows padded because they had fewer fields than the header."""
    decimal_comma: bool = False
    """Its numbers use a decimal comma (`FileInfo.decimal_comma`)."""
    delimiter: str = ","
    """The delimiter a CSV/TSV was read with."""
    forms: dict[str, bytes] = field(default_factory=dict)
    """Columns read as timestamps rather than text (`csv_times`), each with its first value:
    the form the text was in, so that it can be written back (`csv_times.restore`)."""
