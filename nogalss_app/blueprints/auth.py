"""Sign in and out: HTML pages and the JSON API."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from ..extensions import db
from ..security import client_address, home_url_for, is_safe_next
from ..services.auth import authenticate, end_all_sessions
from ..services.connections import kick_user as disconnect_user
from ..services.errors import ServiceError, ValidationFailed

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    submit = SubmitField("Sign in")


def user_json(user) -> dict:
    """Return the public view of a user."""
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role.value,
        "cooperative_id": user.cooperative_id,
        "dashboard_url": home_url_for(user),
    }


def begin_session(user) -> None:
    """Sign the user in on a fresh session: nothing of the signed-out session survives, its CSRF secret included.

    A token someone planted or read before sign-in (session fixation, a cached form) is worthless afterwards.
    """
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's per-request cache
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign the user in."""
    next_url = request.values.get("next", "")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else home_url_for(current_user))
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, client=client_address(), config=current_app.config)
        except ServiceError as exc:
            error, status = exc.message, exc.status
        else:
            begin_session(user)
            return redirect(next_url if is_safe_next(next_url) else home_url_for(user))
    elif request.method == "POST":
        status = 422
    return render_template(
        "auth/login.html", form=form, error=error, next_url=next_url if is_safe_next(next_url) else ""
    ), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Sign out (POST with CSRF); a GET shows the confirmation button."""
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        return render_template("auth/logout.html")
    _sign_out()
    return redirect(url_for("auth.login"))


@bp.post("/api/auth/login")  # CSRF-exempt (security.CSRF_EXEMPT_ENDPOINTS): no session yet; Origin-checked
def api_login():
    """Sign in with JSON credentials; answer the user and a CSRF token for later writes."""
    _refuse_foreign_origin()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(
            "Send a JSON object with email and password.", {"email": "required", "password": "required"}
        )
    missing = {f: "required" for f in ("email", "password") if not isinstance(data.get(f), str) or not data[f]}
    if missing:
        raise ValidationFailed("Email and password are required.", missing)
    user = authenticate(data["email"], data["password"], client=client_address(), config=current_app.config)
    begin_session(user)
    return jsonify({"user": user_json(user), "csrf_token": generate_csrf()})


@bp.post("/api/auth/logout")
def api_logout():
    """Sign out the JSON session (CSRF header required)."""
    _sign_out()
    return jsonify({"ok": True})


def _sign_out() -> None:
    """End this user's sessions everywhere and clear this one."""
    if current_user.is_authenticated:
        user_id = current_user.id
        end_all_sessions(current_user)
        db.session.commit()
        disconnect_user(user_id)
    logout_user()


def _refuse_foreign_origin() -> None:
    """Refuse a browser login posted from another site."""
    origin = request.headers.get("Origin")
    if origin and origin != request.host_url.rstrip("/") and origin not in current_app.config["ALLOWED_ORIGINS"]:
        raise ServiceError("Cross-site sign-in refused.")
