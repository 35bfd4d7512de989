"""Issue 19 item 8: small files that would cost huge memory or time are refused (or bounded)
before they do, and the free-memory check reads what the process can really use.

Corpus files (tests/data/bad/, written by make_corpus.py): `gzip_bomb.csv.gz`,
`wide_sheet.xlsx`, `repeated_header.csv`, `many_keys.jsonl.gz`; full-size hostile files are
made here in tmp_path. Helpers are those of tests/test_bad_inputs.py.
"""

from __future__ import annotations

import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from cskpi import memory
from cskpi.errors import InputError
from cskpi.load.readers import frames, json_files, source, xlsx
from tests.test_bad_inputs import bad, cli, frame, make_corpus, refused, report

_SAMPLE_SURVEYS = str(Path(__file__).resolve().parents[1] / "sample_data" / "surveys.parquet")
LINE = b"T1,2024-03-01 09:00,2024-03-01 09:10,2024-03-01 10:00,solved,kim,email\n"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)
    monkeypatch.delenv("CSKPI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


# -- (a) gzip: decompressed a chunk at a time, with a bound ------------------------------------


def test_the_corpus_bomb_is_refused_past_its_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    """3,517 bytes that expand to 1 MB (290 times): over 32 times its size. The 64 MiB floor
    (which lets small files expand freely) is lowered to 256 KiB to keep the corpus small:
    the limit is max(256 KiB, 32 × 3,517 B = 110 KiB) = 0.25 MiB, shown as 0.2."""
    monkeypatch.setattr(source, "GZIP_FLOOR", 256 * 1024)
    result = cli("report", bad("gzip_bomb.csv.gz"))
    refused(
        result,
        4,
        "gzip_bomb.csv.gz: decompresses to over 0.2 MiB, more than 32 times its size: "
        "refused as a likely gzip bomb",
        "decompress it first (gunzip) and read that file",
    )


def test_under_the_floor_a_repetitive_gzip_is_read() -> None:
    """The same 1 MB is under the 64 MiB floor: read, 14,000 rows of T1 (13,999 duplicates)."""
    _, out = report(bad("gzip_bomb.csv.gz"))
    assert out["data_quality"]["tickets"] == frame(
        14_000, 1, dropped={"duplicate_ticket_id": 13_999}
    )


def _bomb(path: Path, copies: int) -> int:
    """A gzip file of a header and `copies` × 14,000 lines; returns the decompressed size."""
    chunk = LINE * 14_000
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    parts = [packer.compress(make_corpus.GOOD_HEADER.encode())]
    parts += [packer.compress(chunk) for _ in range(copies)]
    path.write_bytes(b"".join(parts) + packer.flush())
    return len(make_corpus.GOOD_HEADER) + len(chunk) * copies


def test_a_real_bomb_is_refused_without_being_expanded(tmp_path: Path) -> None:
    """1 MB of gzip that expands to 298 MB: refused once 64 MiB are out (the floor, since
    32 × 1 MB is less), and never more than that plus one 4 MiB chunk held."""
    path = tmp_path / "bomb.csv.gz"
    whole = _bomb(path, 300)
    assert whole > 280 * 10**6 and path.stat().st_size < 2 * 2**20
    content = path.read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=r"bomb.csv.gz: decompresses to over 64.0 MiB"):
            source.gunzip("bomb.csv.gz", content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20, peak  # the 298 MB were never held
    refused(cli("report", path), 4, "decompresses to over 64.0 MiB, more than 32 times")


def test_a_gzip_bigger_than_the_memory_left_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3 MiB available: a gzip may expand to 1 MiB (a third: reading needs 3 times it), under
    its ratio limit of 64 MiB. The corpus bomb expands to 75 + 14,000 × 71 = 994,075 bytes
    (header and lines), under 1 MiB (1,048,576): 3 MiB reads it; 2.8 MiB (a limit of
    978,670 bytes, shown as 0.9 MiB) refuses it."""
    monkeypatch.setattr(memory, "available", lambda: 3 * 2**20)
    _, out = report(bad("gzip_bomb.csv.gz"))
    assert out["data_quality"]["tickets"]["read"] == 14_000
    monkeypatch.setattr(memory, "available", lambda: int(2.8 * 2**20))
    result = cli("report", bad("gzip_bomb.csv.gz"))
    refused(result, 4, "decompresses to over 0.9 MiB, more than the 2.8 MiB of memory available")


def test_a_truncated_gzip_is_still_named_corrupt() -> None:
    refused(cli("report", bad("truncated.csv.gz")), 4, "truncated or corrupt gzip file")


# -- (e) the memory the process can use ---------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> tuple[str, str]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(tmp_path / "proc"), str(tmp_path / "cg")


MEMINFO = "MemTotal: 16777216 kB\nMemFree: 1048576 kB\nMemAvailable: 8388608 kB\n"
"""16 GiB of memory, 1 GiB free, 8 GiB available (the rest page cache the kernel can drop)."""


def test_mem_available_not_mem_free(tmp_path: Path) -> None:
    proc, cg = _tree(tmp_path, {"proc/meminfo": MEMINFO, "proc/self/cgroup": "0::/\n"})
    assert memory.available(proc, cg) == 8 * 2**30  # 8,388,608 kB


def test_cgroup_v2_limit_caps_it(tmp_path: Path) -> None:
    """memory.max 1 GiB, memory.current 256 MiB: 768 MiB left, under the 8 GiB available."""
    proc, cg = _tree(
        tmp_path,
        {
            "proc/meminfo": MEMINFO,
            "proc/self/cgroup": "0::/user.slice/cskpi\n",
            "cg/user.slice/cskpi/memory.max": f"{2**30}\n",
            "cg/user.slice/cskpi/memory.current": f"{256 * 2**20}\n",
        },
    )
    assert memory.available(proc, cg) == 768 * 2**20


def test_cgroup_v2_without_a_limit(tmp_path: Path) -> None:
    proc, cg = _tree(
        tmp_path,
        {
            "proc/meminfo": MEMINFO,
            "proc/self/cgroup": "0::/a\n",
            "cg/a/memory.max": "max\n",
            "cg/a/memory.current": "0\n",
        },
    )
    assert memory.available(proc, cg) == 8 * 2**30


def test_cgroup_v1_limit_at_the_namespace_root(tmp_path: Path) -> None:
    """A container sees its own cgroup at the root: /docker/abc is not under the mount, so
    the root's memory.limit_in_bytes (2 GiB) less usage (512 MiB) is used: 1.5 GiB."""
    proc, cg = _tree(
        tmp_path,
        {
            "proc/meminfo": MEMINFO,
            "proc/self/cgroup": "5:cpu:/docker/abc\n4:memory:/docker/abc\n0::/\n",
            "cg/memory/memory.limit_in_bytes": f"{2 * 2**30}\n",
            "cg/memory/memory.usage_in_bytes": f"{512 * 2**20}\n",
        },
    )
    assert memory.available(proc, cg) == 1536 * 2**20


def test_cgroup_v1_unlimited_is_2_to_the_63_rounded(tmp_path: Path) -> None:
    proc, cg = _tree(
        tmp_path,
        {
            "proc/meminfo": MEMINFO,
            "proc/self/cgroup": "4:memory:/\n",
            "cg/memory/memory.limit_in_bytes": "9223372036854771712\n",
            "cg/memory/memory.usage_in_bytes": "0\n",
        },
    )
    assert memory.available(proc, cg) == 8 * 2**30


def test_nothing_readable_is_none(tmp_path: Path) -> None:
    assert memory.available(str(tmp_path / "none"), str(tmp_path / "none")) is None


# -- (b) workbooks: declared sizes and cells -----------------------------------------------------


def test_a_sheet_claiming_every_cell_is_refused_before_reading() -> None:
    """A1:XFD1048576 is 16,384 × 1,048,576 = 17,179,869,184 cells."""
    refused(
        cli("report", bad("wide_sheet.xlsx")),
        4,
        "wide_sheet.xlsx: sheet 'Tickets' declares 17,179,869,184 cells (A1:XFD1048576), "
        "more than the 20,000,000 cskpi reads from a workbook; save the sheet as CSV",
    )


def _far_cells(tmp_path: Path, rows: int) -> Path:
    """No used range stored; each ticket row has one more cell in column XFD (16,384)."""
    body = [make_corpus.inline_row(1, {"A": "Ticket ID", "B": "Created At"})]
    body += [
        make_corpus.inline_row(n, {"A": f"T{n}", "B": "2024-03-01 09:00", "XFD": "x"})
        for n in range(2, rows + 2)
    ]
    path = tmp_path / "far.xlsx"
    path.write_bytes(make_corpus.bare_xlsx("<sheetData>" + "".join(body) + "</sheetData>"))
    return path


def test_cells_are_counted_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each row of tickets is 16,384 values (openpyxl fills the gap to XFD): 1 header cell row
    of 2, then 16,384 per row; with the limit lowered to 40,000 the third ticket row passes
    it (2 + 3 × 16,384 = 49,154)."""
    monkeypatch.setattr(xlsx, "MAX_CELLS", 40_000)
    refused(
        cli("report", _far_cells(tmp_path, 5)),
        4,
        "far.xlsx: sheet 'Tickets' holds more cells (the empty ones inside its rows count), "
        "more than the 40,000 cskpi reads",
    )


def test_cells_under_the_limit_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """2 ticket rows: 2 + 2 × 16,384 = 32,770 cells, under 40,000: read, two tickets."""
    monkeypatch.setattr(xlsx, "MAX_CELLS", 40_000)
    _, out = report(_far_cells(tmp_path, 2))
    assert out["data_quality"]["tickets"] == frame(2, 2)


def test_parts_declaring_too_much_xml_are_refused(tmp_path: Path) -> None:
    """70 MiB of blanks inside the sheet compress to about 70 KB: the zip's directory declares
    70 MiB, over max(64 MiB, 30 × the file's size); refused without decompressing it."""
    blanks = " " * (70 * 2**20)
    path = tmp_path / "blanks.xlsx"
    path.write_bytes(make_corpus.bare_xlsx(f"<sheetData>{blanks}</sheetData>"))
    assert path.stat().st_size < 2**20
    with zipfile.ZipFile(path) as book:
        assert sum(i.file_size for i in book.infolist()) > 70 * 2**20
    refused(
        cli("report", path),
        4,
        "blanks.xlsx: its parts declare 70 MiB of XML, more than 64 MiB (30 times the file's "
        "size at most)",
    )


# -- Parquet: rows declared against the file's size ---------------------------------------------


def test_a_parquet_file_declaring_too_many_rows_is_refused() -> None:
    """1,100,000 rows of one ticket in a few KB: over max(1,000,000, size / 2) rows."""
    size = Path(bad("rows_bomb.parquet")).stat().st_size
    assert size < 16 * 1024
    refused(
        cli("report", bad("rows_bomb.parquet")),
        4,
        f"rows_bomb.parquet: declares 1,100,000 rows in {size:,} bytes, more than one row per "
        "2 bytes: refused as a likely Parquet bomb",
    )


def test_parquet_rows_that_memory_cannot_hold_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sample surveys: 8,137 rows in 125 KB (one per 15 bytes, under the ratio). Each
    column read costs about 24 bytes a row: 8,137 × 24 = 195,288 bytes for one column alone,
    over the 100 KiB made available here, whatever columns the report reads."""
    monkeypatch.setattr(memory, "available", lambda: 100 * 1024)
    result = cli("report", bad("good_tickets.csv"), "--surveys", _SAMPLE_SURVEYS)
    refused(result, 4, "surveys.parquet: 8,137 rows of", "of memory to read, but only 0.1 MiB is")


# -- (c) repeated header names: linear ---------------------------------------------------------


def test_repeated_names_get_suffixes_and_one_warning() -> None:
    names, unnamed, warnings = frames.column_names("f.csv", ["x", "x", "x.1", None, "x", "y"])
    # x, x.1 (second x), x.1 again → x.1.1, blank → Unnamed: 3, third x → x.2 (x.1 is taken)
    assert names == ["x", "x.1", "x.1.1", "Unnamed: 3", "x.2", "y"]
    assert unnamed == {"Unnamed: 3"}
    assert warnings == [
        "f.csv: column 'x' appears 3 times; read as 'x.1', 'x.2'",
        "f.csv: column 'x.1' appears more than once; read as 'x.1.1'",
    ]


def test_sixteen_thousand_equal_names_take_linear_time() -> None:
    """Cubic renaming took 74 s for 3,000; linear takes milliseconds for 16,384 (the most
    columns a file may have)."""
    start = time.perf_counter()
    names, _, warnings = frames.column_names("f.csv", ["x"] * 16_384)
    assert time.perf_counter() - start < 2
    assert names[:3] == ["x", "x.1", "x.2"] and names[-1] == "x.16383"
    assert len(set(names)) == 16_384
    assert warnings == [
        "f.csv: column 'x' appears 16384 times; read as 'x.1', 'x.2', ..., 'x.16383'"
    ]


def test_the_repeated_header_file() -> None:
    """500 columns named x beside the ticket's: one warning; validate lists 200 of the 500
    unmapped ones and counts the other 300."""
    result, out = report(bad("repeated_header.csv"))
    assert "column 'x' appears 500 times; read as 'x.1', 'x.2', ..., 'x.499'" in result.stderr
    assert out["data_quality"]["tickets"] == frame(1, 1)
    shown = cli("validate", bad("repeated_header.csv"), "-f", "csv")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.count(",unmapped,") == 200
    assert "300 more unmapped columns not read (only the first 200 are shown)" in shown.stdout


def test_a_header_wider_than_excel_allows_is_refused() -> None:
    """2 named columns and 16,383 blank ones: 16,385, over 16,384 (XFD); matching each name
    costs, and a 4 MB header of two million blank names took minutes."""
    refused(
        cli("report", bad("wide_header.csv.gz")),
        4,
        "wide_header.csv.gz: the header has 16,385 columns, more than the 16,384 cskpi reads "
        "(Excel's limit)",
    )


# -- (d) validate's key union --------------------------------------------------------------------


def test_validate_bounds_the_key_union() -> None:
    """300 records, each with its own key k0..k299: id and created_at are mapped, 200 of the
    300 unmapped keys are read and listed, 100 counted."""
    shown = cli("validate", bad("many_keys.jsonl.gz"), "-f", "csv")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.count(",unmapped,") == 200
    assert ",unmapped,k0," in shown.stdout and ",unmapped,k199," in shown.stdout
    assert ",unmapped,k200," not in shown.stdout
    assert "100 more unmapped columns not read (only the first 200 are shown)" in shown.stdout
    assert "tickets,read,rows,300" in shown.stdout


def test_json_cells_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for 1,200 cells (4 per record, over 300 records), the 202 keys validate asks
    for shrink to the 4 found in most records: id and created_at (300 each), then k0, k1
    (one each, first in the file); 198 are left out and said so."""
    monkeypatch.setattr(json_files, "CELLS", 1_200)
    monkeypatch.setattr(json_files, "CELLS_PER_ROW", 1)
    shown = cli("validate", bad("many_keys.jsonl.gz"), "-f", "csv")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.count(",unmapped,") == 2
    assert ",unmapped,k0," in shown.stdout and ",unmapped,k1," in shown.stdout
    assert "198 keys found in few records not read (202 distinct keys; the 4 most" in shown.stdout
    assert "tickets,read,rows,300" in shown.stdout


def test_json_keys_beyond_the_column_limit_are_the_rarest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the column limit lowered to 100, of the 302 keys the 100 found in most records
    are kept, before any matching: id and created_at (300 each), then k0..k97 (one each, in
    file order); 202 are left out. Validate lists the 98 unmapped ones, under its 200."""
    monkeypatch.setattr(json_files, "MAX_COLUMNS", 100)
    shown = cli("validate", bad("many_keys.jsonl.gz"), "-f", "csv")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.count(",unmapped,") == 98
    assert ",unmapped,k97," in shown.stdout and ",unmapped,k98," not in shown.stdout
    assert "202 keys found in few records not read (302 distinct keys; the 100 most" in (
        shown.stdout
    )
    assert "more unmapped columns not read" not in shown.stdout
