"""`flask create-user`: make an account from the command line (the first super admin)."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from .extensions import db
from .models import Cooperative, ParentOrganization, Role, User, normalise_email
from .services.accounts import create_user
from .services.errors import ServiceError


@click.command("create-user")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The account's role.")
@click.option("--email", required=True, help="Sign-in email.")
@click.option("--cooperative", "regno", default=None, help="Registration number of the cooperative.")
@click.option("--organization", "org_regno", default=None, help="Registration number of the parent organization.")
@click.option("--first-name", default="Admin", show_default=True)
@click.option("--last-name", default="User", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(role, email, regno, org_regno, first_name, last_name, password_stdin):
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
    org = None
    if org_regno:
        org = db.session.scalar(
            sa.select(ParentOrganization).where(ParentOrganization.registration_number == org_regno)
        )
        if org is None:
            raise click.ClickException(f"no parent organization with registration number {org_regno}")
    elif role is Role.PARENT_ORGANIZATION:
        raise click.ClickException("--organization is required for PARENT_ORGANIZATION")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            email=email,
            password=password,
            role=role,
            first_name=first_name,
            last_name=last_name,
            cooperative_id=coop.id if coop else None,
            parent_organization_id=org.id if org else None,
        )
    except ServiceError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} {details}".strip()) from None
    click.echo(f"Created {role.value} {email} (id {user.id}).")
