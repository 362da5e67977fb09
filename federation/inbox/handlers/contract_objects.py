"""Create{CommissionContract}, Update{CommissionContract} and Create{Payment} from a party.

Each goes through the use case a local party's request goes through (receive_contract,
sign_contract, act_on_contract, record_payment) with the activity's actor as the acting party,
so the node checks again who may do what; a refusal ends the job with its reason. Anything
that is not about a commission contract goes on to the generic object handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from commonsnode.errors import DomainError
from commonsnode.ids import new_id
from commonsnode.usecases.contracts import act_on_contract, sign_contract
from commonsnode.usecases.payments import record_payment
from commonsnode.usecases.remote_contracts import credit_completed, receive_contract
from commonsnode.usecases.remote_links import AlreadyReceived, RemoteLink
from federation.commission_delivery import REQUEST_LINK
from federation.commissions import contract_verifiers
from federation.contract_delivery import (
    CONTRACT_LINK,
    CONTRACT_TYPE,
    CREDIT_TYPE,
    EXTRA_KEYS,
    PAYMENT_TYPE,
    contract_local_id,
)
from federation.convert.commissions import is_request
from federation.fetch import FetchBudget, FetchError
from federation.fetch_failures import FetchUnavailable, is_transient
from federation.inbox.dispatch import ActivityHandler, HandlerError, Incoming
from federation.inbox.handlers import offers
from federation.iris import host_of, origin_of
from federation.jsonld.shapes import id_of
from federation.resolve import ResolveError, resolve_actor
from federation.runtime import Federation

log = logging.getLogger("commonsnode.inbox")


def _inner(incoming: Incoming, type_: str) -> dict[str, Any] | None:
    inner = incoming.activity.get("object")
    if isinstance(inner, dict) and inner.get("type") == type_ and id_of(inner):
        return inner
    return None


def _document(inner: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inner.items() if k not in EXTRA_KEYS}


def signature_pairs(raw: object) -> list[tuple[str, dict[str, Any]]]:
    """(party, proof) pairs from a `signatures` list; anything malformed is left out."""
    return [
        (s["party"], s["proof"])
        for s in (raw if isinstance(raw, list) else [])
        if isinstance(s, dict)
        and isinstance(s.get("party"), str)
        and isinstance(s.get("proof"), dict)
    ]


async def _receive_contract(fed: Federation, incoming: Incoming, inner: dict[str, Any]) -> None:
    iri = str(inner["id"])
    if origin_of(iri) != origin_of(incoming.actor):
        raise HandlerError("a contract is sent by the node that made it")
    doc = _document(inner)
    supplier = doc.get("supplier")
    if not isinstance(supplier, dict) or not fed.iris.is_local(str(supplier.get("id", ""))):
        raise HandlerError("a contract is sent to its supplier's node only")
    proofs = signature_pairs(inner.get("signatures"))
    async with fed.uow(readonly=True) as tx:
        if await tx.commission_links.local_id(iri, CONTRACT_LINK) is not None:
            return
        request_id = await tx.commission_links.local_id(str(doc.get("request")), REQUEST_LINK)
    contract_id = new_id(fed.clock.now())
    try:
        await receive_contract(
            fed.uow,
            fed.clock,
            contract_verifiers(fed),
            incoming.actor,
            doc,
            proofs,
            contract_id=contract_id,
            request_id=request_id,
            received=RemoteLink(iri, CONTRACT_LINK),
        )
    except AlreadyReceived:
        return
    except DomainError as exc:
        raise HandlerError(f"contract {iri} refused: {exc}") from exc


async def _local_contract(fed: Federation, iri: str) -> str:
    async with fed.uow(readonly=True) as tx:
        local = await contract_local_id(fed, tx, iri)
    if local is None:
        raise HandlerError(f"no contract {iri} here")
    return local


async def _apply(fed: Federation, incoming: Incoming, inner: dict[str, Any]) -> None:
    local = await _local_contract(fed, str(inner["id"]))
    action = inner.get("action")
    try:
        if action == "sign":
            proof = inner.get("proof")
            if not isinstance(proof, dict):
                raise HandlerError("a signature Update carries the party's proof")
            await sign_contract(
                fed.uow,
                fed.clock,
                contract_verifiers(fed),
                local,
                incoming.actor,
                proof,
                tell=False,
            )
        else:
            milestone = inner.get("milestone")
            reason = inner.get("reason")
            await act_on_contract(
                fed.uow,
                fed.clock,
                contract_verifiers(fed),
                local,
                incoming.actor,
                str(action),
                milestone=milestone if isinstance(milestone, int) else None,
                reason=reason if isinstance(reason, str) else None,
                listings=fed.iris,  # a completion credits our own listing by our IRIs
                tell=False,
            )
    except DomainError as exc:
        raise HandlerError(f"{action} on {inner['id']} refused: {exc}") from exc


async def _payment(fed: Federation, incoming: Incoming, inner: dict[str, Any]) -> None:
    if origin_of(str(inner["id"])) != origin_of(incoming.actor):
        raise HandlerError("a payment is recorded by the payer's node")
    local = await _local_contract(fed, id_of(inner.get("contract")) or "")
    body = {
        "milestone": inner.get("milestone"),
        "amount": inner.get("amount"),
        "date": inner.get("paymentDate"),
        "reference": inner.get("reference"),
    }
    try:
        await record_payment(fed.uow, local, incoming.actor, body, tell=False)
    except DomainError as exc:
        raise HandlerError(f"payment {inner['id']} refused: {exc}") from exc


def create_with_contracts(fallback: ActivityHandler) -> ActivityHandler:
    """Create of a contract or a payment here; anything else to `fallback`."""

    async def handle_create(fed: Federation, incoming: Incoming) -> None:
        contract = _inner(incoming, CONTRACT_TYPE)
        payment = _inner(incoming, PAYMENT_TYPE)
        if contract is not None:
            await _receive_contract(fed, incoming, contract)
        elif payment is not None:
            await _payment(fed, incoming, payment)
        else:
            await fallback(fed, incoming)

    return handle_create


def update_with_contracts(fallback: ActivityHandler) -> ActivityHandler:
    """Update of a contract (a party's action) or of a request we mirror here; anything else
    to `fallback`."""

    async def handle_update(fed: Federation, incoming: Incoming) -> None:
        contract = _inner(incoming, CONTRACT_TYPE)
        request = incoming.activity.get("object")
        if contract is not None:
            await _apply(fed, incoming, contract)
        elif isinstance(request, dict) and is_request(request):
            await offers.update_mirror(fed, incoming, request)
        else:
            await fallback(fed, incoming)

    return handle_update


async def _listing_here(fed: Federation, iri: str) -> str | None:
    """The id of our own published listing at `iri` (credits go to the publisher's copy)."""
    prefix = fed.iris.listing("")
    if not iri.startswith(prefix):
        return None
    async with fed.uow(readonly=True) as tx:
        listing = await tx.listings.get_by_id(iri[len(prefix) :])
    return None if listing is None or not listing.is_local else listing.id


async def fetch_parties(
    fed: Federation, proofs: list[tuple[str, dict[str, Any]]], budget: FetchBudget
) -> None:
    """The signing parties' actors (when not held), so their proofs can be checked with their
    own keys by a node that is neither party; a party on a blocked domain is not fetched.

    A party's node that is down or overloaded now raises FetchUnavailable (the inbox job is
    retried: the credit is sent once, so refusing it would lose it); a party that cannot be
    read for good (404, 410, a bad document) refuses the credit."""
    parties = sorted({p for p, _ in proofs})
    policy = await fed.policy()
    blocked = [p for p in parties if not policy.permits(host_of(p))]
    if blocked:
        raise HandlerError(f"credit: party {blocked[0]} is on a domain blocked here")
    for party in parties:
        try:
            await resolve_actor(fed, party, budget)
        except (ResolveError, FetchError) as exc:
            if is_transient(exc):
                raise FetchUnavailable(f"credit: party {party} unreachable now: {exc}") from exc
            raise HandlerError(f"credit: cannot fetch party {party}: {exc}") from exc


async def handle_add(fed: Federation, incoming: Incoming) -> None:
    """Add{CommissionCredit} to one of our listings: the buyer says its contract about the
    listing is completed. Both parties' actors are fetched (when not held) so their proofs
    over the shared contract document are checked with their own keys before crediting."""
    inner = _inner(incoming, CREDIT_TYPE)
    if inner is None:
        log.info("Add from %s: not a commission credit", incoming.actor)
        return
    evidence = inner.get("evidence")
    if not isinstance(evidence, dict) or not isinstance(evidence.get("document"), dict):
        raise HandlerError("a commission credit carries the signed contract as evidence")
    doc = evidence["document"]
    scope = doc.get("scope")
    listing = id_of(scope.get("listing")) if isinstance(scope, dict) else None
    listing_id = await _listing_here(fed, listing or "")
    if listing_id is None:
        raise HandlerError(f"credit for {listing}: not a listing published here")
    proofs = signature_pairs(evidence.get("signatures"))
    await fetch_parties(fed, proofs, FetchBudget())
    try:
        await credit_completed(
            fed.uow, fed.clock, contract_verifiers(fed), incoming.actor, doc, proofs, listing_id
        )
    except DomainError as exc:
        raise HandlerError(f"credit for {listing} refused: {exc}") from exc
