"""Operations endpoints: /healthz (database, queue) and /metrics (Prometheus text)."""

from __future__ import annotations

import ipaddress

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..errors import error_response
from ..extensions import db, deadline
from ..metrics import REGISTRY
from ..models import Role
from ..services.queue_link import link

bp = Blueprint("ops", __name__)


def _check_database() -> str:
    """Return 'ok' when SELECT 1 answers within HEALTHZ_TIMEOUT_SECONDS."""
    seconds = current_app.config.get("HEALTHZ_TIMEOUT_SECONDS", 2)
    try:
        with deadline(seconds, "the database"), db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text(f"SET LOCAL statement_timeout = {int(seconds * 1000)}"))
            conn.execute(sa.text("SELECT 1"))
    finally:
        db.session.remove()
    return "ok"


def _check_queue() -> str:
    """Return 'ok' when this process is subscribed to the queue and Redis answers; 'not configured' without one."""
    status = link.status()
    if status not in ("ok", "not configured"):
        raise QueueFailing(status)
    return status


class QueueFailing(Exception):
    """The queue check failed; the message says why."""


@bp.get("/healthz")
def healthz():
    """Report whether the database and the message queue answer (503 when one does not)."""
    checks: dict[str, str] = {}
    for name, check in (("database", _check_database), ("queue", _check_queue)):
        try:
            checks[name] = check()
        except QueueFailing as exc:
            checks[name] = str(exc)
        except Exception as exc:  # report the failure class only, never details
            checks[name] = f"failing ({type(exc).__name__})"
    healthy = all(value in ("ok", "not configured") for value in checks.values())
    return jsonify({"status": "ok" if healthy else "failing", **checks}), 200 if healthy else 503


@bp.get("/metrics")
def metrics():
    """Serve this process's Prometheus metrics to loopback scrapers and super admins."""
    if not (_from_loopback() or (current_user.is_authenticated and current_user.role is Role.SUPER_ADMIN)):
        return error_response(403)
    return Response(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)


def _from_loopback() -> bool:
    """Return True for requests from this machine."""
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
