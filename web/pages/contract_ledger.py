"""The ledger section of the contract page: every payment with its fee, the balance of each
party (and of the commons operator), and for the buyer the form that records a payment."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from commonsnode.errors import DomainError, InvalidError
from commonsnode.model.contracts import Contract
from commonsnode.usecases.payments import LedgerView
from web.pages.commission_parts import refusal, table
from web.pages.money_form import minor_units

PAYMENT_IDS = {
    "milestone": "pay-milestone",
    "amount": "pay-amount",
    "date": "pay-date",
    "reference": "pay-reference",
}


def account_names(contract: Contract) -> dict[str, str]:
    terms = contract.terms
    return {
        terms.buyer.id: f"{terms.buyer.name} (buyer)",
        terms.supplier.id: f"{terms.supplier.name} (supplier)",
        terms.operator.id: f"{terms.operator.name} (commons operator, platform fee)",
    }


def ledger_section(view: LedgerView) -> str:
    names = account_names(view.contract)
    rows = []
    for entry in view.ledger.entries:
        payment = entry.payment
        by_kind = {p.kind: p.amount for p in entry.postings}
        fee = by_kind.get("fee")
        rows.append(
            [
                escape(payment.date.isoformat()),
                str(payment.milestone),
                escape(payment.reference),
                escape(str(payment.amount)),
                escape(str(fee)) if fee else "none",
                escape(str(by_kind["received"])),
            ]
        )
    headers = [
        "Date",
        "Milestone",
        "Reference",
        "Paid by the buyer",
        "Platform fee",
        "Supplier receives",
    ]
    entries = table("Payments", headers, rows) if rows else "<p>No payments recorded yet.</p>"
    balances = [
        [escape(names.get(account, account)), escape(str(money))]
        for (account, _), money in view.balances.items()
    ]
    balance_table = (
        "<h3>Balance per party</h3>"
        + table("Balances", ["Account", "Balance (received − paid)"], balances)
        if balances
        else ""
    )
    check = (
        '<p class="ok">Every entry balances: what the buyer paid equals what the supplier and '
        "the operator received.</p>"
        if view.balanced
        else '<p class="bad">The ledger does not balance.</p>'
    )
    return (
        '<h2 id="ledger">Ledger</h2><p>Both parties see this same ledger (double entry).</p>'
        + entries
        + balance_table
        + (check if rows else "")
    )


def payment_body(form: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """The API's payment body from the form (amount in major units, converted exactly)."""
    milestone = str(form.get("milestone", "")).strip()
    if not milestone.isdigit() or len(milestone) > 4:
        raise InvalidError("milestone: choose the milestone paid", field="milestone")
    return {
        "milestone": int(milestone),
        "amount": minor_units(str(form.get("amount", "")), currency, "amount"),
        "date": str(form.get("date", "")).strip(),
        "reference": str(form.get("reference", "")),
    }


def payment_form(
    local_id: str,
    contract: Contract,
    values: Mapping[str, Any] | None,
    error: DomainError | None,
) -> str:
    form = values or {}
    field = error.field if error else None

    def attrs(name: str) -> str:
        return ' aria-invalid="true" aria-describedby="refusal"' if field == name else ""

    def value(name: str) -> str:
        return escape(str(form.get(name, "")))

    chosen = str(form.get("milestone", ""))
    options = "".join(
        f'<option value="{i}"' + (" selected" if str(i) == chosen else "") + f">{i}: "
        f"{escape(m.title)} ({escape(str(m.amount))})</option>"
        for i, m in enumerate(contract.terms.milestones, start=1)
    )
    currency = contract.terms.price.currency
    return (
        '<h3 id="record-payment">Record a payment</h3>'
        + (refusal(error, field_ids=PAYMENT_IDS) if error else "")
        + f'<form method="post" action="/contracts/{escape(local_id)}/payments" class="stack">'
        f'<div><label for="pay-milestone">Milestone</label><select id="pay-milestone" '
        f'name="milestone"{attrs("milestone")}>{options}</select></div>'
        f'<div><label for="pay-amount">Amount in {escape(currency)}</label>'
        '<p class="hint" id="pay-hint">In major units (e.g. 10000.50), converted exactly to '
        "minor units; more decimals than the currency has are refused.</p>"
        f'<input id="pay-amount" name="amount" inputmode="decimal" value="{value("amount")}"'
        f' aria-describedby="pay-hint"{" aria-invalid=true" if field == "amount" else ""}></div>'
        f'<div><label for="pay-date">Date paid</label><input id="pay-date" name="date" '
        f'type="date" value="{value("date")}"{attrs("date")}></div>'
        f'<div><label for="pay-reference">Reference (e.g. the bank transfer id)</label>'
        f'<input id="pay-reference" name="reference" maxlength="200" '
        f'value="{value("reference")}"{attrs("reference")}></div>'
        "<div><button>Record the payment</button></div></form>"
    )
