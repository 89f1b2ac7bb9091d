"""Nogalss Live Dashboards: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_env, development_secret_key

from .extensions import csrf, db, login_manager, migrate, socketio


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class or config_from_env())
    app.config.update(overrides)
    finish_config(app)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_hooks(app)
    return app


def finish_config(app: Flask) -> None:
    """Refuse to start production without its secret or on SQLite (unless allowed); give development its secret."""
    config = app.config
    if config["ENV_NAME"] == "production":
        if not config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in the environment in production")
        if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not config["ALLOW_SQLITE_IN_PRODUCTION"]:
            raise RuntimeError("production runs on PostgreSQL (DATABASE_URL); ALLOW_SQLITE_IN_PRODUCTION=1 overrides")
    elif config["ENV_NAME"] == "development" and not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = development_secret_key()
    if "*" in config["ALLOWED_ORIGINS"]:
        raise RuntimeError("ALLOWED_ORIGINS may not contain '*'; list the origins")


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client address and scheme from their X-Forwarded-* headers.

    Only that many hops are believed (werkzeug's ProxyFix), so a client cannot forge its address to escape the
    sign-in and registration throttles; the Host is never taken from them (absolute links use PUBLIC_BASE_URL).
    """
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from . import (
        models,  # noqa: F401  (registers the tables)
        sockets,
    )
    from .services import passwords, push, realtime

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    passwords.configure(app.config)
    origins = app.config["ALLOWED_ORIGINS"] or [
        f"http://{app.config['HOST']}:{app.config['PORT']}",
        f"http://localhost:{app.config['PORT']}",
    ]
    socketio.init_app(
        app,
        path="/api/socket",
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        cors_allowed_origins=origins,
        client_manager=sockets.client_manager(app.config["REDIS_URL"], app.config["SOCKETIO_CHANNEL"]),
        max_http_buffer_size=16 * 1024,  # signals are tiny; a larger frame closes the connection
        manage_session=False,
    )
    sockets.register_handlers(app)
    realtime.init_app(app)
    push.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint (auth, public, payments, ops and one package per dashboard) and the id converter."""
    from .blueprints import all_blueprints
    from .blueprints.web import IdConverter, SafeRequest

    app.request_class = SafeRequest
    app.url_map.converters["id"] = IdConverter
    for blueprint in all_blueprints():
        app.register_blueprint(blueprint)


def register_hooks(app: Flask) -> None:
    """Install the login loader, security headers, template filters, error handlers and CLI."""
    from . import cli, security, templating
    from .errors import register_error_handlers

    security.init_app(app)
    templating.init_app(app)
    register_error_handlers(app)
    cli.init_app(app)
