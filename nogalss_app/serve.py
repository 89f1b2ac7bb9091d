"""Run the Socket.IO-capable development/embedded server (`python wsgi.py`)."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO


def serve(app: Flask, socketio: SocketIO) -> None:
    """Serve on HOST:PORT with the configured async mode, sized for many open dashboards."""
    host, port = app.config["HOST"], app.config["PORT"]
    mode = socketio.server.eio.async_mode
    kwargs: dict = {"host": host, "port": port, "allow_unsafe_werkzeug": mode == "threading"}
    if mode == "eventlet":
        # eventlet's defaults cap connections at 1,024 and the accept backlog at 50.
        import eventlet

        kwargs.update(max_size=10_000)
        eventlet.wsgi.MAX_HEADER_LINE = 16 * 1024
    app.logger.info("Serving on http://%s:%s (async mode %s)", host, port, mode)
    print(f" * Nogalss Live Dashboards on http://{host}:{port}  (async mode: {mode})", flush=True)
    socketio.run(app, log_output=False, **kwargs)
