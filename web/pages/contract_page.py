"""`/contracts/{id}` for the two parties: who they are, the scope, the milestones and their
states, the price, payment schedule and platform fee, each party's signature and whether it
verifies now, the buttons for what the viewer's role may do, and the ledger.

Signing from the page has the node sign the contract document with the signed-in
organisation's Ed25519 key (FEP-8b32), exactly as `POST /api/v1/contracts/{id}/sign` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from aiohttp import web

from commonsnode.errors import DomainError, ForbiddenError, NotFoundError
from commonsnode.model.contracts import (
    Contract,
    Verifier,
    payment_schedule,
    signature_report,
)
from commonsnode.model.money import Money
from commonsnode.model.organisations import Organisation
from commonsnode.usecases.contracts import get_contract, verifier_for
from commonsnode.usecases.payments import ledger_view
from web.api.commission_context import party_of, verifiers
from web.commission_steps import act_on_contract_step, record_payment_step, sign_step
from web.keys import CONFIG, UOW
from web.pages.browser_auth import refuse_cross_site, require_signed_in
from web.pages.commission_parts import (
    CONTRACT_STATES,
    REQUEST_KINDS,
    STYLE,
    post_button,
    refusal,
    status_of,
    table,
    when,
)
from web.pages.contract_ledger import ledger_section, payment_body, payment_form
from web.pages.layout import page
from web.pages.parts import external_link
from web.pages.request_page import paragraphs

MILESTONE_STATES = {"pending": "Pending", "delivered": "Delivered", "accepted": "Accepted"}
ACTIVE = ("signed", "in-progress")


def _fee_text(contract: Contract) -> str:
    terms = contract.terms
    points = terms.fee_basis_points
    total = sum(
        (
            Money(line["platformFee"]["amount"], terms.price.currency)
            for line in payment_schedule(terms)
        ),
        Money(0, terms.price.currency),
    )
    return (
        f"{points / 100:g} % ({points} basis points) of each payment, rounded half-even to a "
        f"whole minor unit, deducted from what the supplier receives and booked to "
        f"{terms.operator.name}; {total} over the whole contract"
    )


def _signatures(local_id: str, contract: Contract, verify: Verifier, actor: str) -> str:
    report = signature_report(contract, verify)
    rows = []
    for role, party in (("Buyer", contract.terms.buyer), ("Supplier", contract.terms.supplier)):
        signature = contract.signature_of(party.id)
        signed = f"signed {when(signature.recorded_at)}" if signature else "not signed yet"
        if signature is None:
            verifies = "not applicable"
        elif report[party.id]:
            verifies = '<span class="ok">yes, with the party\'s own key</span>'
        else:
            verifies = '<span class="bad">no: this signature does not verify</span>'
        rows.append([escape(party.name), role, escape(signed), verifies])
    force = (
        '<p class="ok">In force: both parties signed and both signatures verify.</p>'
        if all(report.values())  # the report above already checked both proofs
        else "<p>Not in force: it needs both parties' signatures, and both must verify.</p>"
    )
    button = ""
    if contract.state == "awaiting-signatures" and contract.signature_of(actor) is None:
        button = post_button(
            f"/contracts/{local_id}/sign", "Sign the contract with our organisation's key"
        )
    return (
        '<h2 id="signatures">Signatures</h2>'
        + table("Signatures", ["Party", "Role", "Signature", "Verifies"], rows)
        + force
        + button
    )


def _milestones(local_id: str, contract: Contract, role: str) -> str:
    schedule = payment_schedule(contract.terms)
    currency = contract.terms.price.currency
    rows = []
    for index, (milestone, line) in enumerate(
        zip(contract.terms.milestones, schedule, strict=True), start=1
    ):
        state = contract.milestone_states[index - 1]
        actions = ""
        base = f"/contracts/{local_id}/milestones/{index}"
        if contract.state in ACTIVE and role == "supplier" and state == "pending":
            actions = post_button(f"{base}/deliver", f"Deliver milestone {index}")
        if contract.state == "in-progress" and role == "buyer" and state == "delivered":
            actions = post_button(f"{base}/accept", f"Accept milestone {index}") + post_button(
                f"{base}/reject", f"Reject milestone {index}"
            )
        fee = Money(line["platformFee"]["amount"], currency)
        net = Money(line["payeeReceives"]["amount"], currency)
        rows.append(
            [
                str(index),
                escape(milestone.title),
                escape(milestone.due.isoformat()),
                escape(str(milestone.amount)),
                escape(str(fee)),
                escape(str(net)),
                MILESTONE_STATES.get(state, escape(state)),
                actions,
            ]
        )
    return (
        '<h2 id="milestones">Milestones and payment schedule</h2>'
        "<p>Each milestone is paid on acceptance.</p>"
        + table(
            "Milestones",
            [
                "#",
                "Deliverable",
                "Due",
                "Amount",
                "Platform fee",
                "Supplier receives",
                "State",
                "Action",
            ],
            rows,
        )
    )


def _dispute_form(local_id: str) -> str:
    return (
        f'<form method="post" action="/contracts/{escape(local_id)}/dispute" class="stack">'
        '<div><label for="dispute-reason">Open a dispute: what is it about?</label>'
        '<textarea id="dispute-reason" name="reason" maxlength="2000" required></textarea></div>'
        "<div><button>Open a dispute</button></div></form>"
    )


def _name_of(contract: Contract, actor: str | None) -> str:
    """The name a party had at award (empty for None)."""
    for party in (contract.terms.buyer, contract.terms.supplier):
        if party.id == actor:
            return party.name
    return ""


def _dispute_end(local_id: str, contract: Contract, actor: str) -> str:
    """A disputed contract's ways out, each shown only to who may take it: the party that
    raised the dispute may withdraw it; either party may terminate, with a reason."""
    ident = escape(local_id)
    withdraw = ""
    if actor == contract.disputed_by:
        withdraw = post_button(f"/contracts/{local_id}/withdraw-dispute", "Withdraw the dispute")
    return (
        "<h2>Dispute</h2>"
        + withdraw
        + f'<form method="post" action="/contracts/{ident}/terminate" class="stack">'
        '<div><label for="terminate-reason">Terminate the contract: why does it end?</label>'
        '<textarea id="terminate-reason" name="reason" maxlength="2000" required></textarea>'
        "</div><div><button>Terminate the contract</button></div></form>"
    )


def _message(status: int, title: str, text: str, node_name: str) -> web.Response:
    return page(
        title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>", node_name=node_name, status=status
    )


async def render(
    request: web.Request,
    org: Organisation,
    *,
    error: DomainError | None = None,
    payment_values: Mapping[str, Any] | None = None,
    payment_error: DomainError | None = None,
    status: int = 200,
) -> web.Response:
    """The contract as one of its parties sees it; others get 403, unknown ids 404."""
    node_name = request.app[CONFIG].node.name
    local_id = request.match_info["id"]
    actor = party_of(request, org).id
    try:
        contract, request_id = await get_contract(request.app[UOW], local_id, actor)
        ledger = await ledger_view(request.app[UOW], local_id, actor)
    except NotFoundError:
        return _message(404, "Contract not found", "There is no such contract here.", node_name)
    except ForbiddenError as refused:
        return _message(403, "Not a party to this contract", refused.detail, node_name)
    verify = await verifier_for(verifiers(request), contract)
    terms = contract.terms
    role = contract.role_of(actor) or ""
    facts = [
        ("State", escape(CONTRACT_STATES.get(contract.state, contract.state))),
        ("You are", escape(f"the {role} ({org.name})")),
        ("Buyer", external_link(terms.buyer.id, terms.buyer.name)),
        ("Supplier", external_link(terms.supplier.id, terms.supplier.name)),
        ("Price", escape(str(terms.price))),
        ("Platform fee", escape(_fee_text(contract))),
        ("Awarded", escape(when(terms.awarded_at))),
        ("Request", f'<a href="/requests/{escape(request_id)}">{escape(terms.title)}</a>'),
        ("Dispute", escape(contract.dispute_reason or "")),
        ("Dispute raised by", escape(_name_of(contract, contract.disputed_by))),
        ("Terminated because", escape(contract.termination_reason or "")),
    ]
    scope = [
        ("Kind", escape(REQUEST_KINDS.get(terms.kind, terms.kind))),
        ("Tool", external_link(terms.listing, terms.listing) if terms.listing else ""),
        ("Team", escape(", ".join(terms.team))),
    ]
    sections = [
        STYLE,
        f"<h1>Contract: {escape(terms.title)}</h1>",
        refusal(error) if error else "",
        '<dl class="facts">'
        + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts if v)
        + "</dl>",
        _signatures(local_id, contract, verify, actor),
        "<h2>Scope</h2>"
        + '<dl class="facts">'
        + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in scope if v)
        + "</dl>"
        + "<h3>Description</h3>"
        + paragraphs(terms.description)
        + (
            "<h3>Requirements</h3><ul>"
            + "".join(f"<li>{escape(r)}</li>" for r in terms.requirements)
            + "</ul>"
            if terms.requirements
            else ""
        )
        + "<h3>Approach</h3>"
        + paragraphs(terms.approach),
        _milestones(local_id, contract, role),
        ledger_section(ledger),
    ]
    if role == "buyer" and contract.state in ("signed", "in-progress", "completed"):
        sections.append(payment_form(local_id, contract, payment_values, payment_error))
    if contract.state in ACTIVE:
        sections.append("<h2>Dispute</h2>" + _dispute_form(local_id))
    elif contract.state == "disputed" and role:
        sections.append(_dispute_end(local_id, contract, actor))
    return page(f"Contract: {terms.title}", "".join(sections), node_name=node_name, status=status)


async def contract_page(request: web.Request) -> web.Response:
    return await render(request, await require_signed_in(request))


async def post_sign(request: web.Request) -> web.Response:
    """Sign as the signed-in organisation: its key signs the contract document here."""
    refuse_cross_site(request)
    org = await require_signed_in(request)
    local_id = request.match_info["id"]
    try:
        await sign_step(request.app, org, party_of(request, org), local_id)
    except DomainError as error:
        return await render(request, org, error=error, status=status_of(error))
    raise web.HTTPSeeOther(location=f"/contracts/{local_id}#signatures")


async def act(request: web.Request, action: str) -> web.Response:
    """A contract action from its form (routed per action of the model); a refusal renders
    the page with the reason, success goes back to the milestones."""
    refuse_cross_site(request)
    org = await require_signed_in(request)
    local_id = request.match_info["id"]
    form = await request.post()
    raw = request.match_info.get("n")
    try:
        await act_on_contract_step(
            request.app,
            party_of(request, org),
            local_id,
            action,
            milestone=int(raw) if raw and raw.isdigit() and len(raw) < 5 else None,
            reason=str(form.get("reason", "")) or None,
        )
    except DomainError as error:
        return await render(request, org, error=error, status=status_of(error))
    raise web.HTTPSeeOther(location=f"/contracts/{local_id}#milestones")


async def post_payment(request: web.Request) -> web.Response:
    """The buyer records a payment from the form; a repeated one changes nothing."""
    refuse_cross_site(request)
    org = await require_signed_in(request)
    local_id = request.match_info["id"]
    form = await request.post()
    party = party_of(request, org)
    try:
        contract, _ = await get_contract(request.app[UOW], local_id, party.id)
        body = payment_body(form, contract.terms.price.currency)
        await record_payment_step(request.app, party, local_id, body)
    except DomainError as error:
        return await render(
            request, org, payment_values=form, payment_error=error, status=status_of(error)
        )
    raise web.HTTPSeeOther(location=f"/contracts/{local_id}#ledger")
