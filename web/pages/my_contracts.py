"""`/contracts`: the signed-in organisation's contracts, as buyer or supplier, newest first.

Each row says the state, the other party, the price and who has signed (the node keeps only
proofs it verified when they arrived), and links to the contract page; `after` pages on.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from commonsnode.model.contracts import Contract
from commonsnode.usecases.contracts import list_contracts
from web.api.commission_context import party_of
from web.keys import CONFIG, UOW
from web.pages.browser_auth import require_signed_in
from web.pages.commission_parts import CONTRACT_STATES, STYLE, table
from web.pages.layout import href, page

PAGE = 50


def _signatures(contract: Contract) -> str:
    terms = contract.terms
    signed = [
        role
        for role, party in (("buyer", terms.buyer), ("supplier", terms.supplier))
        if contract.signature_of(party.id) is not None
    ]
    if len(signed) == 2:
        return "Signed by both parties"
    if signed:
        return f"Signed by the {signed[0]} only"
    return "Not signed yet"


def _row(local_id: str, contract: Contract, actor: str) -> list[str]:
    terms = contract.terms
    role = contract.role_of(actor) or ""
    other = terms.supplier if role == "buyer" else terms.buyer
    return [
        f'<a href="/contracts/{escape(local_id)}">{escape(terms.title)}</a>',
        escape(f"You are the {role}"),
        escape(other.name or other.id),
        escape(CONTRACT_STATES.get(contract.state, contract.state)),
        escape(str(terms.price)),
        escape(_signatures(contract)),
    ]


async def my_contracts_page(request: web.Request) -> web.Response:
    """The organisation's contracts; a sign-in challenge without credentials."""
    org = await require_signed_in(request)
    actor = party_of(request, org).id
    after = request.query.get("after") or None
    found = await list_contracts(request.app[UOW], actor, after=after, limit=PAGE)
    rows = [_row(local_id, contract, actor) for local_id, contract in found]
    listing = (
        table(
            f"Contracts of {org.name}",
            ["Contract", "Role", "Other party", "State", "Price", "Signatures"],
            rows,
        )
        if rows
        else "<p>No contracts yet. A contract is made when a request's requester awards a "
        'bid; see the <a href="/requests">request board</a>.</p>'
    )
    more = ""
    if len(found) == PAGE:
        more = (
            '<nav aria-label="More contracts" class="pages">'
            f'<a href="{escape(href("/contracts", after=found[-1][0]))}">Older contracts</a></nav>'
        )
    body = (
        STYLE
        + "<h1>My contracts</h1>"
        + f"<p>Signed in as <strong>{escape(org.name)}</strong>: the contracts you are the buyer "
        "or the supplier of, newest first.</p>" + listing + more
    )
    return page("My contracts", body, node_name=request.app[CONFIG].node.name)
