"""`GET /api/openapi.json` (SPEC §5): an OpenAPI 3.1 document of every JSON endpoint, generated from the code.

Paths, methods, path parameters (from the URL converters) and summaries (the views' docstrings) come from the
app's URL map; bodies, query parameters and success statuses from the declarations in `schemas.py`; every
operation answers errors in the one error shape. Served to signed-in users (session or API token).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from flask_login import current_user

from ...security import deny_anonymous
from ..web import IDEMPOTENCY_HEADER
from .schemas import ID, OPERATIONS, Op

bp = Blueprint("api_docs", __name__, url_prefix="/api")

ERROR_STATUSES = {
    "400": "Malformed request (bad JSON, missing CSRF token)",
    "401": "Not signed in",
    "403": "This role may not do this",
    "404": "No such record (or not yours to see)",
    "405": "Method not allowed",
    "409": "State or uniqueness conflict",
    "413": "Body too large",
    "415": "Not JSON",
    "422": "Validation failed (see fields)",
    "429": "Too many attempts",
    "503": "Database or queue unavailable",
}
ERROR_SHAPE = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
SECURITY_SCHEMES = {
    "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "Signed-in session cookie"},
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": "CSRF token of the session (from POST /api/auth/login); required on writes with a session",
    },
    "bearer": {"type": "http", "scheme": "bearer", "description": "API token created by a super admin; no CSRF"},
}
_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


@bp.get("/openapi.json")
def openapi():
    """Answer the OpenAPI 3.1 document of the JSON API (signed-in users)."""
    if not current_user.is_authenticated:
        return deny_anonymous()
    return jsonify(document(current_app))


def document(app: Flask) -> dict[str, Any]:
    """Build the OpenAPI document from the app's URL map and the declared operations."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/") or rule.endpoint == "static":
            continue
        path, parameters = _path_of(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            view = app.view_functions[rule.endpoint]
            operation = _operation(rule.endpoint, method, view, OPERATIONS.get(rule.endpoint, Op()), parameters)
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Nogalss Live Dashboards API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SHAPE},
            "securitySchemes": SECURITY_SCHEMES,
            "responses": {
                status: {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                for status, text in ERROR_STATUSES.items()
            },
        },
        "security": [{"session": [], "csrf": []}, {"bearer": []}],
    }


def _path_of(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the OpenAPI path of a werkzeug rule and its path parameters."""
    parameters = []

    def replace(match: re.Match) -> str:
        converter, name = match.group("converter"), match.group("name")
        if converter == "id":
            schema: dict[str, Any] = dict(ID)
        elif converter == "any":
            schema = {"type": "string", "enum": [part.strip() for part in match.group("args").split(",")]}
        elif converter == "int":
            schema = {"type": "integer"}
        else:
            schema = {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return _ARGUMENT.sub(replace, rule), parameters


def _operation(endpoint: str, method: str, view, op: Op, path_parameters: list) -> dict[str, Any]:
    """Build one operation: summary, parameters, body, responses, security."""
    doc = (view.__doc__ or endpoint).strip().splitlines()[0]
    parameters = list(path_parameters) + [
        {"name": name, "in": "query", "required": False, "schema": schema} for name, schema in op.query.items()
    ]
    if getattr(view, "idempotent", False):
        parameters.append(
            {
                "name": IDEMPOTENCY_HEADER,
                "in": "header",
                "required": False,
                "description": "Retries with the same key (same user, 24 h) get the first answer and create nothing",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
            }
        )
    operation: dict[str, Any] = {
        "operationId": f"{endpoint}.{method.lower()}",
        "summary": doc,
        "parameters": parameters,
    }
    if op.body is not None and method in ("POST", "PUT", "PATCH"):
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
    operation["responses"] = _responses(op)
    if op.public:
        operation["security"] = [{}, {"session": [], "csrf": []}, {"bearer": []}]
    return operation


def _responses(op: Op) -> dict[str, Any]:
    """Return the documented answers: the success (or redirect) and every error in the error shape."""
    responses: dict[str, Any] = {ref: {"$ref": f"#/components/responses/{ref}"} for ref in ERROR_STATUSES}
    if op.redirect:
        responses["302"] = {"description": "Redirect to the payment's outcome page"}
        responses["303"] = {"description": "Redirect to the payment's outcome page"}
    elif op.status == 204:
        responses["204"] = {"description": "Done (no body)"}
    else:
        schema = op.success or {"type": "object"}
        content = {kind: {"schema": schema if kind == "application/json" else {}} for kind in op.produces}
        responses[str(op.status)] = {"description": "Success", "content": content}
    return responses


def blueprints() -> list[Blueprint]:
    """Return this area's blueprints."""
    return [bp]
