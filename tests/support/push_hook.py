"""A test server: the app exactly as `python wsgi.py` serves it, plus one test-only route that emits an event.

`POST /__test__/emit {"event": ..., "data": ...}` sends that Socket.IO event to every socket of this process, so a
browser test can feed live.js a `dashboard:panels` push (SPEC §6) through the real server before the server renders
pushes itself. Lives under tests/: the product never has this route.
"""

import os
import sys

if __name__ == "__main__":
    if os.environ.get("SOCKETIO_ASYNC_MODE", "gevent") == "gevent":
        from gevent import monkey

        monkey.patch_all()
    sys.path.insert(0, os.getcwd())

from flask import request  # noqa: E402

from nogalss_app import create_app  # noqa: E402
from nogalss_app.extensions import socketio  # noqa: E402

app = create_app()


@app.post("/__test__/emit")
def emit_for_test():
    """Emit the posted event to every socket of this process."""
    body = request.get_json()
    socketio.emit(body["event"], body["data"], namespace="/")
    return "", 204


if __name__ == "__main__":
    from nogalss_app.serve import serve

    serve(app, socketio)
