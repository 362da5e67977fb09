"""Experience reports ↔ ActivityStreams `Article`: a linked article for Mastodon, structured
deployment facts under our terms for peers, and the Markdown source for nodes like us.

`to_ap` renders a local report (signed afterwards with FEP-8b32 by federation/reports.py);
`from_ap` reads a peer's back into text and facts, bounded and sanitised.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from commonsnode.errors import InvalidError
from commonsnode.model.money import Money, format_money
from commonsnode.model.reports import (
    MAX_COMMENT,
    MAX_NARRATIVE,
    ExperienceReport,
    ReportFacts,
    ReportText,
    check_facts,
    check_text,
)
from federation.convert.listings import iso
from federation.iris import LocalIris
from federation.jsonld.shapes import first, id_of, str_or_none
from federation.markdown import render_markdown
from federation.sanitize import plain_text, sanitize_html
from federation.vocab import AS_PUBLIC

REPORT_TYPE = "Article"
MARKDOWN = "text/markdown"
_DURATION = re.compile(r"P(?:(\d{1,4})Y)?(?:(\d{1,5})M)?")

HOSTING_LABELS = {
    "self-hosted": "self-hosted",
    "supplier": "hosted by a supplier",
    "saas": "software as a service",
}
OUTCOME_LABELS = {"production": "in production", "pilot": "pilot", "abandoned": "abandoned"}


class ReportDocumentError(ValueError):
    """An Article we cannot read as an experience report; the message says why."""


def report_iri(iris: LocalIris, report_id: str) -> str:
    """A local report: the Article's id and, for browsers, its page."""
    return f"{iris.origin}/reports/{report_id}"


def local_report_id(iris: LocalIris, iri: str) -> str | None:
    """The id when `iri` is exactly one of our report IRIs."""
    prefix = f"{iris.origin}/reports/"
    rest = iri[len(prefix) :] if iri.startswith(prefix) else ""
    return rest if rest and not any(c in rest for c in "/#?") else None


def local_listing_id(iris: LocalIris, iri: str) -> str | None:
    """The id when `iri` is exactly one of our listing IRIs."""
    prefix = f"{iris.origin}/listings/"
    rest = iri[len(prefix) :] if iri.startswith(prefix) else ""
    return rest if rest and not any(c in rest for c in "/#?") else None


def fact_rows(facts: ReportFacts) -> list[tuple[str, str]]:
    """(label, plain text) for every fact given, in reading order: pages and the facts line."""

    def money(value: Money | None, suffix: str) -> str:
        return "" if value is None else f"{format_money(value)}{suffix}"

    duration = facts.duration_months
    rows = [
        ("Outcome", OUTCOME_LABELS.get(facts.outcome, facts.outcome)),
        ("Would recommend", "yes" if facts.would_recommend else "no"),
        (
            "Organisation",
            f"{facts.organisation_kind.replace('-', ' ')}, {facts.organisation_size} staff",
        ),
        ("Country", facts.country),
        ("Version deployed", facts.version or ""),
        ("Hosting", HOSTING_LABELS.get(facts.hosting, facts.hosting)),
        ("Started", facts.start_date),
        ("Duration", "" if duration is None else f"{duration} month" + "s" * (duration != 1)),
        ("One-time cost", money(facts.one_time_cost, "")),
        ("Yearly cost", money(facts.yearly_cost, " a year")),
        (
            "Effort",
            ""
            if facts.effort_person_days is None
            else f"{facts.effort_person_days} person-day" + "s" * (facts.effort_person_days != 1),
        ),
    ]
    return [(label, value) for label, value in rows if value]


def _facts_line(facts: ReportFacts) -> str:
    shown = ("Outcome", "Would recommend", "Hosting", "Country", "One-time cost", "Yearly cost")
    parts = [f"{label}: {value}" for label, value in fact_rows(facts) if label in shown]
    return "<p>" + escape(" · ".join(parts)) + "</p>"


def _money(value: Money | None) -> dict[str, Any] | None:
    return None if value is None else {"amount": value.amount, "currency": value.currency}


def _optional(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "", {})}


def narrative_html(report: ExperienceReport) -> str:
    """The narrative as sanitised HTML: the peer's for remote reports, rendered for ours."""
    if report.narrative_html is not None:
        return report.narrative_html
    return render_markdown(report.text.narrative)


def to_ap(
    report: ExperienceReport,
    iris: LocalIris,
    handle: str,
    listing_iri: str,
    listing_author: str | None,
) -> dict[str, Any]:
    """The Article of a local report, without @context (the caller adds it before signing)."""
    facts, text = report.facts, report.text
    iri = report_iri(iris, report.id)
    cc = [iris.org_followers(handle)] + ([listing_author] if listing_author else [])
    cost = _optional(oneTime=_money(facts.one_time_cost), yearly=_money(facts.yearly_cost))
    article: dict[str, Any] = {
        "id": iri,
        "type": REPORT_TYPE,
        "attributedTo": iris.org(handle),
        "name": text.title,
        "content": narrative_html(report) + _facts_line(facts),
        "mediaType": "text/html",
        "source": {"content": text.narrative, "mediaType": MARKDOWN},
        "url": iri,
        "inReplyTo": listing_iri,
        "context": listing_iri,
        "published": iso(report.published_at),
        "to": [AS_PUBLIC],
        "cc": cc,
        "organisationKind": facts.organisation_kind,
        "organisationSize": facts.organisation_size,
        "country": facts.country,
        "hosting": facts.hosting,
        "startDate": facts.start_date,
        "outcome": facts.outcome,
        "wouldRecommend": facts.would_recommend,
        **_optional(
            summary=escape(text.summary),
            softwareVersion=facts.version,
            duration=None if facts.duration_months is None else f"P{facts.duration_months}M",
            cost=cost,
            effort=facts.effort_person_days,
            lessons=facts.lessons,
        ),
    }
    if report.updated_at > report.published_at:
        article["updated"] = iso(report.updated_at)
    return article


def tombstone(report: ExperienceReport, iris: LocalIris) -> dict[str, Any]:
    """What a deleted report's IRI answers (with 410), and the object of its Delete."""
    return {
        "id": report_iri(iris, report.id),
        "type": "Tombstone",
        "formerType": REPORT_TYPE,
        "deleted": iso(report.deleted_at or report.updated_at),
    }


def is_report(document: Any) -> bool:
    """An Article carrying our report terms; listings (repository, softwareType) are not."""
    return (
        isinstance(document, dict)
        and first(document.get("type")) == REPORT_TYPE
        and "outcome" in document
        and "hosting" in document
        and "repository" not in document
    )


def subject_of(document: dict[str, Any]) -> str | None:
    """The listing IRI a report is about: `inReplyTo`, else `context`."""
    return id_of(first(document.get("inReplyTo"))) or id_of(first(document.get("context")))


def _months(value: Any) -> int | None:
    text = str_or_none(value)
    if text is None:
        return None
    match = _DURATION.fullmatch(text)
    if match is None or not any(match.groups()):
        raise ReportDocumentError("duration: an ISO 8601 duration in years and months")
    years, months = (int(g) if g else 0 for g in match.groups())
    return years * 12 + months


def from_ap(document: dict[str, Any]) -> tuple[ReportText, ReportFacts, str]:
    """Text, facts and sanitised narrative HTML of a peer's report Article.

    The Markdown `source` is rendered here when present (the same renderer as our own), else
    the peer's HTML `content` is sanitised; ReportDocumentError for anything else.
    """
    if not is_report(document):
        raise ReportDocumentError("not an Article carrying an experience report")
    source = document.get("source")
    markdown = ""
    if isinstance(source, dict) and source.get("mediaType") == MARKDOWN:
        markdown = str_or_none(source.get("content")) or ""
    cost = document.get("cost") if isinstance(document.get("cost"), dict) else {}
    try:
        text = check_text(
            {
                "title": plain_text(str_or_none(document.get("name")) or "")[:1000],
                "summary": plain_text(str_or_none(document.get("summary")) or "")[:2000],
                "narrative": markdown[: MAX_NARRATIVE + 1],
            }
        )
        facts = check_facts(
            {
                "organisation_kind": document.get("organisationKind"),
                "organisation_size": document.get("organisationSize"),
                "country": document.get("country"),
                "version": str_or_none(document.get("softwareVersion")),
                "hosting": document.get("hosting"),
                "start_date": document.get("startDate"),
                "duration_months": _months(document.get("duration")),
                "one_time_cost": cost.get("oneTime"),  # type: ignore[union-attr]
                "yearly_cost": cost.get("yearly"),  # type: ignore[union-attr]
                "effort_person_days": document.get("effort"),
                "outcome": document.get("outcome"),
                "would_recommend": document.get("wouldRecommend"),
                "lessons": plain_text(str_or_none(document.get("lessons")) or "")[:10_000],
            }
        )
    except InvalidError as exc:
        raise ReportDocumentError(exc.detail) from exc
    if markdown:
        html = render_markdown(text.narrative)
    else:
        html = sanitize_html(str_or_none(document.get("content")) or "")
    return text, facts, bounded_html(html)


def bounded_html(html: str) -> str:
    """Sanitised HTML kept whole when short enough, else its escaped text, cut."""
    if len(html) <= MAX_COMMENT * 3:
        return html
    return "<p>" + escape(plain_text(html)[:MAX_COMMENT]) + "…</p>"
