"""Super admin management pages for people: the users list (search, filters, paging, create, row and bulk
actions) and the edit page of one account (names, role, cooperative, status, delete with a confirm step).

Every page takes the outcome of the form posted to it (web.Outcome), so a refusal re-renders the same page with
the message, the field errors and what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ...models import Role
from ...services import records_search, users, users_status
from ...services.errors import ServiceError
from ...services.fields import id_or_text
from ..web import Outcome, refusal

PER_PAGE = 25
ACTIONS = ("activate", "deactivate", "verify", "unverify")
LIST_ARGS = ("q", "role", "is_active", "cooperative_id", "sort", "order", "page")
PAST = {"activate": "activated", "deactivate": "deactivated", "verify": "verified", "unverify": "unverified"}


def users_page(outcome: Outcome | None = None, args: Mapping[str, str] | None = None, **extra: Any):
    """Show the users list with search, filters, paging, the create form and row and bulk actions."""
    outcome = outcome or Outcome()
    args = {name: value for name, value in (request.args if args is None else args).items() if name in LIST_ARGS}
    result = users.list_users(args, per_page=PER_PAGE, lenient=True)
    filter_error = None
    if result.ignored:
        filter_error = "Some filters were not understood and were ignored: " + ", ".join(result.ignored)
    page_args = {k: v for k, v in args.items() if k != "page" and v}
    coops = records_search.cooperative_choices(limit=None)
    context = {
        "page_title": "Users",
        "result": result,
        "params": result.query,
        "args": args,
        "page_args": page_args,
        "roles": list(Role),
        "role_options": [(role.value, role.label) for role in Role],
        "coops": coops,
        "coop_names": dict(coops),
        "back": url_for("super_admin.people_users", **args),
        **outcome.context(),
        **extra,
    }
    if filter_error and outcome.error is None:
        context["form_error"] = filter_error
    status = 422 if filter_error and outcome.status == 200 else outcome.status
    return render_template("super_admin/users.html", **context), status


def back_to_list():
    """Return the users list the form came from (its filters), or the plain list."""
    back = request.form.get("back", "")
    base = url_for("super_admin.people_users")
    edit_prefix = base + "/"
    if back == base or back.startswith((base + "?", edit_prefix)) and "//" not in back and "\\" not in back:
        return back
    return base


def args_of(url: str) -> MultiDict:
    """Return the query arguments of a (same-site) URL."""
    return MultiDict(parse_qsl(urlsplit(url).query))


def create_user():
    """Create an account from the form; refusals show inline errors."""
    form = request.form
    data = {name: form.get(name, "") for name in ("first_name", "last_name", "email", "password", "role")}
    data.update(phone=form.get("phone") or None, cooperative_id=id_or_text(form.get("cooperative_id")))
    try:
        user = users.create_account(data, actor_id=current_user.id)
    except ServiceError as exc:
        return users_page(refusal(exc, form_id="new"), create_open=True)
    flash(f"Account created for {user.full_name} ({user.email}).", "success")
    return redirect(url_for("super_admin.people_users"), 303)


def user_action(user_id: int, action: str):
    """Activate, deactivate, verify or unverify one account, then go back to where the button was."""
    back = back_to_list()
    try:
        user = users_status.change_status(user_id, action, actor_id=current_user.id)
    except ServiceError as exc:
        if back.startswith(url_for("super_admin.people_users") + "/") and exc.status != 404:
            return edit_page(user_id, refusal(exc, form_id="status"))
        return users_page(refusal(exc, form_id="users"), args_of(back))
    flash(f"{user.full_name} {PAST[action]}.", "success")
    return redirect(back, 303)


def bulk_action():
    """Apply the chosen action to the ticked accounts (all or nothing)."""
    back = back_to_list()
    ids = [id_or_text(value) for value in request.form.getlist("ids")]
    try:
        result = users_status.bulk_change(request.form.get("action"), ids, actor_id=current_user.id)
    except ServiceError as exc:
        return users_page(refusal(exc, form_id="users"), args_of(back))
    word = PAST[result["action"]]
    note = f" ({len(result['unchanged'])} already {word})" if result["unchanged"] else ""
    flash(f"{len(result['changed'])} account(s) {word}{note}.", "success")
    return redirect(back, 303)


def edit_page(user_id: int, outcome: Outcome | None = None):
    """Show one account with its edit form, status buttons and the delete step."""
    outcome = outcome or Outcome()
    user = users.get_user(user_id)
    context = {
        "page_title": f"Edit {user.full_name}",
        "user": user,
        "role_options": [(role.value, role.label) for role in Role],
        "coops": records_search.cooperative_choices(limit=None),
        "back": url_for("super_admin.people_user", user_id=user.id),
        **outcome.context(),
    }
    return render_template("super_admin/user_edit.html", **context), outcome.status


def update_user(user_id: int):
    """Save names, phone, role and cooperative of one account."""
    form = request.form
    data = {name: form.get(name, "") for name in ("first_name", "last_name", "role")}
    data.update(phone=form.get("phone") or None, cooperative_id=id_or_text(form.get("cooperative_id")))
    try:
        user = users.update_user(user_id, data, actor_id=current_user.id)
    except ServiceError as exc:
        return edit_page(user_id, refusal(exc, form_id="account"))
    flash(f"Saved {user.full_name}.", "success")
    return redirect(url_for("super_admin.people_user", user_id=user_id), 303)


def delete_user(user_id: int):
    """Delete an account after the confirm step (refused for accounts with history)."""
    name = users.get_user(user_id).full_name
    try:
        users_status.delete_user(user_id, actor_id=current_user.id)
    except ServiceError as exc:
        return edit_page(user_id, refusal(exc, form_id="delete"))
    flash(f"Deleted the account of {name}.", "success")
    return redirect(url_for("super_admin.people_users"), 303)


def register(bp: Blueprint) -> None:
    """Add the users list and the account pages to the super admin blueprint."""
    bp.add_url_rule("/users", "people_users", users_page, methods=["GET"])
    bp.add_url_rule("/users", "people_create_user", create_user, methods=["POST"])
    bp.add_url_rule("/users/bulk", "people_bulk", bulk_action, methods=["POST"])
    bp.add_url_rule("/users/<id:user_id>", "people_user", edit_page, methods=["GET"])
    bp.add_url_rule("/users/<id:user_id>", "people_update_user", update_user, methods=["POST"])
    bp.add_url_rule("/users/<id:user_id>/delete", "people_delete_user", delete_user, methods=["POST"])
    bp.add_url_rule(
        "/users/<id:user_id>/<any(activate, deactivate, verify, unverify):action>",
        "people_user_action",
        user_action,
        methods=["POST"],
    )
