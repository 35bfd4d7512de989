"""Installing (issue 22): `make report` installs the runtime only, the test and lint targets
the dev tools; the project metadata is what setuptools ≥ 77 reads without deprecation
warnings (an SPDX `license` string)."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_license_is_an_spdx_string_and_setuptools_reads_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    requires = project["build-system"]["requires"]
    setuptools = next(r for r in requires if r.startswith("setuptools"))
    # SPDX strings in `license` need setuptools 77 (PEP 639); older ones fail on them
    assert setuptools.replace(" ", "") == "setuptools>=77"


def _dry_run(target: str, venv: Path) -> list[str]:
    if shutil.which("make") is None:
        pytest.fail("make is needed for the Makefile's targets")
    found = subprocess.run(
        ["make", "-n", target, f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in found.stdout.splitlines() if "pip install" in line]


def test_make_report_installs_the_runtime_only(tmp_path: Path) -> None:
    installs = _dry_run("report", tmp_path / "venv")
    assert any(line.endswith("install -q -e .") for line in installs), installs
    assert not any("[dev]" in line for line in installs), installs


@pytest.mark.parametrize("target", ["test", "check", "lint", "typecheck"])
def test_the_developer_targets_add_the_dev_tools(tmp_path: Path, target: str) -> None:
    installs = _dry_run(target, tmp_path / "venv")
    assert any("-e '.[dev]'" in line for line in installs), installs
