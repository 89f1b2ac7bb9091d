"""Flask CLI commands: seed-demo, create-user, notify, jobs."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .extensions import db
from .models import ChangeLog
from .services import jobs, realtime
from .services.queue_link import QueueUnavailable, link


@click.command("seed-demo")
@click.option("--reset", is_flag=True, help="Empty the database first.")
@click.option("--if-empty", is_flag=True, help="Do nothing when data already exists (used by make run).")
@with_appcontext
def seed_demo_command(reset: bool, if_empty: bool) -> None:
    """Create the demo data (refused in production, and on a non-empty database without --reset)."""
    from .seed import seed_demo  # imported on use: it pulls in every service

    realtime.outside_server(current_app)
    seed_demo(reset, if_empty)


@click.command("notify")
@click.argument("event_name", metavar="EVENT")
@click.option("--topics", required=True, help="Comma-separated topics, e.g. loans,transactions.")
@click.option("--coop", "coop_id", type=int, default=None, help="Also tell this cooperative's room.")
@click.option("--user", "user_id", type=int, default=None, help="Also tell this user's room.")
@click.option("--role", "roles", multiple=True, help="Also tell this role's room (repeatable).")
@click.option("--wait", "wait_seconds", type=float, default=5.0, show_default=True, help="Seconds to wait.")
@with_appcontext
def notify_command(event_name: str, topics: str, coop_id: int | None, user_id: int | None, roles, wait_seconds) -> None:
    """Send a change signal from outside the web process; exit 1 unless a server process sent it."""
    from .services.stats.panel import TOPICS

    realtime.outside_server(current_app)
    names = [t.strip() for t in topics.split(",") if t.strip()]
    unknown = sorted(set(names) - TOPICS)
    if not names or unknown:
        raise click.ClickException(f"unknown or missing topics: {', '.join(unknown) or '(none)'}")
    rooms = realtime.rooms_for(roles=roles, coop_ids=[coop_id], user_ids=[user_id])
    try:
        row = realtime.notify(event_name[:64], names, rooms=rooms, summary=f"Signal {event_name} sent from the CLI")
        db.session.commit()
    except sa.exc.SQLAlchemyError as exc:
        message = f"the database is unavailable ({type(exc).__name__}); nothing was recorded"
        raise click.ClickException(message) from None
    queue = _wake_servers()
    if _wait_until_sent(row.id, wait_seconds):
        click.echo(f"Delivered {event_name} (v={row.id}) to {', '.join(rooms)}: a server process sent it ({queue}).")
        return
    raise click.ClickException(
        f"recorded {event_name} (v={row.id}) but no server process sent it within {wait_seconds:g} s ({queue}); "
        "it stays in the ChangeLog and goes out as soon as a server runs"
    )


def _wake_servers() -> str:
    """Announce the new row on the queue; describe what happened."""
    if not link.configured:
        return "no message queue: the servers read the ChangeLog by themselves"
    try:
        receivers = link.publish("changelog")
    except QueueUnavailable as exc:
        return f"{exc}; the servers read the ChangeLog by themselves"
    return f"the message queue reached {receivers} subscriber(s)"


def _wait_until_sent(row_id: int, seconds: float) -> bool:
    """Wait until a server stamps the row emitted."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with db.engine.connect() as conn:
                if conn.scalar(sa.select(ChangeLog.emitted_at).where(ChangeLog.id == row_id)) is not None:
                    return True
        except sa.exc.SQLAlchemyError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


jobs_group = AppGroup("jobs", help="Periodic jobs (ChangeLog pruning, ...).")


@jobs_group.command("run-once")
@click.argument("names", nargs=-1)
def jobs_run_once_command(names) -> None:
    """Run every periodic job (or the named ones) once, for an external scheduler; exit 1 if one failed."""
    unknown = sorted(set(names) - set(jobs.JOBS))
    if unknown:
        raise click.ClickException(f"unknown jobs: {', '.join(unknown)} (known: {', '.join(jobs.JOBS)})")
    realtime.outside_server(current_app)
    results = jobs.run_once(current_app._get_current_object(), list(names) or None)
    for name, summary in results.items():
        click.echo(f"{name}: {summary}")
    if any(summary.startswith("failed") for summary in results.values()):
        raise SystemExit(1)


@jobs_group.command("list")
def jobs_list_command() -> None:
    """List the periodic jobs and how often a server runs them."""
    for job in jobs.JOBS.values():
        click.echo(f"{job.name}: every {job.interval(current_app.config):g} s")


def init_app(app: Flask) -> None:
    """Register the commands."""
    from .usercli import create_user_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(notify_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(jobs_group)
