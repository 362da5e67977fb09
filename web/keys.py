"""Typed keys for what the application stores (aiohttp AppKey), so handlers stay typed."""

from __future__ import annotations

from aiohttp import web

from commonsnode.clock import Clock
from commonsnode.config import NodeConfig
from commonsnode.ports import UnitOfWorkFactory
from commonsnode.usecases.reputation import ReputationService
from federation.runtime import Federation

CONFIG = web.AppKey("config", NodeConfig)
CLOCK = web.AppKey("clock", Clock)
UOW = web.AppKey("uow", UnitOfWorkFactory)
PING = web.AppKey("ping", object)  # async () -> None, raises when the database is down
FED = web.AppKey("federation", Federation)
REPUTATION = web.AppKey("reputation", ReputationService)
