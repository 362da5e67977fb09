"""Engines for SQLite (WAL, one writer, BEGIN IMMEDIATE) and PostgreSQL, and short transactions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

Dialect = Literal["sqlite", "postgresql"]
SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseError(Exception):
    """The database cannot be used as configured (unreachable, not migrated, bad URL)."""


def _sqlite_engine(url: str, *, writer: bool, synchronous: str, pool_size: int) -> AsyncEngine:
    # One writer connection per process: SQLite has one writer anyway, and queueing in
    # the pool is cheaper than spinning in SQLite's busy handler. Readers run in WAL
    # snapshots beside it. Across processes BEGIN IMMEDIATE + busy_timeout serialise.
    engine = create_async_engine(
        url,
        pool_size=1 if writer else pool_size,
        max_overflow=0,
        pool_timeout=60,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA synchronous = {synchronous.upper()}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that later
        # writes can fail with "database is locked" without waiting on busy_timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


class Database:
    """The node's database: a writer engine and a reader engine (the same one on PostgreSQL)."""

    def __init__(self, url: str, *, pool_size: int = 5, sqlite_synchronous: str = "full") -> None:
        try:
            parsed = make_url(url)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several types here
            raise DatabaseError(f"bad database URL: {exc}") from None
        self.url = url
        if parsed.drivername == "sqlite+aiosqlite":
            self.dialect: Dialect = "sqlite"
            self.writer = _sqlite_engine(
                url, writer=True, synchronous=sqlite_synchronous, pool_size=pool_size
            )
            self.reader = _sqlite_engine(
                url, writer=False, synchronous=sqlite_synchronous, pool_size=pool_size
            )
        elif parsed.drivername == "postgresql+asyncpg":
            self.dialect = "postgresql"
            self.writer = create_async_engine(
                url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )
            self.reader = self.writer
        else:
            raise DatabaseError(
                f"unsupported database driver {parsed.drivername!r}: "
                "use sqlite+aiosqlite:// or postgresql+asyncpg://"
            )

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[AsyncConnection]:
        """One short transaction: committed on clean exit, rolled back on error."""
        engine = self.reader if readonly else self.writer
        async with engine.begin() as connection:
            yield connection

    async def ping(self) -> None:
        """Raise DatabaseError when the database does not answer a trivial query."""
        try:
            async with self.transaction(readonly=True) as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any driver failure means "not reachable"
            raise DatabaseError(f"database not reachable: {type(exc).__name__}: {exc}") from None

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
