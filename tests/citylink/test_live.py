"""The city link between two live minxin servers on the loopback, each with its own SQLite
database and its own task worker: a "city" sends an appeal down through its outbox (Open311
POST requests), the "district" receives it with the city's id and deadline, handles it and
replies; its steps and its reply go back up through its outbox (Open311 POST
servicerequestupdates) and are recorded on the city's appeal. The city is stopped while the
district's outbox is sending: the district retries with backoff, the city starts again, and
every step arrives, each once; a message sent again (an acknowledgement lost) is not recorded
twice. Every wait is bounded."""

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
MINXIN = str(ROOT / ".venv" / "bin" / "minxin")
CACHE = ROOT / "var" / "test-citylink"
REPLY = "路灯已于今日修复，经现场核实恢复照明，已电话告知诉求人。"


def _env(database: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO", "DATABASE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=f"sqlite:///{database}",
        PYTHONPATH=str(ROOT),
        MINXIN_CITYLINK_BACKOFF_SECONDS="1",
        MINXIN_CITYLINK_BACKOFF_MAX_SECONDS="2",
        MINXIN_CITYLINK_TIMEOUT_SECONDS="5",
        MINXIN_SMS_BACKOFF_SECONDS="0",
    )
    env.update(extra)
    return env


def _minxin(*args: str, env: dict[str, str], timeout: float = 300) -> str:
    done = subprocess.run(  # noqa: S603 - our own program and arguments
        [MINXIN, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"minxin {args[0]}: {done.stderr[-3000:]}"
    return done.stdout


def _shell(code: str, env: dict[str, str]) -> str:
    """A script run by `minxin shell` against one side's database; its last line back."""
    lines = _minxin("shell", "--no-imports", "-c", code, env=env).strip().splitlines()
    return lines[-1] if lines else ""


def _shells(*scripts: tuple[str, dict[str, str]]) -> list[str]:
    """Several `_shell`s at once (each side's own database): their last lines, in order."""
    procs = [
        subprocess.Popen(  # noqa: S603 - our own program and arguments
            [MINXIN, "shell", "--no-imports", "-c", code],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for code, env in scripts
    ]
    lines = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]
        lines.append(out.strip().splitlines()[-1])
    return lines


def _template() -> Path:
    """A migrated SQLite database of this code's migrations, built once and copied per side."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "minxin").glob("*/migrations/*.py")):
        digest.update(path.read_bytes())
    CACHE.mkdir(parents=True, exist_ok=True)
    template = CACHE / f"template-{digest.hexdigest()[:16]}.sqlite3"
    if not template.exists():
        building = CACHE / f"building-{os.getpid()}.sqlite3"
        env = _env(building)
        _minxin("migrate", "--noinput", "-v", "0", env=env, timeout=600)
        _minxin("createcachetable", env=env)
        _copy(building, template)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
    return template


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database, timeout=20) as conn:
        return conn.execute(sql, params).fetchall()


def _wait(what: str, ready: Callable[[], bool], *, timeout: float, procs: list[Any]) -> float:
    start = time.monotonic()
    while not ready():
        for p in procs:
            assert p.poll() is None, f"{what}: a process stopped: {p.args}"
        assert time.monotonic() - start < timeout, f"{what}: not within {timeout} s"
        time.sleep(0.3)
    return time.monotonic() - start


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own program and arguments
        [MINXIN, *args],
        env=env,
        cwd=ROOT,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


def _up(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # nosec B310
            return bool(r.status == 200)
    except OSError:
        return False


@contextmanager
def _processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    running: list[subprocess.Popen[bytes]] = []
    try:
        yield running
    finally:
        for p in running:
            _stop(p)


SIDE = """
from minxin.citylink.models import Peer
from minxin.open311.services import api_key_create
from tests.builders import district_build
district_build()
peer = Peer.objects.create(code={code!r}, name={name!r}, base_url={url!r})
print(api_key_create(name={key_name!r}, peer_id=peer.pk)[1])
"""

SEND_DOWN = """
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.deadlines.models import Urgency
from minxin.directory.models import Category, Region
from datetime import timedelta
from django.utils import timezone
taker = Actor.of(User.objects.get(username="call_taker"))
dispatcher = Actor.of(User.objects.get(username="dispatcher"))
appeal = services.appeal_create(actor=taker, draft=services.AppealDraft(
    channel="hotline", kind="complaint", title="路灯不亮",
    content="桂花路12号门口路灯不亮已一周，晚上行人看不清路。", place_text="桂花路12号",
    appellant_name="张三", appellant_phone="13812345678")).appeal
category = Category.objects.filter(children__isnull=True).order_by("pk").first()
v = lambda: Appeal.objects.get(pk=appeal.pk).version
services.appeal_screen(appeal_id=appeal.pk, actor=dispatcher, expected_version=v(),
    category_id=category.pk, region_id=Region.objects.get(code="A3-01-01").pk,
    urgency=Urgency.NORMAL)
services.appeal_send_down(appeal_id=appeal.pk, actor=dispatcher, expected_version=v(),
    peer="district", service_code=str(category.pk), due=timezone.now() + timedelta(hours=20))
print(appeal.tracking_number)
"""

HANDLE = """
from minxin.accounts.actor import Actor
from minxin.accounts.models import User
from minxin.cases import services
from minxin.cases.models import Appeal
from minxin.cases.workflow import Action
from minxin.deadlines.models import Urgency
from minxin.directory.models import Region, Unit
appeal = Appeal.objects.get(upstream_id={number!r})
dispatcher = Actor.of(User.objects.get(username="dispatcher"))
handler_user = User.objects.get(username="handler")
handler = Actor.of(handler_user)
v = lambda: Appeal.objects.get(pk=appeal.pk).version
if Appeal.objects.get(pk=appeal.pk).status == "received":
    services.appeal_screen(appeal_id=appeal.pk, actor=dispatcher, expected_version=v(),
        category_id=appeal.category_id, region_id=Region.objects.get(code="A3-01-01").pk,
        urgency=Urgency.NORMAL)
services.appeal_dispatch(appeal_id=appeal.pk, actor=dispatcher, expected_version=v(),
    lead_unit_id=handler_user.unit_id)
services.appeal_act(appeal_id=appeal.pk, action=Action.ACCEPT, actor=handler,
    expected_version=v())
services.appeal_act(appeal_id=appeal.pk, action=Action.FIRST_CONTACT, actor=handler,
    expected_version=v(), reason="已电话联系诉求人，约定今日上门")
services.reply_submit(appeal_id=appeal.pk, actor=handler, expected_version=v(),
    reason={reply!r})
print(Appeal.objects.get(pk=appeal.pk).status)
"""

RESEND = """
from minxin.cases.services import peer_message_deliver
from minxin.citylink.models import OutboxMessage
from django.utils import timezone
message = OutboxMessage.objects.filter(kind="reply").get()
OutboxMessage.objects.filter(pk=message.pk).update(status="pending", next_attempt_at=timezone.now())
print(peer_message_deliver(message_id=message.pk))
"""


def test_city_and_district_on_the_loopback(tmp_path: Path) -> None:
    timings: dict[str, float] = {}
    started = time.monotonic()
    template = _template()
    timings["template"] = time.monotonic() - started
    city_db, district_db = tmp_path / "city.sqlite3", tmp_path / "district.sqlite3"
    _copy(template, city_db)
    _copy(template, district_db)
    city_port, district_port = free_port(), free_port()
    base = "http://127.0.0.1:{}/open311/v2"
    # Each side's record of the other, and the key the other side will call it with.
    district_key_on_city, city_key_on_district = _shells(
        (
            SIDE.format(
                code="district",
                name="A3区平台",
                url=base.format(district_port),
                key_name="A3区上报",
            ),
            _env(city_db),
        ),
        (
            SIDE.format(
                code="city", name="A市平台", url=base.format(city_port), key_name="A市下派"
            ),
            _env(district_db),
        ),
    )
    city_env = _env(city_db, MINXIN_CITYLINK_KEYS=json.dumps({"district": city_key_on_district}))
    district_env = _env(
        district_db, MINXIN_CITYLINK_KEYS=json.dumps({"city": district_key_on_city})
    )
    timings["setup"] = time.monotonic() - started

    def server(env: dict[str, str], port: int, name: str) -> subprocess.Popen[bytes]:
        return _start(
            ["runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
            env,
            tmp_path / f"{name}.log",
        )

    def worker(env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
        return _start(
            ["db_worker", "--interval", "0.2", "--no-startup-delay"], env, tmp_path / f"{name}.log"
        )

    with _processes() as procs:
        city = server(city_env, city_port, "city")
        procs += [
            city,
            server(district_env, district_port, "district"),
            worker(city_env, "city-worker"),
            worker(district_env, "district-worker"),
        ]
        _wait("servers up", lambda: _up(city_port) and _up(district_port), timeout=60, procs=procs)
        timings["servers up"] = time.monotonic() - started

        # The city sends an appeal down; its worker posts the work order to the district.
        number = _shell(SEND_DOWN, city_env)
        timings["down"] = _wait(
            "the work order reaches the district",
            lambda: (
                _rows(
                    city_db,
                    "SELECT downstream_id FROM cases_appeal WHERE tracking_number=?",
                    number,
                )
                != [("",)]
            ),
            timeout=60,
            procs=procs,
        )
        (down_id,) = _rows(
            city_db, "SELECT downstream_id FROM cases_appeal WHERE tracking_number=?", number
        )[0]
        ((upstream_id, upstream_due, peer),) = _rows(
            district_db,
            "SELECT a.upstream_id, a.upstream_due, p.code FROM cases_appeal a"
            " JOIN citylink_peer p ON p.id = a.upstream_peer_id WHERE a.tracking_number=?",
            down_id,
        )
        assert (upstream_id, peer) == (number, "city") and upstream_due

        # The city goes down; the district handles and replies meanwhile.
        procs.remove(city)
        _stop(city)
        assert _shell(HANDLE.format(number=number, reply=REPLY), district_env) == "resolved"
        ((resolve_due,),) = _rows(
            district_db, "SELECT resolve_due FROM cases_appeal WHERE tracking_number=?", down_id
        )
        assert resolve_due <= upstream_due  # capped by the city's deadline
        messages = _rows(district_db, "SELECT count(*) FROM citylink_outboxmessage")[0][0]
        assert messages >= 4  # accept, first contact, the reply (and maybe dispatch)
        timings["retrying"] = _wait(
            "the district's outbox retries while the city is down",
            lambda: (
                (
                    _rows(
                        district_db,
                        "SELECT max(attempts) FROM citylink_outboxmessage WHERE status='pending'",
                    )[0][0]
                    or 0
                )
                >= 3
            ),
            timeout=60,
            procs=procs,
        )
        errors = _rows(
            district_db, "SELECT last_error FROM citylink_outboxmessage WHERE attempts>0"
        )
        assert errors and all("无法连接" in e for (e,) in errors), errors
        assert not _rows(
            city_db, "SELECT id FROM cases_appealevent WHERE action LIKE 'downstream%'"
        )

        # The city comes back: everything arrives, in order, once.
        city = server(city_env, city_port, "city")
        procs.append(city)
        _wait("the city is up again", lambda: _up(city_port), timeout=60, procs=procs)
        timings["caught up"] = _wait(
            "the district's outbox delivers everything",
            lambda: (
                _rows(
                    district_db, "SELECT count(*) FROM citylink_outboxmessage WHERE status!='sent'"
                )
                == [(0,)]
            ),
            timeout=90,
            procs=procs,
        )
        recorded = _rows(
            city_db,
            "SELECT e.action, e.reason FROM cases_appealevent e JOIN cases_appeal a"
            " ON a.id = e.appeal_id WHERE a.tracking_number=? AND e.action LIKE 'downstream%'"
            " ORDER BY e.id",
            number,
        )
        assert len(recorded) == messages
        assert [a for a, _ in recorded] == ["downstream_update"] * (messages - 1) + [
            "downstream_reply"
        ]
        assert recorded[-1][1] == REPLY
        sent = _rows(
            district_db,
            "SELECT message_id FROM citylink_outboxmessage WHERE appeal_id="
            "(SELECT id FROM cases_appeal WHERE tracking_number=?) ORDER BY id",
            down_id,
        )
        received = _rows(city_db, "SELECT update_id FROM citylink_receivedupdate ORDER BY id")
        assert [str(_uuid(m)) for (m,) in sent] == [u for (u,) in received]

        # An acknowledgement lost: the district sends the reply again; nothing new on the city.
        assert _shell(RESEND, district_env) == "sent"
        assert len(_rows(city_db, "SELECT id FROM citylink_receivedupdate")) == messages
        assert _rows(
            city_db, "SELECT count(*) FROM cases_appealevent WHERE action LIKE 'downstream%'"
        ) == [(messages,)]
    timings["total"] = time.monotonic() - started
    print("timings (s):", {k: round(v, 1) for k, v in timings.items()})


def _uuid(value: str) -> str:
    """SQLite keeps a UUIDField as 32 hex digits; the wire carries the dashed form."""
    import uuid

    return str(uuid.UUID(hex=value))
