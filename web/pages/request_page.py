"""`/requests/{id}` for browsers: the public facts for everybody; to the requester the bids
ranked with every score explained, a mark form and an award button per bid; to an invited
organisation its own bids and the bid form. Form POSTs call the same use cases as the JSON API
and show a refusal in the page, with its reason, instead of a problem document.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from aiohttp import web

from commonsnode.errors import DomainError, NotFoundError
from commonsnode.model.bids import Bid
from commonsnode.model.evaluation import MAX_APPROACH_MARK, RankedBid
from commonsnode.model.organisations import Organisation
from commonsnode.model.requests import CRITERIA, Request, allowed_actions
from commonsnode.usecases.bids import mark_approach
from commonsnode.usecases.requests import RequestView, view_request
from web.api.commission_context import party_of
from web.commission_steps import act_on_request_step, award_step, submit_bid_step
from web.keys import CLOCK, CONFIG, UOW
from web.pages.bid_form import bid_body, bid_form
from web.pages.browser_auth import refuse_cross_site, require_signed_in, signed_in
from web.pages.commission_parts import (
    BID_STATUS,
    REQUEST_KINDS,
    REQUEST_STATES,
    STYLE,
    post_button,
    refusal,
    status_of,
    table,
    when,
)
from web.pages.layout import page
from web.pages.parts import external_link


def paragraphs(text: str) -> str:
    """Plain text as escaped paragraphs (blank lines separate them)."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{escape(p)}</p>" for p in parts)


def _facts(view: RequestView) -> str:
    item = view.request
    terms = item.terms
    rows = [
        ("State", escape(REQUEST_STATES.get(item.state, item.state))),
        ("Kind", escape(REQUEST_KINDS.get(terms.kind, terms.kind))),
        ("Requested by", escape(view.requester_name)),
        ("Audience", "directed to chosen organisations" if item.is_directed else "public"),
        ("Budget", escape(f"{terms.budget.min} to {terms.budget.max}")),
        ("Bids until", escape(when(terms.deadline))),
        ("Published", escape(when(item.published_at))),
        ("Tool", external_link(terms.listing, terms.listing) if terms.listing else ""),
        ("Cancelled because", escape(item.cancel_reason or "")),
    ]
    return (
        '<dl class="facts">'
        + "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows if value)
        + "</dl>"
    )


def _criteria(item: Request) -> str:
    criteria = item.terms.criteria
    rows = [
        [c.title(), f"{criteria.weight(c):g}", f"{criteria.weight(c) / criteria.total:.0%}"]
        for c in CRITERIA
    ]
    return "<h2>Award criteria</h2>" + table(
        "Award criteria and their weights", ["Criterion", "Weight", "Share of the score"], rows
    )


def _bid_terms(bid: Bid) -> str:
    terms = bid.terms
    milestones = "".join(
        f"<li>{escape(m.title)}: {escape(str(m.amount))}, due {escape(m.due.isoformat())}</li>"
        for m in terms.milestones
    )
    team = ", ".join(terms.team)
    return (
        '<dl class="facts">'
        f"<dt>Price</dt><dd>{escape(str(terms.price))}</dd>"
        f"<dt>Timeline</dt><dd>{terms.timeline_days} days</dd>"
        + (f"<dt>Team</dt><dd>{escape(team)}</dd>" if team else "")
        + f"<dt>Milestones</dt><dd><ol>{milestones}</ol></dd></dl>"
        + f"<details><summary>Approach</summary>{paragraphs(terms.approach)}</details>"
    )


def _ranked(item: Request, ranked: RankedBid, name: str, can_award: bool) -> str:
    bid = ranked.bid
    rid = escape(item.id)
    parts = [
        [
            p.criterion.title(),
            f"{p.weight:g} ({p.share:.0%})",
            f"{p.score:.3f}",
            f"{p.points:.3f}",
            escape(p.explanation),
        ]
        for p in ranked.parts
    ]
    ident = escape(bid.id)
    current = next(
        (
            round(p.score * MAX_APPROACH_MARK)
            for p in ranked.parts
            if p.criterion == "approach" and not p.explanation.startswith("approach not marked")
        ),
        None,
    )
    marks = "".join(
        f'<option value="{n}"' + (" selected" if n == current else "") + f">{n}</option>"
        for n in range(MAX_APPROACH_MARK + 1)
    )
    mark_form = (
        f'<form method="post" action="/requests/{rid}/bids/{ident}/mark" class="inline">'
        f'<label for="mark-{ident}">Mark the approach (0–{MAX_APPROACH_MARK})</label> '
        f'<select id="mark-{ident}" name="mark">{marks}</select> <button>Save mark</button></form>'
    )
    actions = mark_form if item.state in ("open", "evaluating") else ""
    if can_award:
        actions += post_button(f"/requests/{item.id}/award", f"Award to {name}", {"bid": bid.id})
    return (
        f"<li><h3>#{ranked.rank} {escape(name)}: total score {ranked.total:.3f}"
        f' <span class="meta">({escape(BID_STATUS.get(bid.status, bid.status))})</span></h3>'
        + _bid_terms(bid)
        + table(
            f"How the score of {name} is made",
            ["Criterion", "Weight (share)", "Score 0–1", "Points", "Why"],
            parts,
        )
        + (f"<div>{actions}</div>" if actions else "")
        + "</li>"
    )


def _request_actions(item: Request, now: float) -> str:
    """Publish a draft, close an open request after its deadline, or cancel it with a reason."""
    forms = []
    allowed = allowed_actions(item)
    if "publish" in allowed:
        forms.append(post_button(f"/requests/{item.id}/publish", "Publish the request"))
    if "close" in allowed and now >= item.terms.deadline:
        forms.append(post_button(f"/requests/{item.id}/close", "Close bidding"))
    if "cancel" in allowed:
        forms.append(
            f'<form method="post" action="/requests/{escape(item.id)}/cancel" class="stack">'
            '<div><label for="cancel-reason">Reason for cancelling (every bidder is told)</label>'
            '<textarea id="cancel-reason" name="reason" maxlength="1000"></textarea></div>'
            "<div><button>Cancel the request</button></div></form>"
        )
    return "<h2>Manage the request</h2>" + "".join(forms) if forms else ""


def _requester_section(view: RequestView, now: float) -> str:
    item = view.request
    recipients = ""
    if item.is_directed:
        recipients = (
            "<h2>Invited organisations</h2><ul>"
            + "".join(f"<li>{external_link(r, r)}</li>" for r in item.terms.recipients)
            + "</ul>"
        )
    recipients += _request_actions(item, now)
    ranking = view.ranking
    if ranking is None or not ranking.bids:
        return recipients + '<h2 id="ranking">Bids, ranked</h2><p>No bids yet.</p>'
    can_award = item.state == "evaluating" or (item.state == "open" and now >= item.terms.deadline)
    note = ""
    if item.state == "open" and not can_award:
        note = "<p>You can award a bid once the deadline for bids has passed.</p>"
    if not ranking.complete:
        note += (
            f"<p>{len(ranking.missing_marks)} approach"
            f"{'es are' if len(ranking.missing_marks) != 1 else ' is'} not marked yet and "
            "count as 0 in the approach criterion.</p>"
        )
    items = "".join(
        _ranked(item, r, view.bidder_names.get(r.bid.bidder, r.bid.bidder), can_award)
        for r in ranking.bids
    )
    return (
        recipients
        + '<h2 id="ranking">Bids, ranked</h2>'
        + "<p>Each criterion scores a bid from 0 to 1; its points are the score times the "
        "criterion's share, and the total is the sum of the points.</p>"
        + note
        + f'<ol class="plain">{items}</ol>'
    )


def _bidder_section(
    view: RequestView,
    org: Organisation,
    now: float,
    values: Mapping[str, Any] | None,
    error: DomainError | None,
) -> str:
    item = view.request
    own = ""
    if view.own_bids:
        own = (
            '<h2 id="your-bids">Your bids</h2><ul class="plain">'
            + "".join(
                f"<li><h3>Bid of {escape(when(b.submitted_at))}: "
                f"{escape(BID_STATUS.get(b.status, b.status))}</h3>{_bid_terms(b)}</li>"
                for b in view.own_bids
            )
            + "</ul>"
        )
    if item.accepts_bids(now) or error is not None:
        form = bid_form(item.id, item.terms.budget.currency, values, error)
        return own + f'<h2 id="bid">Bid as {escape(org.name)}</h2>' + form
    return own + "<p>This request takes no bids now.</p>"


async def render(
    request: web.Request,
    org: Organisation | None,
    *,
    values: Mapping[str, Any] | None = None,
    error: DomainError | None = None,
    bid_error: DomainError | None = None,
    status: int = 200,
) -> web.Response:
    """The page as `org` (None: anonymous) may see it, with a refusal when there is one."""
    node_name = request.app[CONFIG].node.name
    actor = party_of(request, org).id if org else None
    request_id = request.match_info["id"]
    try:
        view = await view_request(request.app[UOW], request_id, actor)
    except NotFoundError:
        body = "<h1>Request not found</h1><p>There is no such request, or it is not shown to you."
        if org is None:
            body += f' <a href="/signin?next=/requests/{escape(request_id)}">Sign in</a> if it '
            body += "was directed to your organisation."
        return page("Request not found", body + "</p>", node_name=node_name, status=404)
    item = view.request
    now = request.app[CLOCK].now()
    if bid_error is not None and actor == item.requester:
        error, bid_error = bid_error, None  # no bid form for the requester: say it at the top
    sections = [
        STYLE,
        f"<h1>{escape(item.terms.title)}</h1>",
        refusal(error) if error else "",
        _facts(view),
        "<h2>Description</h2>" + paragraphs(item.terms.description),
    ]
    if item.terms.requirements:
        sections.append(
            "<h2>Requirements</h2><ul>"
            + "".join(f"<li>{escape(r)}</li>" for r in item.terms.requirements)
            + "</ul>"
        )
    sections.append(_criteria(item))
    if view.contract_id:
        sections.append(
            f'<h2>Contract</h2><p><a href="/contracts/{escape(view.contract_id)}">'
            "The contract of this award</a>, its signatures and its ledger.</p>"
        )
    if org is None:
        sections.append(
            f'<p><a href="/signin?next=/requests/{escape(item.id)}">Sign in as an organisation'
            "</a> (your API token is the password) to bid or to see the bids on your request.</p>"
        )
    elif actor == item.requester:
        sections.append(_requester_section(view, now))
    else:
        sections.append(_bidder_section(view, org, now, values, bid_error))
    return page(item.terms.title, "".join(sections), node_name=node_name, status=status)


async def request_page(request: web.Request) -> web.Response:
    return await render(request, await signed_in(request))


async def post_bid(request: web.Request) -> web.Response:
    """The bid form's POST: the bid goes to the requester, or the form comes back with why."""
    refuse_cross_site(request)
    org = await require_signed_in(request)
    form = await request.post()
    request_id = request.match_info["id"]
    try:
        await submit_bid_step(request.app, party_of(request, org), request_id, bid_body(form))
    except DomainError as error:
        return await render(request, org, values=form, bid_error=error, status=status_of(error))
    raise web.HTTPSeeOther(location=f"/requests/{request_id}#your-bids")


async def post_mark(request: web.Request) -> web.Response:
    """The requester's mark for one bid's approach."""
    refuse_cross_site(request)
    org = await require_signed_in(request)
    form = await request.post()
    raw = str(form.get("mark", ""))
    request_id = request.match_info["id"]
    try:
        await mark_approach(
            request.app[UOW],
            request_id,
            party_of(request, org).id,
            request.match_info["bid"],
            int(raw) if raw.isdigit() and len(raw) < 4 else raw,
        )
    except DomainError as error:
        return await render(request, org, error=error, status=status_of(error))
    raise web.HTTPSeeOther(location=f"/requests/{request_id}#ranking")


async def post_award(request: web.Request) -> web.Response:
    """Award one bid; on to the new contract, awaiting both signatures."""
    refuse_cross_site(request)
    org = await require_signed_in(request)
    form = await request.post()
    request_id = request.match_info["id"]
    try:
        local_id, _ = await award_step(
            request.app, party_of(request, org), request_id, str(form.get("bid", ""))
        )
    except DomainError as error:
        return await render(request, org, error=error, status=status_of(error))
    raise web.HTTPSeeOther(location=f"/contracts/{local_id}")


async def act(request: web.Request, action: str) -> web.Response:
    """Publish, close or cancel from the request page's form (routed per action of the
    model); a refusal renders the page with the reason."""
    refuse_cross_site(request)
    org = await require_signed_in(request)
    form = await request.post()
    request_id = request.match_info["id"]
    try:
        await act_on_request_step(
            request.app,
            party_of(request, org),
            request_id,
            action,
            reason=str(form.get("reason", "")) or None,
        )
    except DomainError as error:
        return await render(request, org, error=error, status=status_of(error))
    raise web.HTTPSeeOther(location=f"/requests/{request_id}")
