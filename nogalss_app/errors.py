"""Error responses: the JSON shape of SPEC §5 under /api/, a friendly page (or fragment) elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .services.errors import ServiceError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
}
MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in.",
    403: "You do not have access to this page.",
    404: "Not found.",
    405: "That method is not allowed here.",
    413: "The request is too large.",
    415: "Send JSON with Content-Type: application/json.",
    429: "Too many attempts. Please wait a few minutes and try again.",
    500: "Something went wrong on our side. Nothing was changed.",
}


def wants_json() -> bool:
    """Return True when the caller speaks JSON (the /api/ tree)."""
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None, fields: dict | None = None, code: str | None = None):
    """Build the error response for the current request."""
    message = message or MESSAGES.get(status, "Request refused.")
    code = code or CODES.get(status, "error")
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        response = jsonify(body)
    else:
        template = "errors/fragment.html" if request.headers.get("HX-Request") else "errors/error.html"
        response = render_template(template, code=status, message=message), status
        from flask import make_response

        response = make_response(response)
    response.status_code = status
    if status == 401:
        # htmx follows HX-Redirect; plain pages are redirected by the guard itself.
        response.headers["HX-Redirect"] = url_for("auth.login", next=request.full_path.rstrip("?"))
    return response


def register_error_handlers(app: Flask) -> None:
    """Route every error through error_response so no stack trace or SQL reaches a client."""

    @app.errorhandler(ServiceError)
    def _service_error(err: ServiceError):
        """Answer a refused service call."""
        return error_response(err.status, err.message, err.fields, err.code)

    @app.errorhandler(CSRFError)
    def _csrf_error(err: CSRFError):
        """Answer a missing or wrong CSRF token."""
        return error_response(
            400, "The form expired or the CSRF token is missing. Reload and try again.", code="csrf_failed"
        )

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        """Answer a werkzeug HTTP error in the house shape."""
        status = err.code or 500
        message = MESSAGES.get(status) if status >= 500 or not err.description else None
        if status in MESSAGES and (err.description or "").startswith(("The ", "You ", "Method ", "The server")):
            message = MESSAGES[status]  # werkzeug's defaults are generic; use ours
        return error_response(status, message or err.description)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        """Log the failure and answer 500 without details."""
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)
