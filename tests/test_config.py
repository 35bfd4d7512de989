"""cskpi.config: durations, validation with nearest-key hints, and `cskpi.toml` discovery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cskpi.config import Config, Scale, find_config, load_config, parse_config, parse_duration
from cskpi.errors import UsageError

# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("45s", 45.0),
        ("30m", 1800.0),  # 30 × 60
        ("4h", 14400.0),  # 4 × 3600
        ("2d", 172800.0),  # 2 × 86400
        ("1h30m", 5400.0),  # 3600 + 1800
        ("1d 2h 3m 4s", 93784.0),  # 86400 + 7200 + 180 + 4
        ("1.5h", 5400.0),
        (" 20s ", 20.0),
        (90, 90.0),  # a bare TOML number is seconds
        (0.5, 0.5),
    ],
)
def test_parse_duration_forms(text: str | float, seconds: float) -> None:
    assert parse_duration(text, where="t") == seconds


@pytest.mark.parametrize("text", ["", "4", "4x", "h", "30min", "4h2d", "-5m", "1 hour", True])
def test_parse_duration_refuses_the_rest(text: Any) -> None:
    with pytest.raises(UsageError) as err:
        parse_duration(text, where="--threshold")
    assert str(err.value).startswith("--threshold: cannot read duration")
    assert "45s, 30m, 4h, 2d, 1h30m" in str(err.value)
    assert err.value.exit_code == 2


# --- parse_config ---------------------------------------------------------------------------


def test_defaults() -> None:
    config = parse_config({})
    assert config == Config()
    assert config.clock == "calendar"
    assert config.csat.scale == Scale(1, 5)
    assert (config.csat.positive, config.csat.negative) == (4, 2)  # top two / bottom two
    assert config.service_level_threshold == 20.0
    assert config.sla == ()


def test_full_example_from_cli_md() -> None:
    config = parse_config(
        {
            "timezone": "Asia/Seoul",
            "source_timezone": "UTC",
            "columns": {"created_at": "Created time", "agent": "Assignee"},
            "sla": [
                {
                    "priority": "urgent",
                    "first_response": "1h",
                    "resolution": "8h",
                    "clock": "business",
                },
                {"first_response": "24h", "resolution": "72h"},
            ],
            "service_level": {"threshold": "20s"},
            "csat": {"scale": [1, 5], "positive_min": 4, "negative_max": 2},
            "targets": {"frt_median": "<= 4h"},
            "costs": {"currency": "USD", "monthly": 42000},
        }
    )
    assert config.timezone == "Asia/Seoul"
    assert config.columns == (("created_at", "Created time"), ("agent", "Assignee"))
    first, catch_all = config.sla
    assert first.filters == (("priority", ("urgent",)),)
    assert (first.first_response, first.resolution, first.clock) == (3600.0, 28800.0, "business")
    assert first.label == "priority=urgent"
    # 24 h = 86400 s, 72 h = 259200 s; no filters → all tickets, the report's clock.
    assert (catch_all.first_response, catch_all.resolution, catch_all.clock) == (
        86400.0,
        259200.0,
        None,
    )
    assert catch_all.label == "all tickets"
    assert config.targets == (("frt_median", "<= 4h"),)
    assert config.costs.monthly == 42000


def test_unknown_top_level_key_names_the_nearest() -> None:
    with pytest.raises(UsageError) as err:
        parse_config({"timezon": "Asia/Seoul"})
    assert str(err.value) == "config: unknown key 'timezon' (did you mean timezone?)"
    assert err.value.exit_code == 2


def test_unknown_section_key_names_the_nearest() -> None:
    with pytest.raises(UsageError) as err:
        parse_config({"csat": {"positve_min": 4}})
    assert str(err.value) == "config: unknown key 'csat.positve_min' (did you mean positive_min?)"


def test_section_must_be_a_table() -> None:
    with pytest.raises(UsageError, match=r"\[csat\] must be a table"):
        parse_config({"csat": 5})


def test_sla_without_targets_is_an_error() -> None:
    with pytest.raises(UsageError) as err:
        parse_config({"sla": [{"priority": "urgent"}]})
    assert str(err.value) == "config: sla[1] sets no target; add first_response or resolution"


def test_sla_must_be_an_array_of_tables() -> None:
    with pytest.raises(UsageError, match=r"\[\[sla\]\]"):
        parse_config({"sla": {"first_response": "1h"}})


def test_sla_entries_that_are_not_tables_are_a_usage_error() -> None:
    """`sla = ["1h"]` is a config mistake (exit 2), not an internal error."""
    with pytest.raises(UsageError):
        parse_config({"sla": ["1h"]})


def test_sla_bad_duration_names_the_entry() -> None:
    with pytest.raises(UsageError) as err:
        parse_config({"sla": [{"first_response": "1h"}, {"resolution": "soon"}]})
    assert "sla[2].resolution" in str(err.value)


def test_sla_filter_values_are_normalised() -> None:
    config = parse_config({"sla": [{"priority": ["Urgent", " HIGH "], "first_response": "1h"}]})
    assert config.sla[0].filters == (("priority", ("urgent", "high")),)
    assert config.sla[0].label == "priority=urgent|high"


@pytest.mark.parametrize(
    "table", [{"clock": "wall"}, {"sla": [{"first_response": "1h", "clock": "business-hours"}]}]
)
def test_bad_clock(table: dict[str, Any]) -> None:
    with pytest.raises(
        UsageError,
        match=r'clock must be "business" or "calendar"|clock must be "calendar" or "business"',
    ):
        parse_config(table)


def test_clock_business() -> None:
    assert parse_config({"clock": "business"}).clock == "business"


@pytest.mark.parametrize("scale", [[5, 1], [1], [1, "5"], "1-5"])
def test_bad_scale(scale: Any) -> None:
    with pytest.raises(UsageError, match=r"csat\.scale must be two numbers"):
        parse_config({"csat": {"scale": scale}})


def test_columns_must_map_to_strings() -> None:
    with pytest.raises(UsageError, match=r"\[columns\]"):
        parse_config({"columns": {"created_at": 3}})


def test_repeat_contact_days_must_be_a_number() -> None:
    """A wrong value type in the config is a usage error (exit 2), not an internal error."""
    with pytest.raises(UsageError):
        parse_config({"repeat_contact": {"days": "seven"}})


# --- load_config ----------------------------------------------------------------------------


def test_discovers_cskpi_toml_in_cwd(tmp_path: Path) -> None:
    (tmp_path / "cskpi.toml").write_text(
        'timezone = "Asia/Seoul"\n[costs]\nfile = "costs.csv"\n', encoding="utf-8"
    )
    config = load_config(None, cwd=tmp_path)
    assert config.timezone == "Asia/Seoul"
    assert config.path == tmp_path / "cskpi.toml"
    assert config.costs.file == tmp_path / "costs.csv"  # relative to the config file


def test_no_config_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(None, cwd=tmp_path) == Config()


def test_explicit_config_path(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "team.toml"
    path.parent.mkdir()
    path.write_text('[service_level]\nthreshold = "1m"\n', encoding="utf-8")
    (tmp_path / "cskpi.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
    config = load_config(path, cwd=tmp_path)  # -c wins over ./cskpi.toml
    assert config.service_level_threshold == 60.0
    assert config.timezone is None


def test_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(UsageError) as err:
        load_config(path, cwd=tmp_path)
    assert str(err.value) == f"{path}: config file not found"
    assert err.value.exit_code == 2


def test_invalid_toml_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "cskpi.toml"
    path.write_text("timezone = \n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        load_config(None, cwd=tmp_path)
    assert str(err.value).startswith(f"{path}: not valid TOML")


def test_discovered_config_is_validated(tmp_path: Path) -> None:
    (tmp_path / "cskpi.toml").write_text('timezon = "UTC"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="did you mean timezone"):
        load_config(None, cwd=tmp_path)


def test_errors_in_a_file_start_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "team.toml"
    path.write_text('[sla]\nfirst_response = "1h"\n', encoding="utf-8")
    with pytest.raises(UsageError) as err:
        load_config(path)
    assert str(err.value) == f"{path}: sla must be an array of tables ([[sla]])"
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'timezone = "Europe/Berln"',
            "timezone: unknown time zone 'Europe/Berln' (use an IANA name such as Europe/Berlin)",
        ),
        ('business_hours = "9-18"', "[business_hours] must be a table"),
        ('[calendars]\nsupport = "9-18"', "[calendars.support] must be a table"),
        ("[targets]\ncsat = [1]", 'targets.csat must be a string such as "<= 4h" or ">= 85%"'),
        ('[costs]\nmonthly = "lots"', "costs.monthly must be a non-negative number, not 'lots'"),
        (
            '[[sla]]\nfirst_response = "soon"',
            "sla[1].first_response: cannot read duration 'soon'; use e.g. 45s, 30m, 4h, 2d, 1h30m",
        ),
    ],
)
def test_config_mistakes_are_usage_errors_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "cskpi.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        load_config(path)
    assert str(err.value) == f"{path}: {message}"


# --- discovery (DECISIONS 43): -c, $CSKPI_CONFIG, ./cskpi.toml, $XDG_CONFIG_HOME ---------------


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """One config file in each place discovery looks, the working directory in `work`."""
    found = {
        "explicit": tmp_path / "explicit.toml",
        "env": tmp_path / "env.toml",
        "cwd": tmp_path / "work" / "cskpi.toml",
        "xdg": tmp_path / "xdg" / "cskpi" / "cskpi.toml",
        "home": tmp_path / "home" / ".config" / "cskpi" / "cskpi.toml",
    }
    for path in found.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("CSKPI_CONFIG", str(found["env"]))
    return found


def test_discovery_order(places: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_config(places["explicit"]) == places["explicit"]
    assert find_config(None) == places["env"]
    monkeypatch.delenv("CSKPI_CONFIG")
    assert find_config(None) == Path("cskpi.toml")  # named as found, relative to the cwd
    places["cwd"].unlink()
    assert find_config(None) == places["xdg"]
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert find_config(None) == places["home"]  # ~/.config by default
    places["home"].unlink()
    assert find_config(None) is None


def test_relative_xdg_config_home_is_ignored(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the XDG spec: a relative path is invalid and ignored, so ~/.config is used
    monkeypatch.delenv("CSKPI_CONFIG")
    places["cwd"].unlink()
    monkeypatch.setenv("XDG_CONFIG_HOME", "xdg")
    assert find_config(None) == places["home"]


def test_empty_cskpi_config_is_unset(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSKPI_CONFIG", "")
    assert find_config(None) == Path("cskpi.toml")


def test_cskpi_config_must_exist(places: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    missing = places["env"].parent / "gone.toml"
    monkeypatch.setenv("CSKPI_CONFIG", str(missing))
    with pytest.raises(UsageError) as err:
        load_config(None)
    assert str(err.value) == f"{missing}: config file not found (named by $CSKPI_CONFIG)"
    assert err.value.exit_code == 2


def test_discovered_user_config_is_read(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSKPI_CONFIG")
    places["cwd"].unlink()
    places["xdg"].write_text('timezone = "Asia/Seoul"\n', encoding="utf-8")
    config = load_config(None)
    assert (config.timezone, config.path) == ("Asia/Seoul", places["xdg"])
