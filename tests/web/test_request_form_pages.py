"""Posting a request from the browser form (`/requests/new`) and the organisation's contracts
(`/contracts`): created through the same step as the API, directed ones shown to their
recipients, refusals in the form with the reason, cross-site posts refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.federation.cluster import cluster
from tests.federation.test_commission_pages_story import form_post
from tests.federation.test_commission_story import DAY, day, mirror_of
from tests.federation.test_listing_story import dead_errors
from tests.web.test_commission_pages import SAME, basic, get, post
from tests.web.test_commissions_api import HELP, World, awarded_contract, world

__all__ = ["world"]  # the fixture, shared with the API tests
LISTING = "https://127.0.0.1:8080/listings/medusa"
FORM = {
    "kind": "change",
    "title": "Accessible forms <for> Medusa",
    "description": "Make every form meet WCAG 2.1 AA.",
    "requirements": "EUPL-1.2\n\nupstreamed\n",
    "listing": LISTING,
    "budget_min": "10000",
    "budget_max": "40000.50",
    "currency": "eur",
    "deadline": "2027-03-01",
    "criteria_price": "40",
    "criteria_timeline": "30",
    "criteria_reputation": "20",
    "criteria_approach": "10",
    "recipients": "",
    "action": "publish",
}


def created_id(location: str) -> str:
    match = re.fullmatch(r"/requests/([^/#?]+)", location)
    assert match, location
    return match.group(1)


async def test_the_form_needs_a_signed_in_organisation(world: World) -> None:
    await get(world, "/requests/new", status=401)
    form = await get(world, "/requests/new", "city")
    assert 'action="/requests/new"' in form
    assert "Posting as <strong>City of Alderney</strong>" in form
    board = await get(world, "/requests", "city")
    assert 'href="/requests/new"' in board
    assert 'href="/contracts"' in board
    assert 'href="/requests/new"' not in await get(world, "/requests")


async def test_a_request_posted_from_the_form_is_on_the_board_and_in_the_api(
    world: World,
) -> None:
    response = await post(world, "/requests/new", "city", FORM)
    assert response.status == 303, await response.text()
    rid = created_id(response.headers["Location"])
    board = await get(world, "/requests")
    assert f"/requests/{rid}" in board
    assert "Accessible forms &lt;for&gt; Medusa" in board
    assert "<for>" not in board
    seen = await world.call("GET", f"/api/v1/requests/{rid}", None)
    assert seen["state"] == "open"
    assert seen["kind"] == "change"
    assert seen["budget"] == {
        "min": {"amount": 1_000_000, "currency": "EUR"},
        "max": {"amount": 4_000_050, "currency": "EUR"},
    }
    assert seen["requirements"] == ["EUPL-1.2", "upstreamed"]
    assert seen["listing"] == LISTING
    assert seen["visibility"] == "public"
    draft = await post(world, "/requests/new", "city", {**FORM, "action": "draft"})
    assert draft.status == 303
    did = created_id(draft.headers["Location"])
    assert (await world.call("GET", f"/api/v1/requests/{did}", "city"))["state"] == "draft"
    assert f"/requests/{did}" not in await get(world, "/requests")


async def test_a_directed_request_shows_only_to_its_recipient(world: World) -> None:
    directed = {**FORM, "kind": "support", "recipients": "acct:help@127.0.0.1:8080\n"}
    response = await post(world, "/requests/new", "city", directed)
    assert response.status == 303, await response.text()
    rid = created_id(response.headers["Location"])
    seen = await world.call("GET", f"/api/v1/requests/{rid}", "help")
    assert seen["recipients"] == [HELP]
    assert seen["visibility"] == "directed"
    assert f"/requests/{rid}" in await get(world, "/requests", "help")
    assert f"/requests/{rid}" not in await get(world, "/requests", "dev")
    assert f"/requests/{rid}" not in await get(world, "/requests")
    await get(world, f"/requests/{rid}", "dev", status=404)


async def test_refusals_come_back_in_the_form_with_the_reason(world: World) -> None:
    cases = [
        ({"budget_max": "40000.001"}, 422, "EUR has at most 2 decimal places", "rq-budget-max"),
        ({"budget_min": "10,000"}, 422, "no thousands separators", "rq-budget-min"),
        ({"deadline": "2027-01-01"}, 409, "the deadline for bids has already passed", None),
        ({"listing": ""}, 422, "listing: a change request names the listed tool", "rq-listing"),
        ({"listing": "nope"}, 422, "listing: no listing &#x27;nope&#x27; on this node", None),
        ({"currency": "EURO"}, 422, "not a current ISO 4217 code", "rq-currency"),
        ({"criteria_price": "lots"}, 422, "criteria.price: a weight", "rq-criteria-price"),
        ({"recipients": "acct:nobody@127.0.0.1:8080"}, 422, "no organisation", "rq-recipients"),
        ({"title": ""}, 422, "title", "rq-title"),
    ]
    for change, status, reason, marked in cases:
        response = await post(world, "/requests/new", "city", {**FORM, **change})
        text = await response.text()
        assert response.status == status, (change, text)
        assert response.content_type == "text/html"
        assert 'role="alert"' in text, (change, text)
        assert reason in text, (change, text)
        assert "Traceback" not in text
        if marked:
            assert re.search(f'id="{marked}"[^>]*aria-invalid="true"', text), (change, text)
        if "title" not in change:
            assert 'value="Accessible forms &lt;for&gt; Medusa"' in text  # refilled, escaped
    assert (await world.call("GET", "/api/v1/requests", "city"))["items"] == []


async def test_cross_site_posts_are_refused(world: World) -> None:
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = await world.client.post(
            "/requests/new",
            data=FORM,
            headers={**basic(world, "city"), **headers},
            allow_redirects=False,
        )
        assert response.status == 403
    assert (await world.call("GET", "/api/v1/requests", "city"))["items"] == []
    unsigned = await world.client.post(
        "/requests/new", data=FORM, headers=SAME, allow_redirects=False
    )
    assert unsigned.status == 401


async def test_my_contracts_lists_exactly_the_organisations_contracts(world: World) -> None:
    _, _, first = await awarded_contract(world, title="First <contract>")
    world.clock.advance(60)
    other = await world.call(
        "POST",
        "/api/v1/requests",
        "other",
        {
            "kind": "new-tool",
            "title": "Other town's tool",
            "description": "A tool.",
            "budget": {
                "min": {"amount": 0, "currency": "EUR"},
                "max": {"amount": 900_000, "currency": "EUR"},
            },
            "deadline": "2027-04-01",
            "criteria": {"price": 1},
        },
        201,
    )
    bid = await world.call(
        "POST",
        f"/api/v1/requests/{other['id']}/bids",
        "help",
        {
            "price": {"amount": 500_000, "currency": "EUR"},
            "timeline_days": 30,
            "approach": "Build it.",
            "milestones": [
                {
                    "title": "All",
                    "due": "2027-05-01",
                    "amount": {"amount": 500_000, "currency": "EUR"},
                }
            ],
            "team": ["dev"],
        },
        201,
    )
    world.clock.advance(90 * 86_400)
    second = (
        await world.call(
            "POST", f"/api/v1/requests/{other['id']}/award", "other", {"bid": bid["id"]}, 201
        )
    )["id"]
    await world.call("POST", f"/api/v1/contracts/{first}/sign", "city", None, 200)
    city = await get(world, "/contracts", "city")
    assert f'href="/contracts/{first}"' in city
    assert f'href="/contracts/{second}"' not in city
    assert "First &lt;contract&gt;" in city
    assert "You are the buyer" in city
    assert "Dev Co-op" in city
    assert "30,000.00 EUR" in city
    assert "Signed by the buyer only" in city
    dev = await get(world, "/contracts", "dev")
    assert f'href="/contracts/{first}"' in dev
    assert f'href="/contracts/{second}"' not in dev
    assert "You are the supplier" in dev
    assert "City of Alderney" in dev
    helper = await get(world, "/contracts", "help")
    assert f'href="/contracts/{second}"' in helper
    assert f'href="/contracts/{first}"' not in helper
    assert "Not signed yet" in helper
    buyer = await get(world, "/contracts", "other")
    assert f'href="/contracts/{second}"' in buyer
    assert f'href="/contracts/{first}"' not in buyer
    await get(world, "/contracts", status=401)


@pytest.mark.cluster
async def test_a_directed_request_from_the_form_reaches_the_other_node(tmp_path: Path) -> None:
    async with cluster(tmp_path, "alpha", "beta") as c:
        alpha, beta = c["alpha"], c["beta"]
        await alpha.org("city", name="City of Alpha")
        await beta.org("dev", kind="developer", name="Dev Co-op")
        title = "A permit portal from the form"
        form = {
            **FORM,
            "kind": "new-tool",
            "listing": "",
            "title": title,
            "deadline": day(c.clock.now() + 10 * DAY),
            "recipients": f"acct:dev@{beta.host}",
        }
        where = await form_post(alpha, "/requests/new", "city", form)
        rid = created_id(where)
        await c.settle()
        on_beta = await mirror_of(beta, "dev", title)
        assert on_beta["budget"]["max"] == {"amount": 4_000_050, "currency": "EUR"}
        status, seen = await alpha.api("GET", f"/api/v1/requests/{rid}", as_="city")
        assert status == 200, seen
        assert seen["recipients"] == [beta.actor("dev")]
        for node in (alpha, beta):
            assert await dead_errors(node) == [], node.name
