"""Actor IRIs: /actor (instance) and /orgs/{handle}, negotiated between HTML and AS2 JSON."""

from __future__ import annotations

from aiohttp import web

from federation.actors import render_instance_actor, render_org_actor
from web.activitypub.access import readable_org
from web.keys import FED
from web.negotiation import activity_response, wants_activity_json
from web.pages import home


async def instance_actor(request: web.Request) -> web.StreamResponse:
    """Always readable without a signature: peers need its key to check our signed fetches."""
    fed = request.app[FED]
    return activity_response(
        render_instance_actor(fed.iris, fed.settings.node_name, fed.instance_keys)
    )


async def organisation(request: web.Request) -> web.StreamResponse:
    if not wants_activity_json(request):
        return await home.organisation(request)
    fed = request.app[FED]
    org = await readable_org(request)
    return activity_response(render_org_actor(org, fed.iris, await fed.org_keys(org.id)))


def setup(app: web.Application) -> None:
    app.router.add_get("/actor", instance_actor)
    app.router.add_get("/orgs/{handle}", organisation)
