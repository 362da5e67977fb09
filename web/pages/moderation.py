"""The operator's moderation queue as a page without scripts: flags, and a form to decide each.

Browsers cannot send a bearer token by themselves, so the page also takes HTTP Basic
authentication with the operator token as the password (any user name): the browser asks
for it natively. A decision is a plain form POST; because Basic credentials are sent on
cross-site requests too, a POST whose Origin (or Sec-Fetch-Site) is another site is refused.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from commonsnode.errors import DomainError
from commonsnode.model.flags import FLAG_DECISIONS, decide
from commonsnode.usecases.organisations import TokenHolder, holder_of_token
from web.keys import CONFIG, FED, UOW
from web.pages.browser_auth import credential, refuse_cross_site
from web.pages.commission_parts import when
from web.pages.layout import href, page
from web.pages.parts import external_link

STATES = ("open", "resolved", "dismissed")
SHOWN = 100


async def _operator(request: web.Request) -> TokenHolder:
    token = credential(request)
    holder = await holder_of_token(request.app[UOW], token) if token else None
    if holder is None:
        raise web.HTTPUnauthorized(
            text="sign in with an operator token as the password",
            headers={"WWW-Authenticate": 'Basic realm="commonsnode moderation", charset="UTF-8"'},
        )
    if not holder.operator:
        raise web.HTTPForbidden(text="this needs an operator token")
    return holder


def _decision_form(flag_id: str) -> str:
    ident = escape(flag_id)
    options = "".join(f'<option value="{d}">{d.title()}</option>' for d in FLAG_DECISIONS)
    return (
        f'<form method="post" action="/moderation/flags/{ident}" class="search">'
        f'<label for="decision-{ident}">Decision</label>'
        f'<select id="decision-{ident}" name="decision">{options}</select>'
        f'<label for="note-{ident}">Note for the record</label>'
        f'<input id="note-{ident}" name="note" type="text" maxlength="2000">'
        "<button>Decide</button></form>"
    )


async def queue_page(request: web.Request) -> web.Response:
    """`/moderation/flags?state=open`: the flags in one state, newest first."""
    await _operator(request)
    state = request.query.get("state", "open")
    if state not in STATES:
        state = "open"
    async with request.app[UOW](readonly=True) as tx:
        flags = await tx.flags.list(state, SHOWN)  # type: ignore[arg-type]
    tabs = "".join(
        f'<li><a href="{escape(href("/moderation/flags", state=s))}"'
        + (' aria-current="page"' if s == state else "")
        + f">{s.title()}</a></li>"
        for s in STATES
    )
    items = []
    for flag in flags:
        objects = "".join(f"<li>{external_link(iri, iri)}</li>" for iri in flag.object_iris)
        rows = (
            ("Flagged by", external_link(flag.reporter_iri, flag.reporter_iri)),
            ("From", "this node" if flag.source == "local" else "another node"),
            ("Received", escape(when(flag.created_at))),
            ("Reason", escape(flag.reason or "(none given)")),
            ("Decided", escape(when(flag.decided_at))),
            ("Note", escape(flag.note)),
        )
        facts = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in rows if value)
        items.append(
            "<li>"
            f"<h3>Flag of {len(flag.object_iris)} object"
            + ("s" if len(flag.object_iris) != 1 else "")
            + "</h3>"
            f'<ul>{objects}</ul><dl class="facts">{facts}</dl>'
            + (_decision_form(flag.id) if flag.state == "open" else "")
            + "</li>"
        )
    listing = f'<ul class="plain">{"".join(items)}</ul>' if items else "<p>No flags here.</p>"
    body = (
        "<h1>Moderation queue</h1>"
        '<nav aria-label="Flag states" class="pages"><ul>' + tabs + "</ul></nav>"
        f"<h2>{escape(state.title())} flags</h2>{listing}"
    )
    return page("Moderation queue", body, node_name=request.app[CONFIG].node.name)


async def decide_page(request: web.Request) -> web.Response:
    """The form's POST: decide the flag, then back to the queue (303)."""
    await _operator(request)
    refuse_cross_site(request)
    form = await request.post()
    decision = str(form.get("decision", ""))
    note = str(form.get("note", ""))[:2000]
    async with request.app[UOW]() as tx:
        flag = await tx.flags.get(request.match_info["id"])
        if flag is None:
            raise web.HTTPNotFound(text="no such flag")
        try:
            decided = decide(flag, decision, note, request.app[FED].clock.now())
        except DomainError as exc:
            raise web.HTTPConflict(text=exc.detail) from exc
        await tx.flags.update(decided)
    raise web.HTTPSeeOther(location="/moderation/flags")


def setup(app: web.Application) -> None:
    app.router.add_get("/moderation/flags", queue_page)
    app.router.add_post("/moderation/flags/{id}", decide_page)
