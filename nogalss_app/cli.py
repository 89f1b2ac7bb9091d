"""Flask CLI commands: seed-demo, create-user, notify."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Empty the database first.")
@click.option("--if-empty", is_flag=True, help="Do nothing when data already exists (used by make run).")
@with_appcontext
def seed_demo_command(reset: bool, if_empty: bool) -> None:
    """Create the demo data (refused in production, and on a non-empty database without --reset)."""
    from .seed import seed_demo  # imported on use: it pulls in every service

    seed_demo(reset, if_empty)


def init_app(app: Flask) -> None:
    """Register the commands."""
    from .usercli import create_user_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
