"""A bare Flask-SocketIO app on the same stack as the product's server, for bench/memory.py's comparison.

    PORT=<port> python bench/memory_bare.py

gevent (monkey-patched), gevent's WSGI server with gevent-websocket's handler, Flask-SocketIO at /api/socket with
a connect handler that accepts everyone and keeps nothing: what one idle WebSocket connection costs the stack.
"""

import os

if __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO  # noqa: E402

app = Flask(__name__)
app.config["SECRET_KEY"] = "bare"
socketio = SocketIO(app, path="/api/socket", async_mode="gevent", cors_allowed_origins="*", manage_session=False)


@socketio.on("connect")
def on_connect(auth=None):
    return True


if __name__ == "__main__":
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    pywsgi.WSGIServer(
        ("127.0.0.1", int(os.environ["PORT"])), app, handler_class=WebSocketHandler, log=None
    ).serve_forever()
