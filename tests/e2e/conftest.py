"""Browser tests: Playwright driving Debian's headless Chromium against a live server."""

import base64
import contextlib
import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.builders import District, district_build

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--lang=zh-CN",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server):  # type: ignore[no-untyped-def]
    """Open pages as separate people: each call is a fresh context (own cookies). Whatever the
    browser refuses under the Content-Security-Policy fails the test."""
    contexts = []
    refused: list[str] = []

    def listen(message) -> None:  # type: ignore[no-untyped-def]
        if "Content Security Policy" in message.text:
            refused.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def make(*, phone: bool = False) -> Page:
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
            base_url=live_server.url,
        )
        context.set_default_timeout(15_000)
        context.on("console", listen)
        contexts.append(context)
        return context.new_page()

    yield make
    # Let the pages' last requests (HTMX panels, polls, the map's data) finish before the test
    # database is emptied: a request still running on the live server held SQLite's lock and
    # failed the flush ("database table is locked") on a busy machine.
    for context in contexts:
        for page in context.pages:
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state("networkidle", timeout=5_000)
        context.close()
    time.sleep(0.2)  # the server closes a response just after the browser has it
    assert not refused, "refused by the Content-Security-Policy:\n" + "\n".join(refused[:10])


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot of a main screen to docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page: Page, username: str, password: str) -> None:
    """Sign in on the login page, giving the second factor when asked (admins, supervisors and
    leaders): the first time by enrolling with the secret the setup page shows, afterwards with
    the authenticator's next code (or a recovery code when that code was just used)."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/2fa/setup/" in page.url:
        secret = (page.locator("[data-secret]").text_content() or "").replace(" ", "")
        page.fill("input[name=code]", totp_now(secret))
        page.click("button[type=submit]")
        page.get_by_role("link", name="我已保存，继续").click()
        page.wait_for_load_state("networkidle")
    elif "/accounts/2fa/" in page.url:
        page.fill("input[name=code]", second_factor_code(username))
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")


def totp_now(secret: str) -> str:
    """The code an authenticator app shows now for a base32 secret."""
    from django_otp.oath import TOTP

    totp = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    totp.time = time.time()
    return f"{totp.token():06d}"


def second_factor_code(username: str) -> str:
    """A code the enrolled user's device accepts: the app's current one, unless it was used in
    this 30-second step already; then a fresh recovery code."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() > device.last_t:
        return f"{totp.token():06d}"
    recovery = StaticDevice.objects.get(user=device.user)
    token = StaticToken.random_token()
    StaticToken.objects.create(device=recovery, token=token)
    return token


@pytest.fixture(autouse=True)
def _e2e_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploads go to a temporary directory; rate-limit counters start from zero for each test
    (the live server runs in this process, so both changes reach it)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def live_district(transactional_db: None) -> District:
    """The builders' district for tests against the live server (committed, not rolled back)."""
    return district_build()


@pytest.fixture
def photo_png(tmp_path: Path) -> Path:
    """A small real PNG, as a phone camera would attach it."""
    path = tmp_path / "garbage.png"
    image = Image.new("RGB", (320, 240), (120, 160, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 90, 240, 200), fill=(90, 70, 50))
    image.save(path, format="PNG")
    return path


def action_open(page: Page, action: str) -> Locator:
    """The <details data-action=...> form of an action on the appeal page, opened."""
    details = page.locator(f"details[data-action={action}]")
    expect(details).to_be_visible()
    # The page's panels load after it (HTMX) and move the summary: wait for them; a click during
    # a late shift can still land beside it, so the state is checked again before another click.
    page.wait_for_load_state("networkidle")
    for _ in range(3):
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        try:
            expect(details.locator("form")).to_be_visible(timeout=3000)
            break
        except AssertionError:
            continue
    expect(details.locator("form")).to_be_visible()
    return details


_SETTLE = (
    "() => document.fonts.ready.then(() => new Promise("
    "r => requestAnimationFrame(() => requestAnimationFrame(r))))"
)


def snap(page: Page, name: str) -> None:
    """`shot` once the page has settled, checked against the page's height.

    Chromium's full-page capture now and then measures the page before its last layout and
    cuts off the bottom (seen on the appeal page right after a redirect). The PNG is compared
    with the document height and taken again; the last try sizes the viewport to the whole
    page first, which cannot be cut."""
    path = SCREENSHOTS / f"{name}.png"
    scale = page.evaluate("window.devicePixelRatio")
    for attempt in range(3):
        page.evaluate(_SETTLE)
        expected = page.evaluate("document.documentElement.scrollHeight")
        viewport = page.viewport_size
        if attempt == 2 and viewport and expected > viewport["height"]:
            page.set_viewport_size({"width": viewport["width"], "height": expected})
            page.evaluate(_SETTLE)
            shot(page, name)
            page.set_viewport_size(viewport)
        else:
            shot(page, name)
        with Image.open(path) as image:
            height = image.height / scale
        if abs(height - expected) <= 1:
            if attempt:
                warnings.warn(f"screenshot {name} retaken {attempt} time(s)", stacklevel=2)
            return
    raise AssertionError(f"screenshot {name}: {height:.0f}px high, the page is {expected}px")
