"""Deployments, support offers and credits of a listing in the JSON API.

POST declares (or replaces) the token organisation's own record, DELETE withdraws it, GET lists
every record this node knows (local and federated), each with its source.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from commonsnode.model.dates import iso_timestamp
from commonsnode.model.organisations import Organisation
from commonsnode.model.records import Credit, ListingRecord, RecordKind
from commonsnode.usecases.organisations import org_map
from commonsnode.usecases.records import (
    ListingRecords,
    declare_deployment,
    listing_records,
    offer_support,
    records_of_listing,
    withdraw_record,
)
from federation.convert.records import record_iri
from web.api.auth import require_org
from web.api.body import read_json_object, reject_unknown
from web.keys import CLOCK, FED, UOW

DEPLOYMENT_FIELDS = {"since", "purpose", "scale", "notes"}
OFFER_FIELDS = {"services", "regions", "languages", "contact_url", "price_hint"}
_PATH = {"deployment": "deployments", "support": "support-offers"}


def record_json(
    request: web.Request, record: ListingRecord[Any], orgs: dict[str, Organisation]
) -> dict[str, Any]:
    """A record with who declared it and where it came from (always the declarer itself)."""
    iris = request.app[FED].iris
    origin = record.provenance
    org = orgs.get(record.org_id or "")
    if org is not None:
        declarer = {"iri": iris.org(org.handle), "handle": org.handle, "name": org.name}
    else:
        declarer = {"iri": origin.author_iri if origin else None, "name": record.declarer_name}
    terms = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(record.terms).items()}
    return {
        "id": record.id,
        "iri": origin.origin_iri if origin else record_iri(iris, record.kind, record.id),
        "listing": record.listing_id,
        "local": record.is_local,
        **terms,
        "declarer": declarer,
        "source": {
            "node": origin.node_host if origin else iris.host,
            # Declared by the organisation itself: its own token here, its own proof remotely.
            "declared_by": "itself",
            "signed": True,
            "received_at": iso_timestamp(origin.received_at) if origin else None,
            "via": origin.via_iri if origin else None,
        },
        "declared": iso_timestamp(record.declared_at),
        "updated": iso_timestamp(record.updated_at),
    }


def credit_json(credit: Credit) -> dict[str, Any]:
    return {
        "role": credit.role,
        "party": {"name": credit.party_name, "iri": credit.party_iri},
        "source": credit.source,
        "source_ref": credit.source_ref,
        "listing": credit.listing_id,
    }


def records_json(
    request: web.Request, found: ListingRecords, orgs: dict[str, Organisation]
) -> dict[str, Any]:
    """The records section of a listing or tool body: credits, and who uses and supports it."""
    return {
        "credits": [credit_json(c) for c in found.credits],
        "deployments": [record_json(request, r, orgs) for r in found.deployments],
        "support_offers": [record_json(request, r, orgs) for r in found.support_offers],
    }


async def listing_extras(request: web.Request, listing_id: str) -> dict[str, Any]:
    """What GET /api/v1/listings/{id} adds: credits, and deployment and offer counts."""
    found = await listing_records(request.app[UOW], [listing_id])
    return {
        "credits": [credit_json(c) for c in found.credits],
        "deployments_count": len(found.deployments),
        "support_offers_count": len(found.support_offers),
    }


def listing_ref(request: web.Request) -> str:
    """The `{id}` of the path: a listing id, or a listing's IRI (percent-encoded); one of our
    own listing IRIs is reduced to its id."""
    ref = request.match_info["id"]
    prefix = request.app[FED].iris.listing("")
    return ref[len(prefix) :] if ref.startswith(prefix) else ref


def _post(kind: RecordKind) -> Any:
    async def post(request: web.Request) -> web.Response:
        org = await require_org(request)
        body = await read_json_object(request)
        reject_unknown(body, DEPLOYMENT_FIELDS if kind == "deployment" else OFFER_FIELDS)
        listing_id = listing_ref(request)
        uow, clock = request.app[UOW], request.app[CLOCK]
        if kind == "deployment":
            change = await declare_deployment(uow, clock, org, listing_id, body)
        else:
            change = await offer_support(uow, clock, org, listing_id, body)
        answer = record_json(request, change.record, {org.id: org})
        if not change.created:
            return web.json_response(answer)
        location = f"/api/v1/listings/{change.record.listing_id}/{_PATH[kind]}"
        return web.json_response(answer, status=201, headers={"Location": location})

    return post


def _get(kind: RecordKind) -> Any:
    async def get(request: web.Request) -> web.Response:
        found = await records_of_listing(request.app[UOW], listing_ref(request))
        records = found.deployments if kind == "deployment" else found.support_offers
        orgs = await org_map(request.app[UOW])
        items = [record_json(request, r, orgs) for r in records]
        return web.json_response({"items": items, "total": len(items)})

    return get


def _delete(kind: RecordKind) -> Any:
    async def delete(request: web.Request) -> web.Response:
        org = await require_org(request)
        await withdraw_record(request.app[UOW], request.app[CLOCK], org, listing_ref(request), kind)
        return web.Response(status=204)

    return delete


def setup(app: web.Application) -> None:
    for kind, path in _PATH.items():
        route = f"/api/v1/listings/{{id}}/{path}"
        app.router.add_post(route, _post(kind))  # type: ignore[arg-type]
        app.router.add_get(route, _get(kind))  # type: ignore[arg-type]
        app.router.add_delete(route, _delete(kind))  # type: ignore[arg-type]
