"""The page of one tool listing, for browsers: what it is, who publishes it, where it came from."""

from __future__ import annotations

from html import escape

from aiohttp import web

from commonsnode.model.listings import ToolListing
from commonsnode.model.organisations import Organisation
from web.keys import CONFIG
from web.pages.layout import page


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(part)}</p>" for part in text.split("\n\n") if part.strip())


def listing_page(
    request: web.Request, listing: ToolListing, org: Organisation | None
) -> web.Response:
    """A minimal tool page; every value is escaped here."""
    node_name = request.app[CONFIG].node.name
    facts = listing.facts
    if listing.state != "published":
        body = f"<h1>{escape(facts.name)}</h1><p>This listing was withdrawn.</p>"
        return page(facts.name, body, node_name=node_name, status=410)
    text = facts.text()
    if org is not None:
        by = f'<a href="/orgs/{escape(org.handle)}">{escape(org.name)}</a>'
    elif listing.provenance is not None:
        origin = listing.provenance
        by = (
            f'<a href="{escape(origin.author_iri)}">{escape(origin.author_iri)}</a>'
            f" (via {escape(origin.node_host)})"
        )
    else:
        by = "unknown"
    facts_html = "".join(
        f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>"
        for label, value in (
            ("Licence", facts.license),
            ("Development status", facts.development_status),
            ("Software type", facts.software_type),
            ("Platforms", ", ".join(facts.platforms)),
            ("Categories", ", ".join(facts.categories)),
        )
        if value
    )
    features = "".join(f"<li>{escape(f)}</li>" for f in text.features)
    body = (
        f"<h1>{escape(facts.name)}</h1>"
        f"<p><strong>{escape(text.short_description)}</strong></p>"
        f"<p>Published by {by}</p>"
        f'<p><a href="{escape(facts.repository)}">Source code</a></p>'
        f"{_paragraphs(text.long_description)}"
        + (f"<h2>Features</h2><ul>{features}</ul>" if features else "")
        + f"<dl>{facts_html}</dl>"
    )
    return page(facts.name, body, node_name=node_name)
