"""The inbox's cached lookups (domain policy, organisation exists) refresh once under load."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

import pytest

from commonsnode.clock import FixedClock
from commonsnode.ports import UnitOfWork
from commonsnode.usecases.organisations import create_organisation
from federation.fetch import Fetcher
from federation.iris import LocalIris
from federation.runtime import ORG_CACHE_SECONDS, POLICY_TTL, Federation, FederationSettings
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.keys import TEST_KEYS


class CountingUow:
    """Counts the transactions opened through it."""

    def __init__(self, inner: SqlUnitOfWorkFactory) -> None:
        self._inner = inner
        self.opened = 0

    def __call__(self, *, readonly: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        self.opened += 1
        return self._inner(readonly=readonly)


class NoIngest:
    async def record_batch(self, entries: object) -> list[bool]:
        raise AssertionError("not used here")

    async def close(self) -> None:
        return None


@pytest.fixture
async def fed(uow: SqlUnitOfWorkFactory, clock: FixedClock) -> AsyncIterator[Federation]:
    federation = Federation(
        iris=LocalIris("https://node.example"),
        uow=CountingUow(uow),
        clock=clock,
        fetcher=Fetcher(node_url="https://node.example"),
        settings=FederationSettings(node_name="node"),
        ingest=NoIngest(),
    )
    yield federation
    await federation.fetcher.close()


def opened(fed: Federation) -> int:
    assert isinstance(fed.uow, CountingUow)
    return fed.uow.opened


async def test_concurrent_requests_share_one_policy_read(
    fed: Federation, clock: FixedClock
) -> None:
    policies = await asyncio.gather(*(fed.policy() for _ in range(50)))
    assert opened(fed) == 1
    assert all(policy is policies[0] for policy in policies)
    clock.advance(POLICY_TTL + 1)
    await asyncio.gather(*(fed.policy() for _ in range(50)))
    assert opened(fed) == 2


async def test_concurrent_requests_share_one_organisation_lookup(
    fed: Federation, uow: SqlUnitOfWorkFactory, clock: FixedClock
) -> None:
    await create_organisation(
        uow, clock, handle="city", name="City", kind="government", keys=TEST_KEYS
    )
    found = await asyncio.gather(*(fed.has_org("city") for _ in range(50)))
    missing = await asyncio.gather(*(fed.has_org("nowhere") for _ in range(50)))
    assert all(found)
    assert not any(missing)
    assert opened(fed) == 2
    clock.advance(ORG_CACHE_SECONDS + 1)
    await asyncio.gather(*(fed.has_org("city") for _ in range(50)))
    assert opened(fed) == 3
