"""cskpi.load.normalize: column mapping, vocabularies, de-duplication and survey scores.

Small CSV exports written to tmp_path and read with `cskpi.load`, so each test runs the reader,
the mapping and the normalisation together; expected values are worked out by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import cskpi
from cskpi.config import parse_config
from cskpi.errors import InputError, UsageError
from cskpi.load.normalize import Loaded, LoadOptions
from cskpi.load.readers import csv_arrow
from cskpi.load.schema import squash


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def shown(frame: pd.DataFrame, column: str) -> list[Any]:
    """Column values with every kind of missing shown as None."""
    return [None if pd.isna(v) else v for v in frame[column].tolist()]


def tickets(path: str, **opts: Any) -> Loaded:
    loaded = cskpi.load(path, options=LoadOptions(**opts)).tickets
    assert loaded is not None
    return loaded


def surveys(*specs: str, **opts: Any) -> Loaded:
    loaded = cskpi.load(surveys=list(specs), options=LoadOptions(**opts)).surveys
    assert loaded is not None
    return loaded


@pytest.fixture(params=["csv-module", "pyarrow"])
def csv_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test through the small-file CSV path and the big-file (pyarrow) path."""
    if request.param == "pyarrow":
        monkeypatch.setattr(csv_arrow, "_PYARROW_MIN_BYTES", 0)
    return str(request.param)


# --- identifiers ----------------------------------------------------------------------------


def test_leading_zero_ids_stay_text(tmp_path: Path, csv_path: str) -> None:
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At,Customer ID\n000123,2024-03-01,007\n0042,2024-03-02,\n",
    )
    t = tickets(path)
    assert shown(t.frame, "ticket_id") == ["000123", "0042"]
    assert shown(t.frame, "customer_id") == ["007", None]


def test_survey_ticket_ids_stay_text(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv", "Ticket ID,Submitted At,Survey,Score\n000123,2024-03-01,csat,5\n"
    )
    assert shown(surveys(path).frame, "ticket_id") == ["000123"]


# --- mapping: aliases and --map ---------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Created At",
        "created at",
        "CREATED-AT",
        "creation_date",
        "Creation Date",
        "opened_at",
        "Opened",
        "created",
    ],
)
def test_alias_matching_is_case_space_punctuation_insensitive(tmp_path: Path, header: str) -> None:
    path = write(tmp_path / "t.csv", f"Ticket ID,{header}\nT1,2024-03-01 09:00\n")
    t = tickets(path)
    assert t.mapping == (("Ticket ID", "ticket_id"), (header, "created_at"))
    assert shown(t.frame, "created_at") == [utc("2024-03-01 09:00")]


def test_header_key_keeps_exactly_the_letters_and_digits() -> None:
    """`squash`, the key headers are compared by, is the lower-cased header less every
    character that is not `isalnum()`, for every code point (its regex must not drift)."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert squash(every) == "".join(ch for ch in every.lower() if ch.isalnum())
    assert squash("Created_At (UTC)") == "createdatutc"
    assert squash("İD") == "id"  # "İ".lower() is "i" and a combining dot, which is no letter


def test_duration_headers_map_by_alias_and_take_their_unit(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At,Handle Time (s),reply_time_in_minutes\nT1,2024-03-01 09:00,30,2\n",
    )
    t = tickets(path)
    assert ("Handle Time (s)", "handle_seconds") in t.mapping
    assert ("reply_time_in_minutes", "first_response_seconds") in t.mapping
    assert shown(t.frame, "handle_seconds") == [30.0]  # (s) → seconds
    assert shown(t.frame, "first_response_seconds") == [120.0]  # 2 minutes × 60
    # The duration fills the missing timestamp: 09:00 + 2 min.
    assert shown(t.frame, "first_response_at") == [utc("2024-03-01 09:02")]


def test_hours_header(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At,First response time (in hrs)\nT1,2024-03-01 09:00,1.5\n",
    )
    t = tickets(path)
    assert shown(t.frame, "first_response_seconds") == [5400.0]  # 1.5 × 3600
    assert shown(t.frame, "first_response_at") == [utc("2024-03-01 10:30")]


def test_explicit_map_wins_over_alias(tmp_path: Path) -> None:
    # "Created" is an alias of created_at, but --map created_at="Opened" says otherwise.
    path = write(tmp_path / "t.csv", "Ticket ID,Created,Opened\nT1,2024-01-01,2024-03-01\n")
    t = tickets(path, mapping=(("created_at", "Opened"),))
    assert ("Opened", "created_at") in t.mapping
    assert shown(t.frame, "created_at") == [utc("2024-03-01")]
    assert "Created" in t.unmapped
    assert shown(t.frame, "Created") == ["2024-01-01"]  # kept as an extra column


def test_explicit_map_source_is_matched_loosely(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "Ref,Opened On\nT1,2024-03-01\n")
    t = tickets(path, mapping=(("ticket_id", "ref"), ("created_at", "opened_on")))
    assert t.mapping == (("Ref", "ticket_id"), ("Opened On", "created_at"))


def test_map_prefixes_pick_the_frame(tmp_path: Path) -> None:
    # Both files have "Ref": the ticket number in one, the response id in the other.
    t_path = write(tmp_path / "t.csv", "Ref,Created At\nT1,2024-03-01\n")
    s_path = write(
        tmp_path / "s.csv", "Ref,Ticket,Submitted At,Survey,Score\nR1,T1,2024-03-02,csat,5\n"
    )
    inputs = cskpi.load(
        t_path,
        surveys=[s_path],
        options=LoadOptions(mapping=(("tickets.ticket_id", "Ref"), ("surveys.response_id", "Ref"))),
    )
    assert inputs.tickets is not None and inputs.surveys is not None
    assert shown(inputs.tickets.frame, "ticket_id") == ["T1"]
    assert shown(inputs.surveys.frame, "response_id") == ["R1"]
    assert shown(inputs.surveys.frame, "ticket_id") == ["T1"]  # by alias, untouched by the map


def test_map_unknown_canonical_is_a_usage_error_with_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "Ticket ID,Created At\nT1,2024-03-01\n")
    with pytest.raises(UsageError) as err:
        tickets(path, mapping=(("created_att", "Created At"),))
    assert str(err.value) == (
        "--map created_att=Created At: unknown canonical column "
        "'created_att' (did you mean created_at?)"
    )
    assert err.value.exit_code == 2


def test_map_bad_prefix_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "Ticket ID,Created At\nT1,2024-03-01\n")
    with pytest.raises(UsageError, match=r"prefix must be tickets\. or surveys\."):
        tickets(path, mapping=(("ticket.created_at", "Created At"),))


def test_map_canonical_of_the_other_frame_is_a_usage_error(tmp_path: Path) -> None:
    """`surveys.created_at` names a column surveys do not have (theirs is submitted_at)."""
    t_path = write(tmp_path / "t.csv", "Ticket ID,Created At\nT1,2024-03-01\n")
    s_path = write(tmp_path / "s.csv", "Ticket,When,Survey,Score\nT1,2024-03-02,csat,5\n")
    with pytest.raises(UsageError) as err:
        cskpi.load(
            t_path, surveys=[s_path], options=LoadOptions(mapping=(("surveys.created_at", "When"),))
        )
    assert "submitted_at" in str(err.value)


def test_map_naming_a_missing_source_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,created\nT1,2024-03-01\n")
    with pytest.raises(InputError) as err:
        tickets(path, mapping=(("created_at", "Opened"),))
    assert (
        str(err.value) == f"{path}: --map created_at=Opened: no column 'Opened'; found: id, created"
    )
    assert err.value.exit_code == 4


def test_extra_columns_are_kept_and_usable_with_by(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At,Product\nT1,2024-03-01,app\nT2,2024-03-02,web\nT3,2024-03-02,app\n",
    )
    inputs = cskpi.load(path)
    assert inputs.tickets is not None
    assert inputs.tickets.unmapped == ("Product",)
    assert shown(inputs.tickets.frame, "Product") == ["app", "web", "app"]
    result = cskpi.compute(
        inputs, cskpi.ReportRequest(kpis=("tickets_created",), group_by=("Product",))
    )
    counts = dict(zip(result.rows["Product"], result.rows["tickets_created"], strict=True))
    assert counts == {"app": 2, "web": 1}  # T1, T3 / T2


# --- missing required columns ---------------------------------------------------------------


def test_missing_ticket_id_exact_message(tmp_path: Path) -> None:
    # "Opened" is an alias of created_at and "Owner" of agent, so only ticket_id is missing;
    # "Ref" is the one header left to suggest.
    path = write(tmp_path / "t.csv", "Opened,Owner,Ref\n2024-03-01,kim,17\n")
    with pytest.raises(InputError) as err:
        cskpi.load(path)
    assert str(err.value) == (
        f"{path}: no column for ticket_id; found: Opened, Owner, Ref\n"
        "map it with --map ticket_id=Ref"
    )
    assert err.value.exit_code == 4


def test_missing_columns_are_named_at_once(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "Reference,Date,Owner\n17,2024-03-01,kim\n")
    with pytest.raises(InputError) as err:
        cskpi.load(path)
    assert str(err.value) == (
        f"{path}: no column for ticket_id, created_at; found: Reference, Date, Owner\n"
        "map them with --map ticket_id=Reference --map created_at=Date"
    )


def test_missing_column_suggestion_quotes_spaced_headers(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "Ref No,Opened\n17,2024-03-01\n")
    with pytest.raises(InputError) as err:
        cskpi.load(path)
    assert str(err.value).endswith('map it with --map ticket_id="Ref No"')


def test_missing_columns_do_not_share_one_suggestion(tmp_path: Path) -> None:
    """Two missing columns must not both be told to map to the same header."""
    path = write(tmp_path / "t.csv", "Ref,When,Owner\n17,2024-03-01,kim\n")
    with pytest.raises(InputError) as err:
        cskpi.load(path)
    message = str(err.value)
    assert "no column for ticket_id, created_at" in message
    assert "--map ticket_id=Ref" in message
    assert "--map created_at=Ref" not in message, message


def test_missing_survey_score_message(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "Ticket,Submitted At\nT1,2024-03-01\n")
    with pytest.raises(InputError) as err:
        surveys(path)
    assert str(err.value) == (
        f"{path}: no column for score; found: Ticket, Submitted At\nmap it with --map score=COLUMN"
    )


# --- ticket normalisation -------------------------------------------------------------------

VOCAB = """\
Ticket ID,Created At,Status,Priority,Channel
T1,2024-03-01 10:00,solved,Medium,EMAIL
T2,2024-03-01 10:00,On-hold,critical,Chat
T3,2024-03-01 10:00,Waiting on customer,low,Phone
T4,2024-03-01 10:00,Open,High,web
T5,2024-03-01 10:00,weird,P1,
T6,2024-03-01 10:00,merged,,
T7,2024-03-01 10:00,deleted,,
T8,2024-03-01 10:00,Spam,,
"""


def test_status_priority_channel_vocabularies(tmp_path: Path) -> None:
    t = tickets(write(tmp_path / "t.csv", VOCAB))
    assert shown(t.frame, "ticket_id") == ["T1", "T2", "T3", "T4", "T5"]
    # unknown statuses are kept as written
    assert shown(t.frame, "status") == ["resolved", "on_hold", "pending", "open", "weird"]
    assert shown(t.frame, "priority") == ["normal", "urgent", "low", "high", "urgent"]
    assert shown(t.frame, "channel") == ["email", "chat", "phone", "web", None]
    assert isinstance(t.frame["status"].dtype, pd.CategoricalDtype)


def test_excluded_statuses_are_dropped_and_counted(tmp_path: Path) -> None:
    t = tickets(write(tmp_path / "t.csv", VOCAB))
    dropped = dict(t.quality.dropped)
    assert dropped == {"excluded_status": 3}  # T6 merged, T7 deleted, T8 Spam
    assert dict(t.quality.examples)["excluded_status"] == ("T6", "T7", "T8")
    assert t.excluded is not None and shown(t.excluded, "ticket_id") == ["T6", "T7", "T8"]
    assert any("--include-status" in note for note in t.notes)


def test_include_status_keeps_merged(tmp_path: Path) -> None:
    t = tickets(write(tmp_path / "t.csv", VOCAB), include_status=("merged",))
    assert "T6" in shown(t.frame, "ticket_id")
    assert shown(t.frame, "status")[-1] == "merged"
    assert dict(t.quality.dropped) == {"excluded_status": 2}  # T7, T8 still out


def test_duplicates_keep_latest_updated_at(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        """\
Ticket ID,Created At,Status,Updated At
T1,2024-03-01,open,2024-03-05
T1,2024-03-01,solved,2024-03-04
T2,2024-03-02,open,2024-03-02
T1,2024-03-01,pending,
""",
    )
    # T1: updated 03-05 (open) beats 03-04 (solved) and the row with no updated_at.
    t = tickets(path)
    assert shown(t.frame, "ticket_id") == ["T1", "T2"]
    assert shown(t.frame, "status") == ["open", "open"]
    assert shown(t.frame, "updated_at") == [utc("2024-03-05"), utc("2024-03-02")]
    assert dict(t.quality.dropped) == {"duplicate_ticket_id": 2}


def test_duplicates_without_updated_at_keep_last_read(tmp_path: Path) -> None:
    first = write(
        tmp_path / "a.csv", "Ticket ID,Created At,Status\nT1,2024-03-01,open\nT2,2024-03-01,open\n"
    )
    second = write(tmp_path / "b.csv", "Ticket ID,Created At,Status\nT1,2024-03-01,solved\n")
    loaded = cskpi.load([first, second]).tickets
    assert loaded is not None
    assert dict(
        zip(shown(loaded.frame, "ticket_id"), shown(loaded.frame, "status"), strict=True)
    ) == {"T1": "resolved", "T2": "open"}
    assert dict(loaded.quality.dropped) == {"duplicate_ticket_id": 1}
    assert dict(loaded.quality.examples)["duplicate_ticket_id"] == ("T1",)


def test_missing_ticket_id_is_dropped_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "Ticket ID,Created At\nT1,2024-03-01\n,2024-03-02\n")
    t = tickets(path)
    assert shown(t.frame, "ticket_id") == ["T1"]
    assert dict(t.quality.dropped) == {"missing_ticket_id": 1}
    assert dict(t.quality.examples)["missing_ticket_id"] == (f"{path}:3",)


def test_closed_without_solve_is_resolved_at_close(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        """\
Ticket ID,Created At,Resolved At,Closed At,Status
T1,2024-03-01 10:00,,2024-03-03 10:00,closed
T2,2024-03-01 10:00,2024-03-02 10:00,2024-03-05 10:00,closed
""",
    )
    t = tickets(path)
    # T1 never solved → resolved at close; T2 keeps its own solve time.
    assert shown(t.frame, "resolved_at") == [utc("2024-03-03 10:00"), utc("2024-03-02 10:00")]
    assert dict(t.quality.issues) == {}


def test_durations_fill_missing_timestamps_only(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        """\
Ticket ID,Created At,First Response At,First Response Seconds,Resolution Seconds
T1,2024-03-01 00:00,,600,3600
T2,2024-03-01 00:00,2024-03-01 00:01,600,
""",
    )
    t = tickets(path)
    # T1: 00:00 + 600 s = 00:10; resolved 00:00 + 3600 s = 01:00.
    # T2: its timestamp (00:01) wins over the 600 s duration; no resolution.
    assert shown(t.frame, "first_response_at") == [utc("2024-03-01 00:10"), utc("2024-03-01 00:01")]
    assert shown(t.frame, "resolved_at") == [utc("2024-03-01 01:00"), None]


def test_fractional_durations_fill_times_without_a_warning(tmp_path: Path) -> None:
    """Times are read in microseconds; a duration finer than that makes the
    filled ones nanoseconds. pandas warns (and will refuse) when a fill mixes the two
    units, so the given times take the derived ones' unit first.
    T1: 10:00 + 90.0000005 s = 10:01:30.0000005 (half a microsecond); T2 keeps its 10:05."""
    import warnings

    path = write(
        tmp_path / "t.csv",
        """\
Ticket ID,Created At,First Response At,First Response Seconds
T1,2024-03-01 10:00,,90.0000005
T2,2024-03-01 10:00,2024-03-01 10:05,600.25
""",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = tickets(path)
    assert shown(t.frame, "first_response_at") == [
        utc("2024-03-01 10:01:30.0000005"),
        utc("2024-03-01 10:05"),
    ]


def test_resolved_status_without_timestamp_is_an_issue(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At,Resolved At,Status\n"
        "T1,2024-03-01,,solved\nT2,2024-03-01,2024-03-02,solved\nT3,2024-03-01,,open\n",
    )
    t = tickets(path)
    assert len(t.frame) == 3  # kept (DECISIONS 15: still counts for resolution_rate)
    assert dict(t.quality.issues) == {"resolved_without_timestamp": 1}
    assert dict(t.quality.examples)["resolved_without_timestamp"] == ("T1",)


def test_negative_durations_are_issues_not_drops(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At,First Response At,Resolved At\n"
        "T1,2024-03-02,2024-03-01,2024-03-01\nT2,2024-03-02,2024-03-03,2024-03-04\n",
    )
    t = tickets(path)
    assert len(t.frame) == 2
    assert dict(t.quality.issues) == {
        "first_response_before_created": 1,
        "resolved_before_created": 1,
    }


def test_missing_agent_groups_as_unassigned(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        "Ticket ID,Created At,Assignee\nT1,2024-03-01,kim\nT2,2024-03-01,\nT3,2024-03-02,kim\n",
    )
    inputs = cskpi.load(path)
    result = cskpi.compute(
        inputs, cskpi.ReportRequest(kpis=("tickets_created",), group_by=("agent",))
    )
    counts = dict(zip(result.rows["agent"], result.rows["tickets_created"], strict=True))
    assert counts == {"kim": 2, "(unassigned)": 1}  # 2 + 1 = 3 = overall


# --- surveys --------------------------------------------------------------------------------


def test_survey_kind_from_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "Submitted At,Survey,Score\n2024-03-01,CSAT,5\n"
        "2024-03-01,Net Promoter,9\n2024-03-01,Customer Effort,6\n"
        "2024-03-01,mystery,3\n",
    )
    s = surveys(path)
    assert shown(s.frame, "kind") == ["csat", "nps", "ces"]
    assert dict(s.quality.dropped) == {"unknown_survey_kind": 1}


def test_survey_kind_from_survey_kind_column(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "Submitted At,survey_kind,rating\n2024-03-01,NPS,9\n")
    s = surveys(path)
    assert ("survey_kind", "kind") in s.mapping
    assert shown(s.frame, "kind") == ["nps"]


def test_survey_kind_inferred_from_score_header(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "Submitted At,nps_score\n2024-03-01,9\n2024-03-02,0\n")
    s = surveys(path)
    assert shown(s.frame, "kind") == ["nps", "nps"]
    assert shown(s.frame, "score") == [9.0, 0.0]  # 0 is a valid NPS score (0–10)
    assert s.notes == ()


def test_survey_kind_defaults_to_csat_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "Submitted At,Rating\n2024-03-01,4\n")
    s = surveys(path)
    assert shown(s.frame, "kind") == ["csat"]
    assert any("CSAT" in note for note in s.notes)


def test_survey_kind_from_surveys_option(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", "Submitted At,Rating\n2024-03-01,9\n")
    s = surveys(f"nps={path}")
    assert shown(s.frame, "kind") == ["nps"]
    assert shown(s.frame, "score") == [9.0]  # in NPS scale, not out of the CSAT 1–5 one


SCORES = """\
Response ID,Submitted At,Survey,Score
R1,2024-03-01,csat,good
R2,2024-03-01,csat,bad
R3,2024-03-01,csat,satisfied
R4,2024-03-01,csat,Very satisfied
R5,2024-03-01,csat,🙂
R6,2024-03-01,csat,3
"""


def test_text_scores_map_onto_the_csat_scale(tmp_path: Path) -> None:
    s = surveys(write(tmp_path / "s.csv", SCORES))
    # good → top (5), bad → bottom (1) of 1–5; satisfied 4; very satisfied 5; 🙂 4; 3 as is.
    assert shown(s.frame, "score") == [5.0, 1.0, 4.0, 5.0, 4.0, 3.0]


def test_good_bad_follow_the_configured_scale(tmp_path: Path) -> None:
    config = parse_config({"csat": {"scale": [1, 10]}})
    s = surveys(write(tmp_path / "s.csv", SCORES), config=config)
    assert shown(s.frame, "score")[:2] == [10.0, 1.0]  # top and bottom of 1–10


def test_scores_outside_the_scale_are_nulled_and_counted(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        """\
Response ID,Submitted At,Survey,Score
R1,2024-03-01,csat,7
R2,2024-03-01,csat,0
R3,2024-03-01,nps,11
R4,2024-03-01,nps,-1
R5,2024-03-01,nps,10
R6,2024-03-01,csat,5
""",
    )
    s = surveys(path)
    # CSAT 1–5: 7 and 0 out; NPS 0–10: 11 and −1 out; 10 and 5 fine. Rows kept, score null.
    assert shown(s.frame, "score") == [None, None, None, None, 10.0, 5.0]
    assert dict(s.quality.issues) == {"score_out_of_scale": 4}
    assert dict(s.quality.dropped) == {}


def test_offered_and_empty_scores_are_missing(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "Response ID,Submitted At,Survey,Score\n"
        "R1,2024-03-01,csat,Offered\nR2,2024-03-01,csat,\nR3,2024-03-01,csat,4\n"
        "R4,2024-03-01,csat,meh\n",
    )
    s = surveys(path)
    assert shown(s.frame, "response_id") == ["R3", "R4"]
    assert dict(s.quality.dropped) == {"missing_score": 2}
    # An unreadable word is kept with a null score and counted.
    assert shown(s.frame, "score") == [4.0, None]
    assert dict(s.quality.issues) == {"unparseable_score": 1}


def test_duplicate_response_ids_keep_the_last(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "Response ID,Submitted At,Survey,Score\n"
        "R1,2024-03-01,csat,2\nR2,2024-03-01,csat,3\nR1,2024-03-02,csat,5\n",
    )
    s = surveys(path)
    assert dict(zip(shown(s.frame, "response_id"), shown(s.frame, "score"), strict=True)) == {
        "R1": 5.0,
        "R2": 3.0,
    }
    assert dict(s.quality.dropped) == {"duplicate_response_id": 1}


def test_surveys_without_response_id_are_not_deduplicated(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "Ticket,Submitted At,Survey,Score\nT1,2024-03-01,csat,2\nT1,2024-03-01,csat,2\n",
    )
    s = surveys(path)
    assert len(s.frame) == 2
    assert dict(s.quality.dropped) == {}


def test_empty_response_ids_are_not_duplicates_of_each_other(tmp_path: Path) -> None:
    """DECISIONS 23: de-duplication on response_id only; rows without one are all kept."""
    path = write(
        tmp_path / "s.csv",
        "Response ID,Submitted At,Survey,Score\n"
        "R1,2024-03-01,csat,2\n,2024-03-01,csat,3\n,2024-03-01,csat,4\n"
        "R1,2024-03-02,csat,5\n,2024-03-01,csat,1\n",
    )
    s = surveys(path)
    # Only the first R1 (line 2) goes; the three responses without an id stay.
    assert shown(s.frame, "score") == [3.0, 4.0, 5.0, 1.0]
    assert dict(s.quality.dropped) == {"duplicate_response_id": 1}
    assert dict(s.quality.examples)["duplicate_response_id"] == ("R1",)
