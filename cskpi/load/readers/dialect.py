"""How a delimited text file is cut into values (DECISIONS 47): its delimiter, quote and
decimal mark.

- Delimiter: `--delimiter`, else `\\t` for a `.tsv`, else sniffed from the header line among
  `,` `;` tab `|`: the one that occurs most often outside quotes (ties in that order; none:
  `,`, a file of one column).
- Quote: `--quote CHAR|none`; else `"`, except for tab-separated files, which exports never
  quote: there a `"` is an ordinary character, so a subject such as `"Urgent` cannot swallow
  the rows after it.
- Decimal mark: `--decimal ,|.`; else `,` for `;`-separated files (what Excel writes where
  the comma is the decimal mark), else `.`. The numbers are converted where they are parsed
  (`cskpi.load.parse.decimal_commas`), for the rows of such files only.
"""

from __future__ import annotations

import csv
import re
from typing import Any

from cskpi.errors import UsageError

CANDIDATES = (",", ";", "\t", "|")
_QUOTED = re.compile(r'"[^"]*"')
_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def sniff(header: str) -> str:
    """The delimiter of a header line: the candidate seen most often outside quotes."""
    bare = _QUOTED.sub("", header)
    counts = [bare.count(c) for c in CANDIDATES]
    best = max(counts)
    return CANDIDATES[counts.index(best)] if best else ","


def shown(delimiter: str) -> str:
    """A delimiter as a user types it (`tab` for a tab)."""
    return "tab" if delimiter == "\t" else delimiter


def check_delimiter(value: str | None) -> str | None:
    """`--delimiter`: one character (`tab` or `\\t` for a tab); exit 2 otherwise."""
    if value is None:
        return None
    given = _NAMES.get(value.lower(), value)
    if len(given) != 1 or given.isalnum() or given in "\"'\r\n ":
        raise UsageError(f"--delimiter {value!r}: use one character such as , ; | or tab")
    return given


def check_quote(value: str | None) -> str | None:
    """`--quote`: one character, or `none` ("" below: no quoting); exit 2 otherwise."""
    if value is None:
        return None
    if value.lower() in ("none", ""):  # "": already read as none
        return ""
    if len(value) != 1 or value.isalnum() or value in "\r\n\t ,;|":
        raise UsageError(f"--quote {value!r}: use one quote character such as \" or ', or none")
    return value


def check_decimal(value: str | None) -> str | None:
    """`--decimal`: `,` or `.`; exit 2 otherwise."""
    if value is None or value in (",", "."):
        return value
    raise UsageError(f"--decimal {value!r}: use , or .")


def quote_for(delimiter: str, quote: str | None) -> str:
    """The quote character to read with ("" for none): the forced one, else `"` except for
    tab-separated files."""
    if quote is not None:
        if quote == delimiter:
            raise UsageError(f"--quote {quote!r} is also the delimiter")
        return quote
    return "" if delimiter == "\t" else '"'


def csv_args(quote: str) -> dict[str, Any]:
    """The csv module's arguments for `quote` ("": no quoting)."""
    return {"quotechar": quote} if quote else {"quoting": csv.QUOTE_NONE, "quotechar": None}


def comma_decimals(delimiter: str, decimal: str | None) -> bool:
    """Whether the file's numbers use a decimal comma: forced, else with `;`."""
    return decimal == "," if decimal is not None else delimiter == ";"


def delimiter_hint(headers: list[str]) -> str | None:
    """`--delimiter X` when the file was read as one column whose name holds a candidate
    delimiter (a `;` export named `.tsv`), else None."""
    if len(headers) != 1 or not _QUOTED.sub("", headers[0]).strip():
        return None
    found = sniff(headers[0])
    if found not in headers[0]:
        return None
    return f"--delimiter {shown(found) if found == chr(9) else repr(found)}"
