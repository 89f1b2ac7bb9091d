"""Errors services raise; the web layer turns them into the SPEC §5 error shape."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused request: nothing was written."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(ServiceError):
    status = 422
    code = "validation_error"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Throttled(ServiceError):
    status = 429
    code = "too_many_requests"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"
