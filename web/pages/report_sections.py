"""The experience reports shown on a tool's page: newest first, with their key facts."""

from __future__ import annotations

from html import escape

from aiohttp import web

from commonsnode.model.listings import Tool, ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.usecases.reports import ReportView, reports_about
from federation.convert.reports import OUTCOME_LABELS
from web.keys import UOW
from web.pages.parts import host_of

SHOWN = 20


def author_label(view: ReportView, local_names: dict[str, str]) -> str:
    """Who wrote a report, as plain text: a local organisation's name, or name (host)."""
    report = view.report
    if report.org_id is not None:
        return local_names.get(report.org_id, "an organisation here")
    author = report.origin.author_iri if report.origin else ""
    name = author.rstrip("/").rsplit("/", 1)[-1] or author
    return f"{name} ({host_of(author)})"


def report_item(view: ReportView, local_names: dict[str, str]) -> str:
    """One report in a list: title linked to its page, outcome, recommendation, helpful count."""
    report, facts = view.report, view.report.facts
    meta = " · ".join(
        (
            OUTCOME_LABELS.get(facts.outcome, facts.outcome),
            "recommends it" if facts.would_recommend else "does not recommend it",
            facts.country,
            f"{view.helpful} found this helpful",
        )
    )
    summary = f"<p>{escape(report.text.summary)}</p>" if report.text.summary else ""
    return (
        '<li class="result">'
        f'<h3><a href="/reports/{escape(report.id)}">{escape(report.text.title)}</a></h3>'
        f'<p class="meta">by {escape(author_label(view, local_names))} · {escape(meta)}</p>'
        f"{summary}</li>"
    )


async def reports_section(request: web.Request, tool: Tool, orgs: dict[str, Organisation]) -> str:
    """The `Experience reports` section of a tool page (an h2 and a list, or a short note)."""
    return await reports_of(request, list(tool.listings), "tool", orgs)


async def reports_of(
    request: web.Request, listings: list[ToolListing], what: str, orgs: dict[str, Organisation]
) -> str:
    """The `Experience reports` section about these listings (a tool's, or one `listing`)."""
    views = await reports_about(request.app[UOW], listings, SHOWN)
    if not views:
        return f"<h2>Experience reports</h2><p>No organisation has reported on this {what} yet.</p>"
    names = {org.id: org.name for org in orgs.values()}
    items = "".join(report_item(view, names) for view in views)
    return f'<h2>Experience reports</h2><ul class="plain">{items}</ul>'
