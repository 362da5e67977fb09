"""Catalog search with facets (`/catalog/search`) and a tool's page (`/tools/{key}`), no JS."""

from __future__ import annotations

from html import escape

from aiohttp import web

from commonsnode.errors import InvalidError, NotFoundError
from commonsnode.model.listings import FACETS, ListingPage, ListingQuery, ToolListing
from commonsnode.model.organisations import Organisation
from commonsnode.model.privacy_rubric import FACET_VALUES as PRIVACY_FACETS
from commonsnode.usecases.organisations import org_map
from commonsnode.usecases.records import listing_records
from commonsnode.usecases.search import get_tool, search_catalog
from web.keys import CONFIG, FED, UOW
from web.pages import tool_sections
from web.pages.layout import href, page
from web.pages.parts import (
    external_link,
    kind_label,
    publisher_html,
    search_form,
    source_node,
    status_label,
    tool_href,
)
from web.pages.privacy_sections import privacy_section
from web.pages.rating_sections import listing_rating_html, load_ratings, recent_ratings_html
from web.pages.report_sections import reports_section
from web.pages.reputation_sections import tool_reputation_html

PAGE = 20
# facet name -> (query parameter, heading)
FACET_PARAMS = {
    "category": ("category", "Category"),
    "license": ("license", "Licence"),
    "development_status": ("development_status", "Development status"),
    "software_type": ("software_type", "Software type"),
    "platform": ("platform", "Platform"),
    "country": ("country", "Country"),
    "origin": ("origin", "Published on"),
    "used_by": ("used_by_min", "Used by"),
    "privacy": ("privacy", "Privacy grade"),
}
PARAMS = tuple(param for param, _ in FACET_PARAMS.values())


def _value_label(facet: str, value: str) -> str:
    if facet == "origin":
        return {"local": "This node", "remote": "Other nodes"}.get(value, value)
    if facet == "used_by":
        return f"at least {value} organisation" + ("" if value == "1" else "s")
    if facet == "development_status":
        return status_label(value)
    if facet == "privacy":
        return "Not graded" if value == PRIVACY_FACETS[-1] else f"Grade {value}"
    return value


def _filters(request: web.Request) -> dict[str, str]:
    """The active filters from the query string; malformed ones are dropped, not refused."""
    found = {p: request.query.get(p, "").strip() for p in PARAMS}
    if found["origin"] not in ("", "local", "remote"):
        found["origin"] = ""
    if not found["used_by_min"].isdigit():
        found["used_by_min"] = ""
    if found["privacy"] not in PRIVACY_FACETS:
        found["privacy"] = ""
    return {k: v for k, v in found.items() if v}


def _page_number(request: web.Request) -> int:
    raw = request.query.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else 1


def result_item(listing: ToolListing, org: Organisation | None, local_host: str) -> str:
    """One listing in a result list (an `h3` under the list's `h2`)."""
    facts = listing.facts
    text = facts.text()
    return (
        '<li class="result">'
        f'<h3><a href="/listings/{escape(listing.id)}">{escape(facts.name)}</a></h3>'
        f'<p lang="{escape(text.language)}">{escape(text.short_description)}</p>'
        f'<p class="meta">{escape(facts.license)}'
        f" · {escape(status_label(facts.development_status))}"
        f" · published by {publisher_html(listing, org)}"
        f" on {escape(source_node(listing, local_host))}"
        f' · <a href="{escape(tool_href(listing.repository_key))}">'
        f'all listings of this tool<span class="sr"> ({escape(facts.name)})</span></a></p>'
        "</li>"
    )


def _facets_html(result: ListingPage, q: str | None, active: dict[str, str]) -> str:
    blocks = []
    for facet in FACETS:
        counts = [c for c in result.facets.get(facet, ()) if c.count > 0]
        if not counts:
            continue
        param, heading = FACET_PARAMS[facet]
        items = []
        for count in counts:
            value_param = count.value
            selected = active.get(param, "").casefold() == value_param.casefold()
            params = {**active, param: None if selected else value_param}
            link = escape(href("/catalog/search", q=q, **params))
            label = escape(_value_label(facet, count.value))
            current = ' aria-current="true"' if selected else ""
            suffix = " (selected; follow to remove)" if selected else ""
            items.append(
                f'<li><a href="{link}"{current}>{label} '
                f'<span class="count">({count.count})</span>'
                f'<span class="sr">{suffix}</span></a></li>'
            )
        blocks.append(f"<h3>{escape(heading)}</h3><ul>{''.join(items)}</ul>")
    if not blocks:
        return ""
    return (
        '<aside class="facets" aria-labelledby="facets-heading">'
        '<h2 id="facets-heading">Refine results</h2>' + "".join(blocks) + "</aside>"
    )


def _active_html(q: str | None, active: dict[str, str]) -> str:
    if not active:
        return ""
    items = []
    for facet, (param, heading) in FACET_PARAMS.items():
        if param not in active:
            continue
        rest = {k: v for k, v in active.items() if k != param}
        link = escape(href("/catalog/search", q=q, **rest))
        value = escape(_value_label(facet, active[param]))
        items.append(
            f"<li>{escape(heading)}: {value} "
            f'<a href="{link}">remove<span class="sr"> filter {escape(heading)}</span></a></li>'
        )
    clear = escape(href("/catalog/search", q=q))
    return (
        '<p id="active-filters" class="meta">Active filters:</p>'
        f'<ul class="active" aria-labelledby="active-filters">{"".join(items)}</ul>'
        f'<p><a href="{clear}">Clear all filters</a></p>'
    )


async def catalog_search(request: web.Request) -> web.Response:
    """`GET /catalog/search?q=…&license=…`: the same search as `GET /api/v1/listings`."""
    config = request.app[CONFIG]
    host = request.app[FED].iris.host
    q = request.query.get("q", "").strip() or None
    active = _filters(request)
    number = _page_number(request)
    used_by = active.get("used_by_min")
    query = ListingQuery(
        q=q,
        origin=active.get("origin"),  # type: ignore[arg-type]
        limit=PAGE,
        after=request.query.get("cursor") or None,
        used_by_min=int(used_by) if used_by else None,
        **{
            p: active.get(p)
            for p in ("category", "license", "development_status", "software_type", "platform")
        },
        country=active.get("country"),
        privacy=active.get("privacy"),
    )
    form = search_form(q, active)
    title = f"Search: {q}" if q else "Catalog"
    try:
        result = await search_catalog(request.app[UOW], query)
    except InvalidError as exc:
        body = (
            f"<h1>{escape(title)}</h1>{form}"
            f'<p role="alert">The search could not run: {escape(str(exc))}</p>'
        )
        return page(title, body, node_name=config.node.name, status=400)
    orgs = await org_map(request.app[UOW])
    total = f"{result.total}" if result.exact else f"more than {result.total}"
    noun = "tool listing" if result.total == 1 and result.exact else "tool listings"
    summary = f"{total} {noun}" + (f" matching “{q}”" if q else "")
    if result.listings:
        items = "".join(result_item(x, orgs.get(x.org_id or ""), host) for x in result.listings)
        results = f'<ul class="plain">{items}</ul>'
    else:
        results = "<p>No tool listing matches. Try fewer words or remove a filter.</p>"
    links = []
    if number > 1:
        first = escape(href("/catalog/search", q=q, **active))
        links.append(f'<li><a href="{first}">First page</a></li>')
    if result.next_cursor is not None:
        nxt = escape(
            href(
                "/catalog/search",
                q=q,
                **active,
                cursor=result.next_cursor,
                page=str(number + 1),
            )
        )
        links.append(f'<li><a href="{nxt}" rel="next">Next page</a></li>')
    pager = (
        f'<nav class="pages" aria-label="Result pages"><ul>{"".join(links)}</ul></nav>'
        if links
        else ""
    )
    page_note = f" — page {number}" if number > 1 else ""
    body = (
        f"<h1>{escape(title)}</h1>{form}{_active_html(q, active)}"
        '<div class="layout">'
        '<section aria-labelledby="results-heading">'
        f'<h2 id="results-heading">{escape(summary)}{escape(page_note)}</h2>'
        f"{results}{pager}</section>"
        f"{_facets_html(result, q, active)}</div>"
    )
    return page(title, body, node_name=config.node.name)


def not_found(request: web.Request, what: str) -> web.Response:
    body = (
        "<h1>Not found</h1>"
        f"<p>{escape(what)}</p>"
        '<p><a href="/catalog/search">Search the catalog</a></p>'
    )
    return page("Not found", body, node_name=request.app[CONFIG].node.name, status=404)


async def tool_page(request: web.Request) -> web.Response:
    """`/tools/{key}`: every listing of one tool, its publishers, users, licences and links."""
    config = request.app[CONFIG]
    host = request.app[FED].iris.host
    key = request.match_info["key"]
    try:
        tool = await get_tool(request.app[UOW], key)
    except (NotFoundError, InvalidError):
        return not_found(request, f"No published listing of {key}.")
    orgs = await org_map(request.app[UOW])
    ratings = await load_ratings(request, tool.listings, host)
    first = tool.listings[0].facts
    text = first.text()
    used: dict[str, list[str]] = {}
    listing_items = []
    for listing in tool.listings:
        facts = listing.facts
        org = orgs.get(listing.org_id or "")
        node = source_node(listing, host)
        source = f'<a href="/listings/{escape(listing.id)}">{escape(node)}</a>'
        for name in facts.used_by:
            used.setdefault(name, []).append(source)
        if org is not None and org.kind == "government":
            used.setdefault(org.name, []).append(source)
        rows = [
            ("Published by", publisher_html(listing, org)),
            ("Publisher kind", escape(kind_label(org.kind)) if org else ""),
            ("Source node", escape(node)),
            ("Licence", escape(facts.license)),
            ("Status", escape(status_label(facts.development_status))),
            ("Version", escape(facts.software_version or "")),
            ("Maintenance", escape(facts.maintenance_type or "")),
            ("Website", external_link(facts.landing_url, facts.landing_url or "")),
        ]
        dl = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows if value)
        listing_items.append(
            "<li>"
            f'<h3><a href="/listings/{escape(listing.id)}">{escape(facts.name)}</a>'
            f" on {escape(node)}</h3>"
            f'<dl class="facts">{dl}</dl>{listing_rating_html(ratings, listing.id)}</li>'
        )
    licences = sorted({x.facts.license for x in tool.listings})
    statuses = sorted({status_label(x.facts.development_status) for x in tool.listings})
    used_html = (
        '<ul class="plain">'
        + "".join(
            f'<li>{escape(name)} <span class="meta">(source: {", ".join(sources)})</span></li>'
            for name, sources in sorted(used.items(), key=lambda kv: kv[0].casefold())
        )
        + "</ul>"
        if used
        else "<p>No organisation has said it uses this tool yet.</p>"
    )
    facts_rows = (
        ("Repository", external_link(first.repository, first.repository)),
        ("Licence", escape(", ".join(licences))),
        ("Status", escape(", ".join(statuses))),
        ("Listings", str(len(tool.listings))),
        ("Used by", f"{len(used)} organisation" + ("" if len(used) == 1 else "s")),
    )
    body = (
        f"<h1>{escape(first.name)}</h1>"
        f'<p lang="{escape(text.language)}"><strong>{escape(text.short_description)}</strong></p>'
        '<dl class="facts">'
        + "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts_rows)
        + "</dl>"
        + await tool_reputation_html(request, tool.listings[0].repository_key)
        + f"<h2>Who uses it</h2>{used_html}"
        f'<h2>Listings</h2><ul class="plain">{"".join(listing_items)}</ul>'
        + recent_ratings_html(ratings, orgs)
        + await reports_section(request, tool, orgs)
    )
    records = await listing_records(request.app[UOW], [x.id for x in tool.listings])
    body += tool_sections.record_sections(tool, records, orgs, host)
    body += await privacy_section(request, tool, orgs)
    return page(first.name, body, node_name=config.node.name)


def setup(app: web.Application) -> None:
    app.router.add_get("/catalog/search", catalog_search)
    app.router.add_get("/tools/{key:.+}", tool_page)
