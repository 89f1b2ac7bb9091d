"""Error responses: the JSON shape of SPEC §5 under /api/, a friendly page (or fragment) elsewhere."""

from __future__ import annotations

from contextlib import suppress

from flask import Flask, current_app, jsonify, make_response, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, PendingRollbackError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from .extensions import DatabaseUnavailable, db
from .services.errors import ServiceError

# Failures that mean "the database is unreachable or too slow", answered 503 (SPEC §5), never 500.
OUTAGES = (DatabaseUnavailable, PoolTimeout, DBAPIError, PendingRollbackError)

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
    503: "service_unavailable",
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
    503: "The service is briefly unavailable. Nothing was changed; please try again in a moment.",
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
        try:
            response = make_response(render_template(template, code=status, message=message), status)
        except (SQLAlchemyError, DatabaseUnavailable) as exc:  # the page frame loads the user: the database may be down
            if not is_outage(exc):
                raise
            return outage_response()
    response.status_code = status
    if status == 401:
        # htmx follows HX-Redirect; plain pages are redirected by the guard itself.
        response.headers["HX-Redirect"] = url_for("auth.login", next=request.full_path.rstrip("?"))
    return response


def outage_response():
    """Answer 503 without touching the database or the session's user (static-safe page, JSON shape, fragment)."""
    with suppress(SQLAlchemyError):
        db.session.rollback()  # an invalidated connection makes this a no-op; a live one must not stay dirty
    status, message = 503, MESSAGES[503]
    if wants_json():
        response = jsonify({"error": {"code": CODES[503], "message": message, "fields": {}}})
    else:
        name = "errors/fragment.html" if request.headers.get("HX-Request") else "errors/unavailable.html"
        response = make_response(_render_without_context(name, code=status, message=message))
    response.status_code = status
    response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_without_context(name: str, **context) -> str:
    """Render a template without the context processors (Flask-Login's loads the user from the database)."""
    template = current_app.jinja_env.get_template(name)
    return template.render(url_for=url_for, request=request, **context)


def is_outage(err: BaseException) -> bool:
    """Return True for a database failure that is an outage (not a bug in a query)."""
    if isinstance(err, DBAPIError):
        return bool(err.connection_invalidated) or type(err.orig).__name__ in OUTAGE_DRIVER_ERRORS
    return isinstance(err, OUTAGES)


# Driver error classes (psycopg 3, psycopg2, sqlite3) that say the database is unreachable, overloaded or timing out.
OUTAGE_DRIVER_ERRORS = frozenset(
    {"OperationalError", "InterfaceError", "ConnectionTimeout", "QueryCanceled", "AdminShutdown", "CannotConnectNow"}
)


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
        """Answer 503 for a database outage; otherwise log the failure and answer 500 without details."""
        if is_outage(err):
            app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, type(err).__name__)
            return outage_response()
        db.session.rollback()  # the page frame below loads the signed-in user: never on a failed transaction
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500)
