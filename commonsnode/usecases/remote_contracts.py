"""A contract that another node made: the supplier's node keeps the buyer's copy.

The buyer's node makes the contract at the award (`contracts.award`); the supplier's node
receives its document and the proofs made so far. Only the buyer named in the document may
send it, only to a node that mirrors the request it is about, and every proof is recorded
through `add_signature`, so it is checked against the party's own key like a local one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from commonsnode.clock import Clock
from commonsnode.errors import ForbiddenError, InvalidError, NotFoundError
from commonsnode.model.contract_documents import terms_from_document
from commonsnode.model.contracts import Contract, add_signature, in_force, unsigned_contract
from commonsnode.model.records import Credit
from commonsnode.ports import UnitOfWorkFactory
from commonsnode.usecases.contract_credits import credit_parties
from commonsnode.usecases.contracts import Verifiers, verifier_for
from commonsnode.usecases.remote_links import RemoteLink, link_row, linked_id


async def receive_contract(
    uow: UnitOfWorkFactory,
    clock: Clock,
    verifiers: Verifiers,
    sender: str,
    doc: Mapping[str, Any],
    proofs: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    contract_id: str,
    request_id: str | None,
    received: RemoteLink | None = None,
) -> Contract:
    """Keep the contract `sender` (its buyer) sent under `contract_id`, with the parties'
    (party, proof) pairs that verify; a proof that does not verify is refused. `received`
    links the copy to the contract's IRI in the same transaction; a contract received
    already is returned as it was kept."""
    terms = terms_from_document(doc)
    if sender != terms.buyer.id:
        raise ForbiddenError("only the buyer's actor sends the contract it awarded")
    if request_id is None:
        raise NotFoundError(f"no request {terms.request} here to hold contract {terms.id}")
    now = clock.now()
    contract = unsigned_contract(terms, now)
    verify = await verifier_for(verifiers, contract, *(p for _, p in proofs))
    for party, proof in proofs:
        if contract.role_of(party) is None:
            raise InvalidError("signatures: only the buyer and the supplier sign")
        contract = add_signature(contract, party, proof, verify, now)
    async with uow() as tx:
        kept = await linked_id(tx, received)
        existing = await tx.contracts.get(kept) if kept else None
        if existing is not None:
            return existing[0]
        request = await tx.commission_requests.get(request_id)
        if request is None or request.requester != terms.buyer.id:
            raise ForbiddenError("the contract's buyer is not the requester of the request")
        await link_row(tx, received, contract_id, now)
        await tx.contracts.add(contract_id, contract, request_id)
    return contract


async def proven_contract(
    clock: Clock,
    verifiers: Verifiers,
    doc: Mapping[str, Any],
    proofs: Sequence[tuple[str, Mapping[str, Any]]],
) -> Contract:
    """The contract `doc` with the parties' proofs, checked by a node that is not a party:
    in force only when both proofs verify with the parties' own keys (else InvalidError)."""
    terms = terms_from_document(doc)
    contract = unsigned_contract(terms, clock.now())
    verify = await verifier_for(verifiers, contract, *(p for _, p in proofs))
    for party, proof in proofs:
        if contract.role_of(party) is not None and contract.signature_of(party) is None:
            contract = add_signature(contract, party, proof, verify, clock.now())
    if not in_force(contract, verify):
        raise InvalidError("the contract is not signed by both parties")
    return contract


async def credit_completed(
    uow: UnitOfWorkFactory,
    clock: Clock,
    verifiers: Verifiers,
    sender: str,
    doc: Mapping[str, Any],
    proofs: Sequence[tuple[str, Mapping[str, Any]]],
    listing_id: str,
) -> list[Credit]:
    """The listing's publisher credits a completed contract: "commissioned by the buyer, built
    by the supplier". Only the buyer (who accepts the milestones) announces completion, and the
    contract must be in force: both parties' proofs verify with their own keys, checked here by
    a node that is not a party. The new credits are then told to the listing's other holders."""
    terms = terms_from_document(doc)
    if sender != terms.buyer.id:
        raise ForbiddenError("only the buyer announces that its contract is completed")
    contract = await proven_contract(clock, verifiers, doc, proofs)
    async with uow() as tx:
        listing = await tx.listings.get_by_id(listing_id)
        if listing is None:
            raise NotFoundError(f"no listing {listing_id} here")
        return await credit_parties(tx, listing, contract, clock.now())


async def credit_relayed(
    uow: UnitOfWorkFactory,
    clock: Clock,
    verifiers: Verifiers,
    listing_iri: str,
    doc: Mapping[str, Any],
    proofs: Sequence[tuple[str, Mapping[str, Any]]],
) -> list[Credit]:
    """Our copy of another node's listing takes the credit its publisher announced: the
    contract must be about that listing and in force (both proofs checked here again, so the
    publisher's word alone credits nothing). Replaying adds nothing."""
    contract = await proven_contract(clock, verifiers, doc, proofs)
    if contract.terms.listing != listing_iri:
        raise InvalidError("the contract is about another listing")
    async with uow() as tx:
        listing = await tx.listings.get_by_origin(listing_iri)
        if listing is None:
            raise NotFoundError(f"no copy of {listing_iri} here")
        return await credit_parties(tx, listing, contract, clock.now())
