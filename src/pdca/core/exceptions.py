"""Typed errors raised by services.

Each carries a stable `code` the API turns into an RFC 9457 problem document and a page turns
into a form or message error, so the same refusal reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field (`field` is a dotted path, or "" for the whole input)."""

    field: str
    message: str
    code: str = "invalid"


class ServiceError(Exception):
    """Base of every refusal a service may raise."""

    code = "error"
    status = 400
    title = "Request refused"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class ValidationFailed(ServiceError):
    """Input is wrong; `errors` names each field and its problem."""

    code = "validation_failed"
    status = 422
    title = "Invalid input"

    def __init__(self, errors: list[FieldError] | FieldError, message: str | None = None) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        detail = message or "; ".join(
            f"{e.field}: {e.message}" if e.field else e.message for e in self.errors
        )
        super().__init__(detail)

    @classmethod
    def single(cls, field: str, message: str, code: str = "invalid") -> ValidationFailed:
        return cls([FieldError(field, message, code)])


class PermissionDenied(ServiceError):
    """The actor may not do this; the message says which permission is missing."""

    code = "permission_denied"
    status = 403
    title = "Permission denied"


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know that it exists."""

    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(ServiceError):
    """The request clashes with the current state (a duplicate, a refused transition)."""

    code = "conflict"
    status = 409
    title = "Conflict"
