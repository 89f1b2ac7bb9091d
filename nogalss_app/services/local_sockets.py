"""Operations on this process's own sockets: disconnect a room's sockets, drop clients that stopped reading."""

from __future__ import annotations

import contextlib
import logging

from .. import metrics
from ..extensions import socketio

log = logging.getLogger(__name__)


def kick_local(rooms) -> int:
    """Disconnect this process's sockets in the rooms; return how many."""
    server = socketio.server
    if server is None:
        return 0
    count = 0
    for room in rooms:
        for sid, _eio_sid in list(server.manager.get_participants("/", room)):
            server.disconnect(sid, namespace="/", ignore_queue=True)
            count += 1
    return count


def drop_slow_sockets(limit: int) -> int:
    """Disconnect sockets whose send queue holds more than `limit` packets (a client that stopped reading)."""
    server = socketio.server
    if server is None or not limit:
        return 0
    dropped = 0
    for eio_sid, sock in list(server.eio.sockets.items()):
        if sock.closed or sock.queue.qsize() <= limit:
            continue
        log.info("dropping a socket that fell %d packets behind", sock.queue.qsize())
        metrics.SLOW_SOCKETS_DROPPED.inc()
        environ = server.environ.get(eio_sid) or {}
        try:
            sock.close(wait=False, abort=True)
        finally:
            _abort_transport(environ)
        dropped += 1
    return dropped


def _abort_transport(environ: dict) -> None:
    """Close the TCP connection under a socket, so a writer blocked on a client that stopped reading ends too."""
    import socket as socket_module

    candidates = []
    ws = environ.get("wsgi.websocket")
    if ws is not None:
        candidates += [getattr(getattr(ws, "handler", None), "socket", None), getattr(ws, "socket", None)]
    reader = environ.get("eventlet.input")
    if reader is not None and hasattr(reader, "get_socket"):
        candidates.append(reader.get_socket())
    for raw in candidates:
        if raw is None:
            continue
        with contextlib.suppress(OSError):
            raw.shutdown(socket_module.SHUT_RDWR)
