"""gunicorn settings read automatically from the working directory (Procfile `web:`)."""


def post_worker_init(worker):
    """Start the worker's delivery loop, queue subscription and periodic jobs as soon as it has loaded the app."""
    import sys

    from nogalss_app.serve import bound_send_buffer, start_server_work

    if "gevent" in sys.modules:  # as wsgi.py does: no spawn-tree records (~4 KB per open socket)
        sys.modules["gevent"].config.track_greenlet_tree = False

    for listener in worker.sockets:
        bound_send_buffer(getattr(listener, "sock", listener))
    start_server_work(worker.wsgi)
