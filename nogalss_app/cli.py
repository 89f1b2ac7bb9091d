"""Flask CLI commands: seed-demo, create-user, notify."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the commands."""
    from .seed import seed_demo_command
    from .usercli import create_user_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
