"""Read export files into raw DataFrames (DATA.md "Files"; DECISIONS 23, 26).

Text formats (CSV, TSV, JSON, JSON Lines) are read as text: every value is a string or missing
("" counts as missing), so identifiers such as `000123` survive; normalisation parses types.
Parquet keeps its types; XLSX keeps cell values (datetimes, numbers, text) in object columns.

CSV/TSV: a row with more fields than the header (beyond trailing empty ones), an unterminated
quote, or a field the csv module refuses is skipped and reported as `Malformed`; a row with
fewer fields is padded with missing values and kept (its position in `RawInput.short`), except
a last line with no line end after it: the file was cut there, and the row is skipped as a
`Malformed` of kind `truncated_line` (DECISIONS 44); empty lines are ignored.

In every format a repeated column name is read as `name.1`, `name.2`, ...; a column without a
name gets `Unnamed: i` (0-based position) and is dropped when it holds no value.

CSV dialect (DECISIONS 47, `dialect`): the delimiter is sniffed from a `.csv`'s header line
among `,` `;` tab `|` (`--delimiter` forces one); values are quoted with `"` except in
tab-separated files (`--quote`); a `;` file's numbers use a decimal comma (`--decimal`;
`FileInfo.decimal_comma`, converted by the parsers). A quoted value whose inner lines look like
rows is an unbalanced quote: its record is `Malformed` of kind `unbalanced_quote` and the lines
after it are read as rows.

Damaged text: a file with many control bytes is refused as binary (UTF-16 is read when it
starts with a byte-order mark or `--encoding` names it); a record holding a NUL byte is
`Malformed`. A UTF-8 file (it holds valid non-ASCII UTF-8, or every non-ASCII byte stands alone
and is no CP1252 letter) in which a few lines are in another encoding (≤ 1 % of the lines, at
least one) keeps its UTF-8 lines and reports each other one as `Malformed` (CSV, TSV, JSON
Lines; a JSON document is refused, naming the line). CP1252 is detected beside CP949 and
CP932 (`text`). A file that
holds JSON under a .csv/.tsv name, or CSV under a .json name, is refused with the format to use.

`source_line` is, per row, the 1-based physical line where the row starts (CSV, TSV, JSONL),
the worksheet row (XLSX) or the 1-based record index (JSON, Parquet).

The package is split by input format. Each module imports only modules listed before it here
(no cycles) and never this `__init__`, which re-exports the public names:

- `model`: what a read gives (`RawInput`, `FileInfo`, `Malformed`, `Places`) and what a
  format's reader gets and returns (`Options`, `Part`).
- `source`: paths, globs, standard input, pipes and gzip: a file's bytes (`Source`).
- `text`: bytes → text: the encoding, binary files, lines in another encoding (`Text`).
- `dialect`: a CSV's delimiter, quote and decimal mark, and the checks of their options.
- `frames`: column names, pruning and Arrow → pandas, shared by every format.
- `csv_small`: CSV/TSV through the csv module (small files, damaged ones, pyarrow's refusals).
- `csv_lines`: each CSV record's start line, from a scan of the bytes.
- `csv_arrow`: `read_delimited` picks the CSV/TSV path; big files read by pyarrow, streamed
  from disk or from the bytes in memory.
- `json_files`, `parquet`: the other formats.
- `xlsx_parts` (a workbook's sheets, and a scan of one sheet's XML that bounds its cells),
  `xlsx_cells` (calamine's cell values as openpyxl gives them), then `xlsx`, the workbook
  reader (openpyxl for the workbooks the scan cannot vouch for).
- `inputs`: `read_inputs` (files → one `RawInput`), the format table and the memory check.

numpy, pandas and pyarrow are imported inside functions only, so `cskpi --help` stays fast.
"""

from __future__ import annotations

from cskpi.load.readers.inputs import FORMATS, TEXT_MEMORY_FACTOR, detect_format, read_inputs
from cskpi.load.readers.model import FileInfo, Malformed, Places, RawInput

__all__ = [
    "FORMATS",
    "TEXT_MEMORY_FACTOR",
    "FileInfo",
    "Malformed",
    "Places",
    "RawInput",
    "detect_format",
    "read_inputs",
]
