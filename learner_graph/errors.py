"""The domain's few errors, raised by service functions and mapped to HTTP in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of the errors service functions raise; `details` lists problems for the client."""

    code = "error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """E.g. an edge that would close a prerequisite cycle, or a delete with dependents."""

    code = "conflict"


class Invalid(DomainError):
    """Input that is well-formed JSON but breaks a rule; `details` name each field."""

    code = "invalid"


class Forbidden(DomainError):
    code = "forbidden"
