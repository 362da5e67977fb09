"""Domain errors: raised by rules and use-cases, mapped to problem+json by the web layer."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the marketplace rules raise on purpose."""

    title = "Request refused"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFoundError(DomainError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    title = "Not found"


class ForbiddenError(DomainError):
    """The caller is known but may not do this."""

    title = "Forbidden"


class ConflictError(DomainError):
    """The request clashes with the current state (duplicate handle, wrong lifecycle state)."""

    title = "Conflict"


class InvalidError(DomainError):
    """The input breaks a rule; `field` names the offending input when there is one."""

    title = "Invalid input"
