"""The demo data of `flask seed-demo`, built in a test's database, and a way to sign in as its people."""

from __future__ import annotations

import random

import sqlalchemy as sa
from flask import current_app

from nogalss_app import seed
from nogalss_app.extensions import db
from nogalss_app.models import User
from nogalss_app.models.types import utcnow
from nogalss_app.services import passwords

from .client import sign_in


def seed_demo_data() -> None:
    """Run the demo seed plan (twelve months of history ending now) in the current database."""
    password = current_app.config["DEMO_PASSWORD"]
    plan = seed.build_plan(password, utcnow(), random.Random(2026))
    with passwords.reusing_hash_of(password):
        for when, _, _, action in plan.steps:
            action(when)
    seed.mark_history_delivered()


def demo_user(local: str) -> User:
    """Return the demo account `<local>@<demo domain>`."""
    return db.session.scalars(sa.select(User).where(User.email == seed.demo_email(local))).one()


def sign_in_demo(client, local: str) -> User:
    """Sign a client in as a demo account and return the user."""
    user = demo_user(local)
    sign_in(client, user, current_app.config["DEMO_PASSWORD"])
    return user
