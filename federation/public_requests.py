"""Public requests to other nodes (issue 6, point 1; FEDERATION.md "Commissions").

A published request without recipients goes as `Create{Article}` to the requesting
organisation's followers, readable on Mastodon (name, summary, sanitised HTML content, a link
to its page, a #commission hashtag) and carrying the same structured terms as the directed
`Offer{Article}`; its later state (closed, awarded, cancelled) follows as `Update{Article}`.
The Article carries the requester's FEP-8b32 proof and the node's catalog announces it
embedded, so nodes following the catalog hear of it too. Who may see or bid is decided by the
use cases; this module only shapes and addresses (`Outgoing` with `followers` and `announced`),
and federation/commission_events.py publishes from the step's queued event.
"""

from __future__ import annotations

from html import escape
from typing import Any

from commonsnode.model.dates import iso_instant
from commonsnode.model.money import format_money
from commonsnode.model.organisations import Organisation
from commonsnode.model.requests import Request
from federation.commission_outgoing import Outgoing
from federation.commissions import CommissionIris
from federation.convert.commissions import request_to_ap
from federation.integrity import sign_as
from federation.outbox import new_activity
from federation.runtime import Federation
from federation.sanitize import sanitize_html
from federation.vocab import AS_PUBLIC, DEFAULT_CONTEXT

HASHTAG = "commission"


def page_url(origin: str, request_id: str) -> str:
    """The request's HTML page, where a reader on Mastodon follows the link."""
    return f"{origin}/requests/{request_id}"


def public_article(request: Request, iri: str, *, origin: str, followers: str) -> dict[str, Any]:
    """The public request as an `Article` a Mastodon reader can read and a node can mirror.

    `content` is HTML for people; the plain description travels in `source` (text/plain), which
    a mirroring node reads, so no HTML ever becomes a mirror's description.
    """
    terms = request.terms
    budget = f"{format_money(terms.budget.min)} – {format_money(terms.budget.max)}"
    deadline = iso_instant(terms.deadline)
    url = page_url(origin, request.id)
    criteria = ", ".join(
        f"{escape(name)} {weight:g}" for name, weight in terms.criteria.to_json().items()
    )
    tag_href = f"{origin}/requests?tag={HASHTAG}"
    html = (
        f"<p><strong>{escape(terms.title)}</strong></p>"
        f"<p>{escape(terms.description)}</p>"
        f"<p>Kind: {escape(terms.kind)}<br>Budget: {escape(budget)}<br>"
        f"Deadline: {escape(deadline)}<br>Award criteria: {criteria}</p>"
        f'<p><a href="{escape(url)}">{escape(url)}</a> '
        f'<a href="{escape(tag_href)}" class="mention hashtag" rel="tag">#{HASHTAG}</a></p>'
    )
    return {
        **request_to_ap(request, iri),
        "url": url,
        "summary": f"Request for {terms.kind}: {budget}, bids until {deadline}",
        "content": sanitize_html(html),
        "mediaType": "text/html",
        "source": {"content": terms.description, "mediaType": "text/plain"},
        "tag": [{"type": "Hashtag", "href": tag_href, "name": f"#{HASHTAG}"}],
        "published": iso_instant(request.published_at or request.created_at),
        "state": request.state,
        "to": [AS_PUBLIC],
        "cc": [followers],
    }


async def signed_article(fed: Federation, org: Organisation, request: Request) -> dict[str, Any]:
    """The public request's Article with @context and the requester's FEP-8b32 proof: what
    goes out in Create/Update, what the catalog embeds, and what its IRI answers.

    Signed so the catalog's Announce can carry it embedded and a node following the catalog
    (live or by backfill) checks the author without fetching, as ratings are.
    """
    iri = CommissionIris(fed.iris.origin).request(request.id)
    followers = fed.iris.org_followers(org.handle)
    article = public_article(request, iri, origin=fed.iris.origin, followers=followers)
    if request.cancel_reason:
        article["cancelReason"] = request.cancel_reason
    return await sign_as(fed, org.id, org.handle, {"@context": DEFAULT_CONTEXT, **article})


async def request_document(fed: Federation, org: Organisation, request: Request) -> dict[str, Any]:
    """What the IRI of our published request answers: a public one its signed Article; a
    directed one the Article its recipients were offered (addressed to them), with its state.

    Who may read which is the web layer's check; a draft has no document.
    """
    if not request.is_directed:
        return await signed_article(fed, org, request)
    iri = CommissionIris(fed.iris.origin).request(request.id)
    document: dict[str, Any] = {
        "@context": DEFAULT_CONTEXT,
        **request_to_ap(request, iri),
        "url": page_url(fed.iris.origin, request.id),
        "published": iso_instant(request.published_at or request.created_at),
        "state": request.state,
    }
    if request.cancel_reason:
        document["cancelReason"] = request.cancel_reason
    return document


async def tell_public(
    fed: Federation, org: Organisation, request: Request, *, new: bool
) -> Outgoing | None:
    """A public request's publication (`new`) or new state, to followers and the catalog."""
    if request.is_directed or request.state == "draft":
        return None
    followers = fed.iris.org_followers(org.handle)
    article = await signed_article(fed, org, request)
    activity = new_activity(
        fed.iris,
        org,
        "Create" if new else "Update",
        article,
        fed.clock.now(),
        to=[AS_PUBLIC],
        cc=[followers],
    )
    return Outgoing(org, activity, followers=True, announced=article)
