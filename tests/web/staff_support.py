"""Helpers of the staff mutation tests (finance, apex, leader, notifications): requests and recorded changes."""

from __future__ import annotations

import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import ChangeLog, Notification, Role
from tests import factories
from tests.services.test_balances import add_loan, add_withdrawal, saver

__all__ = ["add_loan", "add_withdrawal", "saver"]

# Naira text the forms refuse (BAD_INPUTS rows 1-4), with the message shown next to the field.
BAD_NAIRA = [
    ("100.005", "at most 2 decimal places"),
    ("1e3", "use only the digits 0-9"),
    ("1_000", "use only the digits 0-9"),
    ("+5", "without a + or - sign"),
    ("-5000", "without a + or - sign"),
    ("0x10", "use only the digits 0-9"),
    ("NaN", "use only the digits 0-9"),
    ("Infinity", "use only the digits 0-9"),
    ("１２３", "use only the digits 0-9"),
    ("١٢٣", "use only the digits 0-9"),
    ("", "enter an amount"),
    ("0", "greater than zero"),
    ("9" * 25, "too large"),
    ("200,000,000", "must not exceed"),
]


def send(client, method: str, url: str, json=None, *, csrf: bool = True):
    """Send a JSON request with the client's CSRF header (or none, csrf=False)."""
    headers = {"X-CSRFToken": client.csrf_token} if csrf else {}
    return client.open(url, method=method, json=json, headers=headers)


def post_form(client, url: str, data: dict | None = None, *, csrf: bool = True):
    """Post a panel form as htmx does (form fields + the hidden CSRF token)."""
    fields = dict(data or {})
    if csrf:
        fields["csrf_token"] = client.csrf_token
    return client.post(url, data=fields, headers={"HX-Request": "true"})


def last_v() -> int:
    """Return the newest ChangeLog id (0 when none)."""
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.max(ChangeLog.id))) or 0


def changes_after(v: int) -> list[tuple[str, list, list]]:
    """Return (event, topics, rooms) of the change signals recorded after `v`, oldest first."""
    db.session.rollback()
    rows = db.session.scalars(sa.select(ChangeLog).where(ChangeLog.id > v).order_by(ChangeLog.id))
    return [(row.event, row.topics, row.rooms) for row in rows]


def only_change(v: int, event: str) -> tuple[list, list]:
    """Return (topics, rooms) of the one change with this event recorded after `v`."""
    found = [(topics, rooms) for name, topics, rooms in changes_after(v) if name == event]
    assert len(found) == 1, f"expected one {event!r} change, got {changes_after(v)}"
    return found[0]


def notify(user, title: str = "Hello", *, read: bool = False) -> Notification:
    """Insert an in-app notification for the user."""
    row = Notification(user_id=user.id, title=title, body=f"{title} body", is_read=read)
    db.session.add(row)
    db.session.commit()
    return row


def cooperative_pair():
    """Return (leader, borrower) of one cooperative; the borrower saved long enough to borrow."""
    leader = factories.user(role=Role.LEADER, first_name="Chidi", last_name="Okafor")
    member = saver(10_000_00, cooperative_id=leader.cooperative_id, first_name="Ada", last_name="Obi")
    return leader, member


def refresh(row):
    """Return the row as the database holds it now."""
    db.session.rollback()
    return db.session.get(type(row), row.id)


def text(response) -> str:
    """Return the response body as text."""
    return response.get_data(as_text=True)
