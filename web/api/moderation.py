"""Operator moderation in the JSON API: domain blocks and allows, and the federation mode."""

from __future__ import annotations

from aiohttp import web

from commonsnode.errors import InvalidError, NotFoundError
from commonsnode.model.moderation import check_domain
from web.api.auth import require_operator
from web.api.body import optional_str, read_json_object, reject_unknown
from web.keys import CLOCK, FED, UOW

MODES = ("open", "allowlist")


async def list_rules(request: web.Request) -> web.Response:
    await require_operator(request)
    async with request.app[UOW](readonly=True) as tx:
        rules = await tx.moderation.rules()
        policy = await tx.moderation.policy()
    return web.json_response(
        {
            "mode": policy.mode,
            "items": [{"domain": d, "rule": r, "reason": why} for d, r, why in rules],
        }
    )


async def put_rule(request: web.Request) -> web.Response:
    await require_operator(request)
    body = await read_json_object(request)
    reject_unknown(body, {"domain", "rule", "reason"})
    domain = check_domain(optional_str(body, "domain") or "")
    rule = body.get("rule", "block")
    if rule not in ("block", "allow"):
        raise InvalidError("rule: block or allow", field="rule")
    async with request.app[UOW]() as tx:
        await tx.moderation.set_rule(
            domain, rule, optional_str(body, "reason") or "", request.app[CLOCK].now()
        )
    request.app[FED].forget_policy()
    return web.json_response({"domain": domain, "rule": rule}, status=201)


async def delete_rule(request: web.Request) -> web.Response:
    await require_operator(request)
    domain = check_domain(request.match_info["domain"])
    async with request.app[UOW]() as tx:
        if not await tx.moderation.remove_rule(domain):
            raise NotFoundError(f"no rule for {domain}")
    request.app[FED].forget_policy()
    return web.Response(status=204)


async def put_mode(request: web.Request) -> web.Response:
    await require_operator(request)
    body = await read_json_object(request)
    reject_unknown(body, {"mode"})
    mode = body.get("mode")
    if mode not in MODES:
        raise InvalidError("mode: open or allowlist", field="mode")
    async with request.app[UOW]() as tx:
        await tx.moderation.set_mode(mode)
    request.app[FED].forget_policy()
    return web.json_response({"mode": mode})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/admin/domains", list_rules)
    app.router.add_post("/api/v1/admin/domains", put_rule)
    app.router.add_delete("/api/v1/admin/domains/{domain}", delete_rule)
    app.router.add_put("/api/v1/admin/federation-mode", put_mode)
