"""A web worker's memory after serving every staff page, the triage panel included (issue 17).

    .venv/bin/python bench/memory.py [--passes 3] [--port 8931] [--database bench_memory] [--reseed]

gunicorn runs exactly as in production (deploy/gunicorn.conf.py, config.settings.prod, two
web processes, the configuration's threads), on the loopback in plain HTTP, on a PostgreSQL
database of its own seeded with `minxin seed_demo --appeals 2000 --seed 1` (kept as a template
database named after the migrations, copied for each run; `--reseed` builds it again).

Each demo staff role (the usernames of `minxin demo_logins`) logs in through the login form
and opens every staff page it can reach: the staff routes without arguments from the URL
configuration, and the pages and HTMX panels linked from them (one address per route and
role, at most `--per-route`), the appeal pages included. Before the passes, the stored
triage suggestion of a few appeals awaiting screening is deleted; each pass the dispatcher
opens some of them (the appeal page and its triage panel, each on a new connection so that
both processes get some), which makes the web process compute the suggestion itself.

Printed: each web process's and the master's RSS, PSS and private memory (from
/proc/<pid>/smaps_rollup; PSS divides what is shared among the processes sharing it) after
start, after each pass and at the end; the routes after which the processes grew most; the
CPU other processes used meanwhile. The target: each web process at most 150 MB RSS.
"""

# ruff: noqa: S603, S608 - our own programs and arguments; SQL of our own tables and ids
from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from timing import PG, busy_ticks, prod_env  # the sibling module: these run as scripts from bench/

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
DATABASE = "bench_memory"
TARGET_MB = 150
TICK = os.sysconf("SC_CLK_TCK")
# Staff pages: the console, the suggestions' review, the account's security page.
STAFF_PREFIXES = ("/console/", "/suggestions/review/", "/accounts/security/")
# Routes not opened: they act (a GET of them is refused anyway), log out, or reveal a phone
# (recorded in the audit log).
SKIP = re.compile(
    r"logout|otp_disable|_act$|:act$|reveal|delete|withdraw|close|charge|:start$|mark_read"
)
LINK = re.compile(r"""(?:href|hx-get)="([^"#]+)""")


def _run(cmd: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)}:\n{done.stderr[-3000:]}")
    return done.stdout


def _psql(sql: str, database: str = "postgres") -> list[list[str]]:
    out = _run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-AtF", "\t", "-c", sql]
    )
    return [line.split("\t") for line in out.splitlines() if line]


def _migrations_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "minxin").glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def environment(var: Path, port: int, database: str) -> dict[str, str]:
    return prod_env(
        var=var,
        database=database,
        name="memory",
        MINXIN_2FA_REQUIRED="0",
        MINXIN_WEB_WORKERS="2",
        MINXIN_BIND=f"127.0.0.1:{port}",
    )


def prepare(env: dict[str, str], database: str, *, reseed: bool) -> None:
    """The seeded database: a copy of the template of these migrations (built when missing)."""
    template = f"{database}_{_migrations_hash()}"
    exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{template}'")
    minxin = str(VENV / "minxin")
    if reseed or not exists:
        print(f"seeding {template} (2,000 appeals, once)", flush=True)
        _psql(f"DROP DATABASE IF EXISTS {template}")
        _psql(f"CREATE DATABASE {template}")
        seed_env = {**env, "DATABASE_URL": PG + template}
        _run([minxin, "migrate", "--noinput", "-v", "0"], seed_env)
        _run([minxin, "createcachetable"], seed_env)
        _run([minxin, "seed_demo", "--appeals", "2000", "--seed", "1"], seed_env)
    _psql(f"DROP DATABASE IF EXISTS {database}")
    _psql(f"CREATE DATABASE {database} TEMPLATE {template}")
    _run([minxin, "collectstatic", "--noinput", "-v", "0"], env)


def staff_logins(env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(role, username, password) of each role's demo login, as `minxin demo_logins` shows."""
    code = (
        "import json\n"
        "from minxin.demo.logins import ROLE_ORDER, _main_username\n"
        "from minxin.demo.world import demo_password\n"
        "print(json.dumps([(str(r), _main_username(r), demo_password()) for r in ROLE_ORDER]))"
    )
    return [tuple(row) for row in _shell_json(code, env)]


def _shell_json(code: str, env: dict[str, str]) -> Any:
    """What a snippet run by `minxin shell` prints as JSON on its last line."""
    out = _run([str(VENV / "minxin"), "shell", "--no-imports", "-c", code], env)
    return json.loads(out.strip().splitlines()[-1])


def staff_routes(env: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(regex, route name, takes arguments) of every route of the URL configuration."""
    code = r"""
import json
from django.urls import URLPattern, URLResolver, get_resolver

def walk(patterns, regex, ns):
    for p in patterns:
        part = p.pattern.regex.pattern.lstrip("^")
        if isinstance(p, URLResolver):
            inner = ns + (p.namespace + ":" if p.namespace else "")
            yield from walk(p.url_patterns, regex + part, inner)
        elif isinstance(p, URLPattern):
            has_args = bool(p.pattern.converters) or "(?P" in part
            yield "^" + regex + part, ns + (p.name or ""), has_args

print(json.dumps(list(walk(get_resolver().url_patterns, "", ""))))
"""
    return [tuple(row) for row in _shell_json(code, env)]


def appeals_untriaged(database: str, count: int) -> list[int]:
    """Appeals awaiting screening, their stored suggestion deleted: the panel computes it."""
    rows = _psql(
        f"SELECT id FROM cases_appeal WHERE status = 'received' ORDER BY id LIMIT {count}",
        database,
    )
    ids = [int(r[0]) for r in rows]
    if ids:
        _psql(
            f"DELETE FROM triage_triagesuggestion WHERE appeal_id IN ({', '.join(map(str, ids))})",
            database,
        )
    return ids


# --- memory ----------------------------------------------------------------------------------


def workers_of(master: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(entry))
    return sorted(found)


def memory(pid: int) -> dict[str, float]:
    """MB: RSS, its peak, PSS, private (anonymous and file), shared; from /proc."""
    values: dict[str, float] = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                values[parts[0].rstrip(":")] = int(parts[1]) / 1024
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(("VmHWM", "RssAnon", "RssFile")):
                key, value = line.split(":")
                values[key] = int(value.split()[0]) / 1024
    values["Private"] = values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)
    values["Shared"] = values.get("Shared_Clean", 0) + values.get("Shared_Dirty", 0)
    return values


def rss(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def show(label: str, master: int, workers: list[int]) -> dict[int, dict[str, float]]:
    print(f"\n{label}")
    print(
        "| process | RSS MB | peak RSS MB | PSS MB | private MB | shared MB | anon MB | file MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    seen = {}
    for name, pid in [("master", master)] + [(f"worker {p}", p) for p in workers]:
        try:
            m = memory(pid)
        except OSError:
            continue
        seen[pid] = m
        print(
            f"| {name} | {m['Rss']:.1f} | {m['VmHWM']:.1f} | {m['Pss']:.1f} | "
            f"{m['Private']:.1f} | {m['Shared']:.1f} | {m['RssAnon']:.1f} | {m['RssFile']:.1f} |"
        )
    return seen


def _own_ticks(session: int) -> int:
    """CPU ticks of the server's processes, of PostgreSQL's and of this script."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                head, rest = stat.read().rsplit(")", 1)
        except OSError:
            continue
        fields = rest.split()
        if int(fields[3]) == session or "postgres" in head or int(entry) == os.getpid():
            total += int(fields[11]) + int(fields[12])
    return total


# --- the server ------------------------------------------------------------------------------


@contextmanager
def served(env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(VENV / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "config.wsgi",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
                    if len(workers_of(process.pid)) >= 2:
                        break
                except requests.RequestException:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
            yield process.pid
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


@dataclass
class Visitor:
    role: str
    username: str
    password: str
    base: str
    session: requests.Session = field(default_factory=requests.Session)
    # The session's and CSRF cookies, Secure in production, which a cookie jar would not send
    # back over plain HTTP.
    cookies: dict[str, str] = field(default_factory=dict)

    def _keep(self, response: requests.Response) -> requests.Response:
        self.cookies.update({c.name: c.value for c in response.cookies if c.value})
        return response

    def login(self) -> None:
        page = self._keep(self.session.get(f"{self.base}/accounts/login/", timeout=60))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login form"
        done = self.session.post(
            f"{self.base}/accounts/login/",
            cookies=self.cookies,
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": self.username,
                "password": self.password,
            },
            headers={"Referer": f"{self.base}/accounts/login/"},
            timeout=60,
            allow_redirects=False,
        )
        self._keep(done)
        if done.status_code != 302:
            raise SystemExit(f"{self.role} ({self.username}): login refused ({done.status_code})")

    def get(self, path: str, *, new_connection: bool = False) -> requests.Response:
        headers = {"HX-Request": "true"} if "/panel" in path else {}
        if new_connection:
            headers["Connection"] = "close"
        return self._keep(
            self.session.get(
                self.base + path,
                headers=headers,
                cookies=self.cookies,
                timeout=300,
                allow_redirects=False,
            )
        )


@dataclass
class Crawl:
    routes: list[tuple[re.Pattern[str], str, bool]]
    per_route: int
    seen: dict[str, list[str]] = field(default_factory=dict)  # role → paths in order

    def name_of(self, path: str) -> str | None:
        for regex, name, _ in self.routes:
            if regex.match(path.lstrip("/")):
                return name
        return None

    def plan(self, visitor: Visitor, growth: Growth) -> list[str]:
        """The role's pages: every staff route without arguments, and what they link to."""
        queue = [
            "/" + regex.pattern.lstrip("^").removesuffix(r"\Z")
            for regex, name, has_args in self.routes
            if not has_args and not SKIP.search(name)
        ]
        queue = [p for p in queue if p.startswith(STAFF_PREFIXES) and "\\" not in p]
        per_name: Counter[str] = Counter()
        visited: list[str] = []
        done: set[str] = set()
        while queue:
            path = queue.pop(0)
            if path in done:
                continue
            done.add(path)
            name = self.name_of(path)
            if name is None or SKIP.search(name) or per_name[name] >= self.per_route:
                continue
            per_name[name] += 1
            response = growth.fetch(visitor, path, name)
            visited.append(path)
            if response.status_code != 200 or "html" not in response.headers.get(
                "Content-Type", ""
            ):
                continue
            for link in LINK.findall(response.text):
                link = html.unescape(link)
                parsed = urllib.parse.urlsplit(link)
                if parsed.netloc or not parsed.path.startswith(STAFF_PREFIXES):
                    continue
                queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
        self.seen[visitor.role] = visited
        return visited


@dataclass
class Growth:
    """Which routes the processes grew after (the sum of both web processes' RSS)."""

    workers: list[int]
    by_route: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    requests: int = 0

    def total(self) -> float:
        return sum(rss(p) for p in self.workers)

    def fetch(self, visitor: Visitor, path: str, name: str, **kw: bool) -> requests.Response:
        before = self.total()
        response = visitor.get(path, **kw)
        self.requests += 1
        self.statuses[response.status_code] += 1
        grown = self.total() - before
        if grown > 0:
            self.by_route[name] += grown
        return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--per-route", type=int, default=1)
    parser.add_argument("--triage", type=int, default=4, help="untriaged appeals opened a pass")
    parser.add_argument(
        "--database",
        default=DATABASE,
        help="the run's database (its template is this name and the migrations' hash); "
        "another name lets two checkouts measure on one server",
    )
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="bench-memory-var-"))
    (var / "triage").symlink_to(ROOT / "var" / "triage")
    env = environment(var, args.port, args.database)
    started = time.monotonic()
    prepare(env, args.database, reseed=args.reseed)
    logins = staff_logins(env)
    routes = [(re.compile(r), name, has) for r, name, has in staff_routes(env)]
    untriaged = appeals_untriaged(args.database, args.triage * args.passes)
    print(
        f"prepared in {time.monotonic() - started:.0f} s; {len(logins)} roles, "
        f"{len(untriaged)} appeals without a stored suggestion",
        flush=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    log = var / "gunicorn.log"
    with served(env, args.port, log) as master:
        workers = workers_of(master)
        show("after start (healthz answered)", master, workers)
        growth = Growth(workers)
        crawl = Crawl(routes, args.per_route)
        visitors = [Visitor(role, user, password, base) for role, user, password in logins]
        for visitor in visitors:
            visitor.login()
        for number in range(args.passes):
            ticks = (time.monotonic(), busy_ticks(), _own_ticks(master))
            mine = untriaged[number * args.triage : (number + 1) * args.triage]
            dispatcher = next(v for v in visitors if v.role == "dispatcher")
            for appeal in mine:  # the appeal page, then its panel (HTMX), as the browser does
                growth.fetch(dispatcher, f"/console/appeals/{appeal}/", "cases:appeal_detail")
                panel = growth.fetch(
                    dispatcher,
                    f"/console/triage/appeals/{appeal}/panel/",
                    "triage:panel",
                    new_connection=True,
                )
                assert panel.status_code == 200, (appeal, panel.status_code)
            pages = sum(len(crawl.plan(visitor, growth)) for visitor in visitors)
            wall = time.monotonic() - ticks[0]
            other = (busy_ticks() - ticks[1]) - (_own_ticks(master) - ticks[2])
            other_share = other / TICK / wall / (os.cpu_count() or 1)
            show(
                f"after pass {number + 1}: {pages} pages and {2 * len(mine)} triage requests in "
                f"{wall:.0f} s; other processes' CPU {other_share:.0%}"
                " of the machine",
                master,
                workers,
            )
        final = show("at the end", master, workers_of(master))
    print(
        f"\n{growth.requests} requests, statuses {dict(sorted(growth.statuses.items()))}; "
        "routes after which the web processes grew most (MB, summed over passes):"
    )
    for name, grown in growth.by_route.most_common(8):
        print(f"  {name}: +{grown:.1f}")
    print("\nroutes opened per role:", {r: len(p) for r, p in crawl.seen.items()})
    worst = max(m["Rss"] for pid, m in final.items() if pid != master)
    verdict = "meets" if worst <= TARGET_MB else "misses"
    print(f"\nmax web process RSS {worst:.1f} MB: {verdict} the {TARGET_MB} MB target")
    shutil.rmtree(var, ignore_errors=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
