"""Experience reports in the JSON API: publish about a listing, read, change, delete, and mark
helpful; plus flags (abuse reports) and the operator's moderation queue."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from commonsnode.errors import InvalidError, NotFoundError
from commonsnode.model.dates import iso_timestamp
from commonsnode.model.flags import FLAG_DECISIONS, Flag, decide
from commonsnode.model.organisations import Organisation
from commonsnode.model.reports import ExperienceReport, facts_values
from commonsnode.usecases.organisations import org_map
from commonsnode.usecases.reports import (
    ReportView,
    delete_report,
    get_report,
    list_reports,
    patch_report,
    publish_report,
)
from federation.convert.reports import narrative_html, report_iri
from federation.reports import flag_object, mark_helpful, unmark_helpful
from web.api.auth import require_operator, require_org
from web.api.body import optional_str, read_json_object, reject_unknown
from web.api.records import listing_ref
from web.keys import CLOCK, FED, UOW

PAGE = 20
MAX_PAGE = 100
FLAG_STATES = ("open", "resolved", "dismissed")


def report_json(
    request: web.Request, report: ExperienceReport, helpful: int = 0, author: str | None = None
) -> dict[str, Any]:
    """The API shape of a report: text, facts (money in minor units), author and counts."""
    iris = request.app[FED].iris
    origin = report.origin
    return {
        "id": report.id,
        "iri": origin.origin_iri if origin else report_iri(iris, report.id),
        "local": report.is_local,
        "listing": report.listing_id,
        "author": origin.author_iri if origin else author,
        "state": report.state,
        "title": report.text.title,
        "summary": report.text.summary,
        "narrative": report.text.narrative,
        "narrative_html": narrative_html(report),
        **facts_values(report.facts),
        "helpful": helpful,
        "published": iso_timestamp(report.published_at),
        "updated": iso_timestamp(report.updated_at),
    }


def _author(
    request: web.Request, report: ExperienceReport, orgs: dict[str, Organisation]
) -> str | None:
    org = orgs.get(report.org_id) if report.org_id is not None else None
    return None if org is None else request.app[FED].iris.org(org.handle)


def _view_json(
    request: web.Request, view: ReportView, orgs: dict[str, Organisation]
) -> dict[str, Any]:
    body = report_json(request, view.report, view.helpful, _author(request, view.report, orgs))
    body["comments"] = [
        {
            "iri": c.iri,
            "author": c.author_iri,
            "content_html": c.content_html,
            "published": iso_timestamp(c.published_at),
        }
        for c in view.comments
    ]
    return body


async def post_report(request: web.Request) -> web.Response:
    org = await require_org(request)
    body = await read_json_object(request)
    report = await publish_report(
        request.app[UOW], request.app[CLOCK], org, listing_ref(request), body
    )
    author = request.app[FED].iris.org(org.handle)
    return web.json_response(
        report_json(request, report, 0, author),
        status=201,
        headers={"Location": f"/api/v1/reports/{report.id}"},
    )


def _limit(request: web.Request) -> int:
    raw = request.query.get("limit") or str(PAGE)
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise InvalidError(f"limit: 1 to {MAX_PAGE}", field="limit")
    return int(raw)


async def get_reports(request: web.Request) -> web.Response:
    limit = _limit(request)
    views = await list_reports(
        request.app[UOW], listing_ref(request), limit, request.query.get("cursor") or None
    )
    orgs = await org_map(request.app[UOW])
    items = [_view_json(request, v, orgs) for v in views]
    return web.json_response(
        {"items": items, "next": views[-1].report.id if len(views) == limit else None}
    )


async def get_one(request: web.Request) -> web.Response:
    view = await get_report(request.app[UOW], request.match_info["id"])
    return web.json_response(_view_json(request, view, await org_map(request.app[UOW])))


async def patch_one(request: web.Request) -> web.Response:
    org = await require_org(request)
    body = await read_json_object(request)
    report = await patch_report(
        request.app[UOW], request.app[CLOCK], org, request.match_info["id"], body
    )
    view = await get_report(request.app[UOW], report.id)
    return web.json_response(_view_json(request, view, await org_map(request.app[UOW])))


async def delete_one(request: web.Request) -> web.Response:
    org = await require_org(request)
    await delete_report(request.app[UOW], request.app[CLOCK], org, request.match_info["id"])
    return web.Response(status=204)


async def post_helpful(request: web.Request) -> web.Response:
    org = await require_org(request)
    count = await mark_helpful(request.app[FED], org, request.match_info["id"])
    return web.json_response({"report": request.match_info["id"], "helpful": count})


async def delete_helpful(request: web.Request) -> web.Response:
    org = await require_org(request)
    count = await unmark_helpful(request.app[FED], org, request.match_info["id"])
    return web.json_response({"report": request.match_info["id"], "helpful": count})


def flag_json(flag: Flag) -> dict[str, Any]:
    return {
        "id": flag.id,
        "source": flag.source,
        "reporter": flag.reporter_iri,
        "objects": list(flag.object_iris),
        "reason": flag.reason,
        "state": flag.state,
        "created": iso_timestamp(flag.created_at),
        "activity": flag.activity_iri,
        "decided": iso_timestamp(flag.decided_at),
        "note": flag.note,
    }


async def post_flag(request: web.Request) -> web.Response:
    org = await require_org(request)
    body = await read_json_object(request)
    reject_unknown(body, {"object", "reason"})
    iri = optional_str(body, "object")
    if not iri:
        raise InvalidError("object: the IRI of the rating or report", field="object")
    flag = await flag_object(request.app[FED], org, iri, body.get("reason"))
    return web.json_response(flag_json(flag), status=201)


async def get_flags(request: web.Request) -> web.Response:
    await require_operator(request)
    state = request.query.get("state") or None
    if state is not None and state not in FLAG_STATES:
        raise InvalidError("state: open, resolved or dismissed", field="state")
    limit = _limit(request)
    async with request.app[UOW](readonly=True) as tx:
        flags = await tx.flags.list(state, limit, request.query.get("cursor") or None)  # type: ignore[arg-type]
    return web.json_response(
        {
            "items": [flag_json(f) for f in flags],
            "next": flags[-1].id if len(flags) == limit else None,
        }
    )


async def decide_flag(request: web.Request) -> web.Response:
    await require_operator(request)
    body = await read_json_object(request)
    reject_unknown(body, {"decision", "note"})
    decision = optional_str(body, "decision")
    if decision not in FLAG_DECISIONS:
        raise InvalidError("decision: resolved or dismissed", field="decision")
    note = optional_str(body, "note") or ""
    async with request.app[UOW]() as tx:
        flag = await tx.flags.get(request.match_info["id"])
        if flag is None:
            raise NotFoundError(f"no flag {request.match_info['id']}")
        decided = decide(flag, decision, note[:2000], request.app[CLOCK].now())
        await tx.flags.update(decided)
    return web.json_response(flag_json(decided))


def setup(app: web.Application) -> None:
    app.router.add_post("/api/v1/listings/{id}/reports", post_report)
    app.router.add_get("/api/v1/listings/{id}/reports", get_reports)
    app.router.add_get("/api/v1/reports/{id}", get_one)
    app.router.add_patch("/api/v1/reports/{id}", patch_one)
    app.router.add_delete("/api/v1/reports/{id}", delete_one)
    app.router.add_post("/api/v1/reports/{id}/helpful", post_helpful)
    app.router.add_delete("/api/v1/reports/{id}/helpful", delete_helpful)
    app.router.add_post("/api/v1/flags", post_flag)
    app.router.add_get("/api/v1/moderation/flags", get_flags)
    app.router.add_post("/api/v1/moderation/flags/{id}", decide_flag)
