"""The `event.commission` job: a commission step made here, told to the other party's node.

The use case queued the event in the step's own transaction; this re-reads the rows the step
changed, shapes the activities (commission_delivery, contract_delivery, public_requests) and
publishes them in the transaction that finishes the job, so a step is told exactly once even
when this node dies or the other node is down meanwhile (a remote inbox that cannot be
resolved now raises InboxUnavailable: the job is retried, and its last attempt leaves out the
recipients still unreachable). Steps applied here from another node's activity name that
node's actor: they are not echoed back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from commonsnode.commission_events import CommissionEvent
from commonsnode.jobs import Job
from commonsnode.model.contracts import Contract
from commonsnode.model.organisations import Organisation
from commonsnode.worker import PermanentJobError
from federation.commission_delivery import (
    local_org,
    offer_bid,
    offer_request,
    tell_bidders,
    update_request,
)
from federation.commission_outgoing import Outgoing, last_attempt, publish_all
from federation.contract_delivery import (
    announce_completion,
    send_contract,
    send_payment,
    tell_contract,
)
from federation.runtime import Federation

log = logging.getLogger("commonsnode.commissions")

Step = Callable[[Federation, Organisation, CommissionEvent], Awaitable[list[Outgoing] | None]]


async def _request_published(
    fed: Federation, org: Organisation, event: CommissionEvent
) -> list[Outgoing] | None:
    async with fed.uow(readonly=True) as tx:
        request = await tx.commission_requests.get(event.request_id or "")
    return None if request is None else await offer_request(fed, org, request)


async def _request_updated(
    fed: Federation, org: Organisation, event: CommissionEvent
) -> list[Outgoing] | None:
    async with fed.uow(readonly=True) as tx:
        request = await tx.commission_requests.get(event.request_id or "")
    return None if request is None else await update_request(fed, org, request)


async def _bids_told(
    fed: Federation, org: Organisation, event: CommissionEvent
) -> list[Outgoing] | None:
    contract_iri = None
    if event.contract_id is not None:
        contract = await _contract(fed, event.contract_id)
        if contract is None:
            return None
        contract_iri = contract.terms.id
    return await tell_bidders(fed, org, event.request_id or "", contract_iri)


async def _bid_offered(
    fed: Federation, org: Organisation, event: CommissionEvent
) -> list[Outgoing] | None:
    async with fed.uow(readonly=True) as tx:
        bid = await tx.bids.get(event.bid_id or "")
    return None if bid is None else await offer_bid(fed, org, bid)


async def _contract(fed: Federation, contract_id: str) -> Contract | None:
    async with fed.uow(readonly=True) as tx:
        found = await tx.contracts.get(contract_id)
    return None if found is None else found[0]


async def _contract_sent(
    fed: Federation, org: Organisation, event: CommissionEvent
) -> list[Outgoing] | None:
    contract = await _contract(fed, event.contract_id or "")
    return None if contract is None else await send_contract(fed, org, contract)


async def _contract_told(
    fed: Federation, org: Organisation, event: CommissionEvent
) -> list[Outgoing] | None:
    contract = await _contract(fed, event.contract_id or "")
    if contract is None:
        return None
    return await tell_contract(
        fed,
        org,
        contract,
        event.action or "",
        milestone=event.milestone,
        reason=event.reason,
        proof=event.proof,
    )


async def _payment_recorded(
    fed: Federation, org: Organisation, event: CommissionEvent
) -> list[Outgoing] | None:
    contract = await _contract(fed, event.contract_id or "")
    if contract is None or event.payment is None:
        return None
    return await send_payment(fed, org, contract, event.payment.to_json())


async def _completion_announced(
    fed: Federation, org: Organisation, event: CommissionEvent
) -> list[Outgoing] | None:
    contract = await _contract(fed, event.contract_id or "")
    return None if contract is None else await announce_completion(fed, org, contract)


STEPS: dict[str, Step] = {
    "request-published": _request_published,
    "request-updated": _request_updated,
    "bids-told": _bids_told,
    "bid-offered": _bid_offered,
    "contract-sent": _contract_sent,
    "contract-told": _contract_told,
    "payment-recorded": _payment_recorded,
    "completion-announced": _completion_announced,
}


async def handle_commission_event(fed: Federation, job: Job, *, max_attempts: int) -> None:
    """Publish what the step tells, and finish the job, in one transaction. On the last of
    `max_attempts` (the kind's retry policy) recipients still unresolvable are left out."""
    try:
        event = CommissionEvent.from_payload(job.payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentJobError(f"malformed commission event: {exc}") from exc
    async with fed.uow(readonly=True) as tx:
        org = await local_org(fed, tx, event.actor)
    outgoing: list[Outgoing] | None = []
    if org is None:
        if fed.iris.is_local(event.actor):
            log.info("commission %s by %s: its organisation is gone", event.step, event.actor)
        # else: a step another node's party made, applied here from its activity: not echoed
    else:
        with last_attempt(job.attempts >= max_attempts):
            outgoing = await STEPS[event.step](fed, org, event)
        if outgoing is None:
            log.info("commission %s by %s: its row is gone", event.step, event.actor)
    async with fed.uow() as tx:
        await publish_all(tx, fed, outgoing or [], fed.clock.now())
        await tx.jobs.finish(job)
