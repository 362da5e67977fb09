"""Test databases: a fresh SQLite file or a fresh PostgreSQL database per test."""

from __future__ import annotations

import os
import uuid

import asyncpg

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
