"""The bid form: rendered on a request page for an invited organisation, read back from its POST
into the same body the JSON API takes, so `submit_bid` checks both alike.

Money is typed in major units of the currency ("30000.00 EUR") and converted exactly to integer
minor units (see `web.pages.money_form`). Without scripts the number of milestones cannot grow
in the page, so the form has `MILESTONE_ROWS` rows; blank rows are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import Any

from commonsnode.errors import DomainError, InvalidError
from commonsnode.model.money import minor_unit_exponent
from web.pages.commission_parts import refusal
from web.pages.money_form import currency_of, minor_units

MILESTONE_ROWS = 6
FIELD_IDS = {
    "price": "bid-price",
    "currency": "bid-currency",
    "timeline_days": "bid-timeline-days",
    "approach": "bid-approach",
    "team": "bid-team",
    "milestones": "bid-m1-title",
}
_INDEX = re.compile(r"milestones\[(\d+)\]")


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def bid_body(form: Mapping[str, Any]) -> dict[str, Any]:
    """The API's bid body from the form fields; refuses what cannot be converted exactly."""
    currency = currency_of(_text(form, "currency"), "currency")
    days = _text(form, "timeline_days").strip()
    if not days.isdigit() or len(days) > 6:
        raise InvalidError("timeline_days: a whole number of days, e.g. 90", field="timeline_days")
    milestones = []
    for row in range(1, MILESTONE_ROWS + 1):
        title = _text(form, f"m{row}_title").strip()
        due = _text(form, f"m{row}_due").strip()
        amount = _text(form, f"m{row}_amount").strip()
        if not (title or due or amount):
            continue
        if not (title and due and amount):
            raise InvalidError(
                f"milestone {row}: give a title, a due date and an amount (or leave it all blank)",
                field="milestones",
            )
        milestones.append(
            {
                "title": title,
                "due": due,
                "amount": minor_units(
                    amount, currency, f"milestone {row} amount", key="milestones"
                ),
            }
        )
    team = [line.strip() for line in _text(form, "team").splitlines() if line.strip()]
    return {
        "price": minor_units(_text(form, "price"), currency, "price"),
        "timeline_days": int(days),
        "approach": _text(form, "approach"),
        "milestones": milestones,
        "team": team,
    }


def readable(error: DomainError) -> DomainError:
    """The domain names milestones from 0 (`milestones[0].due`); the form numbers them from 1."""
    detail = _INDEX.sub(lambda m: f"milestone {int(m.group(1)) + 1}", error.detail)
    if detail == error.detail:
        return error
    return type(error)(detail, field=error.field)


def _input(
    name: str, label: str, value: str, error_field: str | None, *, kind: str = "text", **attrs: str
) -> str:
    ident = f"bid-{name.replace('_', '-')}"
    described = " ".join(
        part
        for part in ("refusal" if error_field else "", attrs.pop("aria_describedby", ""))
        if part
    )
    if described:
        attrs["aria_describedby"] = described
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    invalid = ' aria-invalid="true"' if error_field else ""
    return (
        f'<div><label for="{ident}">{escape(label)}</label>'
        f'<input id="{ident}" name="{name}" type="{kind}" value="{escape(value)}"{extra}{invalid}>'
        "</div>"
    )


def bid_form(
    request_id: str,
    currency: str,
    values: Mapping[str, Any] | None = None,
    error: DomainError | None = None,
) -> str:
    """The form, refilled with `values` and headed by `error` after a refusal."""
    form = values or {}

    def value(name: str, default: str = "") -> str:
        return _text(form, name) if name in form else default

    field = error.field if error else None
    exponent = minor_unit_exponent(currency)
    places = "whole units" if exponent == 0 else f"up to {exponent} decimal places"
    rows = []
    for row in range(1, MILESTONE_ROWS + 1):
        bad = field == "milestones" and row == 1
        rows.append(
            f"<fieldset><legend>Milestone {row}{' (required)' if row == 1 else ''}</legend>"
            + _input(
                f"m{row}_title",
                "Deliverable",
                value(f"m{row}_title"),
                "x" if bad else None,
                maxlength="200",
            )
            + _input(f"m{row}_due", "Due date", value(f"m{row}_due"), None, kind="date")
            + _input(
                f"m{row}_amount",
                f"Amount paid on acceptance ({currency})",
                value(f"m{row}_amount"),
                None,
                inputmode="decimal",
            )
            + "</fieldset>"
        )
    invalid = ' aria-invalid="true" aria-describedby="refusal"'
    return (
        (refusal(readable(error), field_ids=FIELD_IDS) if error else "")
        + f'<form method="post" action="/requests/{escape(request_id)}/bids" class="stack">'
        f'<p class="hint" id="money-hint">Amounts are in major units of the currency, e.g. '
        f"30000.50 for thirty thousand {escape(currency)} and fifty cents: {escape(currency)} "
        f"takes {places}. They are converted exactly to minor units; an amount with more "
        "decimals than the currency has is refused, never rounded.</p>"
        + _input(
            "price",
            "Total price",
            value("price"),
            field == "price" or None,
            inputmode="decimal",
            aria_describedby="money-hint",
        )
        + _input(
            "currency",
            "Currency (ISO 4217 code)",
            value("currency", currency),
            field == "currency" or None,
            maxlength="3",
            autocomplete="off",
        )
        + _input(
            "timeline_days",
            "Timeline in days",
            value("timeline_days"),
            field == "timeline_days" or None,
            inputmode="numeric",
        )
        + '<div><label for="bid-approach">Approach: how you will do the work</label>'
        f'<textarea id="bid-approach" name="approach" maxlength="20000"'
        f"{invalid if field == 'approach' else ''}>{escape(value('approach'))}</textarea></div>"
        + '<div><label for="bid-team">Team: one name or role per line</label>'
        f'<textarea id="bid-team" name="team"{invalid if field == "team" else ""}>'
        f"{escape(value('team'))}</textarea></div>"
        + '<p class="hint">Milestones are paid on acceptance, listed by due date, and add up to '
        "the total price. Leave the rows you do not need blank.</p>"
        + "".join(rows)
        + "<div><button>Send the bid to the requester</button></div></form>"
    )
