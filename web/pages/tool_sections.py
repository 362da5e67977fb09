"""Sections of the tool page (/tools/{key}) about what the commons adds to listings: who uses
the tool (as declared by each organisation itself), who supports it, who funded and built it.

Each section says where every entry comes from (node and organisation), so a reader can tell a
signed declaration from what a publisher claims in its publiccode.yml.
"""

from __future__ import annotations

from html import escape
from typing import Any

from commonsnode.model.listings import Tool
from commonsnode.model.organisations import Organisation
from commonsnode.model.records import Credit, ListingRecord, OfferTerms
from commonsnode.usecases.records import ListingRecords
from web.pages.parts import external_link

_ROLE = {"funder": "Funded by", "builder": "Built by", "maintainer": "Maintained by"}


def _declarer(record: ListingRecord[Any], orgs: dict[str, Organisation], host: str) -> str:
    """The declaring organisation, linked, with its node."""
    org = orgs.get(record.org_id or "")
    if org is not None:
        who = f'<a href="/orgs/{escape(org.handle)}">{escape(org.name)}</a>'
        return f'{who} <span class="meta">(on {escape(host)})</span>'
    origin = record.provenance
    node = origin.node_host if origin else host
    link = external_link(origin.author_iri if origin else None, record.declarer_name)
    return f'{link} <span class="meta">(on {escape(node)})</span>'


def _dl(rows: list[tuple[str, str]]) -> str:
    return (
        '<dl class="facts">'
        + "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows if value)
        + "</dl>"
    )


def deployments_section(records: ListingRecords, orgs: dict[str, Organisation], host: str) -> str:
    """Used by: deployments each organisation declared and signed itself."""
    items = []
    for record in records.deployments:
        terms = record.terms
        rows = [
            ("Since", escape(terms.since)),
            ("For", escape(terms.purpose)),
            ("Scale", escape(terms.scale or "")),
            ("Notes", escape(terms.notes or "")),
            ("Source", "declared by the organisation itself (signed)"),
        ]
        items.append(f"<li><h3>{_declarer(record, orgs, host)}</h3>{_dl(rows)}</li>")
    intro = (
        "<p>Organisations that declared themselves that they use this tool. "
        "The list under “Who uses it” above is what the publishers’ listings claim.</p>"
    )
    body = (
        f'<ul class="plain">{"".join(items)}</ul>'
        if items
        else "<p>No organisation has declared that it uses this tool yet.</p>"
    )
    return f"<h2>Used by (declared by the users)</h2>{intro}{body}"


def support_section(records: ListingRecords, orgs: dict[str, Organisation], host: str) -> str:
    """Support offers: which company offers what, where, in which languages."""
    items = []
    for record in records.support_offers:
        terms: OfferTerms = record.terms
        rows = [
            ("Services", escape(", ".join(terms.services))),
            ("Where", escape(", ".join(terms.regions))),
            ("Languages", escape(", ".join(terms.languages))),
            ("Price", escape(terms.price_hint or "")),
            ("Contact", external_link(terms.contact_url, terms.contact_url or "")),
            ("Source", "offered by the organisation itself (signed)"),
        ]
        items.append(f"<li><h3>{_declarer(record, orgs, host)}</h3>{_dl(rows)}</li>")
    body = (
        f'<ul class="plain">{"".join(items)}</ul>'
        if items
        else "<p>No support company has offered support for this tool yet.</p>"
    )
    return f"<h2>Support offers</h2>{body}"


def _credit_source(credit: Credit, nodes: dict[str, str]) -> str:
    node = escape(nodes.get(credit.listing_id, ""))
    listing = f'<a href="/listings/{escape(credit.listing_id)}">listing on {node}</a>'
    if credit.source == "contract":
        return f"a completed contract ({external_link(credit.source_ref, 'contract')})"
    return f"declared in its publiccode.yml ({listing})"


def credits_section(records: ListingRecords, tool: Tool, host: str) -> str:
    """Credits: funded by X, built by Y, maintained by Z, each with the listing that says so."""
    nodes = {x.id: x.provenance.node_host if x.provenance else host for x in tool.listings}
    items = [
        f"<li>{_ROLE[c.role]} {external_link(c.party_iri, c.party_name)} "
        f'<span class="meta">(source: {_credit_source(c, nodes)})</span></li>'
        for c in records.credits
    ]
    body = (
        f'<ul class="plain">{"".join(items)}</ul>'
        if items
        else "<p>No listing names who funded or built this tool.</p>"
    )
    return f"<h2>Credits</h2>{body}"


def record_sections(
    tool: Tool, records: ListingRecords, orgs: dict[str, Organisation], host: str
) -> str:
    """The three sections in page order."""
    return (
        deployments_section(records, orgs, host)
        + support_section(records, orgs, host)
        + credits_section(records, tool, host)
    )
