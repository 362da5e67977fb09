"""Experience reports: what an organisation learnt deploying a tool, as structured facts plus a
Markdown narrative; and the comments and "helpful" marks other organisations add to them.

An organisation may publish several reports about one listing over time (a pilot, then the
production roll-out): each is its own article. Only its author changes or deletes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from commonsnode.errors import ConflictError, ForbiddenError, InvalidError
from commonsnode.model.money import Money, parse_money
from commonsnode.publiccode.vocabulary import COUNTRIES

ReportState = Literal["published", "deleted"]

HOSTING = ("self-hosted", "supplier", "saas")
OUTCOMES = ("production", "pilot", "abandoned")
ORGANISATION_KINDS = (
    "local-government",
    "regional-government",
    "national-government",
    "public-agency",
    "education",
    "health",
    "civil-society",
    "company",
    "other",
)
ORGANISATION_SIZES = ("1-9", "10-49", "50-249", "250-999", "1000-4999", "5000+")  # staff

MAX_TITLE = 200
MAX_SUMMARY = 500
MAX_VERSION = 100
MAX_LESSONS = 5_000
MAX_NARRATIVE = 50_000  # Markdown characters; a long report, not a book
MAX_COMMENT = 20_000  # characters of sanitised HTML kept from a reply
MAX_DURATION_MONTHS = 1_200
MAX_EFFORT_DAYS = 1_000_000
EARLIEST_START = date(1970, 1, 1)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

FACT_FIELDS = frozenset(
    {
        "organisation_kind",
        "organisation_size",
        "country",
        "version",
        "hosting",
        "start_date",
        "duration_months",
        "one_time_cost",
        "yearly_cost",
        "effort_person_days",
        "outcome",
        "would_recommend",
        "lessons",
    }
)
TEXT_FIELDS = frozenset({"title", "summary", "narrative"})


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """The structured part of a report: comparable across reports, federated under our terms."""

    organisation_kind: str
    organisation_size: str
    country: str  # ISO 3166-1 alpha-2, upper case
    hosting: str
    start_date: str  # ISO 8601 date
    outcome: str
    would_recommend: bool
    version: str | None = None
    duration_months: int | None = None
    one_time_cost: Money | None = None
    yearly_cost: Money | None = None
    effort_person_days: int | None = None
    lessons: str = ""


@dataclass(frozen=True, slots=True)
class ReportText:
    """Title, plain-text summary and Markdown narrative (rendered to sanitised HTML for show)."""

    title: str
    summary: str
    narrative: str


@dataclass(frozen=True, slots=True)
class ReportOrigin:
    """Where a remote report came from: its Article IRI and its verified author."""

    origin_iri: str
    author_iri: str
    received_at: float


@dataclass(frozen=True, slots=True)
class ExperienceReport:
    """A report as this node keeps it: local (`org_id`) or remote (`origin`), never both.

    `narrative_html` is set for remote reports only: the author's sanitised HTML, when it sent
    no Markdown source we could render ourselves.
    """

    id: str
    listing_id: str
    text: ReportText
    facts: ReportFacts
    state: ReportState
    published_at: float
    updated_at: float
    deleted_at: float | None = None
    org_id: str | None = None
    origin: ReportOrigin | None = None
    narrative_html: str | None = None

    @property
    def is_local(self) -> bool:
        return self.org_id is not None


@dataclass(frozen=True, slots=True)
class Comment:
    """A reply to a report from anywhere in the fediverse: sanitised HTML and its author."""

    id: str
    report_id: str
    iri: str
    author_iri: str
    content_html: str
    published_at: float
    updated_at: float


def _plain(value: object, field: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidError(f"{field}: must be a string", field=field)
    text = _CONTROL.sub("", value).strip()
    if required and not text:
        raise InvalidError(f"{field}: required", field=field)
    if len(text) > limit:
        raise InvalidError(f"{field}: at most {limit} characters", field=field)
    return text


def _choice(value: object, field: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidError(f"{field}: one of {', '.join(allowed)}", field=field)
    return str(value)


def _count(value: object, field: str, limit: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise InvalidError(f"{field}: a whole number from 0 to {limit}", field=field)
    return value


def _start(value: object, now: float | None) -> str:
    if not isinstance(value, str):
        raise InvalidError(
            "start_date: required, an ISO 8601 date (YYYY-MM-DD)", field="start_date"
        )
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidError(
            "start_date: an ISO 8601 date (YYYY-MM-DD)", field="start_date"
        ) from None
    if len(value) != 10 or day < EARLIEST_START:
        raise InvalidError("start_date: an ISO 8601 date (YYYY-MM-DD)", field="start_date")
    if now is not None and day.toordinal() > date.fromtimestamp(now).toordinal() + 366:
        raise InvalidError("start_date: more than a year ahead", field="start_date")
    return day.isoformat()


def _cost(value: object, field: str) -> Money:
    """A cost: zero is a real answer (a free tool), negative is not."""
    return parse_money(
        value.to_json() if isinstance(value, Money) else value, field, positive=False
    )


def check_facts(values: dict[str, Any], now: float | None = None) -> ReportFacts:
    """The facts of a report from plain values (API JSON, or a peer's Article read back).

    Money is `{"amount": INTEGER_MINOR_UNITS, "currency": ISO 4217}`; `now` bounds the start
    date (a report is about something that happened, at most planned a year ahead).
    """
    country = values.get("country")
    if not isinstance(country, str) or country.upper() not in COUNTRIES:
        raise InvalidError("country: an ISO 3166-1 alpha-2 code such as NL", field="country")
    would = values.get("would_recommend")
    if not isinstance(would, bool):
        raise InvalidError("would_recommend: true or false", field="would_recommend")
    costs = {
        key: None if values.get(key) is None else _cost(values[key], key)
        for key in ("one_time_cost", "yearly_cost")
    }
    version = _plain(values.get("version"), "version", MAX_VERSION) or None
    return ReportFacts(
        organisation_kind=_choice(
            values.get("organisation_kind"), "organisation_kind", ORGANISATION_KINDS
        ),
        organisation_size=_choice(
            values.get("organisation_size"), "organisation_size", ORGANISATION_SIZES
        ),
        country=country.upper(),
        hosting=_choice(values.get("hosting"), "hosting", HOSTING),
        start_date=_start(values.get("start_date"), now),
        outcome=_choice(values.get("outcome"), "outcome", OUTCOMES),
        would_recommend=would,
        version=version,
        duration_months=_count(
            values.get("duration_months"), "duration_months", MAX_DURATION_MONTHS
        ),
        one_time_cost=costs["one_time_cost"],
        yearly_cost=costs["yearly_cost"],
        effort_person_days=_count(
            values.get("effort_person_days"), "effort_person_days", MAX_EFFORT_DAYS
        ),
        lessons=_plain(values.get("lessons"), "lessons", MAX_LESSONS),
    )


def check_text(values: dict[str, Any]) -> ReportText:
    """Title (required), summary and Markdown narrative, bounded; control characters dropped."""
    narrative = values.get("narrative") or ""
    if not isinstance(narrative, str):
        raise InvalidError("narrative: Markdown text", field="narrative")
    if len(narrative) > MAX_NARRATIVE:
        raise InvalidError(f"narrative: at most {MAX_NARRATIVE} characters", field="narrative")
    return ReportText(
        title=_plain(values.get("title"), "title", MAX_TITLE, required=True),
        summary=_plain(values.get("summary"), "summary", MAX_SUMMARY),
        narrative=_CONTROL.sub("", narrative),
    )


def facts_values(facts: ReportFacts) -> dict[str, Any]:
    """The facts as plain values (the API's and storage's shape); `check_facts` reads it back."""
    values: dict[str, Any] = {
        "organisation_kind": facts.organisation_kind,
        "organisation_size": facts.organisation_size,
        "country": facts.country,
        "version": facts.version,
        "hosting": facts.hosting,
        "start_date": facts.start_date,
        "duration_months": facts.duration_months,
        "one_time_cost": None,
        "yearly_cost": None,
        "effort_person_days": facts.effort_person_days,
        "outcome": facts.outcome,
        "would_recommend": facts.would_recommend,
        "lessons": facts.lessons,
    }
    for key in ("one_time_cost", "yearly_cost"):
        money: Money | None = getattr(facts, key)
        if money is not None:
            values[key] = {"amount": money.amount, "currency": money.currency}
    return values


def new_local_report(
    report_id: str, listing_id: str, org_id: str, text: ReportText, facts: ReportFacts, now: float
) -> ExperienceReport:
    """A report an organisation of this node publishes."""
    return ExperienceReport(
        id=report_id,
        listing_id=listing_id,
        text=text,
        facts=facts,
        state="published",
        published_at=now,
        updated_at=now,
        org_id=org_id,
    )


def check_author(report: ExperienceReport, org_id: str) -> None:
    """Only the organisation that wrote a report changes or deletes it; remote ones, nobody."""
    if report.org_id != org_id:
        raise ForbiddenError("only the organisation that wrote this report may change it")


def revise(
    report: ExperienceReport, org_id: str, text: ReportText, facts: ReportFacts, now: float
) -> ExperienceReport:
    """The author replaces the report's text and facts; a deleted report stays deleted."""
    check_author(report, org_id)
    if report.state != "published":
        raise ConflictError("this report was deleted")
    return replace(report, text=text, facts=facts, updated_at=now)


def delete(report: ExperienceReport, org_id: str, now: float) -> ExperienceReport:
    """published → deleted, by the author; its IRI answers 410 from then on."""
    check_author(report, org_id)
    if report.state == "deleted":
        return report
    return replace(report, state="deleted", deleted_at=now, updated_at=now)


def remote_report(
    report_id: str,
    listing_id: str,
    text: ReportText,
    facts: ReportFacts,
    origin: ReportOrigin,
    published_at: float,
    narrative_html: str,
) -> ExperienceReport:
    """A report another node's organisation published about a listing this node holds."""
    return ExperienceReport(
        id=report_id,
        listing_id=listing_id,
        text=text,
        facts=facts,
        state="published",
        published_at=published_at,
        updated_at=origin.received_at,
        origin=origin,
        narrative_html=narrative_html,
    )
