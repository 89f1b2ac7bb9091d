"""`python wsgi.py` with a memory probe, for bench/memory.py only (never imported by the product).

    MEMORY_PROBE_OUT=<file> [MEMORY_PROBE_TRACE=1] python -m bench.memory_probe [wsgi.py | bench/memory_bare.py]

Runs the given server script as `__main__` (the real app by default) after installing a SIGUSR1 handler: each
signal appends one JSON line to MEMORY_PROBE_OUT with the greenlets alive (how many, of what, their saved C
stacks), glibc malloc's in-use bytes and, with MEMORY_PROBE_TRACE=1 (tracemalloc on from the start), the Python
allocations (traced from the first signal on, so the server starts at full speed) and, from the second signal on,
the biggest differences from the first.
"""

from __future__ import annotations

import os
import sys

if os.environ.get("SOCKETIO_ASYNC_MODE", "gevent") == "gevent":
    from gevent import monkey

    monkey.patch_all()

import ctypes  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import runpy  # noqa: E402
import signal  # noqa: E402
import tracemalloc  # noqa: E402
from collections import Counter  # noqa: E402

TRACE = os.environ.get("MEMORY_PROBE_TRACE") == "1"
OUT = os.environ["MEMORY_PROBE_OUT"]
_first: dict = {}


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def _malloc_in_use() -> int | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
        return int(info.uordblks + info.hblkhd)
    except (OSError, AttributeError):
        return None


def _greenlets() -> dict:
    import greenlet

    found = [o for o in gc.get_objects() if isinstance(o, greenlet.greenlet)]
    kinds: Counter = Counter()
    for g in found:
        run = getattr(g, "_run", None) or getattr(g, "run", None)
        name = getattr(run, "__qualname__", None) or type(g).__name__
        kinds[f"{type(g).__name__}:{name}"] += 1
    return {
        "count": len(found),
        "stack_saved": sum(int(getattr(g, "_stack_saved", 0) or 0) for g in found),
        "kinds": dict(kinds.most_common(12)),
    }


def _tracemalloc() -> dict:
    if not tracemalloc.is_tracing():  # the first signal starts tracing: the diff is what was allocated since
        tracemalloc.start(10)
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap*")]
    )
    out: dict = {"traced": sum(s.size for s in snapshot.statistics("filename"))}
    if "snapshot" not in _first:
        _first["snapshot"] = snapshot
        return out
    base = _first["snapshot"]
    out["by_line"] = [
        {"where": str(s.traceback[0]), "size": s.size_diff, "count": s.count_diff}
        for s in snapshot.compare_to(base, "lineno")[:25]
    ]
    out["by_file"] = [
        {"where": s.traceback[0].filename, "size": s.size_diff, "count": s.count_diff}
        for s in snapshot.compare_to(base, "filename")[:15]
    ]
    out["by_stack"] = [
        {"where": [str(f) for f in s.traceback][:8], "size": s.size_diff, "count": s.count_diff}
        for s in snapshot.compare_to(base, "traceback")[:12]
    ]
    return out


def _pymalloc() -> dict:
    """Return pymalloc's arena statistics (sys._debugmallocstats writes them to the C stderr)."""
    import tempfile

    with tempfile.TemporaryFile() as captured:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        text = captured.read().decode(errors="replace")
    wanted = {
        "# bytes in allocated blocks": "allocated",
        "# bytes in available blocks": "available",
        "# bytes lost to pool headers": "pool_headers",
        "# bytes lost to quantization": "quantization",
        "# arenas allocated current": "arenas",
    }
    found = {}
    for line in text.splitlines():
        if " unused pools * " in line:  # emptied pools: resident if they were ever touched
            found["unused_pools"] = int(line.rsplit("=", 1)[1].strip().replace(",", ""))
        for label, key in wanted.items():
            if line.startswith(label):
                found[key] = int(line.rsplit("=", 1)[1].strip().replace(",", ""))
    return found


def _probe(*_args) -> None:
    gc.collect()
    report = {
        "greenlets": _greenlets(),
        "malloc_in_use": _malloc_in_use(),
        "gc_objects": len(gc.get_objects()),
        "pymalloc": _pymalloc(),
    }
    if TRACE:
        report["tracemalloc"] = _tracemalloc()
    with open(OUT, "a") as out:
        out.write(json.dumps(report) + "\n")


def main() -> None:
    script = sys.argv[1] if len(sys.argv) > 1 else "wsgi.py"
    signal.signal(signal.SIGUSR1, _probe)
    sys.argv = [script]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
