"""The page of one experience report: its facts, narrative, comments and helpful count."""

from __future__ import annotations

from html import escape

from aiohttp import web

from commonsnode.errors import NotFoundError
from commonsnode.usecases.reports import get_report
from federation.convert.reports import fact_rows, narrative_html
from web.keys import CONFIG, UOW
from web.pages.layout import page
from web.pages.parts import external_link, host_of, tool_href
from web.pages.report_sections import author_label


def _who(iri: str) -> str:
    name = iri.rstrip("/").rsplit("/", 1)[-1] or iri
    return f"{name} ({host_of(iri)})"


async def report_page(request: web.Request, report_id: str) -> web.Response:
    """`/reports/{id}` for browsers; every value escaped, the narrative sanitised HTML."""
    node_name = request.app[CONFIG].node.name
    try:
        view = await get_report(request.app[UOW], report_id)
    except NotFoundError:
        body = "<h1>Report not found</h1><p>This report does not exist or was deleted.</p>"
        return page("Report not found", body, node_name=node_name, status=404)
    report = view.report
    async with request.app[UOW](readonly=True) as tx:
        listing = await tx.listings.get_by_id(report.listing_id)
        org = await tx.organisations.get_by_id(report.org_id) if report.org_id else None
    names = {org.id: org.name} if org else {}
    if org is not None:
        author = f'<a href="/orgs/{escape(org.handle)}">{escape(org.name)}</a>'
    else:
        iri = report.origin.author_iri if report.origin else ""
        author = external_link(iri, author_label(view, names))
    about = (
        f'<a href="/listings/{escape(listing.id)}">{escape(listing.facts.name)}</a>'
        if listing
        else "a listing"
    )
    tool = (
        f'<p><a href="{escape(tool_href(listing.repository_key))}">Every listing and report of '
        "this tool</a></p>"
        if listing
        else ""
    )
    facts = "".join(
        f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
        for label, value in fact_rows(report.facts)
    )
    lessons = (
        f"<h2>Lessons learnt</h2><p>{escape(report.facts.lessons)}</p>"
        if report.facts.lessons
        else ""
    )
    narrative = narrative_html(report)
    comments = "".join(
        "<li>"
        f'<p class="meta">{external_link(c.author_iri, _who(c.author_iri))}</p>'
        f"{c.content_html}</li>"
        for c in view.comments
    )
    body = (
        f"<h1>{escape(report.text.title)}</h1>"
        f'<p class="meta">An experience report about {about} by {author}. '
        f"{view.helpful} found this helpful.</p>"
        + (f"<p><strong>{escape(report.text.summary)}</strong></p>" if report.text.summary else "")
        + f'<h2>Facts</h2><dl class="facts">{facts}</dl>'
        + lessons
        + (f"<h2>Report</h2><div>{narrative}</div>" if narrative else "")
        + "<h2>Comments</h2>"
        + (
            f'<ul class="plain">{comments}</ul>'
            if comments
            else "<p>No comments yet. Reply to this report from anywhere in the fediverse.</p>"
        )
        + tool
    )
    return page(report.text.title, body, node_name=node_name)
