"""Registers the commission API (requests and bids, contracts and payments) in one call."""

from __future__ import annotations

from aiohttp import web

from web.api import contracts, requests


def setup(app: web.Application) -> None:
    requests.setup(app)
    contracts.setup(app)
