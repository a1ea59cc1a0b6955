"""The Content-Security-Policy and the templates it relies on: no inline script, no event
handler attribute, no javascript: URL anywhere in the templates; production settings with
HSTS and the proxy's header."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2] / "minxin"
TEMPLATES = sorted(ROOT.rglob("*.html"))


def test_every_page_carries_the_policy(client, db):
    response = client.get(reverse("citizen:home"))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "style-src-attr" not in policy  # style= attributes refused like the rest
    assert "unsafe-eval" not in policy


def test_staff_and_admin_pages_carry_it_too(client, district):
    client.force_login(district.user("admin"))
    for url in (reverse("accounts:security"), "/admin/"):
        assert "script-src 'self'" in client.get(url)["Content-Security-Policy"]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_inline_script_in_a_template(path: Path):
    html = path.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert "src=" in tag, f"inline <script> in {path.name}: move it to a static file"
    assert not re.search(r"\son[a-z]+\s*=", html), f"event handler attribute in {path.name}"
    assert "javascript:" not in html, f"javascript: URL in {path.name}"
    assert not re.search(r"<style\b", html, flags=re.IGNORECASE), f"<style> in {path.name}"
    assert not re.search(r"\sstyle\s*=", html), f"style= attribute in {path.name}: use a class"


def test_production_settings_are_https_only(monkeypatch):
    import importlib

    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    prod = importlib.import_module("config.settings.prod")
    prod = importlib.reload(prod)
    assert prod.SECURE_HSTS_SECONDS >= 31536000
    assert prod.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert prod.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
    assert prod.MINXIN_2FA_REQUIRED


def test_check_deploy_with_production_settings_warns_of_nothing(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "k" * 30 + "-production-like-secret-" + "q" * 30,
        "MINXIN_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of this process
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
