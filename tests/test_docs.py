"""The README is checked against the code: KPI table, commands, real output, and every
example, run as written (issue 17)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cskpi.cli import app
from cskpi.kpis import all_kpis
from cskpi.render.catalogue import markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_kpi_table_matches_registry() -> None:
    text = _readme()
    block = re.search(r"<!-- kpi-table:start -->\n(.*?)<!-- kpi-table:end -->", text, re.S)
    assert block is not None
    assert block.group(1) == markdown_table()


def test_every_registered_kpi_is_documented() -> None:
    text = _readme()
    for kpi_id in all_kpis():
        assert f"| `{kpi_id}` |" in text


def test_readme_shows_the_two_commands() -> None:
    text = _readme()
    assert "make report" in text and "make test" in text


# -- every example runs as written (issue 17) ---------------------------------------------------
#
# Each `cskpi` line of a ```sh/```bash block, and each `$ ` line of a ```text transcript, runs
# in process from a copy of a fresh checkout's root (sample_data/, tests/data/), with stdout
# a terminal unless the example redirects it, as a user would type it. What the README shows
# after it — `# ` lines under a command in a sh block, the lines under a `$ ` command in a
# transcript (`...` skips) — must appear in that order in its stderr and stdout (or in the
# file it redirects to). A command whose shown output has an error line (`cskpi: ...`) must
# fail; any other must exit 0. `cat` shows a file of the checkout as it is, `echo $?` the
# previous exit code, `head -c N SRC > DST` cuts a file.

ROOT = README.parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class Example:
    line: int
    command: str
    shown: list[str] = field(default_factory=list)
    json_after: str | None = None

    def __str__(self) -> str:
        return f"README.md:{self.line}: {self.command}"


def _joined(lines: list[str], at: int) -> tuple[str, int]:
    """The command starting at `lines[at]` with its `\\` continuations, and the next index."""
    parts = [lines[at]]
    while parts[-1].rstrip().endswith("\\") and at + 1 < len(lines):
        parts[-1] = parts[-1].rstrip()[:-1]
        at += 1
        parts.append(lines[at].strip())
    return " ".join(p.strip() for p in parts), at + 1


def readme_examples() -> list[list[Example]]:
    """The examples, block by block (a transcript's `echo $?` needs its block)."""
    text = _readme()
    blocks: list[list[Example]] = []
    for match in FENCE.finditer(text):
        lang, body = match.group(1), match.group(2)
        first = text[: match.start(2)].count("\n") + 1
        lines = body.splitlines()
        block: list[Example] = []
        at = 0
        while at < len(lines):
            raw = lines[at]
            if lang in ("sh", "bash") and raw.startswith("cskpi "):
                command, nxt = _joined(lines, at)
                block.append(Example(first + at, command))
                at = nxt
            elif lang in ("sh", "bash") and raw.startswith("# ") and block:
                block[-1].shown.append(raw[2:])
                at += 1
            elif lang == "text" and raw.startswith("$ "):
                command, nxt = _joined(lines, at)
                block.append(Example(first + at, command[2:]))
                at = nxt
            elif lang == "text" and block:
                block[-1].shown.append(raw)
                at += 1
            else:
                at += 1
        if lang == "json" and blocks and blocks[-1]:
            blocks[-1][-1].json_after = body
        if block:
            blocks.append(block)
    return blocks


EXAMPLES = [(i, example) for i, block in enumerate(readme_examples()) for example in block]


class TerminalRunner(CliRunner):
    """A runner whose stdout says it is a terminal (the table is the default there)."""

    terminal = True

    @contextmanager
    def isolation(self, *args: object, **kwargs: object) -> Iterator[object]:  # type: ignore[override]
        import sys

        with super().isolation(*args, **kwargs) as streams:  # type: ignore[arg-type]
            if self.terminal:
                sys.stdout.isatty = lambda: True  # type: ignore[method-assign]
            yield streams


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh checkout's root: the shipped inputs, nothing else (outputs land here)."""
    root = tmp_path_factory.mktemp("checkout")
    shutil.copytree(ROOT / "sample_data", root / "sample_data")
    for part in ("bad", "messages"):
        shutil.copytree(ROOT / "tests" / "data" / part, root / "tests" / "data" / part)
    return root


def _in_order(shown: list[str], actual: list[str]) -> list[str]:
    """The shown lines (`...` skipped) missing from `actual` in that order."""
    rest = iter(ANSI.sub("", line).rstrip() for line in actual)
    return [
        line
        for line in (s.rstrip() for s in shown)
        if line.strip() != "..." and not any(got == line for got in rest)
    ]


def _run(example: Example, root: Path, last_code: list[int]) -> None:
    words = shlex.split(example.command, comments=True)
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    if words[0] == "cat":
        assert (root / words[1]).read_text(encoding="utf-8").splitlines() == example.shown, example
        return
    if words[:2] == ["echo", "$?"]:
        assert example.shown == [str(last_code[0])], example
        return
    if words[:2] == ["head", "-c"] and target is not None:
        (root / target).write_bytes((root / words[3]).read_bytes()[: int(words[2])])
        return
    env = {"COLUMNS": "100", "NO_COLOR": "1"}
    while "=" in words[0] and words[0].split("=")[0].isupper():  # `COLUMNS=60 cskpi ...`
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    assert words[0] == "cskpi", f"{example}: the test does not know how to run this"
    runner = TerminalRunner()
    runner.terminal = target is None
    result = runner.invoke(app, words[1:], env=env)
    last_code[0] = result.exit_code
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, example
    fails = any(line.startswith("cskpi: ") for line in example.shown)
    assert (result.exit_code != 0) == fails, (str(example), result.exit_code, result.stderr)
    out = result.stdout
    if target is not None:
        (root / target).write_text(out, encoding="utf-8")
    missing = _in_order(example.shown, [*result.stderr.splitlines(), *out.splitlines()])
    assert not missing, (str(example), missing, result.stderr + out)
    if example.json_after is not None:
        _same_json(example, out)


def _same_json(example: Example, out: str) -> None:
    """The JSON shown after a command: every key as the command gives it; a `rows` list cut
    short (`// 2 of 6 rows shown`) is the first rows."""
    shown = json.loads(re.sub(r"//[^\n]*", "", example.json_after or ""))
    actual = json.loads(out)
    for key, value in shown.items():
        if key == "rows":
            assert actual["rows"][: len(value)] == value, example
        else:
            assert actual[key] == value, (str(example), key)


@pytest.mark.parametrize("block", sorted({i for i, _ in EXAMPLES}))
def test_readme_examples_run_as_written(
    block: int, checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(checkout)
    monkeypatch.delenv("CSKPI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(checkout / "no-config"))
    last_code = [0]
    for _, example in (e for e in EXAMPLES if e[0] == block):
        _run(example, checkout, last_code)


def test_every_readme_command_is_an_example() -> None:
    """Nothing is left out: each `cskpi` line of a sh block and each `$ ` line of a transcript
    is collected (and run above); the README has both kinds."""
    text = _readme()
    fenced = [m.group(2) for m in FENCE.finditer(text) if m.group(1) in ("sh", "bash", "text")]
    starts = sum(
        1 for body in fenced for line in body.splitlines() if line.startswith(("cskpi ", "$ "))
    )
    assert len(EXAMPLES) == starts
    assert any(e.command.startswith("cskpi report sample_data/") for _, e in EXAMPLES)
    assert any(e.shown for _, e in EXAMPLES)


def test_readme_python_example_runs(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ```python block runs from the checkout's root; its rows have the columns its
    comment names and its overall the values it shows."""
    monkeypatch.chdir(checkout)
    (code,) = [m.group(2) for m in FENCE.finditer(_readme()) if m.group(1) == "python"]
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    result = scope["result"]
    named = re.search(r"result\.rows +# a pandas DataFrame: (.*)", code)
    assert named is not None
    assert list(result.rows.columns) == named.group(1).split(", ")  # type: ignore[attr-defined]
    shown = re.search(r"result\.overall +# (\{.*\})", code)
    assert shown is not None
    overall = result.overall  # type: ignore[attr-defined]
    for key, value in re.findall(r'"(\w+)": ([0-9.]+)', shown.group(1)):
        assert str(overall[key]).startswith(value.rstrip(".")), (key, overall[key], value)
