"""GET /api/v1/reputation: a subject's score and every input that makes it.

`?actor=IRI` names an organisation (local or remote) or a tool by its tool page IRI;
`?tool=KEY` names a tool by its repository key (`github.com/org/repo`, as /tools/{key} does).
Exactly one of them; 422 when missing, both, or malformed; 404 when nothing is known.
"""

from __future__ import annotations

from aiohttp import web

from commonsnode.errors import InvalidError
from commonsnode.usecases.reputation import ReputationService, subject_of
from web.keys import REPUTATION


async def get_reputation(request: web.Request) -> web.Response:
    subject = subject_of(
        request.app[REPUTATION], request.query.get("actor"), request.query.get("tool")
    )
    document = await request.app[REPUTATION].document(subject)
    return web.json_response(dict(document))


def setup(app: web.Application, service: ReputationService | None) -> None:
    if service is None:
        raise InvalidError("the node was built without its reputation service")
    app[REPUTATION] = service
    app.router.add_get("/api/v1/reputation", get_reputation)
