"""Reputation in the pages: the explanation page `/reputation` and the tool page's line.

The explanation lists every input with its giver, value, weight and contribution, so a reader
can add up the score; each giver links to its own explanation (why its word counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from commonsnode.errors import InvalidError, NotFoundError
from commonsnode.model.ratings import BEST
from commonsnode.usecases.reputation import subject_of
from web.keys import CONFIG, REPUTATION
from web.pages.layout import page
from web.pages.rating_sections import star_html

KIND_LABELS = {
    "prior": "neutral prior",
    "rating": "rating",
    "tool-rating": "rating of a tool it maintains",
    "helpful": "report marked helpful",
    "contract": "finished contract",
}


def reputation_href(actor: str) -> str:
    return "/reputation?" + urlencode({"actor": actor})


def _inputs_table(document: Mapping[str, Any]) -> str:
    rows = []
    for item in document.get("inputs", []):
        source = item.get("source")
        via = item.get("via")
        who = (
            f'<a href="{escape(reputation_href(source))}">{escape(source)}</a>'
            if source
            else "this node"
        )
        about = escape(via) if via else ""
        note = f' <span class="meta">({escape(item["note"])})</span>' if item.get("note") else ""
        rows.append(
            "<tr>"
            f"<td>{escape(KIND_LABELS.get(item['kind'], item['kind']))}{note}</td>"
            f"<td>{who}</td><td>{about}</td>"
            f"<td>{float(item['value']):.1f}</td>"
            f"<td>{float(item['weight']):.4f}</td>"
            f"<td>{float(item['contribution']):.4f}</td>"
            "</tr>"
        )
    return (
        "<table><caption>Inputs, heaviest first</caption><thead><tr>"
        '<th scope="col">Input</th><th scope="col">Given by</th><th scope="col">About</th>'
        '<th scope="col">Value</th><th scope="col">Weight</th>'
        '<th scope="col">Contribution</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


async def reputation_page(request: web.Request) -> web.Response:
    """`/reputation?actor=IRI` or `?tool=KEY`: a score and exactly what makes it."""
    name = request.app[CONFIG].node.name
    service = request.app[REPUTATION]
    try:
        subject = subject_of(service, request.query.get("actor"), request.query.get("tool"))
        document = await service.document(subject)
    except InvalidError as exc:
        body = f'<h1>Reputation</h1><p role="alert">{escape(str(exc))}</p>'
        return page("Reputation", body, node_name=name, status=422)
    except NotFoundError as exc:
        body = f"<h1>Not found</h1><p>{escape(str(exc))}</p>"
        return page("Not found", body, node_name=name, status=404)
    score = float(document["score"])
    inputs = document.get("inputs", [])
    counted = sum(1 for i in inputs if i["kind"] != "prior" and float(i["weight"]) > 0)
    kind = document.get("kind") or "actor"
    body = (
        f"<h1>Reputation of {escape(subject)}</h1>"
        '<dl class="facts">'
        f"<dt>Score</dt><dd>{star_html(score)} ({score:.4f} out of {BEST})</dd>"
        f"<dt>Kind</dt><dd>{escape(str(kind))}</dd>"
        f"<dt>Inputs that count</dt><dd>{counted} of {max(0, len(inputs) - 1)}</dd>"
        f"<dt>Evidence weight</dt><dd>{float(document.get('weight', 0.0)):.4f}</dd>"
        f"<dt>Own trust as a giver</dt><dd>{float(document.get('trust', 0.0)):.4f}</dd>"
        "</dl>"
        "<p>Each input counts with its giver's weight: the trust that flows to the giver from "
        "the organisations this node's operator trusts (at most 1). The score is the sum of "
        "the contributions, each being weight × value ÷ (2 + total weight); the neutral prior "
        "keeps a subject with little trusted evidence near 3.</p>"
        f"{_inputs_table(document)}"
    )
    return page(f"Reputation of {subject}", body, node_name=name)


async def tool_reputation_html(request: web.Request, repository_key: str) -> str:
    """The tool page's line: the tool's reputation and a link to its explanation."""
    service = request.app[REPUTATION]
    try:
        document = await service.document(service.tool_iri(repository_key))
    except (NotFoundError, InvalidError):
        return ""
    score = float(document["score"])
    href = "/reputation?" + urlencode({"tool": repository_key})
    return (
        f"<h2>Reputation</h2><p>{star_html(score)} weighted by trust "
        f'(<a href="{escape(href)}">how this score is made</a>)</p>'
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/reputation", reputation_page)
