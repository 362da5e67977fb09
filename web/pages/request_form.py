"""`/requests/new`: post a request for tenders from a browser, without scripts.

The form is read back into the body the JSON API takes and handed to the same shared step
(`create_request_step`), so recipients are resolved (remote `acct:` handles by WebFinger)
and a directed request is offered to other nodes whichever way it was posted. Money is typed
in major units and converted exactly (`web.pages.money_form`); a refusal brings the form back
filled in, with the field marked and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import Any

from aiohttp import web

from commonsnode.errors import DomainError, InvalidError
from commonsnode.model.organisations import Organisation
from web.api.commission_context import party_of
from web.commission_steps import create_request_step
from web.keys import CONFIG
from web.pages.browser_auth import refuse_cross_site, require_signed_in
from web.pages.commission_parts import REQUEST_KINDS, STYLE, refusal, status_of
from web.pages.layout import page
from web.pages.money_form import currency_of, minor_units

CRITERIA = {"price": 40, "timeline": 30, "reputation": 20, "approach": 10}
FIELD_IDS = {
    "kind": "rq-kind",
    "title": "rq-title",
    "description": "rq-description",
    "requirements": "rq-requirements",
    "listing": "rq-listing",
    "budget": "rq-budget-min",
    "budget_min": "rq-budget-min",
    "budget_max": "rq-budget-max",
    "budget.min": "rq-budget-min",
    "budget.max": "rq-budget-max",
    "currency": "rq-currency",
    "deadline": "rq-deadline",
    "criteria": "rq-criteria-price",
    "criteria_price": "rq-criteria-price",
    "recipients": "rq-recipients",
}
_WEIGHT = re.compile(r"\d{1,4}(?:\.\d{1,3})?")


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def request_body(form: Mapping[str, Any]) -> dict[str, Any]:
    """The API's request body from the form; refuses what cannot be converted exactly."""
    kind = _text(form, "kind")
    currency = currency_of(_text(form, "currency"), "currency")
    deadline = _text(form, "deadline").strip()
    if not deadline:
        raise InvalidError("deadline: the last day bids are accepted", field="deadline")
    criteria: dict[str, float] = {}
    for name in CRITERIA:
        raw = _text(form, f"criteria_{name}").strip() or "0"
        if _WEIGHT.fullmatch(raw) is None:
            raise InvalidError(
                f"criteria.{name}: a weight written with digits, e.g. 40", field="criteria"
            )
        criteria[name] = float(raw)
    body: dict[str, Any] = {
        "kind": kind,
        "title": _text(form, "title"),
        "description": _text(form, "description"),
        "requirements": _lines(_text(form, "requirements")),
        "budget": {
            "min": minor_units(
                _text(form, "budget_min"), currency, "budget minimum", key="budget_min"
            ),
            "max": minor_units(
                _text(form, "budget_max"), currency, "budget maximum", key="budget_max"
            ),
        },
        "deadline": deadline,
        "criteria": criteria,
        "recipients": _lines(_text(form, "recipients")),
    }
    listing = _text(form, "listing").strip()
    if kind != "new-tool" or listing:
        body["listing"] = listing or None
    return body


def _described(name: str, field: str | None, hint: str | None) -> str:
    bad = field is not None and FIELD_IDS.get(field) == FIELD_IDS.get(name)
    parts = [p for p in ("refusal" if bad else "", hint or "") if p]
    return (' aria-invalid="true"' if bad else "") + (
        f' aria-describedby="{" ".join(parts)}"' if parts else ""
    )


def _input(
    name: str,
    label: str,
    value: str,
    field: str | None,
    *,
    kind: str = "text",
    hint: str | None = None,
    extra: str = "",
) -> str:
    ident = FIELD_IDS.get(name, f"rq-{name.replace('_', '-')}")
    return (
        f'<div><label for="{ident}">{escape(label)}</label>'
        f'<input id="{ident}" name="{name}" type="{kind}" value="{escape(value)}"{extra}'
        f"{_described(name, field, hint)}></div>"
    )


def _area(name: str, label: str, value: str, field: str | None, hint: str | None = None) -> str:
    ident = FIELD_IDS[name]
    return (
        f'<div><label for="{ident}">{escape(label)}</label>'
        f'<textarea id="{ident}" name="{name}"{_described(name, field, hint)}>'
        f"{escape(value)}</textarea></div>"
    )


def request_form(values: Mapping[str, Any] | None = None, error: DomainError | None = None) -> str:
    """The form, refilled with `values` and headed by `error` after a refusal."""
    form = values or {}

    def value(name: str, default: str = "") -> str:
        return _text(form, name) if name in form else default

    field = error.field if error else None
    chosen = value("kind", "new-tool")
    kinds = "".join(
        f'<option value="{escape(k)}"' + (" selected" if k == chosen else "") + f">"
        f"{escape(label)}</option>"
        for k, label in REQUEST_KINDS.items()
    )
    weights = "".join(
        _input(
            f"criteria_{name}",
            f"{name.capitalize()} weight",
            value(f"criteria_{name}", str(default)),
            field if name == "price" else None,
            extra=' inputmode="decimal"',
        )
        for name, default in CRITERIA.items()
    )
    return (
        (refusal(error, field_ids=FIELD_IDS) if error else "")
        + '<form method="post" action="/requests/new" class="stack">'
        + f'<div><label for="rq-kind">Kind</label><select id="rq-kind" name="kind"'
        f"{_described('kind', field, None)}>{kinds}</select></div>"
        + _input("title", "Title", value("title"), field, extra=' maxlength="200"')
        + _area("description", "Description", value("description"), field)
        + _area(
            "requirements",
            "Requirements: one per line",
            value("requirements"),
            field,
        )
        + '<p class="hint" id="listing-hint">For a change or support request: the listed '
        "tool, by its id on this node or its IRI (https://…). Leave blank for a new tool.</p>"
        + _input("listing", "Listing", value("listing"), field, hint="listing-hint")
        + '<p class="hint" id="money-hint">Amounts are in major units of the currency, e.g. '
        "30000.50; they are converted exactly to minor units, and an amount with more decimals "
        "than the currency has is refused, never rounded.</p>"
        + _input(
            "budget_min",
            "Budget minimum",
            value("budget_min"),
            field,
            hint="money-hint",
            extra=' inputmode="decimal"',
        )
        + _input(
            "budget_max",
            "Budget maximum",
            value("budget_max"),
            field,
            hint="money-hint",
            extra=' inputmode="decimal"',
        )
        + _input(
            "currency",
            "Currency (ISO 4217 code)",
            value("currency", "EUR"),
            field,
            extra=' maxlength="3" autocomplete="off"',
        )
        + _input(
            "deadline",
            "Bids accepted until the end of (UTC)",
            value("deadline"),
            field,
            kind="date",
        )
        + "<fieldset><legend>How bids are ranked: the weight of each criterion</legend>"
        + weights
        + "</fieldset>"
        + '<p class="hint" id="recipients-hint">Leave blank for a public request. To direct it '
        "to chosen organisations, name one per line: acct:name@host or an actor IRI; those on "
        "other nodes receive it there.</p>"
        + _area("recipients", "Recipients", value("recipients"), field, hint="recipients-hint")
        + '<div><button name="action" value="publish">Publish the request</button> '
        '<button name="action" value="draft">Save as a draft</button></div></form>'
    )


def _render(
    request: web.Request,
    org: Organisation,
    values: Mapping[str, Any] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> web.Response:
    body = (
        STYLE
        + "<h1>Post a request for tenders</h1>"
        + f"<p>Posting as <strong>{escape(org.name)}</strong>. "
        '<a href="/requests">Back to the request board</a></p>' + request_form(values, error)
    )
    return page("Post a request", body, node_name=request.app[CONFIG].node.name, status=status)


async def new_request_page(request: web.Request) -> web.Response:
    org = await require_signed_in(request)
    return _render(request, org)


async def post_new_request(request: web.Request) -> web.Response:
    """The form's POST: created (and offered to remote recipients) or the form back with why."""
    refuse_cross_site(request)
    org = await require_signed_in(request)
    form = await request.post()
    draft = _text(form, "action") == "draft"
    try:
        created = await create_request_step(
            request.app, party_of(request, org), request_body(form), publish=not draft
        )
    except DomainError as error:
        return _render(request, org, form, error, status=status_of(error))
    raise web.HTTPSeeOther(location=f"/requests/{created.id}")
