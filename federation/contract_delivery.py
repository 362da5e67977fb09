"""Contract activities between the parties' nodes (FEDERATION.md, "Commissions").

The contract is addressed to its two parties only. At the award the buyer's contract goes to
the supplier as `Create{CommissionContract}` with the proofs made so far; afterwards each party
tells the other what it did as `Update{CommissionContract}` naming the `action` (sign with its
`proof`, start, deliver/accept/reject a `milestone`, dispute, withdraw-dispute, terminate), the
buyer's payments go as `Create{Payment}`, and a completed contract about another node's
listing is told to its publisher as `Add{CommissionCredit}`. This module only shapes and
addresses them (`Outgoing`); federation/commission_events.py publishes them from the step's
queued event. The receiving node applies each through the same use case a local party uses,
so every rule (who may act, which state, whose key) is checked there again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from commonsnode.model.contracts import Contract, document, evidence
from commonsnode.model.organisations import Organisation
from commonsnode.ports import UnitOfWork
from federation.commission_outgoing import Outgoing, giving_up, inboxes_of
from federation.commissions import CommissionIris
from federation.fetch import FetchBudget, FetchError
from federation.iris import host_of, origin_of
from federation.jsonld.shapes import id_of
from federation.outbox import new_activity
from federation.recipients import InboxUnavailable
from federation.runtime import Federation
from federation.vocab import DEFAULT_CONTEXT

log = logging.getLogger("commonsnode.commissions")

CONTRACT_LINK = "contract"  # another node's contract IRI → our copy's local id
CONTRACT_TYPE = "CommissionContract"
PAYMENT_TYPE = "Payment"
EXTRA_KEYS = ("action", "milestone", "reason", "signatures", "proof", "@context")


async def contract_local_id(fed: Federation, tx: UnitOfWork, iri: str) -> str | None:
    """The local id of a contract we hold: ours by its IRI's last segment, a copy by link."""
    prefix = CommissionIris(fed.iris.origin).contract("")
    if iri.startswith(prefix) and "/" not in iri[len(prefix) :]:
        return iri[len(prefix) :]
    return await tx.commission_links.local_id(iri, CONTRACT_LINK)


def other_party(contract: Contract, actor: str) -> str:
    terms = contract.terms
    return terms.supplier.id if actor == terms.buyer.id else terms.buyer.id


async def _to_party(
    fed: Federation, org: Organisation, type_: str, object_: dict[str, Any], to: str
) -> list[Outgoing]:
    """One activity to the other party; nothing when that party is on this node too."""
    if fed.iris.is_local(to):
        return []
    inboxes = await inboxes_of(fed, [to])
    activity = new_activity(fed.iris, org, type_, object_, fed.clock.now(), to=[to])
    return [Outgoing(org, activity, inboxes)]


def contract_document(contract: Contract) -> dict[str, Any]:
    """The contract as its parties exchange it: the signed document and the proofs so far."""
    shared = evidence(contract)
    return {"@context": DEFAULT_CONTEXT, **shared["document"], "signatures": shared["signatures"]}


async def send_contract(fed: Federation, org: Organisation, contract: Contract) -> list[Outgoing]:
    """At the award: the contract to a supplier on another node, with the proofs so far."""
    supplier = contract.terms.supplier.id
    return await _to_party(fed, org, "Create", contract_document(contract), supplier)


async def tell_contract(
    fed: Federation,
    org: Organisation,
    contract: Contract,
    action: str,
    *,
    milestone: int | None = None,
    reason: str | None = None,
    proof: Mapping[str, Any] | None = None,
) -> list[Outgoing]:
    """What `org` (a party) did to the contract, to the other party."""
    actor = fed.iris.org(org.handle)
    object_: dict[str, Any] = {**document(contract.terms), "action": action}
    if milestone is not None:
        object_["milestone"] = milestone
    if reason:
        object_["reason"] = reason
    if proof is not None:
        object_["proof"] = dict(proof)
    return await _to_party(fed, org, "Update", object_, other_party(contract, actor))


def payment_object(contract: Contract, body: Mapping[str, Any]) -> dict[str, Any]:
    reference = str(body.get("reference", "")).strip()
    return {
        "type": PAYMENT_TYPE,
        "id": f"{contract.terms.id}/payments/{reference}",
        "attributedTo": contract.terms.buyer.id,
        "contract": contract.terms.id,
        "milestone": body.get("milestone"),
        "amount": body.get("amount"),
        "paymentDate": body.get("date"),
        "reference": reference,
    }


async def send_payment(
    fed: Federation, org: Organisation, contract: Contract, body: Mapping[str, Any]
) -> list[Outgoing]:
    """A payment the buyer recorded, to the supplier (both ledgers then hold it)."""
    payment = payment_object(contract, body)
    return await _to_party(fed, org, "Create", payment, contract.terms.supplier.id)


CREDIT_TYPE = "CommissionCredit"


async def listing_author(fed: Federation, listing_iri: str) -> str | None:
    """The actor that published a listing of another node: from our copy, else its origin
    (InboxUnavailable when the origin cannot be asked now: the credit is told later)."""
    async with fed.uow(readonly=True) as tx:
        held = await tx.listings.get_by_origin(listing_iri)
    if held is not None and held.provenance is not None:
        return held.provenance.author_iri
    if not (await fed.policy()).permits(host_of(listing_iri)):
        log.info("credit: listing %s is on a blocked domain, no credit told", listing_iri)
        return None
    try:
        result = await fed.fetcher.fetch_activity(listing_iri, budget=FetchBudget())
    except FetchError as exc:
        if not exc.transient or giving_up():
            log.info("credit: listing %s not read, no credit told: %s", listing_iri, exc)
            return None
        raise InboxUnavailable(f"credit: cannot fetch listing {listing_iri}: {exc}") from exc
    author = id_of((result.document or {}).get("attributedTo"))
    return author if author and origin_of(author) == origin_of(listing_iri) else None


async def announce_completion(
    fed: Federation, org: Organisation, contract: Contract
) -> list[Outgoing]:
    """A completed contract about a listing of another node: the buyer tells the listing's
    publisher (`Add{CommissionCredit}`, target the listing), sharing the signed contract as
    evidence so that node can check both parties' proofs before it credits them."""
    terms = contract.terms
    if contract.state != "completed" or not terms.listing or fed.iris.is_local(terms.listing):
        return []
    if fed.iris.org(org.handle) != terms.buyer.id:
        return []
    author = await listing_author(fed, terms.listing)
    if author is None:
        return []
    credit = {
        "type": CREDIT_TYPE,
        # The buyer's statement, under its own contract: one per contract. The publisher's
        # credit to the listing's holders is another object (federation/credits.py credit_iri).
        "id": f"{terms.id}/credit",
        "attributedTo": terms.buyer.id,
        "contract": terms.id,
        "listing": terms.listing,
        "evidence": evidence(contract),
    }
    inboxes = await inboxes_of(fed, [author])
    now = fed.clock.now()
    activity = new_activity(fed.iris, org, "Add", credit, now, target=terms.listing, to=[author])
    return [Outgoing(org, activity, inboxes)]
