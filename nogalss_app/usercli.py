"""`flask create-user`: make an account from the command line (the first super admin)."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from .extensions import db
from .models import Cooperative, LeaderLink, Role, User, normalise_email
from .services import audit
from .services.passwords import hash_password, password_problem


@click.command("create-user")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The account's role.")
@click.option("--email", required=True, help="Sign-in email.")
@click.option("--cooperative", "regno", default=None, help="Registration number of the cooperative.")
@click.option("--first-name", default="Admin", show_default=True)
@click.option("--last-name", default="User", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(role, email, regno, first_name, last_name, password_stdin):
    """Create a user, prompting for the password (or reading it from stdin)."""
    role = Role(role)
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise click.ClickException("email already in use")
    coop = None
    if regno:
        coop = db.session.scalar(sa.select(Cooperative).where(Cooperative.registration_number == regno))
        if coop is None:
            raise click.ClickException(f"no cooperative with registration number {regno}")
    elif role in (Role.MEMBER, Role.LEADER, Role.COOPERATIVE):
        raise click.ClickException(f"--cooperative is required for {role.value}")
    if role is Role.LEADER and coop is not None and coop.leader_link is not None:
        raise click.ClickException("that cooperative already has a leader")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(f"password {problem}")
    user = User(email=email, first_name=first_name, last_name=last_name, role=role, is_verified=True,
                password_hash=hash_password(password), cooperative_id=coop.id if coop else None)
    db.session.add(user)
    db.session.flush()
    if role is Role.LEADER and coop is not None:
        db.session.add(LeaderLink(cooperative_id=coop.id, user_id=user.id))
    audit.record("user.create", "user", user.id, actor_id=None, after={"email": email, "role": role, "via": "cli"})
    db.session.commit()
    click.echo(f"Created {role.value} {email} (id {user.id}).")
