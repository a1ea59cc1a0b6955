"""gunicorn for minxin (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Everything comes from the environment (/etc/minxin/minxin.env under systemd). A web process
keeps nothing on disk but the Prometheus files under MINXIN_VAR_DIR/prometheus."""

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

bind = os.environ.get("MINXIN_BIND", "unix:/run/minxin/gunicorn.sock")
# Two processes a core, a few threads each: pages wait on PostgreSQL more than on Python.
workers = int(os.environ.get("MINXIN_WEB_WORKERS", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("MINXIN_WEB_THREADS", "4"))
timeout = int(os.environ.get("MINXIN_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A process is replaced after this many requests (a slow leak never grows for ever), at
# staggered counts (the jitter) so that they are not all replaced at once. A backstop only: a
# process stays under its memory target without it (bench/README.md, "memory").
max_requests = int(os.environ.get("MINXIN_WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# The request lines are Django's own JSON lines (minxin.request): no access log here, which
# would carry query strings.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("MINXIN_GUNICORN_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("MINXIN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "minxin-web"

# Prometheus: each process writes its request figures to a file here, a scrape sums them.
_PROMETHEUS = Path(os.environ.get("MINXIN_VAR_DIR", "var")) / "prometheus"
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_PROMETHEUS))


# glibc's allocator (issue 17, bench/memory.py): by default each thread that allocates gets an
# arena of its own (up to 8 a core), and what a request freed in one stays there, so a process
# with threads grows with the requests it served. Two arenas, and what is free at the end of
# a request given back to the system (malloc_trim: a fraction of a millisecond). Set here, in
# the master, so that every forked worker has them.
_M_ARENA_MAX = -8
try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _LIBC.mallopt(_M_ARENA_MAX, 2)
    _LIBC.malloc_trim  # noqa: B018 - glibc: the trim below needs it
except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
    _LIBC = None


def post_request(worker, req, environ, resp):  # type: ignore[no-untyped-def]
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def on_starting(server):  # type: ignore[no-untyped-def]
    """A fresh directory at each start: figures of processes of an earlier run are gone."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
