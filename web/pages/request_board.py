"""`/requests`: the request board for browsers, with filters by state, kind and audience.

Public requests are visible to everybody; a signed-in organisation also sees its own requests
(drafts included) and those directed to it. The use case filters by state, kind and audience in
the database query, so one of its pages is one page of the board.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from commonsnode.errors import InvalidError
from commonsnode.model.requests import Request
from commonsnode.usecases.requests import AUDIENCES, PAGE, list_requests
from web.api.commission_context import party_of
from web.keys import CONFIG, UOW
from web.pages.browser_auth import signed_in
from web.pages.commission_parts import REQUEST_KINDS, REQUEST_STATES, STYLE, when
from web.pages.layout import href, page

_AUDIENCE_NAMES = {"public": "Public", "directed": "Directed to chosen organisations"}
# The audiences are the use case's; the page only names them (a new one without a name here
# fails at import, not silently on the board).
AUDIENCE_LABELS = {audience: _AUDIENCE_NAMES[audience] for audience in AUDIENCES}


def _select(name: str, label: str, options: dict[str, str], chosen: str | None) -> str:
    items = '<option value="">Any</option>' + "".join(
        f'<option value="{escape(value)}"' + (" selected" if value == chosen else "") + f">"
        f"{escape(text)}</option>"
        for value, text in options.items()
    )
    return (
        f'<div><label for="f-{name}">{escape(label)}</label>'
        f'<select id="f-{name}" name="{name}">{items}</select></div>'
    )


def _item(item: Request) -> str:
    terms = item.terms
    budget = f"{terms.budget.min} to {terms.budget.max}"
    return (
        '<li class="result">'
        f'<h3><a href="/requests/{escape(item.id)}">{escape(terms.title)}</a></h3>'
        f'<p class="meta">{escape(REQUEST_KINDS.get(terms.kind, terms.kind))} · '
        f"{escape(REQUEST_STATES.get(item.state, item.state))} · "
        + ("directed" if item.is_directed else "public")
        + f"</p><p>Budget {escape(budget)} · bids until {escape(when(terms.deadline))}</p></li>"
    )


async def board_page(request: web.Request) -> web.Response:
    """The board: newest first, one page at a time (`after` is the cursor)."""
    org = await signed_in(request)
    actor = party_of(request, org).id if org else None
    node_name = request.app[CONFIG].node.name
    query = request.query
    state = query.get("state") or None
    kind = query.get("kind") or None
    audience = query.get("audience") or None
    problems = []
    if state and state not in REQUEST_STATES:
        problems.append(f"state: one of {', '.join(REQUEST_STATES)}")
        state = None
    if kind and kind not in REQUEST_KINDS:
        problems.append(f"kind: one of {', '.join(REQUEST_KINDS)}")
        kind = None
    if audience and audience not in AUDIENCES:
        problems.append(f"audience: one of {', '.join(AUDIENCES)}")
        audience = None
    shown: list[Request] = []
    try:
        shown = await list_requests(
            request.app[UOW],
            actor,
            after=query.get("after") or None,
            state=state,
            kind=kind,
            audience=audience,
        )
    except InvalidError as error:  # pragma: no cover - the filters were checked above
        problems.append(error.detail)
    more = len(shown) == PAGE
    cursor = shown[-1].id if shown else None
    filters = (
        '<form class="search" method="get" action="/requests">'
        + _select("state", "State", REQUEST_STATES, state)
        + _select("kind", "Kind", REQUEST_KINDS, kind)
        + _select("audience", "Audience", AUDIENCE_LABELS, audience)
        + '<button type="submit">Filter</button></form>'
    )
    who = (
        f"<p>Signed in as <strong>{escape(org.name)}</strong>: you also see your own requests "
        "and those directed to you. "
        '<a href="/requests/new">Post a request</a> · <a href="/contracts">My contracts</a></p>'
        if org
        else '<p>You see public requests. <a href="/signin?next=/requests">Sign in as an '
        "organisation</a> (your API token is the password) to see those directed to you.</p>"
    )
    errors = (
        '<div class="refusal" role="alert"><h2>Some filters were ignored</h2><ul>'
        + "".join(f"<li>{escape(p)}</li>" for p in problems)
        + "</ul></div>"
        if problems
        else ""
    )
    results = (
        f'<ul class="plain">{"".join(_item(r) for r in shown)}</ul>'
        if shown
        else "<p>No requests match.</p>"
    )
    nav = ""
    if more and cursor:
        nxt = href("/requests", state=state, kind=kind, audience=audience, after=cursor)
        nav = (
            '<nav aria-label="More requests" class="pages">'
            f'<a href="{escape(nxt)}">Older requests</a></nav>'
        )
    body = (
        STYLE
        + "<h1>Requests for tenders</h1>"
        + who
        + errors
        + filters
        + f"<h2>{len(shown)} request{'s' if len(shown) != 1 else ''}</h2>"
        + results
        + nav
    )
    return page("Requests", body, node_name=node_name, status=400 if problems else 200)
