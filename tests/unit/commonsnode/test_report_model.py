"""Experience report facts and texts: every bad value is refused with the field named."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.flags import Flag, check_reason, decide
from commonsnode.model.money import MAX_AMOUNT, Money, format_money
from commonsnode.model.reports import (
    MAX_NARRATIVE,
    check_facts,
    check_text,
    delete,
    facts_values,
    new_local_report,
    revise,
)

VALID: dict[str, Any] = {
    "organisation_kind": "local-government",
    "organisation_size": "50-249",
    "country": "de",
    "hosting": "self-hosted",
    "start_date": "2023-09-01",
    "outcome": "pilot",
    "would_recommend": False,
    "one_time_cost": {"amount": 0, "currency": "EUR"},
    "yearly_cost": None,
    "effort_person_days": 12,
    "duration_months": 6,
}


def test_valid_facts_round_trip_through_plain_values() -> None:
    facts = check_facts(VALID)
    assert facts.country == "DE"
    assert facts.one_time_cost == Money(0, "EUR")
    assert check_facts(facts_values(facts)) == facts


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organisation_kind", "ministry-of-magic"),
        ("organisation_size", "lots"),
        ("country", "XX"),
        ("country", None),
        ("hosting", "cloud"),
        ("outcome", "maybe"),
        ("would_recommend", "yes"),
        ("start_date", "2023-13-01"),
        ("start_date", "01/09/2023"),
        ("start_date", "1969-12-31"),
        ("start_date", "2023-09-01T00:00:00"),
        ("duration_months", -1),
        ("duration_months", 1.5),
        ("effort_person_days", True),
        ("one_time_cost", {"amount": 12.5, "currency": "EUR"}),
        ("one_time_cost", {"amount": -1, "currency": "EUR"}),
        ("one_time_cost", {"amount": 100, "currency": "EURO"}),
        ("one_time_cost", {"amount": 100, "currency": "eur"}),
        ("yearly_cost", {"amount": 100}),
        ("yearly_cost", {"amount": 100, "currency": "EUR", "extra": 1}),
        ("yearly_cost", 100),
        ("version", "v" * 101),
        ("lessons", "x" * 5001),
    ],
)
def test_bad_facts_name_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidError) as caught:
        check_facts({**VALID, field: value})
    assert caught.value.field == field


def test_a_start_date_more_than_a_year_ahead_is_refused() -> None:
    now = 1_700_000_000.0  # 2023-11-14
    assert check_facts({**VALID, "start_date": "2024-06-01"}, now).start_date == "2024-06-01"
    with pytest.raises(InvalidError):
        check_facts({**VALID, "start_date": date(2025, 6, 1).isoformat()}, now)


def test_texts_are_bounded_and_a_title_is_required() -> None:
    text = check_text({"title": " Pilot\x00 ", "narrative": "# Hi"})
    assert (text.title, text.summary, text.narrative) == ("Pilot", "", "# Hi")
    with pytest.raises(InvalidError) as caught:
        check_text({"title": "  "})
    assert caught.value.field == "title"
    with pytest.raises(InvalidError) as caught:
        check_text({"title": "ok", "narrative": "x" * (MAX_NARRATIVE + 1)})
    assert caught.value.field == "narrative"


def test_money_is_integer_minor_units_formatted_without_rounding() -> None:
    top = {"amount": MAX_AMOUNT, "currency": "JPY"}
    assert check_facts({**VALID, "one_time_cost": top}).one_time_cost == Money(MAX_AMOUNT, "JPY")
    with pytest.raises(InvalidError):
        check_facts({**VALID, "one_time_cost": {**top, "amount": MAX_AMOUNT + 1}})
    assert format_money(Money(123_456_789, "EUR")) == "EUR 1,234,567.89"
    assert format_money(Money(5, "EUR")) == "EUR 0.05"
    assert format_money(Money(1500, "JPY")) == "JPY 1,500"
    assert format_money(Money(1234, "KWD")) == "KWD 1.234"


def test_only_the_author_changes_or_deletes_and_deleted_stays_deleted() -> None:
    report = new_local_report(
        "r1", "l1", "org-a", check_text({"title": "t"}), check_facts(VALID), 1
    )
    with pytest.raises(ForbiddenError):
        revise(report, "org-b", report.text, report.facts, 2)
    with pytest.raises(ForbiddenError):
        delete(report, "org-b", 2)
    gone = delete(report, "org-a", 3)
    assert (gone.state, gone.deleted_at) == ("deleted", 3)
    assert delete(gone, "org-a", 4) is gone
    with pytest.raises(ConflictError):
        revise(gone, "org-a", report.text, report.facts, 5)


def test_a_flag_is_decided_once() -> None:
    flag = Flag("f1", "local", "https://a/orgs/x", ("https://a/reports/1",), "spam", "open", 1.0)
    done = decide(flag, "resolved", "removed", 2.0)
    assert (done.state, done.decided_at, done.note) == ("resolved", 2.0, "removed")
    with pytest.raises(ConflictError):
        decide(done, "dismissed", "", 3.0)
    with pytest.raises(InvalidError):
        decide(flag, "deleted", "", 3.0)
    with pytest.raises(InvalidError):
        check_reason("x" * 2001)
