"""Shared fixtures: a fixed clock, and a migrated database on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from commonsnode.clock import FixedClock
from storage.db import Database
from storage.queue import SqlJobQueue
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.databases import (
    create_postgres_database,
    drop_postgres_database,
    in_ci,
    postgres_reachable,
    upgrade,
)

ROOT = Path(__file__).resolve().parents[1]
# Test data from outside the project (the publiccode.yml corpus, signature vectors, OCDS
# schemas), vendored with their provenance in each folder's README so a clone stands alone.
SHARED = ROOT / "tests" / "fixtures"

_pg_problem: list[str | None] = []


async def postgres_or_skip() -> None:
    """Skip when PostgreSQL is unreachable, except under CI, where that is a failure."""
    if not _pg_problem:
        _pg_problem.append(await postgres_reachable())
    problem = _pg_problem[0]
    if problem is not None:
        if in_ci():
            pytest.fail(f"PostgreSQL unreachable under CI: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")


@pytest.fixture
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database URL: parametrised by `backend` (sqlite | postgres)."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    await postgres_or_skip()
    name, url = await create_postgres_database()
    try:
        yield url
    finally:
        await drop_postgres_database(name)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Every test that asks for a database runs on both backends.
    if "db_url" in metafunc.fixturenames and "backend" not in metafunc.fixturenames:
        metafunc.parametrize(
            "db_url",
            [
                pytest.param("sqlite", id="sqlite"),
                pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
            ],
            indirect=True,
        )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    """A migrated database, disposed after the test."""
    db = Database(db_url, pool_size=4, sqlite_synchronous="normal")
    await upgrade(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def uow(database: Database, clock: FixedClock) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(database, clock)


@pytest.fixture
def queue(database: Database, clock: FixedClock) -> SqlJobQueue:
    return SqlJobQueue(database, clock)
