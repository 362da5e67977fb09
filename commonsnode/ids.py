"""Time-ordered identifiers (UUIDv7 layout), so ids sort by creation and index well."""

from __future__ import annotations

import os
import time
import uuid


def new_id(now: float | None = None) -> str:
    """Return a UUIDv7 string: 48-bit millisecond timestamp, then 74 random bits."""
    ms = int((time.time() if now is None else now) * 1000) & ((1 << 48) - 1)
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = (rand >> 62) & 0xFFF
    rand_b = rand & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return str(uuid.UUID(int=value))
