"""Tool listings in the JSON API: publish, search, read, change and withdraw."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from commonsnode.errors import InvalidError
from commonsnode.model.dates import iso_timestamp
from commonsnode.model.listings import ListingPage, ListingQuery, Tool, ToolListing, ToolPage
from commonsnode.model.organisations import Organisation
from commonsnode.publiccode import Finding
from commonsnode.usecases.listings import (
    ListingChange,
    ListingInvalidError,
    get_listing,
    patch_listing,
    publish_listing,
    update_listing,
    withdraw_listing,
)
from commonsnode.usecases.organisations import org_map
from commonsnode.usecases.privacy import privacy_grade
from commonsnode.usecases.ratings import rating_summary
from commonsnode.usecases.records import listing_records
from commonsnode.usecases.search import get_tool, search_catalog, search_tools
from web.api.auth import require_org
from web.api.ratings import summary_json
from web.api.records import listing_extras, records_json
from web.keys import CLOCK, FED, UOW
from web.problems import problem_response

YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
JSON_TYPES = frozenset({"application/json", "application/merge-patch+json"})
PAGE = 20
FILTERS = (
    "category",
    "license",
    "development_status",
    "software_type",
    "platform",
    "country",
    "privacy",
)


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "line": finding.line,
        "column": finding.column,
        "key": finding.key,
        "kind": finding.kind,
        "message": finding.message,
        "field": finding.key,
        "detail": finding.message,
    }


def listing_json(
    request: web.Request, listing: ToolListing, org: Organisation | None
) -> dict[str, Any]:
    """The API shape of a listing; `org` is its local publisher (None for remote ones)."""
    iris = request.app[FED].iris
    facts, origin = listing.facts, listing.provenance
    if org is not None:
        publisher = {"iri": iris.org(org.handle), "handle": org.handle, "name": org.name}
    else:
        publisher = {"iri": origin.author_iri if origin else None}
    return {
        "id": listing.id,
        "iri": origin.origin_iri if origin else iris.listing(listing.id),
        "local": listing.is_local,
        "state": listing.state,
        "name": facts.name,
        "repository": facts.repository,
        "repository_key": listing.repository_key,
        "landing_url": facts.landing_url,
        "descriptions": {
            d.language: {
                "short_description": d.short_description,
                "long_description": d.long_description,
                "features": list(d.features),
            }
            for d in facts.descriptions
        },
        "categories": list(facts.categories),
        "platforms": list(facts.platforms),
        "license": facts.license,
        "development_status": facts.development_status,
        "software_type": facts.software_type,
        "software_version": facts.software_version,
        "release_date": facts.release_date,
        "available_languages": list(facts.available_languages),
        "maintenance_type": facts.maintenance_type,
        "used_by": list(facts.used_by),
        "countries": list(facts.countries),
        "publisher": publisher,
        "provenance": None
        if origin is None
        else {
            "origin": origin.origin_iri,
            "author": origin.author_iri,
            "node": origin.node_host,
            "received_at": iso_timestamp(origin.received_at),
            "via": origin.via_iri,
        },
        "published": iso_timestamp(listing.published_at),
        "updated": iso_timestamp(listing.updated_at),
        "withdrawn": iso_timestamp(listing.withdrawn_at),
    }


def _invalid(request: web.Request, error: ListingInvalidError) -> web.Response:
    return problem_response(
        422,
        "Invalid publiccode.yml",
        error.detail,
        instance=request.path,
        errors=[finding_json(f) for f in error.findings],
    )


async def _source(request: web.Request, *, patch: bool = False) -> str | bytes | dict[str, Any]:
    """The body: publiccode.yml text (YAML, or JSON as sent), or a merge patch when `patch`."""
    if request.content_type in YAML_TYPES:
        return await request.read()
    if request.content_type not in JSON_TYPES:
        raise web.HTTPUnsupportedMediaType(
            text="send application/yaml (publiccode.yml) or application/json"
        )
    raw = await request.read()
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidError(f"body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidError("body must be a JSON object")
    if set(value) == {"publiccode"}:
        if not isinstance(value["publiccode"], str):
            raise InvalidError("publiccode: the publiccode.yml text", field="publiccode")
        return str(value["publiccode"])
    return value if patch else raw


async def _publisher(request: web.Request, listing: ToolListing) -> Organisation | None:
    if listing.org_id is None:
        return None
    async with request.app[UOW](readonly=True) as tx:
        return await tx.organisations.get_by_id(listing.org_id)


def _changed(request: web.Request, change: ListingChange, org: Organisation) -> web.Response:
    body = listing_json(request, change.listing, org)
    body["warnings"] = [finding_json(f) for f in change.warnings]
    if not change.created:
        return web.json_response(body)
    location = f"/api/v1/listings/{change.listing.id}"
    return web.json_response(body, status=201, headers={"Location": location})


async def post_listing(request: web.Request) -> web.Response:
    org = await require_org(request)
    source = await _source(request)
    try:
        change = await publish_listing(
            request.app[UOW],
            request.app[CLOCK],
            org,
            source,  # type: ignore[arg-type]
        )
    except ListingInvalidError as exc:
        return _invalid(request, exc)
    return _changed(request, change, org)


async def patch_one(request: web.Request) -> web.Response:
    org = await require_org(request)
    source = await _source(request, patch=True)
    listing_id = request.match_info["id"]
    uow, clock = request.app[UOW], request.app[CLOCK]
    try:
        if isinstance(source, dict):
            change = await patch_listing(uow, clock, org, listing_id, source)
        else:
            change = await update_listing(uow, clock, org, listing_id, source)
    except ListingInvalidError as exc:
        return _invalid(request, exc)
    return _changed(request, change, org)


async def delete_one(request: web.Request) -> web.Response:
    org = await require_org(request)
    await withdraw_listing(request.app[UOW], request.app[CLOCK], org, request.match_info["id"])
    return web.Response(status=204)


async def get_one(request: web.Request) -> web.Response:
    listing = await get_listing(request.app[UOW], request.match_info["id"])
    body = listing_json(request, listing, await _publisher(request, listing))
    body["publiccode"] = listing.publiccode
    summary = await rating_summary(request.app[UOW], listing.id)
    body["rating_summary"] = summary_json(summary, request.app[FED].iris.host)
    body.update(await listing_extras(request, listing.id))
    body["privacy_grade"] = await privacy_grade(request.app[UOW], listing.repository_key)
    return web.json_response(body)


def _number(text: str | None, name: str, default: int | None) -> int | None:
    if text is None or text == "":
        return default
    if not text.isdigit():
        raise InvalidError(f"{name}: a whole number", field=name)
    return int(text)


def _query(request: web.Request) -> ListingQuery:
    query = request.query
    origin = query.get("origin") or None
    if origin not in (None, "local", "remote"):
        raise InvalidError("origin: local or remote", field="origin")
    return ListingQuery(
        q=query.get("q") or None,
        origin=origin,  # type: ignore[arg-type]
        limit=_number(query.get("limit"), "limit", PAGE) or 0,
        after=query.get("cursor") or None,
        used_by_min=_number(query.get("used_by_min"), "used_by_min", None),
        **{name: query.get(name) or None for name in FILTERS},
    )


def _page_json(request: web.Request, page: ListingPage | ToolPage) -> dict[str, Any]:
    body: dict[str, Any] = {
        "total": page.total,
        "total_exact": page.exact,
        "facets": {
            name: [{"value": f.value, "count": f.count} for f in counts]
            for name, counts in page.facets.items()
        },
    }
    if page.next_cursor is not None:
        params = {k: v for k, v in request.query.items() if k != "cursor"}
        params["cursor"] = page.next_cursor
        body["next"] = str(request.rel_url.with_query(params))
    return body


async def get_many(request: web.Request) -> web.Response:
    page = await search_catalog(request.app[UOW], _query(request))
    orgs = await org_map(request.app[UOW])
    items = [listing_json(request, x, orgs.get(x.org_id or "")) for x in page.listings]
    return web.json_response({"items": items, **_page_json(request, page)})


def tool_json(request: web.Request, tool: Tool, orgs: dict[str, Organisation]) -> dict[str, Any]:
    """One tool: every listing, its publishers, who uses it and who supports it, with sources."""
    host = request.app[FED].iris.host
    listings, publishers, used_by, support = [], [], [], []
    for listing in tool.listings:
        org = orgs.get(listing.org_id or "")
        body = listing_json(request, listing, org)
        listings.append(body)
        source = {
            "listing": listing.id,
            "iri": body["iri"],
            "node": listing.provenance.node_host if listing.provenance else host,
        }
        publishers.append(
            {**body["publisher"], "kind": org.kind if org else None, "source": source}
        )
        for name in listing.facts.used_by:
            used_by.append({"name": name, "from": "usedBy", "source": source})
        if org is not None and org.kind == "government":
            used_by.append({"name": org.name, "from": "publisher", "source": source})
        if org is not None and org.kind == "support-company":
            support.append({"name": org.name, "iri": body["publisher"]["iri"], "source": source})
        elif listing.facts.maintenance_type in ("contract", "community", "internal"):
            support.append({"maintenance": listing.facts.maintenance_type, "source": source})
    first = tool.listings[0].facts
    return {
        "key": tool.key,
        "name": first.name,
        "repository": first.repository,
        "listings": listings,
        "publishers": publishers,
        "used_by": used_by,
        "used_by_count": len({u["name"].casefold() for u in used_by}),
        "support": support,
    }


async def get_tools(request: web.Request) -> web.Response:
    page = await search_tools(request.app[UOW], _query(request))
    orgs = await org_map(request.app[UOW])
    items = [tool_json(request, tool, orgs) for tool in page.tools]
    return web.json_response({"items": items, **_page_json(request, page)})


async def get_tool_one(request: web.Request) -> web.Response:
    tool = await get_tool(request.app[UOW], request.match_info["key"])
    orgs = await org_map(request.app[UOW])
    body = tool_json(request, tool, orgs)
    found = await listing_records(request.app[UOW], [x.id for x in tool.listings])
    body.update(records_json(request, found, orgs))
    return web.json_response(body)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/v1/listings", post_listing)
    app.router.add_get("/api/v1/listings", get_many)
    app.router.add_get("/api/v1/listings/{id}", get_one)
    app.router.add_patch("/api/v1/listings/{id}", patch_one)
    app.router.add_delete("/api/v1/listings/{id}", delete_one)
    app.router.add_get("/api/v1/tools", get_tools)
    app.router.add_get("/api/v1/tools/{key:.+}", get_tool_one)
