"""Run the Socket.IO-capable server of `make run` (`python wsgi.py`) under the configured async mode."""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

# Bursts of reconnecting dashboards (after a restart) must not overflow the accept queue.
BACKLOG = 1024
MAX_CONNECTIONS = 10_000
# Kernel send buffer per connection (accepted sockets inherit it from the listener). Left to autotuning, a client
# that stops reading holds up to 4 MB in the kernel before the per-socket queue bound (REALTIME_CLIENT_QUEUE_MAX)
# even sees it fall behind; 256 KB is ample for signals and fragments.
SEND_BUFFER_BYTES = 256 * 1024


def bound_send_buffer(listener) -> None:
    """Cap the kernel send buffer of the connections a listening socket accepts."""
    import socket

    listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)


def start_server_work(app: Flask) -> None:
    """Start what a server process runs beside requests: delivery, the queue subscription, the periodic jobs.

    Called when the process starts (here for `python wsgi.py`, by gunicorn.conf.py's post_worker_init under
    gunicorn), not on the first socket connect: rows left unsent by a previous run go out with no client connected.
    """
    from .extensions import socketio
    from .services import jobs, realtime

    if realtime.start_server_work(app) and app.config.get("JOBS_IN_SERVER", True):
        socketio.start_background_task(jobs.loop, app, socketio.sleep)


def serve(app: Flask, socketio: SocketIO) -> None:
    """Serve on HOST:PORT, sized for many open dashboards."""
    host, port = app.config["HOST"], app.config["PORT"]
    mode = socketio.server.eio.async_mode
    print(f" * Nogalss Live Dashboards on http://{host}:{port}  (async mode: {mode})", flush=True)
    start_server_work(app)
    if mode == "gevent":
        _serve_gevent(app, host, port)
    elif mode == "eventlet":
        _serve_eventlet(app, host, port)
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)


def _serve_gevent(app: Flask, host: str, port: int) -> None:
    """gevent's WSGI server with gevent-websocket (the measured fastest fan-out)."""
    import io

    from gevent import pywsgi
    from gevent.server import _tcp_listener
    from geventwebsocket.handler import WebSocketHandler

    read_buffer = app.config["SERVER_READ_BUFFER_BYTES"]

    class Handler(WebSocketHandler):
        """gevent-websocket's handler reading through a smaller buffer (SERVER_READ_BUFFER_BYTES).

        gevent's default is io's 8 KB per connection, held while it is open: for an idle dashboard socket, which
        only reads pings and small events, an eighth of its memory (bench/README.md, "Memory per idle connection").
        """

        def __init__(self, sock, address, server) -> None:
            super().__init__(sock, address, server)
            if read_buffer != io.DEFAULT_BUFFER_SIZE:
                self.rfile.close()  # nothing read yet: the socket stays open, only this reader goes
                self.rfile = sock.makefile("rb", read_buffer)

    listener = _tcp_listener((host, port), backlog=BACKLOG, reuse_addr=True)
    bound_send_buffer(listener)
    server = pywsgi.WSGIServer(listener, app, handler_class=Handler, log=None)
    server.serve_forever()


def _serve_eventlet(app: Flask, host: str, port: int) -> None:
    """eventlet's WSGI server, avoiding its defaults' traps.

    Its defaults cap connections at 1,024 and the accept backlog at 50. And with HTTP keep-alive on, a
    browser that leaves a page while its Socket.IO connection and panel requests are in flight was seen to get
    no answer for requests it then sent on reused connections (panels stuck loading, reproduced about half the
    time in Chromium; gevent is not affected) — so each response closes its connection here.
    """
    import eventlet
    from eventlet import wsgi

    listener = eventlet.listen((host, port), backlog=BACKLOG)
    bound_send_buffer(listener)
    wsgi.server(listener, app, max_size=MAX_CONNECTIONS, keepalive=False, log_output=False)
