"""Flask CLI commands: seed-demo, create-user, notify."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Empty the database first.")
@click.option("--if-empty", is_flag=True, help="Do nothing when data already exists (used by make run).")
@with_appcontext
def seed_demo_command(reset: bool, if_empty: bool) -> None:
    """Create the demo data (refused in production, and on a non-empty database without --reset)."""
    from .seed import seed_demo  # imported on use: it pulls in every service
    from .services import realtime

    realtime.outside_server(current_app)
    seed_demo(reset, if_empty)


@click.command("notify")
@click.argument("event_name", metavar="EVENT")
@click.option("--topics", required=True, help="Comma-separated topics, e.g. loans,transactions.")
@click.option("--coop", "coop_id", type=int, default=None, help="Also tell this cooperative's room.")
@click.option("--user", "user_id", type=int, default=None, help="Also tell this user's room.")
@click.option("--role", "roles", multiple=True, help="Also tell this role's room (repeatable).")
@with_appcontext
def notify_command(event_name: str, topics: str, coop_id: int | None, user_id: int | None, roles) -> None:
    """Send a change signal from outside the web process (through the message queue when configured)."""
    from .services import realtime
    from .services.stats.panel import TOPICS

    realtime.outside_server(current_app)
    names = [t.strip() for t in topics.split(",") if t.strip()]
    unknown = sorted(set(names) - TOPICS)
    if not names or unknown:
        raise click.ClickException(f"unknown or missing topics: {', '.join(unknown) or '(none)'}")
    rooms = realtime.rooms_for(roles=roles, coop_ids=[coop_id], user_ids=[user_id])
    row = realtime.notify(event_name[:64], names, rooms=rooms, summary=f"Signal {event_name} sent from the CLI")
    realtime.commit()
    how = (
        "through the message queue"
        if current_app.config.get("REDIS_URL")
        else "by the running server within about a second"
    )
    click.echo(f"Recorded {event_name} (v={row.id}) for {', '.join(rooms)}; delivered {how}.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    from .usercli import create_user_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(notify_command)
    app.cli.add_command(create_user_command)
