"""The one reference every OpenAPI module uses for an RFC 9457 problem answer."""

from __future__ import annotations

from typing import Any

PROBLEM: dict[str, Any] = {"$ref": "#/components/responses/Problem"}
