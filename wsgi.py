"""WSGI entry point (`gunicorn wsgi:app`, `flask --app wsgi ...`) and the `make run` server (`python wsgi.py`)."""

import os

if __name__ == "__main__":
    # Patch the standard library before anything else imports it, for the chosen green library only.
    _mode = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
    if _mode == "gevent":
        import gevent
        from gevent import monkey

        # Greenlets need not record who spawned them and from where (a debugging aid, gevent.util's spawn tree):
        # each open socket has three greenlets, and the records cost ~4 KB per socket (bench/README.md).
        gevent.config.track_greenlet_tree = False
        monkey.patch_all()
    elif _mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()

from nogalss_app import create_app  # noqa: E402
from nogalss_app.extensions import socketio  # noqa: E402

app = create_app()

if __name__ == "__main__":
    from nogalss_app.serve import serve

    serve(app, socketio)
