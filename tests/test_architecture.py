"""The house rules of ARCHITECTURE.md, checked on every import of `cskpi/`.

Every import counts: at module level, inside functions and under `TYPE_CHECKING`. Layers only
point down; no cycle, even inside a layer; no private name (`_x`) imported from another module;
no module over 600 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cskpi"

LAYERS = (
    ("base", ("cskpi.version", "cskpi.errors", "cskpi.units", "cskpi.arrays", "cskpi.memory",
              "cskpi.result", "cskpi.config")),
    ("time", ("cskpi.time",)),
    ("load", ("cskpi.load",)),
    ("kpis", ("cskpi.kpis",)),
    ("engine", ("cskpi.engine",)),
    ("render", ("cskpi.render",)),
    ("sample", ("cskpi.sample",)),
    ("face", ("cskpi.api", "cskpi.cli", "cskpi.__main__", "cskpi")),
)  # fmt: skip
"""Lowest first. A module may import modules of its own layer or of a layer below."""
MAX_LINES = 600


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(name: str) -> int:
    """The layer of a module: its longest matching prefix in LAYERS."""
    best, rank = -1, -1
    for at, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), at
    assert rank >= 0, f"{name} is in no layer of tests/test_architecture.py"
    return rank


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for every cskpi import of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "cskpi":
                    found.append((alias.name, "", node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if source.split(".")[0] != "cskpi":
                continue
            for alias in node.names:
                if f"{source}.{alias.name}" in known:  # a submodule
                    found.append((f"{source}.{alias.name}", "", node.lineno))
                else:
                    found.append((source, alias.name, node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {target for target, _, _ in imports(name, path, known) if target != name}
        for name, path in known.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_module_has_a_layer() -> None:
    for name in modules():
        layer_of(name)


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_imports_point_down() -> None:
    upward = [
        f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for name, targets in graph().items()
        for target in targets
        if layer_of(target) > layer_of(name)
    ]
    assert upward == []


def test_no_private_name_crosses_modules() -> None:
    known = modules()
    crossing = [
        f"{path.relative_to(ROOT)}:{line}: {imported} from {source}"
        for name, path in known.items()
        for source, imported, line in imports(name, path, known)
        if imported.startswith("_") and not imported.startswith("__") and source != name
    ]
    assert crossing == []


def test_no_module_over_600_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


# -- the checks themselves can fail ------------------------------------------------------------


def test_cycles_finds_a_cycle_and_not_a_chain() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


@pytest.mark.parametrize(
    ("name", "layer"),
    [("cskpi.errors", "base"), ("cskpi.kpis.view", "kpis"), ("cskpi.cli.report", "face"),
     ("cskpi", "face"), ("cskpi.time.window", "time")],
)  # fmt: skip
def test_layer_of(name: str, layer: str) -> None:
    assert LAYERS[layer_of(name)][0] == layer


def test_imports_reads_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    source = tmp_path / "cskpi" / "engine" / "x.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from cskpi.render.table import render_table\n"
        "def f():\n    from cskpi.engine.compute import _pass\n    from . import keys\n",
        encoding="utf-8",
    )
    known = {"cskpi.engine.keys": source, "cskpi.engine.x": source}
    assert imports("cskpi.engine.x", source, known) == [
        ("cskpi.render.table", "render_table", 3),
        ("cskpi.engine.compute", "_pass", 5),
        ("cskpi.engine.keys", "", 6),
    ]


OUTSIDE = ("../shared", "shared/design", "shared/reference")


def test_the_repository_points_only_inside_itself() -> None:
    """The README, docs/ and the code cite contracts that ship with the project."""
    outside = [
        f"{path.relative_to(ROOT)}:{n}"
        for pattern in ("*.md", "cskpi/**/*.py", "tests/*.py", "docs/*.md", "bench/*.py")
        for path in ROOT.glob(pattern)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if path != Path(__file__).resolve() and any(mark in line for mark in OUTSIDE)
    ]
    assert outside == []
    for cited in ("KPIS.md", "DATA.md", "CLI.md", "DECISIONS.md", "outputs.md"):
        assert (ROOT / "docs" / cited).is_file()
