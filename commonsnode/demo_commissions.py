"""Demo commissions for `make run`: an open request with two ranked bids, a contract in progress
with one milestone accepted and paid, and a completed contract that credits a demo listing.

Each story is replayed through the real use cases with the node's clock set back to the day each
step happened, so every rule (deadlines, signatures, proofs, milestones) is checked as it would
have been; the open request's deadline and the unfinished milestones lie in the future. Running
the demo again finds each request by requester and title and does only the steps still missing.

Signing needs the organisations' private keys, which only the federation layer holds, so the
layer above passes them in as `CommissionWiring.sign` (the domain imports no federation code).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from commonsnode.clock import OffsetClock
from commonsnode.ids import new_id
from commonsnode.model.bids import Bid
from commonsnode.model.contracts import Contract, Party, document
from commonsnode.model.dates import iso_instant
from commonsnode.model.listings import repository_key
from commonsnode.model.organisations import Organisation
from commonsnode.model.requests import Request
from commonsnode.ports import UnitOfWorkFactory
from commonsnode.usecases.bids import mark_approach, submit_bid
from commonsnode.usecases.contract_credits import ListingIris
from commonsnode.usecases.contracts import (
    CommissionIris,
    CommissionSettings,
    Verifiers,
    act_on_contract,
    award,
    sign_contract,
)
from commonsnode.usecases.payments import record_payment
from commonsnode.usecases.requests import act_on_request, create_request

DAY = 86_400.0

# The organisation's proof over a contract document (made with its own key, elsewhere).
Sign = Callable[[Organisation, dict[str, Any]], Awaitable[dict[str, Any]]]


class BidIris(CommissionIris, Protocol):
    """The commission IRIs, bids included (federation's CommissionIris is one)."""

    def bid(self, request_id: str, bid_id: str) -> str: ...


class NodeIris(ListingIris, Protocol):
    """How this node names its organisations and listings (federation's LocalIris is one)."""

    def org(self, handle: str) -> str: ...


@dataclass(frozen=True, slots=True)
class CommissionWiring:
    """What the demo needs from the layers above the domain."""

    settings: CommissionSettings
    commissions: BidIris
    node: NodeIris
    verifiers: Verifiers
    sign: Sign


@dataclass(frozen=True, slots=True)
class DemoBid:
    """A bid; days count from today (negative: in the past), amounts in euro cents."""

    bidder: str
    price: int
    timeline_days: int
    approach: str
    milestones: tuple[tuple[str, int, int], ...]  # (title, due day, amount)
    team: tuple[str, ...] = ()
    mark: int | None = None  # the requester's mark for the approach, 0-10


@dataclass(frozen=True, slots=True)
class DemoCommission:
    """One commission story: the request, its bids and how far it got."""

    requester: str
    publisher: str  # the organisation whose listing of `repository` the request is about
    repository: str
    title: str
    description: str
    requirements: tuple[str, ...]
    budget: tuple[int, int]
    created: int
    deadline: int
    bids: tuple[DemoBid, ...]
    winner: str | None = None  # awarded the day after the deadline, signed in the two after
    accepted: int = 0  # milestones delivered and accepted, each just before it is due
    paid: int = 0  # milestones paid, each on its due day


DEMO_COMMISSIONS: tuple[DemoCommission, ...] = (
    DemoCommission(
        requester="alderney",
        publisher="civic-code",
        repository="https://github.com/decidim/decidim",
        title="Decidim: participatory budgeting that meets WCAG 2.2 AA",
        description="Our residents vote on the city budget in Decidim. Make the budgeting "
        "module accessible to screen-reader and keyboard users, and upstream the changes.",
        requirements=(
            "WCAG 2.2 AA for every page of the budgeting module",
            "Changes merged upstream under AGPL-3.0",
            "Tested with residents who use assistive technology",
        ),
        budget=(2_000_000, 4_500_000),
        created=-6,
        deadline=21,
        bids=(
            DemoBid(
                "civic-code",
                3_800_000,
                120,
                "Audit with residents, fix in small upstream pull requests, then a release "
                "with the Decidim maintainers.",
                (
                    ("Audit report and first fixes", 60, 1_500_000),
                    ("Upstream release", 150, 2_300_000),
                ),
                ("accessibility lead", "two Ruby developers"),
                mark=9,
            ),
            DemoBid(
                "commons-hosting",
                2_950_000,
                150,
                "Fix on our hosted Decidim first, then upstream; we host the test instance.",
                (
                    ("Fixes on the test instance", 75, 1_200_000),
                    ("Upstreamed fixes", 170, 1_750_000),
                ),
                ("developer", "tester"),
                mark=6,
            ),
        ),
    ),
    DemoCommission(
        requester="digital-ministry",
        publisher="digital-ministry",
        repository="https://github.com/nextcloud/server",
        title="Nextcloud: sign in with the national eID",
        description="Civil servants should sign in to the shared Nextcloud with the national "
        "eID (SAML), with no separate passwords.",
        requirements=("SAML 2.0 with the national eID", "Documented for other administrations"),
        budget=(1_500_000, 3_000_000),
        created=-75,
        deadline=-50,
        bids=(
            DemoBid(
                "civic-code",
                2_400_000,
                90,
                "Extend the SAML app, contribute the fixes upstream.",
                (("eID sign-in on the test instance", -25, 1_000_000), ("Roll-out", 30, 1_400_000)),
            ),
            DemoBid(
                "commons-hosting",
                1_800_000,
                75,
                "We run the SAML app for other clients already; configure, fix, document.",
                (
                    ("eID sign-in on the test instance", -20, 800_000),
                    ("Production roll-out and upstreamed fixes", 40, 1_000_000),
                ),
                ("Nextcloud administrator", "developer"),
            ),
        ),
        winner="commons-hosting",
        accepted=1,
        paid=1,
    ),
    DemoCommission(
        requester="alderney",
        publisher="alderney",
        repository="https://github.com/Signalen/backend",
        title="Signalen: the report form in plain language and five more languages",
        description="Residents report problems in the street through Signalen. Rewrite the "
        "form in plain language and translate it into the city's five most spoken languages.",
        requirements=("Plain language (B1)", "Translations upstreamed to Signalen"),
        budget=(2_000_000, 4_000_000),
        created=-200,
        deadline=-180,
        bids=(
            DemoBid(
                "civic-code",
                3_200_000,
                120,
                "Write with residents, translate with native speakers, upstream both.",
                (
                    ("Plain-language form and translations", -120, 1_200_000),
                    ("Released upstream in Signalen", -60, 2_000_000),
                ),
                ("content designer", "developer"),
            ),
            DemoBid(
                "commons-hosting",
                3_900_000,
                100,
                "Translation agency plus our developers.",
                (("Translations", -130, 1_900_000), ("Release", -80, 2_000_000)),
            ),
        ),
        winner="civic-code",
        accepted=2,
        paid=2,
    ),
)


def _eur(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "EUR"}


def _day(today: float, days: float) -> str:
    return datetime.fromtimestamp(today + days * DAY, UTC).date().isoformat()


class _Story:
    """One commission replayed: the organisations as parties and the clock set per step."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: OffsetClock,
        wiring: CommissionWiring,
        story: DemoCommission,
        orgs: dict[str, Organisation],
    ) -> None:
        self.uow, self.clock, self.wiring, self.story, self.orgs = uow, clock, wiring, story, orgs
        self.today = clock.now() - clock.offset

    def at(self, days: float) -> None:
        self.clock.offset = days * DAY

    def party(self, handle: str) -> Party:
        return Party(self.wiring.node.org(handle), self.orgs[handle].name)

    async def request(self, listing_iri: str) -> Request:
        requester = self.party(self.story.requester)
        async with self.uow(readonly=True) as tx:
            mine = await tx.commission_requests.visible(requester.id, 500)
        found = next(
            (r for r in mine if r.requester == requester.id and r.terms.title == self.story.title),
            None,
        )
        if found is not None:
            return found
        self.at(self.story.created)
        body = {
            "kind": "change",
            "listing": listing_iri,
            "title": self.story.title,
            "description": self.story.description,
            "requirements": list(self.story.requirements),
            "budget": {"min": _eur(self.story.budget[0]), "max": _eur(self.story.budget[1])},
            "deadline": iso_instant(self.today + self.story.deadline * DAY),
            "criteria": {"price": 40, "timeline": 20, "reputation": 20, "approach": 20},
        }
        request_id = new_id(self.clock.now())
        return await create_request(self.uow, self.clock, requester, body, request_id=request_id)

    async def bids(self, request: Request) -> list[Bid]:
        async with self.uow(readonly=True) as tx:
            held = await tx.bids.for_request(request.id)
        for number, bid in enumerate(self.story.bids, 1):
            bidder = self.party(bid.bidder)
            if request.state != "open" or any(b.bidder == bidder.id for b in held):
                continue
            self.at(self.story.created + number)
            body = {
                "price": _eur(bid.price),
                "timeline_days": bid.timeline_days,
                "approach": bid.approach,
                "milestones": [
                    {"title": title, "due": _day(self.today, due), "amount": _eur(amount)}
                    for title, due, amount in bid.milestones
                ],
                "team": list(bid.team),
            }
            bid_id = new_id(self.clock.now())
            iri = self.wiring.commissions.bid(request.id, bid_id)
            held.append(
                await submit_bid(
                    self.uow, self.clock, request.id, bidder, body, bid_id=bid_id, bid_iri=iri
                )
            )
        await self._mark(request, held)
        return held

    async def _mark(self, request: Request, held: list[Bid]) -> None:
        """The requester marks each approach once (the ranking's `approach` criterion)."""
        requester = self.party(self.story.requester).id
        async with self.uow(readonly=True) as tx:
            marks = await tx.bids.marks(request.id)
        for bid in self.story.bids:
            mine = next((b for b in held if b.bidder == self.party(bid.bidder).id), None)
            if bid.mark is not None and mine is not None and mine.id not in marks:
                await mark_approach(self.uow, request.id, requester, mine.id, bid.mark)

    async def awarded(self, request: Request, bids: list[Bid]) -> tuple[str, Contract] | None:
        """Closed after the deadline and awarded the day after; the contract, if there is one."""
        requester = self.party(self.story.requester).id
        if self.story.winner is None:
            return None
        if request.state == "open":
            self.at(self.story.deadline + 0.01)
            request = await act_on_request(self.uow, self.clock, request.id, requester, "close")
        winner = self.party(self.story.winner).id
        chosen = next((b for b in bids if b.bidder == winner), None)
        if request.state == "evaluating" and chosen is not None:
            self.at(self.story.deadline + 1)
            await award(
                self.uow,
                self.clock,
                self.wiring.settings,
                self.wiring.commissions,
                request.id,
                requester,
                chosen.id,
                contract_id=new_id(self.clock.now()),
            )
        async with self.uow(readonly=True) as tx:
            return await tx.contracts.for_request(request.id)

    async def signed(self, local_id: str, contract: Contract) -> Contract:
        for days, handle in ((2, self.story.requester), (3, self.story.winner or "")):
            party = self.party(handle)
            if contract.signature_of(party.id) is None:
                self.at(self.story.deadline + days)
                proof = await self.wiring.sign(self.orgs[handle], document(contract.terms))
                contract = await sign_contract(
                    self.uow, self.clock, self.wiring.verifiers, local_id, party.id, proof
                )
        return contract

    async def worked(self, local_id: str, contract: Contract) -> Contract:
        """Milestones delivered two days before they are due, accepted the day before, paid
        on the day (dates from the contract, so a later run books the same payments)."""
        buyer, supplier = contract.terms.buyer.id, contract.terms.supplier.id
        dues = [
            (datetime.combine(m.due, datetime.min.time(), UTC).timestamp() - self.today) / DAY
            for m in contract.terms.milestones
        ]
        for number in range(1, self.story.accepted + 1):
            for days, actor, action, before in (
                (-2, supplier, "deliver", "pending"),
                (-1, buyer, "accept", "delivered"),
            ):
                if contract.milestone_states[number - 1] != before:
                    continue
                self.at(dues[number - 1] + days)
                contract = await act_on_contract(
                    self.uow,
                    self.clock,
                    self.wiring.verifiers,
                    local_id,
                    actor,
                    action,
                    listings=self.wiring.node,
                    milestone=number,
                )
        for number, milestone in enumerate(contract.terms.milestones[: self.story.paid], 1):
            body = {
                "milestone": number,
                "amount": {
                    "amount": milestone.amount.amount,
                    "currency": milestone.amount.currency,
                },
                "date": milestone.due.isoformat(),
                "reference": f"DEMO-{local_id[:8]}-{number}",
            }
            await record_payment(self.uow, local_id, buyer, body)  # a repeat books nothing
        return contract


async def _listing_iri(
    uow: UnitOfWorkFactory, node: NodeIris, publisher: Organisation, repository: str
) -> str | None:
    async with uow(readonly=True) as tx:
        listings = await tx.listings.by_repository(repository_key(repository))
    found = next((x for x in listings if x.org_id == publisher.id), None)
    return node.listing(found.id) if found is not None else None


async def commission_demo(
    uow: UnitOfWorkFactory, clock: OffsetClock, wiring: CommissionWiring
) -> None:
    """Play every demo commission as far as it goes (idempotent); the clock is reset after."""
    try:
        for story in DEMO_COMMISSIONS:
            handles = {story.requester, story.publisher, *(b.bidder for b in story.bids)}
            async with uow(readonly=True) as tx:
                orgs = {h: await tx.organisations.get_by_handle(h) for h in handles}
            present = {h: org for h, org in orgs.items() if org is not None}
            if len(present) < len(handles):
                continue
            listing = await _listing_iri(
                uow, wiring.node, present[story.publisher], story.repository
            )
            if listing is None:
                continue
            play = _Story(uow, clock, wiring, story, present)
            request = await play.request(listing)
            bids = await play.bids(request)
            found = await play.awarded(request, bids)
            if found is not None:
                contract = await play.signed(found[0], found[1])
                await play.worked(found[0], contract)
    finally:
        clock.offset = 0.0
