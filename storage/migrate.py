"""Alembic migrations run programmatically on the node's own connection (no alembic.ini)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revisions() -> set[str]:
    """The revisions a fully migrated database is at."""
    return set(ScriptDirectory.from_config(_config()).get_heads())


async def current_revisions(db: Database) -> set[str]:
    """The revisions the database is at (empty for a fresh database)."""
    async with db.transaction(readonly=True) as connection:
        return await connection.run_sync(
            lambda sync: set(MigrationContext.configure(sync).get_current_heads())
        )


async def upgrade(db: Database) -> None:
    """Apply pending migrations in one transaction; a no-op when already at head.

    "heads": independent branches of migrations (two features added side by side) all apply.
    """
    async with db.transaction() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_config(sync), "heads"))


async def is_migrated(db: Database) -> bool:
    """True when the database is exactly at head, so `serve` may use it."""
    return await current_revisions(db) == head_revisions()
