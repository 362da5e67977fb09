"""Registers the commission pages (request board, request page with bids and award, contract
page with signatures and ledger, and the browser sign-in) in one call."""

from __future__ import annotations

from aiohttp import web

from web.pages import (
    browser_auth,
    contract_page,
    my_contracts,
    request_board,
    request_form,
    request_page,
)


def setup(app: web.Application) -> None:
    app.router.add_get("/signin", browser_auth.signin)
    app.router.add_get("/requests", request_board.board_page)
    app.router.add_get("/requests/new", request_form.new_request_page)
    app.router.add_post("/requests/new", request_form.post_new_request)
    app.router.add_get("/requests/{id}", request_page.request_page)
    app.router.add_post("/requests/{id}/bids", request_page.post_bid)
    app.router.add_post("/requests/{id}/bids/{bid}/mark", request_page.post_mark)
    app.router.add_post("/requests/{id}/award", request_page.post_award)
    app.router.add_post("/requests/{id}/publish", request_page.post_publish)
    app.router.add_post("/requests/{id}/close", request_page.post_close)
    app.router.add_post("/requests/{id}/cancel", request_page.post_cancel)
    app.router.add_get("/contracts", my_contracts.my_contracts_page)
    app.router.add_get("/contracts/{id}", contract_page.contract_page)
    app.router.add_post("/contracts/{id}/sign", contract_page.post_sign)
    app.router.add_post("/contracts/{id}/dispute", contract_page.dispute)
    app.router.add_post("/contracts/{id}/withdraw-dispute", contract_page.withdraw_dispute)
    app.router.add_post("/contracts/{id}/terminate", contract_page.terminate)
    app.router.add_post("/contracts/{id}/payments", contract_page.post_payment)
    app.router.add_post("/contracts/{id}/milestones/{n}/deliver", contract_page.deliver)
    app.router.add_post("/contracts/{id}/milestones/{n}/accept", contract_page.accept)
    app.router.add_post("/contracts/{id}/milestones/{n}/reject", contract_page.reject)
