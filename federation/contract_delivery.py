"""Contract activities between the parties' nodes (FEDERATION.md, "Commissions").

The contract is addressed to its two parties only. The buyer's node sends it once, at the
award, as `Create{CommissionContract}` with the proofs made so far; afterwards each party tells
the other what it did as `Update{CommissionContract}` naming the `action` (sign with its
`proof`, deliver/accept/reject a `milestone`, start, dispute), and the buyer records payments
as `Create{Payment}`. The receiving node applies each through the same use case a local party
uses, so every rule (who may act, which state, whose key) is checked there again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commonsnode.model.contracts import Contract, document
from commonsnode.model.organisations import Organisation
from commonsnode.ports import UnitOfWork
from federation.commission_delivery import inboxes_of
from federation.commissions import CommissionIris
from federation.outbox import new_activity, publish
from federation.runtime import Federation

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


async def _send(
    fed: Federation, org: Organisation, type_: str, object_: dict[str, Any], to: str
) -> None:
    if fed.iris.is_local(to):
        return
    inboxes = await inboxes_of(fed, [to])
    now = fed.clock.now()
    activity = new_activity(fed.iris, org, type_, object_, now, to=[to])
    async with fed.uow() as tx:
        await publish(tx, fed.iris, org, activity, now, followers=False, inboxes=inboxes)


async def send_contract(fed: Federation, org: Organisation, contract: Contract) -> None:
    """At the award: the contract to a supplier on another node, with the proofs so far."""
    signatures = [{"party": s.party, "proof": dict(s.proof)} for s in contract.signatures]
    object_ = {**document(contract.terms), "signatures": signatures}
    await _send(fed, org, "Create", object_, contract.terms.supplier.id)


async def tell_contract(
    fed: Federation,
    org: Organisation,
    contract: Contract,
    action: str,
    *,
    milestone: int | None = None,
    reason: str | None = None,
    proof: Mapping[str, Any] | None = None,
) -> None:
    """What `org` (a party) did to the contract, to the other party."""
    actor = fed.iris.org(org.handle)
    object_: dict[str, Any] = {**document(contract.terms), "action": action}
    if milestone is not None:
        object_["milestone"] = milestone
    if reason:
        object_["reason"] = reason
    if proof is not None:
        object_["proof"] = dict(proof)
    await _send(fed, org, "Update", object_, other_party(contract, actor))


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
) -> None:
    """A payment the buyer recorded, to the supplier (both ledgers then hold it)."""
    await _send(fed, org, "Create", payment_object(contract, body), contract.terms.supplier.id)
