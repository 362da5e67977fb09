"""Registers the commission pages (request board, request page with bids and award, contract
page with signatures and ledger, and the browser sign-in) in one call."""

from __future__ import annotations

from aiohttp import web

from commonsnode.model.contracts import ACTORS
from commonsnode.model.requests import STEP_ACTIONS
from web.action_routes import add_action_routes, contract_action_path
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
    add_action_routes(
        app, STEP_ACTIONS, lambda action: f"/requests/{{id}}/{action}", request_page.act
    )
    app.router.add_get("/contracts", my_contracts.my_contracts_page)
    app.router.add_get("/contracts/{id}", contract_page.contract_page)
    app.router.add_post("/contracts/{id}/sign", contract_page.post_sign)
    app.router.add_post("/contracts/{id}/payments", contract_page.post_payment)
    # a signed contract starts with its first delivery: the pages offer no separate start
    page_actions = [a for a in ACTORS if a != "start"]
    add_action_routes(app, page_actions, contract_action_path("/contracts"), contract_page.act)
