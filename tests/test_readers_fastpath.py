"""cskpi.load.readers: the shortcuts of the big-file CSV path give what the long way gives.

Valid UTF-8 is checked by Arrow and decoded only when needed (`_Text`); the first line and the
header are read from a prefix; pyarrow splits the file at every line end when no quoted value
holds one (`_record_scan`).
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from cskpi.errors import InputError
from cskpi.load import readers
from cskpi.load.readers import _first_line, _Text, _valid_utf8, read_inputs


@pytest.mark.parametrize(
    "data",
    [
        b"plain ascii",
        "caf\u00e9 \ud55c\uad6d\uc5b4 \U0001f600".encode(),  # 2-, 3- and 4-byte characters
        codecs.BOM_UTF8 + b"x",
        b"a\x00b",  # NUL is valid UTF-8 (the file is then checked record by record)
        b"\xed\xa0\x80",  # an encoded surrogate
        b"\xc0\x80",  # overlong NUL
        b"\xf4\x90\x80\x80",  # above U+10FFFF
        b"caf\xe9",  # Latin-1
        "\ud55c\uad6d".encode("cp949"),
        b"\xe2\x82",  # cut in the middle of a character
    ],
)
def test_utf8_check_agrees_with_python(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert not _valid_utf8(data)
    else:
        assert _valid_utf8(data)


@pytest.mark.parametrize("chars", [1, 2, 3, 5, 100])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_head_of_undecoded_text_equals_the_decoded_prefix(chars: int, encoding: str) -> None:
    text = "\u00e9\ud55c\U0001f600a" * 3  # 2-, 3-, 4- and 1-byte characters: 12 in all
    data = text.encode(encoding)
    lazy = _Text(None, encoding, data)
    head, whole = lazy.head(chars)
    assert head == text[:chars]
    assert whole == (chars >= len(text))
    assert lazy.text == text


@pytest.mark.parametrize("sniff", [1, 4, 8, 1000])
def test_first_line_from_a_prefix_or_the_whole_text(
    sniff: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "_HEADER_SNIFF", sniff)
    text = '\ufeff\n \r\n\t[{"a": 1}]\nnext'
    # blank lines, spaces and a stray BOM are skipped, whatever the prefix length
    assert _first_line(_Text(None, "utf-8", text.encode())) == '[{"a": 1}]'
    assert _first_line(_Text(text, "utf-8", text.encode())) == '[{"a": 1}]'
    assert _first_line(_Text(None, "utf-8", b"\n\nonly")) == "only"


@pytest.mark.parametrize("sniff", [3, 1_000_000])
def test_json_in_a_big_csv_is_refused_with_any_prefix(
    sniff: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "_PYARROW_MIN_BYTES", 0)
    monkeypatch.setattr(readers, "_HEADER_SNIFF", sniff)
    path = tmp_path / "t.csv"
    path.write_text('\n\n{"id": "T1", "created": "2024-03-01"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="holds JSON, not CSV; use --input-format jsonl"):
        read_inputs([str(path)])
