"""Intake throughput side by side with its peer and the framework's floor, and the triage lag
behind it (issue 17).

    .venv/bin/python bench/intake.py [--seconds 15] [--connections 8] [--rounds 2]

What runs, each on the loopback behind gunicorn (4 processes, 1 thread each, the same for all),
each on its own PostgreSQL database, loaded by wrk -t2 -c8 for `--seconds`:

- **floor**: a bare Django 5.2 view that makes one ORM insert (the framework's floor);
- **helpdesk**: django-helpdesk 2.6.1's public ticket form (the peer);
- **citizen**: minxin's citizen form (`/appeal/new/`), a new citizen (no session) each time;
- **open311**: minxin's Open311 POST (`/open311/v2/requests.json`) with an API key.

The two peers are built from PyPI in their own virtualenv (var/bench-peers, made once, about
a minute). minxin runs from this checkout with production settings (config.settings.prod),
rate limits off, plain HTTP on the loopback, and one background worker (`db_worker`, the
embedded task backend) beside it, as a single box runs it. Every request sends different
words and a different phone (a repeated form would be answered with the first receipt).
The rounds interleave the four paths (floor, helpdesk, citizen, open311, then again), so that
the drift of a shared machine falls on all of them.

Printed per run: requests/s, p99 (ms), responses that were neither 2xx nor 3xx, and the CPU
other processes used meanwhile (all CPU time in /proc/stat less the server's and the
worker's processes and their database backends and wrk, as a share of the machine's cores).
For minxin's runs also the triage lag: of the appeals made during the run, the share whose
stored suggestion came within 2 s of intake, the p95 lag, and how long after the load stopped
the last one got its suggestion.

`--paths citizen,open311` runs only those; `--no-worker` serves minxin without its worker (what
the web side alone costs; no triage lag then).
"""

# ruff: noqa: S603, S608 - our own programs and arguments; SQL of our own tables and ids
from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from timing import busy_ticks, prod_env  # the sibling module: these run as scripts from bench/

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PEERS = ROOT / "var" / "bench-peers"
# The databases' names start with BENCH_DB_PREFIX (e.g. a worktree's branch, so that runs from
# two checkouts on one machine do not drop each other's databases).
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "")
MINXIN_DB = f"{DB_PREFIX}bench_intake"
PEER_REQUIREMENTS = ["django-helpdesk==2.6.1", "Django==5.2.*", "gunicorn", "psycopg[binary]"]
WORKERS = 4
TICK = os.sysconf("SC_CLK_TCK")

# The peers' Django project: one settings module for both (PEER names which), written once.
PEER_SETTINGS = """
import os
PEER = os.environ["PEER"]
SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize",
] + (["rest_framework", "helpdesk"] if PEER == "helpdesk" else ["floor"])
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peer_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["PEER_DB"],
    "USER": "postgres", "HOST": "127.0.0.1", "PORT": "5432", "CONN_MAX_AGE": 60,
}}
STATIC_URL = "/static/"
USE_TZ = True
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_PUBLIC_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""
PEER_URLS = """
import os
from django.urls import include, path
if os.environ["PEER"] == "helpdesk":
    urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
else:
    from floor.views import insert
    urlpatterns = [path("insert/", insert)]
"""
PEER_WSGI = """
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
"""
FLOOR_MODELS = """
from django.db import models
class Note(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
"""
FLOOR_VIEWS = """
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from floor.models import Note
@csrf_exempt
def insert(request):
    Note.objects.create(title=request.POST.get("title", ""), body=request.POST.get("body", ""))
    return HttpResponse(status=201)
"""

# wrk: each request different (NNN is the thread's number and its count of requests).
WRK_SCRIPT = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local n = 0
function request()
  n = n + 1
  local id = string.format("%08d", tid * 10000000 + n)
  local body = string.gsub(BODY, "NNN", id)
  return wrk.format("POST", PATH, HEADERS, body)
end
function done(summary, latency, requests)
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %f, "p50": %f, "p99": %f, "status": %d, "socket": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""
CSRF = "benchcsrfbenchcsrfbenchcsrfbench"  # 32 characters: Django takes it as the secret


@dataclass
class Target:
    name: str
    port: int
    path: str
    body: str  # url-encoded, NNN where the request's number goes
    headers: dict[str, str]


def _run(cmd: list[str], **kwargs: object) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs).stdout  # type: ignore[call-overload]


def _database(name: str) -> str:
    _run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"])
    _run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"])
    return name


def peers_build() -> Path:
    """The peers' virtualenv and project, from PyPI, once."""
    python = PEERS / "venv" / "bin" / "python"
    if not python.exists():
        print("building the peers from PyPI (once):", ", ".join(PEER_REQUIREMENTS), flush=True)
        _run([sys.executable, "-m", "venv", str(PEERS / "venv")])
        _run([str(python), "-m", "pip", "install", "-q", *PEER_REQUIREMENTS])
    project = PEERS / "project"
    (project / "floor").mkdir(parents=True, exist_ok=True)
    for name, text in {
        "peer_settings.py": PEER_SETTINGS,
        "peer_urls.py": PEER_URLS,
        "peer_wsgi.py": PEER_WSGI,
        "floor/__init__.py": "",
        "floor/models.py": FLOOR_MODELS,
        "floor/views.py": FLOOR_VIEWS,
    }.items():
        (project / name).write_text(textwrap.dedent(text))
    return project


def _peer_env(peer: str, database: str) -> dict[str, str]:
    return {
        **os.environ,
        "PEER": peer,
        "PEER_DB": database,
        "DJANGO_SETTINGS_MODULE": "peer_settings",
        "PYTHONPATH": str(PEERS / "project"),
    }


def peer_prepare(peer: str) -> dict[str, str]:
    env = _peer_env(peer, _database(f"{DB_PREFIX}bench_peer_{peer}"))
    admin = str(PEERS / "venv" / "bin" / "django-admin")
    _run([admin, "migrate", "-v", "0", "--run-syncdb"], env=env)
    if peer == "helpdesk":
        _run(
            [
                admin,
                "shell",
                "-c",
                "from helpdesk.models import Queue; Queue.objects.create("
                "title='Public', slug='public', allow_public_submission=True)",
            ],
            env=env,
        )
    return env


def minxin_env(var: Path, database: str = MINXIN_DB) -> dict[str, str]:
    return prod_env(var=var, database=database, name="intake")


def minxin_seed(env: dict[str, str], var: Path, database: str, *, appeals: int) -> None:
    """A new database `database`, migrated and seeded with the demo and `appeals` appeals,
    its cache table and static files, for a server run with `env` (var directory `var`)."""
    _database(database)
    minxin = str(VENV / "minxin")
    model = ROOT / "var" / "triage"
    (var / "triage").mkdir(parents=True, exist_ok=True)
    for path in model.glob("*"):  # the model trained at setup, not trained again
        (var / "triage" / path.name).write_bytes(path.read_bytes())
    _run([minxin, "migrate", "--noinput", "-v", "0"], env=env)
    _run([minxin, "createcachetable"], env=env)
    _run([minxin, "seed_demo", "--appeals", str(appeals), "--seed", "1"], env=env)
    _run([minxin, "collectstatic", "--noinput", "-v", "0"], env=env)


def minxin_prepare(var: Path) -> tuple[dict[str, str], str, str]:
    """A migrated, seeded minxin database; returns its environment, an Open311 key and a
    service code."""
    env = minxin_env(var)
    minxin_seed(env, var, MINXIN_DB, appeals=200)
    key = _run([str(VENV / "minxin"), "open311_key", "create", "--name", "bench"], env=env).strip()
    code = _sql(
        MINXIN_DB,
        "SELECT MIN(c.id) FROM directory_category c WHERE c.is_active AND NOT EXISTS "
        "(SELECT 1 FROM directory_category k WHERE k.parent_id = c.id)",
    )[0][0]
    return env, key, code


@contextmanager
def served(
    cmd: list[str], env: dict[str, str], port: int, cwd: Path, *, start_timeout: float = 60
) -> Iterator[list[int]]:
    """A server (and what it starts) until the block ends; yields its process ids."""
    log = tempfile.NamedTemporaryFile(prefix="bench-intake-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=log, stderr=log, start_new_session=True
    )
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"server did not start: {log.name}") from None
                time.sleep(0.3)
        yield [process.pid]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


@contextmanager
def background_worker(env: dict[str, str]) -> Iterator[int]:
    """One background worker (`minxin db_worker`, the embedded task backend) until the block
    ends; yields its process id (which is also its session's)."""
    runner = subprocess.Popen(
        [str(VENV / "minxin"), "db_worker", "--interval", "0.2", "--no-reload"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield runner.pid
    finally:
        os.killpg(runner.pid, signal.SIGTERM)
        runner.wait(timeout=30)


def _gunicorn(binary: Path, app: str, port: int, extra: list[str] | None = None) -> list[str]:
    return [
        str(binary),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        "1",
        "--access-logfile",
        "/dev/null",
        *(extra or []),
    ]


def _group_ticks(session_ids: list[int]) -> int:
    """CPU ticks of every process in the given sessions (a server and its workers), and of
    PostgreSQL backends (all of them: the measured servers are the only clients)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                head, rest = stat.read().rsplit(")", 1)
            fields = rest.split()
            if int(fields[3]) in session_ids or "postgres" in head or "wrk" in head:
                total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def run_tag() -> str:
    """Each run's words differ from every earlier run's: a form sent again with the same words
    from the same phone is answered with the first receipt, not a new appeal."""
    return f"{time.time_ns() // 1_000_000 % 10**10}"


def wrk(target: Target, seconds: int, connections: int, sessions: list[int]) -> dict[str, float]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **target.headers}
    pairs = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
    script = (
        f"PATH = {json.dumps(target.path)}\nHEADERS = {{{pairs}}}\n"
        f"BODY = {json.dumps(target.body.replace('RUN', run_tag()))}\n{WRK_SCRIPT}"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    start = (time.monotonic(), busy_ticks(), _group_ticks(sessions))
    out = _run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            lua.name,
            f"http://127.0.0.1:{target.port}",
        ]
    )
    wall = time.monotonic() - start[0]
    other = (busy_ticks() - start[1]) - (_group_ticks(sessions) - start[2])
    os.unlink(lua.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    result = json.loads(line[4:])
    result["rate"] = result["requests"] / result["seconds"]
    result["other_cpu"] = max(0.0, other / TICK / wall / (os.cpu_count() or 1))
    return result


def _form(fields: dict[str, str]) -> str:
    return "&".join(f"{k}={urllib.parse.quote(v, safe='N')}" for k, v in fields.items())


def targets(open311_key: str, service_code: str) -> list[Target]:
    cookie = {"Cookie": f"csrftoken={CSRF}"}
    words = "小区门口的路灯坏了一个多星期，晚上很黑，老人出行不便，请尽快修复。编号NNN"
    return [
        Target("floor", 8911, "/insert/", _form({"title": "路灯不亮 RUN-NNN", "body": words}), {}),
        Target(
            "helpdesk",
            8912,
            "/helpdesk/tickets/submit/",
            _form(
                {
                    "csrfmiddlewaretoken": CSRF,
                    "queue": "1",
                    "title": "路灯不亮 RUN-NNN",
                    "body": words,
                    "priority": "3",
                    "submitter_email": "cNNN@example.cn",
                }
            ),
            cookie,
        ),
        Target(
            "citizen",
            8913,
            "/appeal/new/",
            _form(
                {
                    "csrfmiddlewaretoken": CSRF,
                    "kind": "complaint",
                    "title": "路灯不亮 RUN-NNN",
                    "content": words,
                    "place_text": "麓谷街道和馨园小区",
                    "appellant_name": "张先生",
                    "appellant_phone": "139NNN",
                }
            ),
            cookie,
        ),
        Target(
            "open311",
            8913,
            "/open311/v2/requests.json",
            _form(
                {
                    "api_key": open311_key,
                    "service_code": service_code,
                    "description": words,
                    "address_string": "麓谷街道和馨园小区",
                    "phone": "139NNN",
                    "first_name": "张",
                }
            ),
            {},
        ),
    ]


def _sql(database: str, query: str) -> list[list[str]]:
    out = _run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-AtF", "\t", "-c", query]
    )
    return [line.split("\t") for line in out.splitlines() if line]


def _last_appeal() -> int:
    return int(_sql(MINXIN_DB, "SELECT COALESCE(MAX(id), 0) FROM cases_appeal")[0][0])


def triage_lag(after_id: int, load_end: float) -> dict[str, float]:
    """Wait (at most 120 s) until every appeal made since `after_id` has its stored suggestion;
    then the share within 2 s of intake, the p95 lag, and the drain after the load stopped."""
    made = (
        "FROM cases_appeal a LEFT JOIN triage_triagesuggestion s ON s.appeal_id = a.id "
        f"WHERE a.id > {after_id}"
    )
    waiting = f"SELECT COUNT(*) {made} AND s.id IS NULL"
    while int(_sql(MINXIN_DB, waiting)[0][0]) and time.time() < load_end + 120:
        time.sleep(0.2)
    drained = time.time() - load_end
    rows = _sql(
        MINXIN_DB,
        "SELECT EXTRACT(EPOCH FROM s.created_at - a.received_at), "
        f"EXTRACT(EPOCH FROM s.created_at) {made} AND s.id IS NOT NULL",
    )
    lags = sorted(float(r[0]) for r in rows)
    last = max((float(r[1]) for r in rows), default=load_end)
    left = int(_sql(MINXIN_DB, waiting)[0][0])
    if not lags:
        return {"within_2s": 0.0, "p95": float("nan"), "drain": drained, "left": left}
    return {
        "within_2s": sum(lag <= 2 for lag in lags) / len(lags),
        "p95": lags[min(len(lags) - 1, int(0.95 * len(lags)))],
        "drain": max(0.0, last - load_end),
        "left": left,
    }


def _warm(citizen: Target, *, lag: bool = True) -> None:
    """One appeal through every process (web workers, the worker and its model) before the
    timed runs: what is measured is intake, not start-up."""
    before = _last_appeal()
    for n in range(WORKERS * 2):
        body = citizen.body.replace("NNN", f"{99000000 + n + int(time.time()) % 100000 * 10:08d}")
        request = urllib.request.Request(
            f"http://127.0.0.1:{citizen.port}{citizen.path}",
            data=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", **citizen.headers},
        )
        with contextlib.suppress(urllib.error.HTTPError):  # the receipt, without its session
            urllib.request.urlopen(request, timeout=30)  # noqa: S310 - our own server
    if lag:
        triage_lag(before, time.time())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--paths",
        default="floor,helpdesk,citizen,open311",
        help="which to run (comma-separated): a quick look at minxin alone, say",
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="minxin without its background worker: what the web side alone costs (no triage "
        "lag then: nothing triages)",
    )
    args = parser.parse_args()
    paths = args.paths.split(",")
    project = peers_build()
    peer_envs = {peer: peer_prepare(peer) for peer in ("floor", "helpdesk")}
    var = Path(tempfile.mkdtemp(prefix="bench-intake-var-"))
    env, key, code = minxin_prepare(var)
    by_name = {t.name: t for t in targets(key, code)}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in by_name}
    peer_gunicorn = PEERS / "venv" / "bin" / "gunicorn"
    for round_ in range(args.rounds):
        for peer in [p for p in ("floor", "helpdesk") if p in paths]:
            target = by_name[peer]
            cmd = _gunicorn(peer_gunicorn, "peer_wsgi", target.port)
            with served(cmd, peer_envs[peer], target.port, project) as sessions:
                results[peer].append(wrk(target, args.seconds, args.connections, sessions))
            print(f"round {round_ + 1} {peer}: {_line(results[peer][-1])}", flush=True)
        cmd = _gunicorn(VENV / "gunicorn", "config.wsgi:application", 8913)
        worker = contextlib.nullcontext(0) if args.no_worker else background_worker(env)
        with served(cmd, env, 8913, ROOT) as sessions, worker as runner:
            _warm(by_name["citizen"], lag=runner != 0)
            for name in [p for p in ("citizen", "open311") if p in paths]:
                before = _last_appeal()
                ours = [*sessions, runner] if runner else sessions
                result = wrk(by_name[name], args.seconds, args.connections, ours)
                if runner:
                    lag = triage_lag(before, time.time())
                    result.update({f"triage_{k}": v for k, v in lag.items()})
                result["appeals"] = _last_appeal() - before
                results[name].append(result)
                print(f"round {round_ + 1} {name}: {_line(result)}", flush=True)
    _summary(results)


def _line(r: dict[str, float]) -> str:
    text = (
        f"{r['rate']:.1f}/s p50 {r['p50']:.1f} ms p99 {r['p99']:.1f} ms, "
        f"non-2xx/3xx {int(r['status'])}, socket errors {int(r['socket'])}, "
        f"other CPU {r['other_cpu']:.0%}"
    )
    if "triage_within_2s" in r:
        text += (
            f"; {int(r['appeals'])} appeals, triage within 2 s {r['triage_within_2s']:.0%}, "
            f"p95 lag {r['triage_p95']:.2f} s, drained {r['triage_drain']:.1f} s after the load"
            f" ({int(r['triage_left'])} left)"
        )
    return text


def _summary(results: dict[str, list[dict[str, float]]]) -> None:
    results = {name: runs for name, runs in results.items() if runs}
    best = {name: max(r["rate"] for r in runs) for name, runs in results.items()}
    worst = {name: min(r["rate"] for r in runs) for name, runs in results.items()}

    def ratio(name: str, peer: str) -> str:
        if peer not in results:
            return "–"
        return f"{worst[name] / best[peer]:.2f}–{best[name] / worst[peer]:.2f}"

    print("\n| path | appeals/s | p99 ms | ÷ floor | ÷ helpdesk | other CPU |")
    print("|---|---|---|---|---|---|")
    for name, runs in results.items():
        p99 = [r["p99"] for r in runs]
        print(
            f"| {name} | {worst[name]:.0f}–{best[name]:.0f} | {min(p99):.0f}–{max(p99):.0f} | "
            f"{ratio(name, 'floor')} | {ratio(name, 'helpdesk')} | "
            f"{min(r['other_cpu'] for r in runs):.0%}–{max(r['other_cpu'] for r in runs):.0%} |"
        )


if __name__ == "__main__":
    main()
