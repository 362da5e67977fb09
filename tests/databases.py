"""Test databases: a fresh SQLite file or a fresh PostgreSQL database per test."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from storage import migrate
from storage.db import Database

PG_HOST = os.environ.get("CN_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("CN_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("CN_TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("CN_TEST_PG_DATABASE", "test")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


async def _admin() -> asyncpg.Connection:
    return await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=PG_ADMIN_DB, timeout=5
    )


async def postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason."""
    try:
        connection = await _admin()
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await connection.close()
    return None


async def create_postgres_database() -> tuple[str, str]:
    """A new empty database; returns (name, SQLAlchemy URL)."""
    name = f"cn_test_{uuid.uuid4().hex[:12]}"
    connection = await _admin()
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return name, f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


async def drop_postgres_database(name: str) -> None:
    connection = await _admin()
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


# --- Migrated databases from a template -----------------------------------------------------
# Running every migration for each test costs 1.5–3 s (13 revisions, two back ends); a test
# database is instead copied from one migrated per test process: a file copy on SQLite,
# CREATE DATABASE … TEMPLATE on PostgreSQL. Tests of the migrations themselves still run them.

_templates: dict[str, str] = {}


async def _sqlite_template() -> str:
    if "sqlite" not in _templates:
        directory = Path(tempfile.mkdtemp(prefix="cn-template-"))
        atexit.register(shutil.rmtree, directory, True)
        path = directory / "template.db"
        db = Database(f"sqlite+aiosqlite:///{path}", pool_size=1, sqlite_synchronous="normal")
        try:
            await migrate.upgrade(db)
        finally:
            await db.dispose()
        _templates["sqlite"] = str(path)
    return _templates["sqlite"]


def _drop_template(name: str) -> None:
    async def drop() -> None:
        await drop_postgres_database(name)

    with contextlib.suppress(Exception):
        asyncio.run(drop())


async def _postgres_template() -> str:
    if "postgres" not in _templates:
        name, url = await create_postgres_database()
        atexit.register(_drop_template, name)
        db = Database(url, pool_size=1)
        try:
            await migrate.upgrade(db)
        finally:
            await db.dispose()
        _templates["postgres"] = name
    return _templates["postgres"]


async def upgrade(db: Database) -> None:
    """Bring a new, never-opened test database to head: copied from the template when it is
    still empty, else (already opened or holding data) by running the migrations."""
    url = make_url(db.url)
    if db.dialect == "sqlite" and url.database:
        target = Path(url.database)
        if _never_written(target):
            shutil.copyfile(await _sqlite_template(), target)
            return
    elif db.dialect == "postgresql" and url.database:
        template = await _postgres_template()
        await db.dispose()  # no connection of ours may stay open on it
        connection = await _admin()
        try:
            if await _count_tables(url.database) == 0:
                await connection.execute(f'DROP DATABASE IF EXISTS "{url.database}"')
                await connection.execute(f'CREATE DATABASE "{url.database}" TEMPLATE "{template}"')
                return
        except asyncpg.PostgresError:
            pass  # someone is connected: migrate in place instead
        finally:
            await connection.close()
    await migrate.upgrade(db)


def _never_written(path: Path) -> bool:
    return not path.exists() or path.stat().st_size == 0


async def _count_tables(name: str) -> int:
    connection = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, database=name, timeout=5
    )
    try:
        value = await connection.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
    finally:
        await connection.close()
    return int(value)
