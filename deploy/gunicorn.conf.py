"""gunicorn for minxin (docs/deploy.md): `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Everything comes from the environment (/etc/minxin/minxin.env under systemd). A web process
keeps nothing on disk but the Prometheus files under MINXIN_VAR_DIR/prometheus."""

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
# A process is replaced after this many requests (a slow leak never grows for ever).
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


def on_starting(server):  # type: ignore[no-untyped-def]
    """A fresh directory at each start: figures of processes of an earlier run are gone."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
