"""Business inputs (issue 9): reading customers, orders, schedules and costs, the command
line options, data quality, the JSON and HTML outputs and the sample files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

import cskpi
from cskpi.cli import app
from cskpi.errors import InputError
from cskpi.load.business import load_business
from cskpi.load.normalize import LoadOptions
from cskpi.load.normalize.business import periods
from cskpi.time.window import WindowSpec

DATA = Path(__file__).parent / "data" / "business"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray ./cskpi.toml
    monkeypatch.delenv("CSKPI_DEBUG", raising=False)


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- reading ------------------------------------------------------------------------------------


def test_customers_by_alias_with_money_text() -> None:
    business = load_business(customers=str(DATA / "customers.csv"))
    assert business is not None and business.customers is not None
    loaded = business.customers
    assert dict(loaded.mapping)["Signup Date"] == "started_at"
    assert dict(loaded.mapping)["Churn Date"] == "ended_at"
    frame = loaded.frame.set_index("customer_id")
    assert frame.loc["C1", "mrr"] == 100.0  # "$100"
    assert frame.loc["C6", "mrr"] == 1000.0  # "1,000"
    assert frame.loc["C2", "ended_at"] == pd.Timestamp("2024-03-10", tz="UTC")
    assert pd.isna(frame.loc["C1", "ended_at"])
    assert str(frame["plan"].dtype) == "category"


def test_map_business_columns_prefixed_and_not(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "Client,Joined,Tier\nA,2024-01-01,gold\n")
    options = LoadOptions(
        mapping=(
            ("customers.customer_id", "Client"),
            ("customers.started_at", "Joined"),
            ("plan", "Tier"),
        )
    )
    business = load_business(customers=path, options=options)
    assert business is not None and business.customers is not None
    frame = business.customers.frame
    assert list(frame["customer_id"]) == ["A"] and list(frame["plan"]) == ["gold"]


def test_missing_required_column_names_it_and_the_fix(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", "Customer ID,Joined\nA,2024-01-01\n")
    with pytest.raises(InputError, match=r"(?s)no column for started_at.*--map started_at=Joined"):
        load_business(customers=path)


def test_bad_rows_are_counted_not_silent(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "c.csv",
        "customer_id,started_at,ended_at,mrr\n"
        "A,2024-01-01,,10\n"
        "B,2024-02-01,2024-01-01,10\n"  # ends before it starts: dropped
        "C,someday,,10\n"  # unparseable start: dropped
        "A,2024-01-05,,twelve\n",
    )  # duplicate id (last wins), mrr unreadable
    business = load_business(customers=path)
    assert business is not None and business.customers is not None
    quality = business.customers.quality.as_json()
    assert quality["read"] == 4
    assert quality["dropped"] == {
        "unparseable_started_at": 1,
        "ended_before_started": 1,
        "duplicate_customer_id": 1,
    }
    assert quality["issues"] == {"unparseable_mrr": 1}
    assert quality["read"] == quality["used"] + quality["out_of_window"] + 3
    frame = business.customers.frame
    assert list(frame["customer_id"]) == ["A"] and pd.isna(frame["mrr"].iloc[0])


def test_orders_history_columns(tmp_path: Path) -> None:
    business = load_business(orders=str(DATA / "orders.csv"))
    assert business is not None and business.orders is not None
    frame = business.orders.frame.set_index("order_id")
    assert list(frame.index[frame["_first_order"]]) == ["O1", "O4", "O5", "O7"]
    # first order of each customer × category: O1, O3 (C1 books), O4, O5, O7
    assert list(frame.index[frame["_new_category"]]) == ["O1", "O3", "O4", "O5", "O7"]
    assert (
        frame.loc["O2", "_previous_amount"] == 50.0 and frame.loc["O6", "_previous_amount"] == 200.0
    )
    assert pd.isna(frame.loc["O1", "_previous_amount"])


def test_schedules_from_start_and_end(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "s.jsonl",
        '{"employee": "kim", "shift_start": "2024-03-01T09:00:00Z", '
        '"shift_end": "2024-03-01T17:30:00Z"}\n'
        '{"employee": "lee", "shift_start": "2024-03-01T12:00:00Z", '
        '"shift_end": "2024-03-01T11:00:00Z"}\n',
    )
    business = load_business(schedules=path)
    assert business is not None and business.schedules is not None
    frame = business.schedules.frame
    assert list(frame["scheduled_seconds"].iloc[:1]) == [8.5 * 3600]
    assert frame["date"].iloc[0] == pd.Timestamp("2024-03-01T09:00:00Z")
    assert business.schedules.quality.as_json()["issues"] == {
        "shift_end_before_start": 1,
        "missing_scheduled_seconds": 1,
    }


def test_schedules_without_a_date_or_seconds_say_so(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="schedules: no column for date"):
        load_business(schedules=_write(tmp_path, "s.csv", "agent,hours\nkim,8\n"))
    with pytest.raises(InputError, match="no column for scheduled_seconds"):
        load_business(schedules=_write(tmp_path, "s.csv", "agent,date\nkim,2024-03-01\n"))


def test_cost_periods() -> None:
    starts, months, label = periods(
        pd.Series(["2024-03", "2024/3", "2024-03-15", "2024-Q2", "2024Q4", "2024", "March", None])
    )
    assert list(label.iloc[:6]) == ["2024-03", "2024-03", "2024-03", "2024-Q2", "2024-Q4", "2024"]
    assert list(months.iloc[:6]) == [1, 1, 1, 3, 3, 12]
    assert list(starts.iloc[:6].dt.strftime("%Y-%m-%d")) == [
        "2024-03-01",
        "2024-03-01",
        "2024-03-01",
        "2024-04-01",
        "2024-10-01",
        "2024-01-01",
    ]
    assert starts.iloc[6:].isna().all()


def test_a_quarter_is_spread_by_overlap(tmp_path: Path) -> None:
    costs = _write(tmp_path, "costs.csv", "period,amount\n2024-Q1,9100\nsoon,5\n")
    inputs = cskpi.load(str(DATA / "tickets.csv"), costs=costs)
    assert inputs.business.costs.quality.as_json()["dropped"] == {"unparseable_period": 1}
    result = cskpi.compute(
        inputs,
        cskpi.ReportRequest(
            kpis=("cost_per_resolution",),
            window=WindowSpec(month="2024-03"),
            as_of="2024-04-15T00:00:00Z",
        ),
    )
    # Q1 2024 has 91 days; March is 31 of them: 9100 × 31/91 = 3100, over T1–T4 → 775
    assert result.overall["cost_per_resolution"] == pytest.approx(775)


# -- command line, JSON, HTML -------------------------------------------------------------------

BUSINESS_ARGS = [
    "--customers",
    str(DATA / "customers.csv"),
    "--orders",
    str(DATA / "orders.csv"),
    "--schedules",
    str(DATA / "schedules.csv"),
    "--costs",
    str(DATA / "costs.csv"),
]
COMMON = [
    str(DATA / "tickets.csv"),
    "--surveys",
    str(DATA / "surveys.csv"),
    "--month",
    "2024-03",
    "--as-of",
    "2024-04-15",
    "-q",
]


def _json(*args: str) -> dict[str, Any]:
    done = runner.invoke(app, ["report", *COMMON, *args, "-f", "json"])
    assert done.exit_code == 0, done.output
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_json_only_grows() -> None:
    plain = _json("-k", "tickets_created,csat", "--by", "agent")
    grown = _json("-k", "tickets_created,csat", "--by", "agent", *BUSINESS_ARGS)
    assert grown["rows"] == plain["rows"] and grown["overall"] == plain["overall"]
    assert {k: v for k, v in grown["data_quality"].items() if k in ("tickets", "surveys")} == plain[
        "data_quality"
    ]
    assert list(grown["data_quality"]) == [
        "tickets",
        "surveys",
        "customers",
        "orders",
        "schedules",
        "costs",
    ]
    assert grown["data_quality"]["customers"]["read"] == 7
    assert list(grown) == list(plain)


def test_cli_business_kpis_by_plan() -> None:
    data = _json("-k", "churn_rate,csat,repeat_purchase_rate", "--by", "plan", *BUSINESS_ARGS)
    rows = {r["plan"]: r for r in data["rows"]}
    assert rows["basic"]["churn_rate"] == 1.0 and rows["pro"]["csat"] == 1.0
    assert data["overall"]["churn_rate"] == pytest.approx(1 / 3)


def test_cli_missing_input_and_unknown_column_exit_codes() -> None:
    done = runner.invoke(app, ["report", *COMMON, "-k", "mrr"])
    assert done.exit_code == 4 and "needs a customers file with mrr" in done.stderr
    done = runner.invoke(app, ["report", *COMMON, "--by", "segment"])
    assert done.exit_code == 2 and "--by segment" in done.stderr
    done = runner.invoke(app, ["report", *COMMON, "--map", "crm.plan=Tier"])
    assert done.exit_code == 2 and "prefix must be" in done.stderr


def test_html_business_section_only_with_business_kpis(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    done = runner.invoke(
        app,
        [
            "report",
            *COMMON,
            *BUSINESS_ARGS,
            "-k",
            "tickets_created,churn_rate,mrr,agent_utilization",
            "-o",
            str(out),
        ],
    )
    assert done.exit_code == 0, done.output
    page = out.read_text(encoding="utf-8")
    business = page[page.index("<h2>Business</h2>") : page.index("<h2>Values</h2>")]
    assert "Churn rate" in business and "33.3%" in business and "Agent utilisation" in business
    summary = page[page.index('aria-label="Summary"') : page.index("<h2>Business</h2>")]
    assert "Tickets created" in summary and "Churn rate" not in summary
    done = runner.invoke(app, ["report", *COMMON, "-k", "tickets_created", "-o", str(out)])
    assert "<h2>Business</h2>" not in out.read_text(encoding="utf-8")


# -- sample ------------------------------------------------------------------------------------


def test_sample_writes_matching_business_files(tmp_path: Path) -> None:
    from cskpi.sample.tickets import write_sample

    paths = write_sample(tmp_path / "a", 400, seed=3, formats=("csv",))
    again = write_sample(tmp_path / "b", 400, seed=3, formats=("csv",))
    names = [p.name for p in paths]
    assert names[2:] == ["customers.csv", "orders.csv", "schedules.csv", "costs.csv"]
    for a, b in zip(paths, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    folder = tmp_path / "a"
    tickets = pd.read_csv(folder / "tickets.csv", dtype=str)
    customers = pd.read_csv(folder / "customers.csv", dtype=str)
    assert set(tickets["Customer ID"].dropna()) <= set(customers["Customer ID"])
    orders = pd.read_csv(folder / "orders.csv", dtype=str)
    assert set(orders["Customer ID"]) <= set(customers["Customer ID"])
    done = runner.invoke(
        app,
        [
            "report",
            str(folder / "tickets.csv"),
            "--customers",
            str(folder / "customers.csv"),
            "--orders",
            str(folder / "orders.csv"),
            "--schedules",
            str(folder / "schedules.csv"),
            "--costs",
            str(folder / "costs.csv"),
            "-k",
            "churn_rate,mrr,clv,repeat_purchase_rate,agent_utilization,cost_per_resolution",
            "--by",
            "team",
            "-f",
            "json",
            "-q",
        ],
    )
    assert done.exit_code == 0, done.output
    overall = json.loads(done.stdout)["overall"]
    assert 0 < overall["churn_rate"] < 0.5 and overall["mrr"] > 0
    assert 0 < overall["agent_utilization"] < 1 and overall["cost_per_resolution"] > 0
