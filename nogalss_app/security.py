"""Access rules in one place: who may open which dashboard, session loading, and security headers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, g, redirect, request, session, url_for
from flask_login import current_user

from .errors import error_response
from .extensions import csrf, db, login_manager
from .models import Cooperative, ParentOrganization, Role, User
from .services.api_tokens import user_for_token
from .services.errors import NotFound
from .services.fields import id_from_text
from .services.stats.scope import Scope

# Dashboard key → URL slug, title and the roles that may open it (SPEC §2).
DASHBOARDS: dict[str, dict] = {
    "super_admin": {"slug": "super-admin", "title": "Super admin", "roles": {Role.SUPER_ADMIN}},
    "finance": {"slug": "finance", "title": "Finance", "roles": {Role.FINANCE, Role.SUPER_ADMIN}},
    "apex_funds": {"slug": "apex-funds", "title": "Apex Funds", "roles": {Role.APEX_FUNDS, Role.SUPER_ADMIN}},
    "nogalss_funds": {
        "slug": "nogalss-funds",
        "title": "Nogalss Funds",
        "roles": {Role.NOGALSS_FUNDS, Role.SUPER_ADMIN},
    },
    "apex": {"slug": "apex", "title": "Apex", "roles": {Role.APEX, Role.SUPER_ADMIN}},
    "leader": {"slug": "leader", "title": "Leader", "roles": {Role.LEADER, Role.SUPER_ADMIN}},
    "member": {"slug": "member", "title": "Member", "roles": {Role.MEMBER, Role.SUPER_ADMIN}},
    "cooperative": {"slug": "cooperative", "title": "Cooperative", "roles": {Role.COOPERATIVE, Role.SUPER_ADMIN}},
    "parent_org": {
        "slug": "parent-organization",
        "title": "Parent organization",
        "roles": {Role.PARENT_ORGANIZATION, Role.SUPER_ADMIN},
    },
}

# Each role's own dashboard.
HOME_DASHBOARD: dict[Role, str] = {
    Role.SUPER_ADMIN: "super_admin",
    Role.FINANCE: "finance",
    Role.APEX_FUNDS: "apex_funds",
    Role.NOGALSS_FUNDS: "nogalss_funds",
    Role.APEX: "apex",
    Role.LEADER: "leader",
    Role.MEMBER: "member",
    Role.COOPERATIVE: "cooperative",
    Role.PARENT_ORGANIZATION: "parent_org",
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def home_url_for(user: User) -> str:
    """Return the URL of the user's own dashboard."""
    key = HOME_DASHBOARD.get(user.role)
    return url_for(f"{key}.index") if key else url_for("main.summary")


def dashboards_open_to(role: Role) -> list[str]:
    """Return the dashboard keys a role may open."""
    return [key for key, spec in DASHBOARDS.items() if role in spec["roles"]]


def is_safe_next(target: str | None) -> bool:
    """Allow only same-site relative paths as a post-login destination."""
    if not target or len(target) > 2000:
        return False
    decoded = unquote(target)  # judge the decoded form too: /%2F%2Fevil or encoded CR/LF are refused
    for candidate in (target, decoded):
        if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
            return False
        if "\\" in candidate or any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate):
            return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def client_address() -> str:
    """Return the client's address as seen by this server (ProxyFix sets it behind a trusted proxy)."""
    return (request.remote_addr or "unknown")[:64]


def require_roles(roles: Iterable[Role]) -> Callable[[], object]:
    """Return a before_request guard: 401 when signed out, 403 when the role may not enter."""
    allowed = frozenset(roles)

    def guard():
        """Refuse the request unless the signed-in user has an allowed role."""
        if not current_user.is_authenticated:
            return deny_anonymous()
        if current_user.role not in allowed:
            return error_response(403)
        return None

    return guard


def deny_anonymous():
    """Send a signed-out browser to the login page; answer 401 to scripts and htmx."""
    if request.path.startswith("/api/") or request.headers.get("HX-Request"):
        return error_response(401)
    target = request.full_path.rstrip("?")
    if session.get("_user_id"):  # a session that ended under this browser: say why instead of a bare login form
        return redirect(url_for("main.signed_out", next=target))
    return redirect(url_for("auth.login", next=target))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the session's user; a stale session version or an inactive account signs out."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or str(user.session_version) != version:
        return None
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    """Handle login_required failures like the role guards do."""
    return deny_anonymous()


def _security_headers(response):
    """Add the CSP and the usual hardening headers to every response."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/") or request.headers.get("HX-Request"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _refuse_non_json_writes():
    """JSON API writes must send JSON (415 otherwise)."""
    if (
        request.path.startswith("/api/")
        and request.method in {"POST", "PUT", "PATCH"}
        and request.content_length
        and not request.is_json
    ):
        abort(415)


# API blueprints that accept writes from signed-out callers (these keep their CSRF check).
PUBLIC_API_BLUEPRINTS = frozenset({"auth", "api_registration", "api_payments"})

# Writes that need no CSRF token: JSON sign-in (no session yet; Origin-checked) and the signed gateway webhook.
CSRF_EXEMPT_ENDPOINTS = frozenset({"auth.api_login", "api_payments.webhook", "api_payments.verify_callback"})


def _bearer_token() -> str | None:
    """Return the bearer token of the request, if any."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else None


def _authenticate_bearer():
    """Act as a token's owner for /api/ requests with `Authorization: Bearer`; a bad token is 401."""
    secret = _bearer_token()
    if secret is None:
        return None
    if not request.path.startswith("/api/"):
        return error_response(401, "Bearer tokens are accepted by the JSON API only.")
    user = user_for_token(secret)
    if user is None:
        return error_response(401, "Invalid or revoked API token.")
    g._login_user = user  # Flask-Login's current user for this request only; the session is not touched
    g.bearer_authenticated = True
    return None


def _csrf_guard():
    """Require the CSRF token on every write, except token-authenticated API calls and the listed endpoints."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return None
    if g.get("bearer_authenticated") or request.endpoint in CSRF_EXEMPT_ENDPOINTS:
        return None
    if (
        request.path.startswith("/api/")
        and request.blueprint not in PUBLIC_API_BLUEPRINTS
        and not current_user.is_authenticated
    ):
        return None  # nothing to forge without a session: the role guard answers 401
    csrf.protect()
    return None


def init_app(app: Flask) -> None:
    """Install the session loader settings and the request/response hooks."""
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # _csrf_guard decides, after bearer authentication
    app.before_request(_authenticate_bearer)
    app.before_request(_csrf_guard)
    app.before_request(_refuse_non_json_writes)
    app.after_request(_security_headers)


def resolve_scope(dashboard: str, user: User, args) -> Scope | None:
    """Return the scope of a dashboard for this viewer; None when a super admin must first choose.

    Leaders and cooperative logins always see their own cooperative, members themselves and organization logins
    their organization, whatever the query says. A super admin names the cooperative (`?cooperative=`), member
    (`?member=`) or organization (`?organization=`); an unknown one is a 404.
    """
    if dashboard == "leader":
        if user.role is Role.LEADER:
            return Scope(user.id, user.role, cooperative_id=user.cooperative_id)
        coop_id = _int_arg(args, "cooperative")
        if coop_id is None:
            return None
        if db.session.get(Cooperative, coop_id) is None:
            raise NotFound("No such cooperative.")
        return Scope(user.id, user.role, cooperative_id=coop_id)
    if dashboard == "cooperative":
        if user.role is Role.COOPERATIVE:
            return Scope(user.id, user.role, cooperative_id=user.cooperative_id)
        return _chosen_cooperative(user, args)
    if dashboard == "parent_org":
        return _organization_scope(user, args)
    if dashboard == "member":
        if user.role is Role.MEMBER:
            return Scope(user.id, user.role, member_id=user.id, cooperative_id=user.cooperative_id)
        member_id = _int_arg(args, "member")
        if member_id is None:
            return None
        member = db.session.get(User, member_id)
        if member is None or member.role not in (Role.MEMBER, Role.LEADER):
            raise NotFound("No such member.")
        return Scope(user.id, user.role, member_id=member.id, cooperative_id=member.cooperative_id)
    return Scope(user.id, user.role)


def _chosen_cooperative(user: User, args) -> Scope | None:
    """Return the scope of the cooperative a super admin chose (`?cooperative=`); None before a choice."""
    coop_id = _int_arg(args, "cooperative")
    if coop_id is None:
        return None
    if db.session.get(Cooperative, coop_id) is None:
        raise NotFound("No such cooperative.")
    return Scope(user.id, user.role, cooperative_id=coop_id)


def _organization_scope(user: User, args) -> Scope | None:
    """Return a parent organization's scope: its own login's, or the one a super admin chose (`?organization=`)."""
    if user.role is Role.PARENT_ORGANIZATION:
        if user.parent_organization_id is None:
            raise NotFound("This login belongs to no parent organization.")
        return Scope(user.id, user.role, organization_id=user.parent_organization_id)
    org_id = _int_arg(args, "organization")
    if org_id is None:
        return None
    if db.session.get(ParentOrganization, org_id) is None:
        raise NotFound("No such parent organization.")
    return Scope(user.id, user.role, organization_id=org_id)


def _int_arg(args, name: str) -> int | None:
    """Return a positive integer query argument, None when absent; a malformed one is a 404."""
    raw = args.get(name)
    if raw in (None, ""):
        return None
    found = id_from_text(raw)
    if found is None:  # not an id, or beyond any row's: nothing to show
        raise NotFound("Not found.")
    return found
