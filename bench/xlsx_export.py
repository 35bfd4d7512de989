"""Write a ticket export as Excel writes one, for timing `cskpi report` on a workbook.

    python bench/xlsx_export.py 210000 /tmp/tickets.xlsx     # about 10 MB
    /usr/bin/time -v cskpi report /tmp/tickets.xlsx

Shared strings (ids, status, agent, channel), a declared used range, and date cells (serial
days with a date format); 5 % of the tickets have no first reply, 20 % are open. The XML is
written directly: openpyxl takes minutes for this many rows. Not a test (README, "Memory and
size", quotes the figures).
"""

from __future__ import annotations

import random
import sys
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
HEADER = [
    "Ticket ID",
    "Created At",
    "First Response At",
    "Resolved At",
    "Status",
    "Assignee",
    "Channel",
]


def workbook(rows: int, seed: int = 7) -> dict[str, str]:
    """The parts of the workbook: name → XML."""
    rnd = random.Random(seed)
    strings: dict[str, int] = {}

    def text(ref: str, value: str) -> str:
        index = strings.setdefault(value, len(strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    def day(ref: str, serial: float) -> str:
        return f'<c r="{ref}" s="1"><v>{serial!r}</v></c>'

    body = ['<row r="1">' + "".join(text(f"{chr(65 + j)}1", h) for j, h in enumerate(HEADER))]
    body.append("</row>")
    for i in range(1, rows + 1):
        r = i + 1
        created = 45292 + rnd.randrange(90 * 86400) / 86400  # 2024-01-01 + up to 90 days
        cells = [text(f"A{r}", f"T{i:07d}"), day(f"B{r}", created)]
        if rnd.random() < 0.95:
            cells.append(day(f"C{r}", created + rnd.randrange(60, 86400) / 86400))
        solved = rnd.random() < 0.8
        if solved:
            cells.append(day(f"D{r}", created + rnd.randrange(3600, 10 * 86400) / 86400))
        cells.append(text(f"E{r}", "solved" if solved else "open"))
        cells.append(text(f"F{r}", f"Agent {rnd.randrange(40)}"))
        cells.append(text(f"G{r}", rnd.choice(("email", "chat", "phone", "web"))))
        body.append(f'<row r="{r}">' + "".join(cells) + "</row>")
    sheet = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:G{rows + 1}"/><sheetData>'
        + "".join(body)
        + "</sheetData></worksheet>"
    )
    shared = "".join(f"<si><t>{s}</t></si>" for s in strings)
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "[Content_Types].xml": f'<Types xmlns="{PKG}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kinds}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kinds}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{kinds}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kinds}.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{PKG}/relationships"><Relationship Id="r1" '
        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="Tickets" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{PKG}/relationships">'
        f'<Relationship Id="r1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="r2" Type="{REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="r3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/styles.xml": f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
        'formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts><fonts count="1"><font/></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/>'
        "</cellXfs></styleSheet>",
        "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{shared}</sst>',
        "xl/worksheets/sheet1.xml": sheet,
    }


def main() -> None:
    rows, out = int(sys.argv[1]), sys.argv[2]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, xml in workbook(rows).items():
            book.writestr(name, xml)


if __name__ == "__main__":
    main()
