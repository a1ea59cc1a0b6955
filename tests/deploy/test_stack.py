"""The production layout on this machine's loopback: gunicorn with deploy/gunicorn.conf.py and
the production settings, behind nginx with deploy/nginx/minxin.conf (only its paths and ports
changed), TLS with a certificate made for the test, PostgreSQL, Redis as the cache.

What an operator relies on: HTTP goes to HTTPS, the app sees the request as secure (no
redirect loop, HSTS), nginx serves the static files itself (gunicorn never sees them), /media/
is never a file, /healthz and /readyz answer, /metrics sums every web process and only with
the token, and the log lines are JSON without query strings or personal data."""

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.ports import free_port

from . import pg

HOST = "minxin.example.gov.cn"
TOKEN = "stack-test-metrics-token-0123456789"


def _nginx_conf(tmp: Path, var: Path, sock: Path, http: int, https: int) -> Path:
    site = (pg.ROOT / "deploy" / "nginx" / "minxin.conf").read_text()
    for old, new in (
        ("unix:/run/minxin/gunicorn.sock", f"unix:{sock}"),
        ("listen [::]:80;\n", ""),
        ("listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("/etc/ssl/minxin/", f"{tmp}/tls/"),
        ("/var/lib/minxin/static/", f"{var}/static/"),
        ("/var/log/nginx/", f"{tmp}/log/"),
        ("/etc/nginx/minxin_proxy.conf", f"{tmp}/minxin_proxy.conf"),
        ("root /var/www/html;", f"root {tmp};"),
    ):
        assert old in site, old
        site = site.replace(old, new)
    (tmp / "minxin.conf").write_text(site)
    shutil.copy(pg.ROOT / "deploy" / "nginx" / "minxin_proxy.conf", tmp / "minxin_proxy.conf")
    (tmp / "log").mkdir()
    conf = tmp / "nginx.conf"
    temp = " ".join(
        f"{kind}_temp_path {tmp}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf.write_text(
        f"user root;\nworker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/log/error.log;\n"
        "daemon off;\nevents { worker_connections 64; }\n"
        f"http {{\n include /etc/nginx/mime.types;\n {temp}\n access_log {tmp}/log/access.log;\n"
        f" include {tmp}/minxin.conf;\n}}\n"
    )
    return conf


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    if shutil.which("nginx") is None:
        pytest.fail(
            "nginx is needed for the deployment test: apt-get install nginx (make test does)"
        )
    tmp = tmp_path_factory.mktemp("stack")
    var = tmp / "var"
    var.mkdir()
    (var / "triage").symlink_to(pg.ROOT / "var" / "triage")
    (tmp / "tls").mkdir()
    pg.succeed(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
            "-keyout",
            f"{tmp}/tls/privkey.pem",
            "-out",
            f"{tmp}/tls/fullchain.pem",
        ],
        dict(os.environ),
    )
    CERTIFICATE[:] = [f"{tmp}/tls/fullchain.pem"]
    sock = tmp / "gunicorn.sock"
    http, https = free_port(), free_port()
    with pg.migrated_database("minxin_stack") as database:
        env = pg.django_env(
            database,
            DJANGO_SETTINGS_MODULE="config.settings.prod",
            SECRET_KEY="stack-test-secret-key-" + "x" * 40,
            ALLOWED_HOSTS=HOST,
            CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
            MINXIN_VAR_DIR=str(var),
            REDIS_URL="redis://127.0.0.1:6379/11",
            MINXIN_METRICS_TOKEN=TOKEN,
            RATELIMIT_IP_META_KEY="HTTP_X_REAL_IP",
            MINXIN_BIND=f"unix:{sock}",
            MINXIN_WEB_WORKERS="2",
            MINXIN_WEB_THREADS="2",
        )
        pg.minxin("collectstatic", "--noinput", "-v", "0", env=env, timeout=600)
        log = (tmp / "gunicorn.log").open("wb")
        gunicorn = subprocess.Popen(  # noqa: S603 — our own program and arguments
            [
                str(pg.ROOT / ".venv" / "bin" / "gunicorn"),
                "-c",
                str(pg.ROOT / "deploy" / "gunicorn.conf.py"),
                "config.wsgi",
            ],
            env=env,
            cwd=pg.ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        conf = _nginx_conf(tmp, var, sock, http, https)
        nginx = subprocess.Popen(  # noqa: S603 — nginx from the machine, our configuration
            [str(shutil.which("nginx")), "-c", str(conf), "-p", str(tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            base = f"https://127.0.0.1:{https}"
            deadline = time.monotonic() + 120
            while True:
                assert gunicorn.poll() is None, (tmp / "gunicorn.log").read_text()[-3000:]
                assert nginx.poll() is None, nginx.stderr.read() if nginx.stderr else ""
                try:
                    if _get(base, "/healthz").status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or still loading
                    pass
                assert time.monotonic() < deadline, "gunicorn did not answer behind nginx in 120 s"
                time.sleep(0.5)
            yield {
                "base": base,
                "http": f"http://127.0.0.1:{http}",
                "log": tmp / "gunicorn.log",
                "var": var,
            }
        finally:
            _stop(nginx)
            _stop(gunicorn)
            log.close()


CERTIFICATE: list[str] = []  # the test's own certificate, trusted by the requests below


def _get(base: str, path: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(
        f"{base}{path}",
        headers={"Host": HOST, **(headers or {})},
        verify=CERTIFICATE[0],
        allow_redirects=False,
        timeout=90,
    )


def test_http_goes_to_https(stack) -> None:
    response = _get(stack["http"], "/healthz?x=1")
    assert response.status_code == 301
    assert response.headers["Location"] == f"https://{HOST}/healthz"


def test_pages_are_served_as_secure_through_the_proxy(stack) -> None:
    response = _get(stack["base"], "/")
    assert response.status_code == 200, response.text[:500]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert "nginx/" not in response.headers.get("Server", "")  # server_tokens off


def test_health_and_readiness(stack) -> None:
    assert _get(stack["base"], "/healthz").json() == {"status": "ok", "database": "up"}
    ready = _get(stack["base"], "/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "up", "cache": "up", "tasks": "up"}


def test_nginx_serves_the_static_files_itself(stack) -> None:
    manifest = json.loads((stack["var"] / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/minxin.css"]
    response = _get(stack["base"], f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "text/css" in response.headers["Content-Type"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"  # the .gz collectstatic wrote
    assert _get(stack["base"], "/static/css/no-such-file.css").status_code == 404
    time.sleep(0.5)
    assert "/static/" not in stack["log"].read_text()  # gunicorn never saw them


def test_media_is_never_a_file(stack) -> None:
    (stack["var"] / "media").mkdir(exist_ok=True)
    (stack["var"] / "media" / "secret.jpg").write_bytes(b"photo")
    assert _get(stack["base"], "/media/secret.jpg").status_code == 404


def test_metrics_sum_every_web_process_and_need_the_token(stack) -> None:
    for _ in range(20):
        _get(stack["base"], "/healthz")
    assert _get(stack["base"], "/metrics").status_code == 404
    response = _get(stack["base"], "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    line = next(
        line
        for line in response.text.splitlines()
        if line.startswith('minxin_http_requests_total{method="GET",route="/healthz",status="200"}')
    )
    assert float(line.split()[-1]) >= 20
    # The work's gauges are per district: this stack's database has none yet, so no sample.
    assert (
        "# TYPE minxin_appeals_overdue gauge" in response.text
        and "minxin_task_queue_depth{" in response.text
    )


def test_log_lines_are_json_without_query_strings(stack) -> None:
    _get(stack["base"], "/healthz?phone=13812345678", headers={"X-Request-ID": "req-42"})
    time.sleep(0.5)
    lines = [
        json.loads(line) for line in stack["log"].read_text().splitlines() if line.startswith("{")
    ]
    requests_logged = [line for line in lines if line["logger"] == "minxin.request"]
    # nginx gives every request its own id, whatever the client sent.
    assert any(
        line["path"] == "/healthz" and re.fullmatch("[0-9a-f]{32}", line["request_id"])
        for line in requests_logged
    )
    assert "req-42" not in stack["log"].read_text()
    assert "13812345678" not in stack["log"].read_text()
