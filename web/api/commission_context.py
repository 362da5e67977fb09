"""What the commission API handlers share: who acts (as a Party), settings from configuration,
recipient resolution and the proof verifier."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from commonsnode.config import NodeConfig
from commonsnode.errors import InvalidError
from commonsnode.model.contracts import Party
from commonsnode.model.organisations import Organisation
from commonsnode.usecases.contracts import CommissionSettings, Verifiers
from federation.commission_recipients import remote_recipient
from federation.commissions import CommissionIris, contract_verifiers
from web.api.auth import require_org
from web.keys import CONFIG, FED, UOW


def party_of(request: web.Request, org: Organisation) -> Party:
    """A local organisation as a commission party: its actor IRI and name."""
    return Party(request.app[FED].iris.org(org.handle), org.name)


async def acting(request: web.Request) -> tuple[Organisation, Party]:
    """The token's organisation (401 without a token)."""
    org = await require_org(request)
    return org, party_of(request, org)


async def reader(request: web.Request) -> str | None:
    """The actor IRI of the token's organisation, or None for an anonymous reader."""
    if "Authorization" not in request.headers:
        return None
    return (await acting(request))[1].id


def base(request: web.Request) -> str:
    return request.app[CONFIG].origin


def commission_iris(app: web.Application) -> CommissionIris:
    return CommissionIris(app[CONFIG].origin)


def settings_of(app: web.Application) -> CommissionSettings:
    return commission_settings(app[CONFIG])


def commission_settings(config: NodeConfig) -> CommissionSettings:
    """Fee and operator from `[commissions]`; the operator defaults to the node itself."""
    section = config.commissions
    return CommissionSettings(
        fee_basis_points=section.fee_basis_points,
        operator=Party(
            section.operator_iri or f"{config.origin}/actor",
            section.operator_name or config.node.name,
        ),
    )


def verifiers(request: web.Request) -> Verifiers:
    return verifiers_of(request.app)


def verifiers_of(app: web.Application) -> Verifiers:
    """Builds the proof verifier for a contract's parties (their keys, fetched if remote)."""
    return contract_verifiers(app[FED])


async def resolve_recipients(app: web.Application, values: Any) -> list[str]:
    """Recipients as actor IRIs: local acct: handles and IRIs must name an organisation here;
    remote IRIs are kept; remote acct: handles are resolved by WebFinger."""
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InvalidError("recipients: a list of actor IRIs or acct: handles", field="recipients")
    fed = app[FED]
    resolved: list[str] = []
    for raw in values:
        value = raw.strip()
        if value.startswith(("https://", "http://")):
            if fed.iris.is_local(value):
                handle = fed.iris.org_handle(value)
                if handle is None or not await _exists(app, handle):
                    raise InvalidError(
                        f"recipients: {value} is not an organisation on this node",
                        field="recipients",
                    )
            resolved.append(value)
            continue
        name, at, host = value.removeprefix("acct:").lstrip("@").partition("@")
        if not at or not name or not host:
            raise InvalidError(
                f"recipients: {value!r} is neither an actor IRI nor acct:name@host",
                field="recipients",
            )
        if host.lower() != fed.iris.host.lower():
            resolved.append(await remote_recipient(fed, value))
            continue
        if not await _exists(app, name):
            raise InvalidError(
                f"recipients: no organisation {name!r} on this node", field="recipients"
            )
        resolved.append(fed.iris.org(name))
    return resolved


async def resolve_listing(app: web.Application, value: Any) -> Any:
    """A listing named by its id here becomes its IRI (the same on every node); an IRI is kept,
    anything else is left for the domain's checks."""
    if not isinstance(value, str) or not value.strip() or value.startswith(("https://", "http://")):
        return value
    async with app[UOW](readonly=True) as tx:
        listing = await tx.listings.get_by_id(value.strip())
    if listing is None:
        raise InvalidError(f"listing: no listing {value.strip()!r} on this node", field="listing")
    if listing.provenance is not None:
        return listing.provenance.origin_iri
    return app[FED].iris.listing(listing.id)


async def _exists(app: web.Application, handle: str) -> bool:
    async with app[UOW](readonly=True) as tx:
        return await tx.organisations.get_by_handle(handle) is not None
