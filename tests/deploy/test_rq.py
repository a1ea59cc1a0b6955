"""Background work on Redis (django-tasks-rq) with several workers, against the real Redis of
this machine (127.0.0.1:6379) and a real PostgreSQL database: appeals received through the
intake service enqueue their triage (a run unless one waits to start) and receipt SMS on the rq
backend, two `minxin rqworker` processes (the command of deploy/systemd/minxin-rqworker@.service)
run them, every appeal gets its stored suggestion and both workers took a share. The suite's
own backend stays the database one."""

import signal
import subprocess
import time
import uuid

import redis
from rq import Queue, Worker
from rq.job import Job

from tests.redis_db import redis_held

from . import pg

# Redis database 13 is this test's own: its queues emptied at its start, one run at a time.
REDIS = "redis://127.0.0.1:6379/13"
QUEUE = "default"
APPEALS = 12

RECEIVE = f"""
from minxin.accounts.actor import Actor
from minxin.cases.services import AppealDraft
from minxin.intake.services import appeal_receive
from tests.builders import district_build
district_build()
for n in range({APPEALS}):
    appeal_receive(actor=Actor.citizen(), draft=AppealDraft(
        channel="web", kind="complaint", title=f"小区垃圾无人清运 {{n}}",
        content="景蓉华苑小区门口垃圾堆放三天无人清运，气味很大，请尽快处理。",
        place_text="景蓉华苑", appellant_name="张三", appellant_phone="13812345678"))
"""


def _worker(name: str, queue: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 — our own program and arguments
        [
            pg.MINXIN,
            "rqworker",
            "--job-class",
            "django_tasks_rq.Job",
            "--worker-class",
            "rq.SimpleWorker",
            "--with-scheduler",
            "--name",
            name,
            queue,
        ],
        env=env,
        cwd=pg.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_two_rq_workers_run_the_triage_of_received_appeals() -> None:
    with redis_held(REDIS, name="minxin-test-rq", seconds=900) as connection:
        _two_workers_triage(connection)


def _two_workers_triage(connection: redis.Redis) -> None:
    queue = QUEUE
    run = uuid.uuid4().hex[:8]
    names = [f"test-{run}-w1", f"test-{run}-w2"]
    with pg.migrated_database("minxin_rq") as database:
        env = pg.django_env(database, MINXIN_TASK_BACKEND="rq", REDIS_URL=REDIS)
        workers = [_worker(name, queue, env) for name in names]
        try:
            deadline = time.monotonic() + 180
            while {w.name for w in Worker.all(queue=Queue(queue, connection=connection))} != set(
                names
            ):
                assert all(w.poll() is None for w in workers), workers[0].stderr.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the workers did not start in 180 s"
                time.sleep(0.5)
            # The web process's part: appeals received, their triage enqueued on Redis.
            pg.minxin("shell", "--no-imports", "-c", RECEIVE, env=env)
            deadline = time.monotonic() + 240
            rq_queue = Queue(queue, connection=connection)
            while (
                pg.rows(database, "SELECT count(*) FROM triage_triagesuggestion") != [(APPEALS,)]
                or rq_queue.count
                or rq_queue.started_job_registry.count
            ):
                assert time.monotonic() < deadline, "the triage tasks did not all run in 240 s"
                time.sleep(0.5)
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
            for w in workers:
                try:
                    w.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    w.kill()
        assert not rq_queue.failed_job_registry.get_job_ids()
        # Receiving enqueues a triage run unless one waits to start (one run takes every
        # appeal waiting), and each appeal's receipt SMS: the workers share them.
        finished = [
            job
            for job in Job.fetch_many(
                rq_queue.finished_job_registry.get_job_ids(), connection=connection
            )
            if job is not None
        ]
        triage = [job for job in finished if job.func_name.endswith("triage_waiting_task")]
        assert 1 <= len(triage) < APPEALS
        assert sum(job.return_value() or 0 for job in triage) == APPEALS
        ran_by = {result.worker_name for job in finished for result in job.results()}
        assert ran_by == set(names), f"one worker ran everything: {ran_by}"
        suggested = pg.rows(
            database,
            "SELECT count(*) FROM cases_appeal a"
            " JOIN triage_triagesuggestion s ON s.appeal_id = a.id",
        )
        assert suggested == [(APPEALS,)]
