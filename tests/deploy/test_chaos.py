"""The crash test of issue 16 ("a crash test under `tests/chaos/` or `bench/` (bounded,
loopback) posts 2,000 appeals through the form and the API while a worker and a private
PostgreSQL instance are killed and restarted, and proves 0 lost, 0 duplicated, every event
chain complete"). It lives here, with the other deployment tests, so that CI runs it once, in
its PostgreSQL pass, with the machine's PostgreSQL programs.

On the loopback: a private PostgreSQL instance (initdb in a directory of the test, a free port,
`synchronous_commit` on as in production), gunicorn with the production settings (the client
speaks for the proxy: `X-Forwarded-Proto: https`; rate limits off, RATELIMIT_ENABLE=0) and two
workers run as deploy/systemd/minxin-worker@.service runs them (`minxin schedule_tasks
--worker-id <id>`, then `minxin db_worker --worker-id <id>`, both again when it stops), the
sweeps of lost intake work every 5 s for work 20 s late.

Eight clients post 2,000 appeals, half through the citizen's form (the page fetched, its CSRF
token and one-time submission_key posted, the tracking number read on the receipt page), half
through Open311 `POST requests.json` with an Idempotency-Key. A client that gets no answer or a
5xx sends the same thing again (the same submission_key, the same Idempotency-Key) until it
gets its tracking number. Meanwhile a worker is killed (SIGKILL) twice, each time while it runs
a triage or SMS task, and the PostgreSQL instance is stopped twice as a crash would (`pg_ctl
stop -m immediate`: no checkpoint, recovery at the next start), then started again.

Then, from the database: every acknowledged tracking number is there, for the appeal it was
given for (0 lost), each posted appeal exists once (0 duplicated) and nothing else exists; every
appeal's events form one chain (one RECEIVE first, each event leaving from the status the one
before it reached, the last reaching the appeal's status); the background work of intake is
done for every appeal: its triage suggestion stored and its receipt SMS sent; and every
periodic task still has its next run booked. The figures go to the output (`chaos: {...}`).

It fails when an acknowledged commit is lost (e.g. the instance run with synchronous_commit=off:
a crash loses the last commits the clients were told about), when a retry makes a second
appeal (a form or an Open311 request not idempotent), when a client is refused (a 4xx: a CSRF
check, a rate limit, Django's 400 for a session it could not save while the database was down),
when a crash leaves an appeal without its triage or its SMS and nothing sweeps it up within the
bound (with MINXIN_TASK_SWEEP_AFTER_SECONDS=100000 it failed: three appeals whose triage died
with the database were never triaged), or when a periodic task killed mid-run is never booked
again."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings

from tests.ports import free_port

from . import pg

HOST = "minxin.example.gov.cn"
APPEALS = 2000
CLIENTS = 8
# (the share of the appeals acknowledged, what crashes then)
CRASHES = ((0.15, "worker"), (0.35, "database"), (0.55, "worker"), (0.75, "database"))
DATABASE_DOWN_SECONDS = 3.0
GIVE_UP_SECONDS = 90.0  # one appeal's retries; the run's bound is below
BACKGROUND_SECONDS = 150.0  # the worker's backlog after the last post

TITLES = ("路灯不亮", "小区垃圾清运不及时", "夜间施工噪音扰民", "人行道井盖破损", "楼道堆放杂物")
TEXTS = (
    "{place}门口的路灯已经坏了一周，晚上行人看不清路，请尽快维修。",
    "{place}附近的垃圾桶满了两天没人清运，气味很大，请安排清理。",
    "{place}工地每天夜里十一点以后还在施工，噪音很大影响休息。",
    "{place}人行道上的井盖破了一个角，老人小孩经过很危险。",
    "{place}楼道里堆满了纸箱和旧家具，存在消防隐患，请督促清理。",
)
PLACES = ("桂花路", "望月湖路", "银杉路", "景蓉路", "枫林路", "麓山路")
INTAKE_TASKS = [
    "minxin.triage.tasks.triage_waiting_task",
    "minxin.cases.tasks.appeal_sms_waiting_task",
]
MARK = re.compile(r"编号CX(\d{4})")


def _text(i: int) -> tuple[str, str, str]:
    place = f"{PLACES[i % len(PLACES)]}{i % 97 + 1}号"
    title = TITLES[i % len(TITLES)]
    return title, TEXTS[(i // 3) % len(TEXTS)].format(place=place) + f"（编号CX{i:04d}）", place


SETUP = """
from minxin.open311.services import api_key_create
from tests.builders import district_build
district = district_build()
print(district.category.pk, api_key_create(name="压测客户端")[1])
"""


@dataclass
class Tally:
    """What the clients were told and what it took."""

    acknowledged: dict[int, str] = field(default_factory=dict)  # appeal number → tracking number
    refused: list[str] = field(default_factory=list)
    retries: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, i: int, number: str) -> int:
        with self.lock:
            self.acknowledged[i] = number
            return len(self.acknowledged)

    def retry(self, why: str) -> None:
        with self.lock:
            self.retries[why] += 1


class Retry(Exception):
    """No answer, or a 5xx: the client sends the same again."""


def _retrying(tally: Tally, what: Callable[[], str]) -> str:
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while True:
        try:
            return what()
        except (requests.ConnectionError, requests.Timeout, Retry) as exc:
            why = str(exc) if isinstance(exc, Retry) else type(exc).__name__
            tally.retry(why)
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer in {GIVE_UP_SECONDS} s: {why}") from exc
            time.sleep(0.3)


def _checked(response: requests.Response, expected: int) -> requests.Response:
    if response.status_code >= 500:
        raise Retry(str(response.status_code))
    if response.status_code != expected:
        raise AssertionError(f"{response.status_code}: {response.text[:300]}")
    return response


class Browser:
    """A citizen's browser over plain HTTP to gunicorn, the proxy's headers added: the cookies
    (Secure, as in production) kept by hand, since requests keeps them for https only."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict[str, str]:
        return {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/appeal/new/",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }

    def request(self, method: str, path: str, **kwargs: object) -> requests.Response:
        response = self.http.request(
            method,
            f"{self.base}{path}",
            headers=self._headers(),
            allow_redirects=False,
            timeout=30,
            **kwargs,  # type: ignore[arg-type]
        )
        for cookie in response.cookies:
            if cookie.value is not None:
                self.cookies[cookie.name] = cookie.value
        return response


def _form_appeal(browser: Browser, i: int, tally: Tally) -> str:
    title, content, place = _text(i)

    def page() -> tuple[str, str]:
        html = _checked(browser.request("GET", "/appeal/new/"), 200).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', html)
        assert token and key, html[:500]
        return f"{token[1]}|{key[1]}"

    token, key = _retrying(tally, page).split("|")
    fields = {
        "csrfmiddlewaretoken": token,
        "submission_key": key,
        "kind": "complaint",
        "title": title,
        "content": content,
        "place_text": place,
        "appellant_name": "压测",
        "appellant_phone": f"139{i:08d}",
    }

    def post() -> str:
        response = browser.request(
            "POST", "/appeal/new/", files={k: (None, v) for k, v in fields.items()}
        )
        _checked(response, 302)
        assert response.headers["Location"] == "/appeal/receipt/", response.headers["Location"]
        html = _checked(browser.request("GET", "/appeal/receipt/"), 200).text
        number = re.search(r'<p class="big">(\d{13})</p>', html)
        assert number, html[:500]
        return number[1]

    return _retrying(tally, post)


def _api_appeal(base: str, service_code: str, api_key: str, i: int, tally: Tally) -> str:
    _, content, place = _text(i)
    idempotency_key = str(uuid.uuid4())
    data = {
        "api_key": api_key,
        "service_code": service_code,
        "address_string": place,
        "description": content,
        "phone": f"139{i:08d}",
    }

    def post() -> str:
        response = requests.post(
            f"{base}/open311/v2/requests.json",
            data=data,
            headers={
                "Host": HOST,
                "X-Forwarded-Proto": "https",
                "Idempotency-Key": idempotency_key,
            },
            allow_redirects=False,
            timeout=30,
        )
        body = _checked(response, 200).json()
        return str(body[0]["service_request_id"])

    return _retrying(tally, post)


class Worker:
    """A worker as deploy/systemd/minxin-worker@.service runs it: `minxin schedule_tasks
    --worker-id <id>` (the runs its previous life was running marked failed, the periodic tasks
    booked again), then `minxin db_worker --worker-id <id>`; both again 1 s after it stops
    (Restart=always)."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.env, self.log = name, env, log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.stopping = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._supervise, daemon=True)

    def _start(self) -> None:
        command = [pg.MINXIN, "schedule_tasks", "--worker-id", self.name]
        with self.log.open("ab") as log:
            if pg.run(command, self.env, timeout=120).returncode != 0:
                log.write(b"schedule_tasks failed (the database restarting?)\n")
                return  # tried again by the supervisor
        self.process = subprocess.Popen(  # noqa: S603 — our own program and arguments
            [
                pg.MINXIN,
                "db_worker",
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--worker-id",
                self.name,
            ],
            env=self.env,
            cwd=pg.ROOT,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.starts += 1

    def start(self) -> None:
        self._start()
        assert self.process is not None, self.log.read_text()[-3000:]
        self.thread.start()

    def _supervise(self) -> None:
        while not self.stopping:
            time.sleep(0.2)
            with self.lock:
                if self.process is None or self.process.poll() is not None:
                    time.sleep(1)
                    if not self.stopping:
                        self._start()

    def kill(self, database: str) -> str:
        """SIGKILL, once this worker runs intake's background work (within 20 s): what it was
        running."""
        running = ""
        deadline = time.monotonic() + 20
        while not running and time.monotonic() < deadline:
            try:
                found = _rows(
                    database,
                    "SELECT task_path FROM django_tasks_database_dbtaskresult"
                    " WHERE status = 'RUNNING' AND worker_ids @> %s::jsonb"
                    " AND task_path = ANY(%s)",
                    json.dumps([self.name]),
                    INTAKE_TASKS,
                )
            except psycopg.OperationalError:  # the database restarting
                found = []
            running = str(found[0][0]).rsplit(".", 1)[-1] if found else ""
            if not running:
                time.sleep(0.02)
        with self.lock:
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        return running or "nothing"

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(timeout=5)
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def instance() -> Iterator[tuple[Path, int, str]]:
    """A private PostgreSQL instance with the migrated schema; its data directory, port, URL."""
    pg.server_ready()
    root = Path(tempfile.mkdtemp(prefix="minxin-chaos-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    try:
        pg.instance_init(data)
        pg.instance_start(data, port, _OPTIONS)
        yield data, port, pg.instance_schema(port, root)
    finally:
        pg.run(pg.instance_stop_command(data), dict(os.environ))
        shutil.rmtree(root, ignore_errors=True)


# Durable commits as in production (synchronous_commit on); fsync off is safe here, since only
# the server's processes crash, never the machine's kernel, which keeps what was written.
_OPTIONS = "-c fsync=off -c full_page_writes=off -c shared_buffers=64MB -c max_connections=60"


def _wait_http(base: str, processes: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        for p in processes:
            assert p.poll() is None, log.read_text()[-3000:]
        try:
            response = requests.get(
                f"{base}/healthz", headers={"Host": HOST, "X-Forwarded-Proto": "https"}, timeout=5
            )
            if response.status_code == 200:
                return
        except requests.RequestException:  # not listening yet
            pass
        assert time.monotonic() < deadline, "gunicorn did not answer in 120 s"
        time.sleep(0.3)


def _cpu_seconds(parent: int) -> float:
    """The CPU time of the running children of a process (gunicorn's web processes)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            ticks += int(fields[11]) + int(fields[12])
    return round(ticks / os.sysconf("SC_CLK_TCK"), 1)


def _rows(database: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(database, connect_timeout=5) as conn:
        return conn.execute(sql, params or None).fetchall()  # type: ignore[arg-type]


def test_appeals_survive_killed_workers_and_database(
    instance: tuple[Path, int, str], tmp_path: Path
) -> None:
    started = time.monotonic()
    data, port, database = instance
    var = tmp_path / "var"
    var.mkdir()
    (var / "triage").symlink_to(pg.ROOT / "var" / "triage")
    web_port = free_port()
    env = pg.django_env(
        "unused",
        DATABASE_URL=database,
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="chaos-test-secret-key-" + "x" * 40,
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        MINXIN_VAR_DIR=str(var),
        RATELIMIT_ENABLE="0",
        MINXIN_BIND=f"127.0.0.1:{web_port}",
        MINXIN_WEB_WORKERS="2",
        MINXIN_WEB_THREADS="4",
        MINXIN_SMS_BACKOFF_SECONDS="0",
        # The sweeps of lost background work: every 5 s, for work 20 s late.
        MINXIN_TASK_SWEEP_EVERY_SECONDS="5",
        MINXIN_TASK_SWEEP_AFTER_SECONDS="20",
        MINXIN_LOG_FORMAT="plain",
        MINXIN_REQUEST_LOG_LEVEL="WARNING",
    )
    setup = pg.minxin("shell", "--no-imports", "-c", SETUP, env=env).strip().splitlines()[-1]
    service_code, api_key = setup.split()
    pg.minxin("collectstatic", "--noinput", "-v", "0", env=env, timeout=600)
    figures: dict[str, object] = {"setup_seconds": round(time.monotonic() - started, 1)}

    log = tmp_path / "gunicorn.log"
    gunicorn = subprocess.Popen(  # noqa: S603 — our own program and arguments
        [
            str(pg.ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            str(pg.ROOT / "deploy" / "gunicorn.conf.py"),
            "config.wsgi",
        ],
        env=env,
        cwd=pg.ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    workers = [Worker(f"chaos-{n}", env, tmp_path / f"worker-{n}.log") for n in (1, 2)]
    tally = Tally()
    crashes: list[str] = []
    base = f"http://127.0.0.1:{web_port}"
    try:
        _wait_http(base, [gunicorn], log)
        for worker in workers:
            worker.start()
        posting = time.monotonic()

        def one(i: int, browser: Browser) -> None:
            if i % 2:
                number = _api_appeal(base, service_code, api_key, i, tally)
            else:
                number = _form_appeal(browser, i, tally)
            done = tally.ack(i, number)
            for at, what in CRASHES:
                if done == int(at * APPEALS):
                    crash(what)

        def crash(what: str) -> None:
            at = f"at {time.monotonic() - posting:.1f} s"
            if what == "worker":
                crashes.append(f"worker {at}, running {workers[0].kill(database)}")
            else:
                crashes.append(f"database {at}")
                pg.succeed(pg.instance_stop_command(data), dict(os.environ))
                time.sleep(DATABASE_DOWN_SECONDS)
                pg.instance_start(data, port, _OPTIONS)

        def client(n: int) -> None:
            browser = Browser(base)
            for i in range(n, APPEALS, CLIENTS):
                try:
                    one(i, browser)
                except AssertionError as exc:
                    with tally.lock:
                        tally.refused.append(f"CX{i:04d}: {exc}")

        with ThreadPoolExecutor(CLIENTS) as pool:
            for future in [pool.submit(client, n) for n in range(CLIENTS)]:
                future.result()
        figures["posting_seconds"] = round(time.monotonic() - posting, 1)

        # The worker's backlog: every appeal triaged and its SMS sent, within the bound.
        background = time.monotonic()
        while True:
            ((appeals, triaged, queued),) = _rows(
                database,
                "SELECT (SELECT count(*) FROM cases_appeal),"
                " (SELECT count(*) FROM triage_triagesuggestion),"
                " (SELECT count(*) FROM notify_smsmessage WHERE status = 'queued')",
            )
            if appeals == triaged and not queued:
                break
            if time.monotonic() - background > BACKGROUND_SECONDS:
                break
            time.sleep(1)
        figures["background_seconds"] = round(time.monotonic() - background, 1)
        figures["web_cpu_seconds"] = _cpu_seconds(gunicorn.pid)
    finally:
        for worker in workers:
            worker.stop()
        if gunicorn.poll() is None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)

    figures |= {
        "acknowledged": len(tally.acknowledged),
        "refused": len(tally.refused),
        "retries": dict(tally.retries),
        "crashes": crashes,
        "worker_starts": [worker.starts for worker in workers],
        "tasks": dict(
            _rows(
                database,
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY 1",
            )  # type: ignore[arg-type]
        ),
        "task_seconds": {
            str(path).rsplit(".", 1)[-1]: [n, round(float(total), 1)]  # type: ignore[arg-type]
            for path, n, total in _rows(
                database,
                "SELECT task_path, count(*),"
                " coalesce(sum(extract(epoch FROM finished_at - started_at)), 0)"
                " FROM django_tasks_database_dbtaskresult GROUP BY 1",
            )
        },
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    print("chaos:", json.dumps(figures, ensure_ascii=False))
    assert not tally.refused, tally.refused[:5]
    assert len(crashes) == len(CRASHES)

    # 0 lost, 0 duplicated: one appeal per posted one, each with the number its client got.
    stored: dict[int, list[tuple[int, str, str]]] = {}
    for pk, number, content, status in _rows(
        database, "SELECT id, tracking_number, content, status FROM cases_appeal"
    ):
        mark = MARK.search(str(content))
        assert mark, content
        stored.setdefault(int(mark[1]), []).append((int(pk), str(number), str(status)))  # type: ignore[call-overload]
    duplicated = {i: rows for i, rows in stored.items() if len(rows) > 1}
    assert not duplicated, list(duplicated.items())[:5]
    lost = {i: n for i, n in tally.acknowledged.items() if [r[1] for r in stored.get(i, [])] != [n]}
    assert not lost, list(lost.items())[:5]
    assert sorted(stored) == list(range(APPEALS))

    # Every event chain complete.
    chains: dict[int, list[tuple[str, str, str]]] = {}
    for appeal_id, action, source, target in _rows(
        database,
        "SELECT appeal_id, action, from_status, to_status FROM cases_appealevent ORDER BY id",
    ):
        chains.setdefault(int(appeal_id), []).append((str(action), str(source), str(target)))  # type: ignore[call-overload]
    triaged_ids = {r[0] for r in _rows(database, "SELECT appeal_id FROM triage_triagesuggestion")}
    sms = dict(
        _rows(
            database,
            "SELECT subject_id, status FROM notify_smsmessage WHERE subject_type = 'appeal'"
            " AND template_key = 'appeal_received'",
        )
    )
    broken = []
    for i, ((pk, _, status),) in sorted(stored.items()):
        chain = chains.get(pk, [])
        if (
            not chain
            or chain[0][:2] != ("receive", "")
            or [a for a, _, _ in chain].count("receive") != 1
        ):
            broken.append((i, "receive", chain))
        elif (
            any(chain[k][1] != chain[k - 1][2] for k in range(1, len(chain)))
            or chain[-1][2] != status
        ):
            broken.append((i, "chain", chain))
        if pk not in triaged_ids:
            broken.append((i, "triage", status))
        if sms.get(pk) != "sent":
            broken.append((i, "sms", sms.get(pk)))
    assert not broken, (len(broken), broken[:10])

    # The periodic tasks still come round: each has its next run booked.
    booked = {
        str(path)
        for (path,) in _rows(
            database,
            "SELECT DISTINCT task_path FROM django_tasks_database_dbtaskresult"
            " WHERE status = 'READY'",
        )
    }
    assert set(settings.MINXIN_PERIODIC_TASKS) <= booked, (
        set(settings.MINXIN_PERIODIC_TASKS) - booked
    )
