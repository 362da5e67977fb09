"""The page of one tool listing, for browsers: what it is, who publishes it, where it came from."""

from __future__ import annotations

from html import escape

from aiohttp import web

from commonsnode.model.listings import ToolListing
from commonsnode.model.organisations import Organisation
from web.keys import CONFIG, FED
from web.pages.layout import page
from web.pages.parts import (
    external_link,
    publisher_html,
    source_node,
    status_label,
    tool_href,
)


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(part)}</p>" for part in text.split("\n\n") if part.strip())


def listing_page(
    request: web.Request, listing: ToolListing, org: Organisation | None, sections: str = ""
) -> web.Response:
    """A listing's page; every value is escaped here. `sections`: HTML built (and escaped) by
    web/pages/listing_sections.py, the listing's ratings and reports."""
    node_name = request.app[CONFIG].node.name
    host = request.app[FED].iris.host
    facts = listing.facts
    if listing.state != "published":
        body = f"<h1>{escape(facts.name)}</h1><p>This listing was withdrawn.</p>"
        return page(facts.name, body, node_name=node_name, status=410)
    text = facts.text()
    facts_html = "".join(
        f"<dt>{escape(label)}</dt><dd>{value}</dd>"
        for label, value in (
            ("Published by", publisher_html(listing, org)),
            ("Source node", escape(source_node(listing, host))),
            ("Licence", escape(facts.license)),
            ("Development status", escape(status_label(facts.development_status))),
            ("Software type", escape(facts.software_type)),
            ("Version", escape(facts.software_version or "")),
            ("Released", escape(facts.release_date or "")),
            ("Maintenance", escape(facts.maintenance_type or "")),
            ("Platforms", escape(", ".join(facts.platforms))),
            ("Categories", escape(", ".join(c.replace("_", " ") for c in facts.categories))),
            ("Used by", escape(", ".join(facts.used_by))),
            ("Countries", escape(", ".join(c.upper() for c in facts.countries))),
            ("Source code", external_link(facts.repository, facts.repository)),
            ("Website", external_link(facts.landing_url, facts.landing_url or "")),
        )
        if value
    )
    features = "".join(f"<li>{escape(f)}</li>" for f in text.features)
    body = (
        f"<h1>{escape(facts.name)}</h1>"
        f'<div lang="{escape(text.language)}">'
        f"<p><strong>{escape(text.short_description)}</strong></p>"
        f"{_paragraphs(text.long_description)}"
        + (f"<h2>Features</h2><ul>{features}</ul>" if features else "")
        + "</div>"
        f'<h2>Facts</h2><dl class="facts">{facts_html}</dl>'
        f"{sections}"
        f'<p><a href="{escape(tool_href(listing.repository_key))}">Every listing of this tool'
        "</a>, with who uses it</p>"
    )
    return page(facts.name, body, node_name=node_name)
