"""INSERT … ON CONFLICT for both dialects, so repositories stay dialect-free."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def upsert(
    dialect: str,
    table: sa.Table,
    values: dict[str, Any],
    keys: Sequence[str],
    update: Sequence[str] | None = None,
) -> Any:
    """Insert `values`; on a conflict over `keys` update `update` columns (None: do nothing)."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(values)
    if not update:
        return insert.on_conflict_do_nothing(index_elements=list(keys))
    return insert.on_conflict_do_update(
        index_elements=list(keys), set_={column: insert.excluded[column] for column in update}
    )
