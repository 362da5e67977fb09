"""Pieces the commission pages share: labels, dates, money, error summaries, small forms."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from commonsnode.errors import ConflictError, DomainError, ForbiddenError, NotFoundError

REQUEST_KINDS = {
    "new-tool": "New tool",
    "change": "Change to a listed tool",
    "support": "Support or hosting",
}
REQUEST_STATES = {
    "draft": "Draft",
    "open": "Open for bids",
    "evaluating": "Evaluating bids",
    "awarded": "Awarded",
    "cancelled": "Cancelled",
}
CONTRACT_STATES = {
    "awaiting-signatures": "Awaiting signatures",
    "signed": "Signed, in force",
    "in-progress": "In progress",
    "completed": "Completed",
    "disputed": "Disputed",
    "terminated": "Terminated",
}
BID_STATUS = {"submitted": "Submitted", "awarded": "Awarded", "not-awarded": "Not awarded"}


def when(timestamp: float | None) -> str:
    """A moment as people read it (UTC, to the minute); empty for None."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def status_of(error: DomainError) -> int:
    """The HTTP status a refusal shown in a page answers with (the API's mapping)."""
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ForbiddenError):
        return 403
    return 409 if isinstance(error, ConflictError) else 422


def refusal(error: DomainError, *, field_ids: dict[str, str] | None = None) -> str:
    """The error summary at the top of a form or page: the reason in words, linked to the
    field it concerns; `role="alert"` so screen readers announce it."""
    target = (field_ids or {}).get(error.field or "")
    detail = escape(error.detail)
    text = f'<a href="#{escape(target)}">{detail}</a>' if target else detail
    return (
        '<div class="refusal" role="alert" tabindex="-1" id="refusal">'
        f"<h2>{escape(error.title)}</h2><p>{text}</p></div>"
    )


def post_button(action: str, label: str, hidden: dict[str, str] | None = None) -> str:
    """A one-button form that POSTs to `action` (already a same-site path)."""
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, v in (hidden or {}).items()
    )
    return (
        f'<form method="post" action="{escape(action)}" class="inline">{fields}'
        f"<button>{escape(label)}</button></form>"
    )


STYLE = (
    "<style>"
    ".refusal{border:2px solid #b00020;border-radius:.25rem;padding:.5rem 1rem;margin:1rem 0;"
    "background:#fff5f5}.refusal h2{margin:0 0 .25rem;font-size:1.1rem;color:#8a0019}"
    ".refusal p{margin:0}"
    "ol.plain{list-style:none;padding:0;margin:0}ol.plain>li{padding:.6rem 0;"
    "border-bottom:1px solid #d0d0d0}"
    "form.inline{display:inline-block;margin:.15rem .25rem .15rem 0}"
    "form.stack{display:grid;gap:.75rem;max-width:40rem}"
    "form.stack label,form.stack legend{font-weight:600;display:block}"
    "form.stack input,form.stack textarea,form.stack select{font:inherit;padding:.4rem;"
    "border:1px solid #595959;border-radius:.25rem;width:100%;max-width:100%}"
    "form.stack textarea{min-height:6rem}"
    "form.stack fieldset{border:1px solid #d0d0d0;border-radius:.25rem;padding:.5rem .75rem;"
    "display:grid;gap:.5rem;min-width:0}"
    ".hint{font-size:.9rem;color:#3d3d3d;margin:.1rem 0}"
    "[aria-invalid=true]{border-color:#b00020!important;border-width:2px!important}"
    ".ok{color:#1b5e20;font-weight:600}.bad{color:#8a0019;font-weight:600}"
    "select:focus-visible,textarea:focus-visible{outline:3px solid #b35900;outline-offset:2px}"
    '@media (max-width:40rem){td[data-label]::before{content:attr(data-label) ": ";'
    "font-weight:600}}"
    "</style>"
)


def table(caption: str, headers: list[str], rows: list[list[str]]) -> str:
    """A table of already-escaped cells. On a phone the layout stacks cells and hides the
    header row, so each cell carries its header as `data-label`, shown before it there."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            (f'<td data-label="{escape(h)}">{cell}</td>' if cell else "<td></td>")
            for h, cell in zip(headers, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table><caption class="sr">{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
