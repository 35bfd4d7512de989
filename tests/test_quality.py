"""cskpi.load.quality: counts by reason, examples with file:line, and the DECISIONS 32 invariant
`read = used + out_of_window + Σ dropped`, on small dirty files whose counts are worked by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cskpi
from cskpi.engine.types import ReportRequest
from cskpi.load.normalize import Loaded, LoadOptions
from cskpi.load.quality import DataQuality, FrameQuality
from cskpi.load.readers import csv_arrow
from cskpi.time.window import WindowSpec


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def invariant(json: dict[str, Any]) -> bool:
    return bool(
        json["read"] == json["used"] + json["out_of_window"] + sum(json["dropped"].values())
    )


@pytest.fixture(params=["csv-module", "pyarrow"])
def csv_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test through the small-file CSV path and the big-file (pyarrow) path."""
    if request.param == "pyarrow":
        monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    return str(request.param)


# --- FrameQuality on its own ----------------------------------------------------------------


def test_counts_accumulate_and_examples_stop_at_three() -> None:
    q = FrameQuality(read=10)
    q = q.drop("missing_ticket_id", 2, ["a:2", "a:3"])
    q = q.drop("missing_ticket_id", 2, ["a:7", "a:8"])  # 2 + 2 = 4; examples capped at 3
    q = q.drop("duplicate_ticket_id", 0, ["never"])  # zero counts leave no trace
    q = q.issue("unparseable_timestamp", 1, ["a:5"])
    assert q.dropped == (("missing_ticket_id", 4),)
    assert q.issues == (("unparseable_timestamp", 1),)
    assert dict(q.examples) == {
        "missing_ticket_id": ("a:2", "a:3", "a:7"),
        "unparseable_timestamp": ("a:5",),
    }
    assert q.kept == 6  # 10 − 4
    assert q.problems() == 5  # 4 dropped + 1 issue


def test_with_usage_splits_kept_rows() -> None:
    q = FrameQuality(read=10).drop("excluded_status", 3).with_usage(5)
    # kept = 10 − 3 = 7 → 5 used, 2 out of the window.
    assert q.as_json() == {
        "read": 10,
        "used": 5,
        "out_of_window": 2,
        "dropped": {"excluded_status": 3},
        "issues": {},
    }
    assert invariant(q.as_json())


def test_without_usage_everything_kept_counts_as_used() -> None:
    q = FrameQuality(read=4).drop("malformed_line", 1)
    assert q.as_json() == {
        "read": 4,
        "used": 3,
        "out_of_window": 0,
        "dropped": {"malformed_line": 1},
        "issues": {},
    }


def test_data_quality_json_and_summary() -> None:
    tickets = (
        FrameQuality(read=5)
        .drop("missing_ticket_id", 1, ["t.csv:3"])
        .issue("resolved_without_timestamp", 2, ["T4", "T5"])
    )
    dq = DataQuality(tickets=tickets)
    assert dq.as_json() == {
        "tickets": {
            "read": 5,
            "used": 4,
            "out_of_window": 0,
            "dropped": {"missing_ticket_id": 1},
            "issues": {"resolved_without_timestamp": 2},
        },
        "surveys": {"read": 0, "used": 0, "out_of_window": 0, "dropped": {}, "issues": {}},
    }
    # A head line per frame that has problems (surveys have none), then one per reason.
    assert dq.summary_lines() == [
        "data quality, tickets: 5 read, 1 dropped",
        "  1 missing ticket id: dropped (e.g. t.csv:3)",
        "  2 resolved without timestamp: flagged (e.g. T4, T5)",
    ]


# --- dirty files ----------------------------------------------------------------------------

DIRTY_TICKETS = """\
Ticket ID,Created At,Updated At,Status
T1,2024-03-01 10:00,,open
T2,"2024-03-02 10:00
T3,not a date,,open
T4,2024-03-01 10:00,garbage,open
,2024-03-01 10:00,,open
T6,,,open
T7,2024-03-05 10:00,,merged
T1,2024-03-06 10:00,,open
T9,2024-03-06 10:00,,open
"""
"""Physical lines (header = 1):
2 T1 kept at first, then replaced by its duplicate on line 9 (no updated_at → last read wins);
3 T2: unterminated quote → malformed line (the reader resynchronises on line 4);
4 T3 unparseable created_at; 5 T4 unparseable updated_at (an issue, row kept);
6 missing ticket id; 7 T6 missing created_at; 8 T7 merged → excluded;
9 T1 duplicate (kept, line 2 dropped); 10 T9 kept.
read = 9 (8 rows + 1 malformed line); dropped = 1 + 1 + 1 + 1 + 1 + 1 = 6; kept = 3 (T4, T1, T9).
"""


def load_dirty(tmp_path: Path) -> tuple[str, Loaded]:
    path = write(tmp_path / "t.csv", DIRTY_TICKETS)
    loaded = cskpi.load(path).tickets
    assert loaded is not None
    return path, loaded


def test_dirty_tickets_counted_by_reason(tmp_path: Path, csv_path: str) -> None:
    _, t = load_dirty(tmp_path)
    assert t.quality.read == 9
    assert dict(t.quality.dropped) == {
        "malformed_line": 1,
        "missing_ticket_id": 1,
        "unparseable_created_at": 1,
        "missing_created_at": 1,
        "duplicate_ticket_id": 1,
        "excluded_status": 1,
    }
    assert dict(t.quality.issues) == {"unparseable_timestamp": 1}
    assert sorted(t.frame["ticket_id"]) == ["T1", "T4", "T9"]
    assert invariant(t.quality.as_json())
    assert invariant(t.quality.with_usage(2).as_json())


def test_dirty_ticket_examples_name_file_and_line(tmp_path: Path, csv_path: str) -> None:
    path, t = load_dirty(tmp_path)
    examples = dict(t.quality.examples)
    assert examples["malformed_line"] == (f"{path}:3",)
    assert examples["unparseable_created_at"] == (f"{path}:4",)
    assert examples["unparseable_timestamp"] == (f"{path}:5",)
    assert examples["missing_ticket_id"] == (f"{path}:6",)
    assert examples["missing_created_at"] == (f"{path}:7",)


def test_malformed_jsonl_line_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.jsonl",
        '{"id": "T1", "created_at": "2024-03-01"}\n'
        '{broken json\n{"id": "T3", "created_at": "2024-03-03"}\n',
    )
    t = cskpi.load(path).tickets
    assert t is not None
    assert t.quality.read == 3 and dict(t.quality.dropped) == {"malformed_line": 1}
    assert dict(t.quality.examples)["malformed_line"] == (f"{path}:2",)
    assert invariant(t.quality.as_json())


DIRTY_SURVEYS = """\
Response ID,Submitted At,Survey,Score
R1,2024-03-01,csat,5
R2,,csat,4
R3,2024-03-01,bogus,3
R4,2024-03-01,csat,Offered
R5,2024-03-01,csat,meh
R6,2024-03-01,nps,11
R1,2024-03-02,csat,3
"""
"""Lines: 3 R2 missing submitted_at; 4 R3 unknown kind; 5 R4 missing score (all dropped);
6 R5 unreadable score (issue); 7 R6 NPS 11 out of scale (issue); 8 R1 duplicate of line 2.
read 7; dropped 1 + 1 + 1 + 1 = 4; kept 3 (R5, R6, R1 from line 8).
"""


def test_dirty_surveys_counted_by_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", DIRTY_SURVEYS)
    s = cskpi.load(surveys=[path]).surveys
    assert s is not None
    assert s.quality.read == 7
    assert dict(s.quality.dropped) == {
        "missing_submitted_at": 1,
        "unknown_survey_kind": 1,
        "missing_score": 1,
        "duplicate_response_id": 1,
    }
    assert dict(s.quality.issues) == {"unparseable_score": 1, "score_out_of_scale": 1}
    assert len(s.frame) == 3
    assert invariant(s.quality.as_json())


def test_survey_examples_point_at_the_right_lines_after_drops(tmp_path: Path) -> None:
    """Rows dropped earlier (lines 3-5) must not shift the lines named for later reasons."""
    path = write(tmp_path / "s.csv", DIRTY_SURVEYS)
    s = cskpi.load(surveys=[path]).surveys
    assert s is not None
    examples = dict(s.quality.examples)
    assert examples["missing_submitted_at"] == (f"{path}:3",)
    assert examples["unknown_survey_kind"] == (f"{path}:4",)
    assert examples["missing_score"] == (f"{path}:5",)
    assert examples["unparseable_score"] == (f"{path}:6",)
    assert examples["score_out_of_scale"] == (f"{path}:7",)


def test_invariant_holds_through_compute_with_a_window(tmp_path: Path) -> None:
    t_path = write(tmp_path / "t.csv", DIRTY_TICKETS)
    s_path = write(tmp_path / "s.csv", DIRTY_SURVEYS)
    inputs = cskpi.load(t_path, surveys=[s_path], options=LoadOptions())
    # Kept tickets: T4 (03-01), T1 (03-06), T9 (03-06). Window from 03-05 → T4 out of window.
    request = ReportRequest(kpis=("tickets_created", "csat"), window=WindowSpec(since="2024-03-05"))
    dq = cskpi.compute(inputs, request).data_quality
    assert dq["tickets"]["read"] == 9
    assert dq["tickets"]["used"] == 2 and dq["tickets"]["out_of_window"] == 1
    assert invariant(dq["tickets"])
    assert invariant(dq["surveys"])


def test_merged_survey_files_add_up(tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", "Submitted At,Survey,Score\n2024-03-01,csat,5\n,csat,4\n")
    b = write(tmp_path / "b.csv", "Submitted At,Score\n2024-03-02,9\n2024-03-02,Offered\n")
    s = cskpi.load(surveys=[a, f"nps={b}"]).surveys
    assert s is not None
    # a: 2 read, 1 missing submitted_at; b: 2 read, 1 missing score → read 4, kept 2.
    assert s.quality.read == 4
    assert dict(s.quality.dropped) == {"missing_submitted_at": 1, "missing_score": 1}
    assert len(s.frame) == 2
    assert invariant(s.quality.as_json())
