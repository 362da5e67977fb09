"""The commission pages for browsers (no scripts): the board, the request page for each viewer,
the bid form end to end, award, signing and milestones from the contract page, the ledger,
refusals shown in the page, cross-site posts refused and user text escaped."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from aiohttp import ClientResponse

from commonsnode.clock import FixedClock
from commonsnode.errors import InvalidError
from commonsnode.ids import new_id
from commonsnode.keys import generate_ed25519
from commonsnode.model.contracts import Party, Verifier, document
from commonsnode.usecases.bids import mark_approach, submit_bid
from commonsnode.usecases.contracts import (
    CommissionSettings,
    act_on_contract,
    award,
    sign_contract,
)
from commonsnode.usecases.organisations import create_organisation, create_token
from commonsnode.usecases.payments import record_payment
from commonsnode.usecases.requests import create_request
from federation.commissions import CommissionIris, contract_verifier, sign_contract_document
from tests.keys import TEST_KEYS
from tests.web.test_commissions_api import (
    AFTER_DEADLINE,
    HELP,
    World,
    awarded_contract,
    bid_body,
    eur,
    request_body,
    world,
)
from web.app import Node
from web.pages.money_form import minor_units

__all__ = ["world"]  # the fixture, shared with the API tests
DAY = 86_400
SAME = {"Origin": "http://127.0.0.1:8080"}
FORM_BID = {
    "price": "30000.00",
    "currency": "EUR",
    "timeline_days": "90",
    "approach": "Audit, fix, upstream.",
    "team": "accessibility lead\ndeveloper",
    "m1_title": "Audit and fixes",
    "m1_due": "2027-04-15",
    "m1_amount": "10000",
    "m2_title": "Upstreamed release",
    "m2_due": "2027-06-01",
    "m2_amount": "20000.00",
}


def basic(world: World, who: str) -> dict[str, str]:
    """HTTP Basic as a browser sends it: any user name, the API token as the password."""
    token = world.tokens[who]["Authorization"].removeprefix("Bearer ")
    return {"Authorization": "Basic " + base64.b64encode(f"{who}:{token}".encode()).decode()}


async def get(world: World, path: str, who: str | None = None, status: int = 200) -> str:
    response = await world.client.get(path, headers=basic(world, who) if who else {})
    text = await response.text()
    assert response.status == status, text
    if status != 401:
        assert response.content_type == "text/html"
    return text


async def post(
    world: World, path: str, who: str, data: dict[str, str] | None = None, **headers: str
) -> ClientResponse:
    return await world.client.post(
        path,
        data=data or {},
        headers={**basic(world, who), **SAME, **headers},
        allow_redirects=False,
    )


async def new_request(world: World, **changes: object) -> str:
    created = await world.call("POST", "/api/v1/requests", "city", request_body(**changes), 201)
    return str(created["id"])


async def test_the_board_shows_public_requests_and_filters(world: World) -> None:
    public = await new_request(world, title="Public forms work")
    directed = await new_request(world, title="Directed hosting", kind="support", recipients=[HELP])
    anonymous = await get(world, "/requests")
    assert f"/requests/{public}" in anonymous
    assert "Public forms work" in anonymous
    assert "Directed hosting" not in anonymous
    assert "/signin?next=/requests" in anonymous
    invited = await get(world, "/requests", "help")
    assert "Directed hosting" in invited
    assert "Signed in as <strong>Help Ltd</strong>" in invited
    only_support = await get(world, "/requests?kind=support", "help")
    assert f"/requests/{directed}" in only_support
    assert f"/requests/{public}" not in only_support
    public_only = await get(world, "/requests?audience=public", "help")
    assert "Directed hosting" not in public_only
    assert "Public forms work" in public_only
    assert "Public forms work" not in await get(world, "/requests?state=awarded")
    assert "Public forms work" in await get(world, "/requests?state=open")
    refused = await get(world, "/requests?state=bogus&kind=%3Cx%3E", status=400)
    assert "state: one of draft" in refused
    assert "kind: one of new-tool" in refused


async def test_the_request_page_for_each_viewer(world: World) -> None:
    rid = await new_request(world)
    await world.call("POST", f"/api/v1/requests/{rid}/bids", "help", bid_body(3_600_000, 80), 201)
    anonymous = await get(world, f"/requests/{rid}")
    assert "Accessible forms for Medusa" in anonymous
    assert "City of Alderney" in anonymous
    assert "10,000.00 EUR to 40,000.00 EUR" in anonymous
    assert "Bids, ranked" not in anonymous
    assert 'action="/requests/' not in anonymous
    assert "Help Ltd" not in anonymous
    assert "36,000.00" not in anonymous
    assert f"/signin?next=/requests/{rid}" in anonymous
    bidder = await get(world, f"/requests/{rid}", "dev")
    assert f'action="/requests/{rid}/bids"' in bidder
    assert "Bid as Dev Co-op" in bidder
    assert "Help Ltd" not in bidder
    assert "36,000.00" not in bidder
    requester = await get(world, f"/requests/{rid}", "city")
    assert "Bids, ranked" in requester
    assert "Help Ltd" in requester
    assert "no reputation known yet: neutral 0.5" in requester
    assert f'action="/requests/{rid}/bids"' not in requester
    assert "once the deadline for bids has passed" in requester
    directed = await new_request(world, recipients=[HELP])
    await get(world, f"/requests/{directed}", status=404)
    await get(world, f"/requests/{directed}", "dev", status=404)
    assert "Bid as Help Ltd" in await get(world, f"/requests/{directed}", "help")


async def test_a_bid_from_the_form_shows_in_the_requesters_ranking(world: World) -> None:
    rid = await new_request(world)
    response = await post(world, f"/requests/{rid}/bids", "dev", FORM_BID)
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == f"/requests/{rid}#your-bids"
    own = await get(world, f"/requests/{rid}", "dev")
    assert "Your bids" in own
    assert "30,000.00 EUR" in own
    assert "Submitted" in own
    view = await world.call("GET", f"/api/v1/requests/{rid}", "city")
    (ranked,) = view["bids"]
    assert ranked["price"] == {"amount": 3_000_000, "currency": "EUR"}
    assert [m["amount"]["amount"] for m in ranked["milestones"]] == [1_000_000, 2_000_000]
    assert ranked["team"] == ["accessibility lead", "developer"]
    page = await get(world, f"/requests/{rid}", "city")
    assert "#1 Dev Co-op: total score" in page
    assert "price 30,000.00 EUR; lowest bid 30,000.00 EUR" in page
    assert "approach not marked by the requester yet: counts as 0" in page
    bid_id = ranked["id"]
    marked = await post(world, f"/requests/{rid}/bids/{bid_id}/mark", "city", {"mark": "8"})
    assert marked.status == 303
    marked_page = await get(world, f"/requests/{rid}", "city")
    assert "approach marked 8/10 by the requester" in marked_page
    assert '<option value="8" selected>' in marked_page


async def test_bid_refusals_show_in_the_form_with_the_reason(world: World) -> None:
    rid = await new_request(world)
    cases = [
        ({"price": "30000.001"}, 422, "EUR has at most 2 decimal places; 30000.001 cannot"),
        ({"price": "30,000"}, 422, "no thousands separators"),
        ({"m2_amount": "19000"}, 422, "amounts add up to 29,000.00 EUR, not the price"),
        ({"m2_due": "2027-01-01"}, 422, "milestone 2.due: milestones are listed in order"),
        ({"m2_due": ""}, 422, "milestone 2: give a title, a due date and an amount"),
        ({"timeline_days": "ninety"}, 422, "timeline_days: a whole number of days"),
        ({"currency": "USD"}, 422, "this request is budgeted in EUR, not USD"),
        ({"currency": "EURO"}, 422, "not a current ISO 4217 code"),
    ]
    for change, status, reason in cases:
        response = await post(world, f"/requests/{rid}/bids", "dev", {**FORM_BID, **change})
        text = await response.text()
        assert response.status == status, (change, text)
        assert response.content_type == "text/html"
        assert 'role="alert"' in text, (change, text)
        assert reason in text, (change, text)
        assert "Traceback" not in text
        bad = next(iter(change.values()))
        if bad:
            assert f'value="{bad}"' in text  # the form comes back filled in
    own = await post(world, f"/requests/{rid}/bids", "city", FORM_BID)
    assert own.status == 403
    assert "the requester cannot bid on its own request" in await own.text()
    world.clock.advance(AFTER_DEADLINE)
    late = await post(world, f"/requests/{rid}/bids", "dev", FORM_BID)
    assert late.status == 409
    assert "the deadline for bids has passed" in await late.text()
    assert (await world.call("GET", f"/api/v1/requests/{rid}", "city")).get("bids") == []


async def test_cross_site_posts_and_anonymous_posts_are_refused(world: World) -> None:
    rid = await new_request(world)
    evil = await post(
        world, f"/requests/{rid}/bids", "dev", FORM_BID, Origin="https://evil.example"
    )
    assert evil.status == 403
    fetch = await world.client.post(
        f"/requests/{rid}/bids",
        data=FORM_BID,
        headers={**basic(world, "dev"), "Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
    )
    assert fetch.status == 403
    nobody = await world.client.post(f"/requests/{rid}/bids", data=FORM_BID, headers=SAME)
    assert nobody.status == 401
    assert nobody.headers["WWW-Authenticate"].startswith("Basic")
    assert (await world.call("GET", f"/api/v1/requests/{rid}", "city")).get("bids") == []
    _, _, cid = await awarded_contract(world)
    signed = await post(world, f"/contracts/{cid}/sign", "city", Origin="https://evil.example")
    assert signed.status == 403
    assert "not signed yet" in await get(world, f"/contracts/{cid}", "city")


async def test_award_sign_deliver_accept_and_pay_from_the_pages(world: World) -> None:
    rid = await new_request(world)
    assert (await post(world, f"/requests/{rid}/bids", "dev", FORM_BID)).status == 303
    await world.call("POST", f"/api/v1/requests/{rid}/bids", "help", bid_body(3_600_000, 80), 201)
    early = await world.call("GET", f"/api/v1/requests/{rid}", "city")
    win = early["bids"][0]["id"]
    refused = await post(world, f"/requests/{rid}/award", "city", {"bid": win})
    assert refused.status == 409
    assert "award after it" in await refused.text()
    world.clock.advance(AFTER_DEADLINE)
    past = await get(world, f"/requests/{rid}", "city")
    assert "Award to Dev Co-op" in past
    assert "Close bidding" in past
    assert (await post(world, f"/requests/{rid}/close", "city")).status == 303
    evaluating = await get(world, f"/requests/{rid}", "city")
    assert "Evaluating bids" in evaluating
    assert "Award to Dev Co-op" in evaluating
    assert (await post(world, f"/requests/{rid}/award", "dev", {"bid": win})).status == 403
    awarded = await post(world, f"/requests/{rid}/award", "city", {"bid": win})
    assert awarded.status == 303
    cid = awarded.headers["Location"].removeprefix("/contracts/")
    contract = f"/contracts/{cid}"

    buyer = await get(world, contract, "city")
    assert "Awaiting signatures" in buyer
    assert "Not in force" in buyer
    assert "2.5 % (250 basis points)" in buyer
    assert "750.00 EUR over the whole contract" in buyer
    assert f'action="{contract}/sign"' in buyer
    assert "Deliver milestone" not in buyer
    assert (await post(world, f"{contract}/sign", "city")).status == 303
    one = await get(world, contract, "city")
    assert one.count("not signed yet") == 1
    assert "yes, with the party" in one
    assert f'action="{contract}/sign"' not in one
    assert "Not in force" in one
    supplier = await get(world, contract, "dev")
    assert f'action="{contract}/sign"' in supplier
    assert "the supplier (Dev Co-op)" in supplier
    assert (await post(world, f"{contract}/sign", "dev")).status == 303
    both = await get(world, contract, "dev")
    assert "In force" in both
    assert both.count("yes, with the party") == 2
    assert f'action="{contract}/milestones/1/deliver"' in both

    early_accept = await post(world, f"{contract}/milestones/1/accept", "dev")
    assert early_accept.status == 403
    assert "only the buyer may accept" in await early_accept.text()
    assert (await post(world, f"{contract}/milestones/1/deliver", "dev")).status == 303
    buyer = await get(world, contract, "city")
    assert "In progress" in buyer
    assert f'action="{contract}/milestones/1/accept"' in buyer
    assert (await post(world, f"{contract}/milestones/1/accept", "city")).status == 303

    payment = {"milestone": "1", "amount": "10000.00", "date": "2027-04-20", "reference": "TX-1"}
    assert (await post(world, f"{contract}/payments", "city", payment)).status == 303
    again = await post(world, f"{contract}/payments", "city", payment)
    assert again.status == 303  # the same payment twice changes nothing
    too_much = await post(
        world, f"{contract}/payments", "city", {**payment, "reference": "TX-2", "amount": "1"}
    )
    assert too_much.status == 409
    assert "so at most 0.00 EUR more" in await too_much.text()
    for viewer in ("city", "dev"):
        ledger = await get(world, contract, viewer)
        assert "TX-1" in ledger
        assert ledger.count("TX-1") == 1
        assert "250.00 EUR" in ledger
        assert "9,750.00 EUR" in ledger
        assert "-10,000.00 EUR" in ledger
        assert "Every entry balances" in ledger
    assert "Record a payment" not in await get(world, contract, "dev")


async def test_a_dispute_is_withdrawn_or_ends_the_contract_from_the_page(world: World) -> None:
    _, _, cid = await awarded_contract(world)
    contract = f"/contracts/{cid}"
    for party in ("dev", "city"):
        await world.call("POST", f"/api/v1{contract}/sign", party)
    withdraw, terminate = f'action="{contract}/withdraw-dispute"', f'action="{contract}/terminate"'
    signed = await get(world, contract, "city")
    assert withdraw not in signed
    assert terminate not in signed
    assert (await post(world, f"{contract}/dispute", "city", {"reason": "late"})).status == 303
    raised = await get(world, contract, "city")
    assert "Disputed" in raised
    assert "Dispute raised by" in raised
    assert withdraw in raised
    assert terminate in raised
    other = await get(world, contract, "dev")  # the other party may only terminate
    assert withdraw not in other
    assert terminate in other
    refused = await post(world, f"{contract}/withdraw-dispute", "dev")
    assert refused.status == 403
    assert "raised the dispute" in await refused.text()
    assert (await post(world, f"{contract}/withdraw-dispute", "city")).status == 303
    assert "Signed, in force" in await get(world, contract, "dev")

    assert (await post(world, f"{contract}/dispute", "dev", {"reason": "scope"})).status == 303
    missing = await post(world, f"{contract}/terminate", "city", {"reason": ""})
    assert missing.status == 422
    assert "why the contract ends" in await missing.text()
    ended = await post(world, f"{contract}/terminate", "city", {"reason": "no agreement"})
    assert ended.status == 303
    for viewer in ("city", "dev"):
        page = await get(world, contract, viewer)
        assert "Terminated" in page
        assert "no agreement" in page
        assert withdraw not in page
        assert terminate not in page
        assert f'action="{contract}/dispute"' not in page


async def test_contract_page_is_for_the_parties_only(world: World) -> None:
    _, _, cid = await awarded_contract(world)
    response = await world.client.get(f"/contracts/{cid}")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert "only the buyer and the supplier" in await get(world, f"/contracts/{cid}", "help", 403)
    await get(world, "/contracts/no-such-contract", "city", 404)
    wrong = {"Authorization": "Basic " + base64.b64encode(b"x:not-a-token").decode()}
    assert (await world.client.get(f"/contracts/{cid}", headers=wrong)).status == 401
    assert (await world.client.get("/requests", headers=wrong)).status == 401


async def test_signin_asks_then_returns_to_a_local_page(world: World) -> None:
    assert (await world.client.get("/signin?next=/requests/x")).status == 401
    back = await world.client.get(
        "/signin?next=/requests/x", headers=basic(world, "dev"), allow_redirects=False
    )
    assert back.status == 303
    assert back.headers["Location"] == "/requests/x"
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        away = await world.client.get(
            "/signin",
            params={"next": elsewhere},
            headers=basic(world, "dev"),
            allow_redirects=False,
        )
        assert away.headers["Location"] == "/requests"


async def test_user_text_is_escaped_everywhere(world: World) -> None:
    script = "<script>alert(1)</script>"
    rid = await new_request(
        world, title=f"Forms {script}", description=f"Do {script}", requirements=[script]
    )
    hostile = {**FORM_BID, "approach": f"We {script}", "team": "<img src=x onerror=alert(1)>"}
    assert (await post(world, f"/requests/{rid}/bids", "dev", hostile)).status == 303
    bad = await post(world, f"/requests/{rid}/bids", "dev", {**FORM_BID, "price": script})
    pages = [
        await get(world, "/requests"),
        await get(world, f"/requests/{rid}"),
        await get(world, f"/requests/{rid}", "city"),
        await get(world, f"/requests/{rid}", "dev"),
        await bad.text(),
    ]
    world.clock.advance(AFTER_DEADLINE)
    view = await world.call("GET", f"/api/v1/requests/{rid}", "city")
    awarded = await post(world, f"/requests/{rid}/award", "city", {"bid": view["bids"][0]["id"]})
    pages.append(await get(world, awarded.headers["Location"], "dev"))
    for text in pages:
        assert "<script>" not in text
        assert "<img" not in text
    assert all("&lt;script&gt;" in text for text in pages)
    assert re.search(r"&lt;img src=x onerror=alert\(1\)&gt;", pages[-1])


async def test_the_requester_publishes_closes_and_cancels_from_the_page(world: World) -> None:
    draft = await new_request(world, draft=True)
    assert "Publish the request" in await get(world, f"/requests/{draft}", "city")
    await get(world, f"/requests/{draft}", "dev", 404)
    published = await post(world, f"/requests/{draft}/publish", "city")
    assert published.status == 303
    page = await get(world, f"/requests/{draft}", "city")
    assert "Open for bids" in page
    assert "Publish the request" not in page
    assert "Close bidding" not in page  # not before the deadline
    early = await post(world, f"/requests/{draft}/close", "city")
    assert early.status == 409
    assert "bids are accepted until the deadline" in await early.text()
    not_yours = await post(world, f"/requests/{draft}/cancel", "dev")
    assert not_yours.status == 403
    assert "only the requester may cancel this request" in await not_yours.text()
    cancelled = await post(
        world, f"/requests/{draft}/cancel", "city", {"reason": "<b>no</b> budget"}
    )
    assert cancelled.status == 303
    anonymous = await get(world, f"/requests/{draft}")
    assert "Cancelled because" in anonymous
    assert "&lt;b&gt;no&lt;/b&gt; budget" in anonymous


async def test_signin_as_another_organisation_challenges_again(world: World) -> None:
    switch = await world.client.get(
        "/signin?as=city&next=/requests", headers=basic(world, "dev"), allow_redirects=False
    )
    assert switch.status == 401
    assert "sign in with the token of city" in await switch.text()
    same = await world.client.get(
        "/signin?as=city&next=/requests", headers=basic(world, "city"), allow_redirects=False
    )
    assert same.status == 303
    rid = await new_request(world)
    assert (await world.client.get(f"/requests/{rid}?as=dev")).status == 401
    assert "Bid as Dev Co-op" in await get(world, f"/requests/{rid}?as=dev", "dev")
    assert "Bids, ranked" in await get(world, f"/requests/{rid}?as=city", "city")
    await get(world, f"/requests/{rid}?as=city", "dev", 401)


async def seed_commissions(node: Node) -> dict[str, str]:
    """For the accessibility run: an open public request with a bid, and an awarded one whose
    contract both parties signed, with a milestone delivered, accepted and paid. Returns the
    ids and the API tokens of the requester (`city`) and the bidder (`dev`)."""
    now = node.clock.now()
    clock = FixedClock(now - 20 * DAY)
    orgs = {}
    tokens = {}
    for handle, name, kind in (
        ("city", "City of Sark", "government"),
        ("dev", "Dev Co-op", "developer"),
    ):
        orgs[handle] = await create_organisation(
            node.uow,
            clock,
            handle=handle,
            name=name,
            kind=kind,
            keys=(TEST_KEYS[0], generate_ed25519()),
        )
        tokens[handle] = await create_token(node.uow, clock, handle=handle)
    fed = node.federation
    city = Party(fed.iris.org("city"), "City of Sark")
    dev = Party(fed.iris.org("dev"), "Dev Co-op")
    past = datetime.fromtimestamp(now - 10 * DAY, UTC).date().isoformat()
    later = datetime.fromtimestamp(now + 300 * DAY, UTC).date().isoformat()
    listing = "https://127.0.0.1:8080/listings/medusa"
    iris = CommissionIris(node.config.origin)
    ids = {}
    for key, deadline in (("awarded", past), ("open", later)):
        made = await create_request(
            node.uow,
            clock,
            city,
            request_body(deadline=deadline, listing=listing),
            request_id=new_id(clock.now()),
        )
        ids[key] = made.id
        bid_id = new_id(clock.now())
        await submit_bid(
            node.uow,
            clock,
            made.id,
            dev,
            bid_body(),
            bid_id=bid_id,
            bid_iri=iris.bid(made.id, bid_id),
        )
        await mark_approach(node.uow, made.id, city.id, bid_id, 7)
        ids[f"{key}-bid"] = bid_id
    clock.advance(15 * DAY)
    settings = CommissionSettings(
        fee_basis_points=250, operator=Party(f"{node.config.origin}/actor", "Operator")
    )
    cid, contract = await award(
        node.uow,
        clock,
        settings,
        iris,
        ids["awarded"],
        city.id,
        ids["awarded-bid"],
        contract_id=new_id(clock.now()),
    )

    async def verifiers(parties: Sequence[str], methods: Sequence[str]) -> Verifier:
        return await contract_verifier(fed, parties, methods)

    for handle, party in (("city", city), ("dev", dev)):
        proof = await sign_contract_document(fed, orgs[handle].id, handle, document(contract.terms))
        await sign_contract(node.uow, clock, verifiers, cid, party.id, proof)
    await act_on_contract(node.uow, clock, verifiers, cid, dev.id, "deliver", milestone=1)
    await act_on_contract(node.uow, clock, verifiers, cid, city.id, "accept", milestone=1)
    await record_payment(
        node.uow,
        cid,
        city.id,
        {"milestone": 1, "amount": eur(1_000_000), "date": past, "reference": "TX-<1>"},
    )
    return {**ids, "contract": cid, **{f"token-{h}": t for h, t in tokens.items()}}


def test_major_units_convert_exactly_to_minor_units() -> None:
    assert minor_units("0.1", "EUR", "price") == {"amount": 10, "currency": "EUR"}
    assert minor_units(" 00012500.50 ", "eur", "price") == {"amount": 1_250_050, "currency": "EUR"}
    assert minor_units("100", "JPY", "price") == {"amount": 100, "currency": "JPY"}
    assert minor_units("1.234", "KWD", "price") == {"amount": 1234, "currency": "KWD"}
    assert minor_units("0.07", "EUR", "price")["amount"] == 7  # no float: 0.07 * 100 != 7
    refusals = [
        ("1.5", "JPY", "JPY has no decimal places; 1.5 cannot be paid exactly"),
        ("1.2345", "KWD", "KWD has at most 3 decimal places"),
        ("1e3", "EUR", "written with digits and at most one decimal point, e.g. 12500.50"),
        ("-5", "EUR", "written with digits"),
        ("9" * 40, "EUR", "too large an amount"),
        ("10", "XAU", "has no minor unit"),
        ("10", "ZZZ", "not a current ISO 4217 code"),
    ]
    for text, currency, reason in refusals:
        with pytest.raises(InvalidError, match=re.escape(reason)):
            minor_units(text, currency, "price", key="milestones")
    with pytest.raises(InvalidError) as caught:
        minor_units("x", "EUR", "milestone 2 amount", key="milestones")
    assert caught.value.field == "milestones"
    assert caught.value.detail.startswith("milestone 2 amount:")


async def test_the_board_pages_through_a_filtered_list(world: World) -> None:
    for index in range(63):
        kind = {"kind": "new-tool", "listing": None} if index % 10 == 0 else {}
        body = request_body(title=f"Request {index:02d}", **kind)
        if "listing" in kind:
            body.pop("listing")
        await world.call("POST", "/api/v1/requests", "city", body, 201)
        world.clock.advance(1)  # ids are time-ordered: newest first is then well defined
    first = await get(world, "/requests?kind=change")
    assert first.count('<li class="result">') == 50
    assert "Request 62" in first  # newest first
    assert "Request 60" not in first  # a new-tool request, filtered out
    found = re.search(r'href="(/requests\?kind=change&amp;after=[^"]+)"', first)
    assert found is not None
    rest = await get(world, found.group(1).replace("&amp;", "&"))
    assert rest.count('<li class="result">') == 63 - 7 - 50
    assert "Request 01" in rest
    assert "Older requests" not in rest
