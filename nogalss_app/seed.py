"""`flask seed-demo`: demo data built through the services."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Empty the database first.")
@click.option("--if-empty", is_flag=True, help="Do nothing when data already exists (used by make run).")
@with_appcontext
def seed_demo_command(reset, if_empty):
    """Create the demo data (refused in production and on a non-empty database without --reset)."""
    raise click.ClickException("not yet")
