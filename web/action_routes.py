"""One POST route per action the domain model names, each handled by one function.

The request and contract actions (publish, close, cancel; start, deliver, accept, …) are lists
in the model; the API and the pages route them from those lists, so a new action needs no new
handler and the two cannot list different actions by accident.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

from commonsnode.model.contracts import MILESTONE_ACTIONS

Act = Callable[[web.Request, str], Awaitable[web.StreamResponse]]


def _handler(act: Act, action: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await act(request, action)

    return handle


def add_action_routes(
    app: web.Application, actions: Iterable[str], path: Callable[[str], str], act: Act
) -> None:
    """POST `path(action)` → `act(request, action)` for every action."""
    for action in actions:
        app.router.add_post(path(action), _handler(act, action))


def contract_action_path(prefix: str) -> Callable[[str], str]:
    """`{prefix}/{id}/{action}`, or `{prefix}/{id}/milestones/{n}/{action}` for an action on
    one milestone."""

    def path(action: str) -> str:
        if action in MILESTONE_ACTIONS:
            return f"{prefix}/{{id}}/milestones/{{n}}/{action}"
        return f"{prefix}/{{id}}/{action}"

    return path
