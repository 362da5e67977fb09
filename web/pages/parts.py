"""Pieces several pages share: a listing's publisher and source, safe links, the search form."""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlsplit

from commonsnode.model.listings import ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.ports import UnitOfWorkFactory

KINDS = {
    "government": "Government",
    "civil-society": "Civil-society organisation",
    "developer": "Developer",
    "support-company": "Support company",
}
STATUS = {
    "concept": "Concept",
    "development": "In development",
    "beta": "Beta",
    "stable": "Stable",
    "obsolete": "Obsolete",
}


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) (never `javascript:` and the like), else None."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def external_link(url: str | None, text: str) -> str:
    """A link to a remote URL, or the escaped text alone when the URL is not http(s)."""
    safe = safe_url(url)
    return f'<a href="{escape(safe)}">{escape(text)}</a>' if safe else escape(text)


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def status_label(status: str) -> str:
    return STATUS.get(status, status)


def tool_href(key: str) -> str:
    return "/tools/" + quote(key, safe="/")


def host_of(iri: str) -> str:
    try:
        return urlsplit(iri).hostname or iri
    except ValueError:
        return iri


def source_node(listing: ToolListing, local_host: str) -> str:
    """The host of the node the listing was published on."""
    return listing.provenance.node_host if listing.provenance else local_host


def publisher_html(listing: ToolListing, org: Organisation | None) -> str:
    """Who published the listing: a local organisation page, or the remote author's IRI."""
    if org is not None:
        return f'<a href="/orgs/{escape(org.handle)}">{escape(org.name)}</a>'
    if listing.provenance is not None:
        author = listing.provenance.author_iri
        name = author.rstrip("/").rsplit("/", 1)[-1] or author
        return external_link(author, f"{name} ({host_of(author)})")
    return "unknown"


def search_form(q: str | None, hidden: dict[str, str], *, field_id: str = "q") -> str:
    """The GET search form; the active filters travel as hidden fields."""
    kept = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, v in hidden.items()
        if v
    )
    return (
        '<form class="search" role="search" method="get" action="/catalog/search">'
        f'<label for="{field_id}">Search tools</label>'
        f'<input type="search" id="{field_id}" name="q" value="{escape(q or "")}" '
        'placeholder="e.g. participatory budget" autocomplete="off">'
        f'{kept}<button type="submit">Search</button></form>'
    )


async def org_listings(
    uow: UnitOfWorkFactory, org_id: str, *, limit: int, before: str | None = None
) -> tuple[list[ToolListing], str | None]:
    """One page of an organisation's published listings, newest first, and the `before`
    cursor of the next page (None on the last one)."""
    async with uow(readonly=True) as tx:
        found = await tx.listings.by_org(org_id, limit + 1, before)
    more = len(found) > limit
    return found[:limit], found[limit - 1].id if more else None
