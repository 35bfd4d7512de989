"""Bytes → text: which encoding, and whether the file is text at all (`decode` → `Text`).

The forced `--encoding`, else, in this order (DECISIONS 47):

1. UTF-8 (UTF-16 with a byte-order mark) when the bytes are valid UTF-8 (checked by Arrow,
   decoded only when needed);
2. UTF-8 with a few bad lines: the file holds valid non-ASCII UTF-8 and at most 1 % of its
   lines (at least one) hold bytes UTF-8 cannot decode. It is read `dirty`, and the readers
   report those lines one by one (`dirty_reason`) as malformed, so a stray `0xFF` never turns
   a whole UTF-8 file into CP932 nor makes a group of its own;
3. CP1252 (what Excel writes in Western Europe) when at least half of the runs of non-ASCII
   bytes are single bytes and one of them is a letter or sign next to an ASCII letter, digit
   or space (`Caf\xe9`, `M\xfcller`, `\x80 12`); a lone `0xFF` (`ÿ`) is not one: it is
   read as in 4;
4. UTF-8 with a few bad lines again, without valid non-ASCII UTF-8, when every non-ASCII
   byte stands alone (none of them is a CP1252 letter in a word);
5. CP949 or CP932, the one whose text looks most like real text (`_script_score`).

Anything else is refused, naming the byte, its line and the encodings tried. A file of
control bytes is refused as binary.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cskpi.errors import InputError, UsageError
from cskpi.load.readers.model import Options
from cskpi.load.readers.source import SNIFF, Source

if TYPE_CHECKING:
    import numpy as np

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_UTF8_TEXT = re.compile("[^\x00-\x7f\udc80-\udcff]")  # non-ASCII that decoded as UTF-8
_UNDECODED = re.compile("[\udc80-\udcff]")  # a byte UTF-8 could not decode (surrogateescape)
DIRTY = re.compile("[\x00\udc80-\udcff]")  # that, or a NUL byte
_CONTROL = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])  # not tab, line ends, form feed
_BINARY_SHARE = 0.05  # more control bytes than this in the first 8 KiB: not a text file
_WIDE = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")


@dataclass
class Text:
    """A text file and its encoding. `dirty`: it holds NUL bytes or undecodable bytes (as
    lone surrogates, see `DIRTY`), so its records must be checked one by one. `decoded`:
    the text, or None for valid UTF-8 not decoded yet (the pyarrow path reads the bytes)."""

    decoded: str | None
    encoding: str
    data: bytes
    dirty: bool = False

    @property
    def text(self) -> str:
        if self.decoded is None:
            self.decoded = self.data.decode(self.encoding)
        return self.decoded

    def head(self, chars: int) -> tuple[str, bool]:
        """(the first `chars` characters, whether that is all of the text), decoding only
        as many bytes as they can take."""
        if self.decoded is not None:
            return self.decoded[:chars], len(self.decoded) <= chars
        size = 4 * chars + 3  # UTF-8: at most 4 bytes a character, and a BOM
        if size >= len(self.data):
            return self.text[:chars], len(self.text) <= chars
        text = codecs.getincrementaldecoder(self.encoding)().decode(self.data[:size])
        return text[:chars], False

    def forget(self) -> None:
        """Let go of the bytes and the text once they are parsed: for a big CSV they are as
        large as the file, and the parsed columns are about to be copied into pandas."""
        self.data, self.decoded = b"", None


def decode(src: Source, opts: Options, kind: str) -> Text:
    """The text: the forced encoding, else UTF-8 (UTF-16 with a BOM), CP949 or CP932."""
    data = src.data()
    forced = codecs.lookup(opts.encoding).name if opts.encoding else None
    wide = forced in _WIDE or (
        forced is None and data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    )
    if not wide:
        refuse_binary(src.name, data[:SNIFF], kind)
    bom = data.startswith(codecs.BOM_UTF8)
    names = [forced] if forced else ["utf-16"] if wide else ["utf-8", "cp949", "cp932"]
    first = "utf-8-sig" if names[0] == "utf-8" and bom else names[0]
    if first.startswith("utf-8") and valid_utf8(data):
        return Text(None, first, data, dirty=b"\x00" in data)  # decoded when needed
    if not forced and not wide:
        guessed = _single_byte_or_stray(data, "utf-8-sig" if bom else "utf-8")
        if guessed is not None:
            return guessed
    decoded: dict[str, str] = {}
    failures: list[UnicodeDecodeError] = []
    for name in ("utf-8-sig" if n == "utf-8" and bom else n for n in names):
        try:
            decoded[name] = data.decode(name)
        except UnicodeDecodeError as exc:
            failures.append(exc)
        except LookupError as exc:  # a codec, but not a text one ("base64")
            raise UsageError(f"'{opts.encoding}' is not a text encoding") from exc
        if name.startswith("utf-8") and decoded:
            break
    if not decoded:
        mixed = None if forced else _mostly_utf8(data, "utf-8-sig" if bom else "utf-8")
        if mixed is not None:
            return mixed
        start = failures[0].start
        where = f"byte 0x{data[start]:02x} at offset {start}"
        line = data.count(b"\n", 0, start) + 1
        message = (
            f"{src.name}: {where} is not valid {opts.encoding}"
            if opts.encoding
            else f"{src.name}: line {line}: not UTF-8 ({where}), CP1252, CP949 or CP932 "
            "text; use --encoding NAME"
        )
        raise InputError(message) from failures[0]
    best = max(decoded, key=lambda name: _script_score(decoded[name], name))
    text = decoded[best]
    return Text(text, best, data, dirty="\x00" in text)


def valid_utf8(data: bytes | memoryview) -> bool:
    """Whether `data.decode("utf-8")` would succeed, checked by Arrow without building the
    text (a tenth of the time; both refuse overlong forms, surrogates and > U+10FFFF)."""
    import numpy as np
    import pyarrow as pa

    if isinstance(data, bytes) and data.isascii():
        return True
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    blob = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        blob.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def refuse_binary(name: str, head: bytes, kind: str) -> None:
    """Exit 4 for a file that is not text (many control bytes); UTF-16 without a BOM is named."""
    controls = len(head) - len(head.translate(None, _CONTROL))
    if controls <= _BINARY_SHARE * len(head):
        return
    odd, even = head[1::2], head[0::2]
    for zeros, codec in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if len(zeros) >= 2 and zeros.count(0) == len(zeros):
            raise InputError(
                f"{name}: looks like {codec.upper()} text without a byte-order "
                f"mark; use --encoding {codec}"
            )
    raise InputError(f"{name}: looks like a binary file, not {kind} text")


def _single_byte_or_stray(data: bytes, codec: str) -> Text | None:
    """Steps 2-4 of the module's order: UTF-8 with a few bad lines, CP1252, or None (then
    CP949 / CP932 are tried)."""
    import numpy as np

    mixed = _mostly_utf8(data, codec)
    if mixed is not None:
        return mixed
    buf = np.frombuffer(data, dtype=np.uint8)
    high = np.concatenate(([False], buf >= 0x80, [False]))
    edges = np.flatnonzero(high[1:] != high[:-1])
    starts, length = edges[::2], edges[1::2] - edges[::2]
    single = starts[length == 1]
    if not len(starts) or 2 * len(single) < len(starts):
        return None  # runs of two bytes or more: CP949 / CP932
    latin, word = _byte_tables()
    padded = np.concatenate(([0], buf, [0])).astype(np.uint8)  # neighbours for every byte
    near = word[padded[single]] | word[padded[single + 2]]
    if (latin[buf[single]] & near).any():
        try:
            return Text(data.decode("cp1252"), "cp1252", data, dirty=b"\x00" in data)
        except UnicodeDecodeError:
            return None
    return _mostly_utf8(data, codec, evidence=False)


@functools.cache
def _byte_tables() -> tuple[np.ndarray, np.ndarray]:
    """(CP1252's letters and signs, such as `é`, `ß`, `€`, `’`, but not `0xFF`, `ÿ`, a
    classic stray byte; ASCII letters, digits and space): per byte value, whether it is one."""
    import numpy as np

    latin: np.ndarray = np.zeros(256, dtype=bool)
    latin[0x80:0xFF] = True
    latin[[0x81, 0x8D, 0x8F, 0x90, 0x9D]] = False  # not defined in CP1252
    word: np.ndarray = np.zeros(256, dtype=bool)
    for low, high in ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A), (0x20, 0x20)):
        word[low : high + 1] = True
    return latin, word


def _mostly_utf8(data: bytes, codec: str, evidence: bool = True) -> Text | None:
    """A UTF-8 file with a few lines in another encoding, or None (DECISIONS 32: the lines
    become malformed records, counted, instead of refusing the whole file). `evidence`: the
    file must hold valid non-ASCII UTF-8."""
    text = data.decode(codec, errors="surrogateescape")
    if evidence and not _UTF8_TEXT.search(text):
        return None  # nothing shows the file is UTF-8: the encoding is unknown
    limit, bad, pos = max(1, (text.count("\n") + 1) // 100), 0, 0
    while (found := _UNDECODED.search(text, pos)) is not None:
        bad += 1  # lines holding undecodable bytes
        if bad > limit:
            return None
        pos = text.find("\n", found.end()) + 1
        if not pos:
            break
    return Text(text, codec, data, dirty=True)


def dirty_reason(text: str) -> str | None:
    """Why a record holding NUL or undecodable bytes is skipped; None for a clean one."""
    found = DIRTY.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "NUL byte in the line"
    return f"not UTF-8 like the rest of the file (byte 0x{ord(char) - 0xDC00:02x})"


def _script_score(text: str, encoding: str) -> int:
    """How Korean (cp949) or Japanese (cp932) the decoded text looks; the bytes of either
    language often decode without error in the other codec, as rare characters."""
    good = bad = 0
    for ch in _NON_ASCII.findall(text[:200_000]):
        if "\ue000" <= ch <= "\uf8ff":  # private use: vendor extension bytes, never real text
            bad += 1
        elif encoding == "cp949" and "\uac00" <= ch <= "\ud7a3":
            # Hangul outside KS X 1001 (the 2,350 common syllables) = CP949's rare extension
            common = min(ch.encode("cp949")) >= 0xA1
            good, bad = good + common, bad + (not common)
        elif encoding == "cp949" and "\u4e00" <= ch <= "\u9fff":
            bad += 1  # Hanja are rare in Korean exports
        elif encoding == "cp932" and ("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff"):
            good += 1
        elif encoding == "cp932" and "\uff61" <= ch <= "\uff9f":
            bad += 1  # half-width katakana: what Korean bytes turn into
    return good - bad
