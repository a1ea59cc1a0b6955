"""The mixed load of issue 17 for locust: citizens, handlers, dispatchers and leaders at once.

Run by `bench/mixed_load.py` (which builds locust in its own virtualenv, serves minxin and
passes the accounts in the environment); locust is not one of the project's dependencies.

The mix (locust's user weights; with 20 users exactly these counts):

| user kind | weight | users of 20 |
|---|---:|---:|
| citizen | 8 | 8 (40 %) |
| handler | 6 | 6 (30 %) |
| dispatcher | 3 | 3 (15 %) |
| leader | 3 | 3 (15 %) |

Each user does its task over and over, waiting 1–3 s after each:

- citizen: opens the appeal form and sends it (new words and phone each time), then its
  receipt; one time in four opens the tracking form and looks the appeal up with the
  receipt's number and query code;
- handler: its unit's queue and one appeal of it; on it, when the page offers the action,
  records progress (`note`), else contacts the citizen (`first_contact`), else accepts it
  (`accept`), and sees the page again;
- dispatcher: the screening queue, one appeal's page and its triage panel; one time in three
  accepts the suggestion in one POST (and dispatches to the suggested unit when there is one);
- leader (the leader's and the supervisor's accounts): the dashboard and its map points, then
  the scorecards.

The share of requests each kind makes follows from these steps and from how fast the server
answers; bench/mixed_load.py prints it with the figures.

Each staff user logs in once, through the login form, on its own account where there are
enough (handlers: one street unit each; dispatchers and leaders share two accounts each).
Every request is named by user kind and page, so locust's table groups them; a POST is
measured without its redirect (302 is its success), and the page it leads to is asked for
as a request of its own.
"""

from __future__ import annotations

import http.cookiejar
import itertools
import os
import random
import re
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "minxin-demo-2026")
HANDLERS = os.environ.get("BENCH_HANDLERS", "handler").split(",")
DISPATCHERS = os.environ.get("BENCH_DISPATCHERS", "dispatcher").split(",")
LEADERS = os.environ.get("BENCH_LEADERS", "leader").split(",")
APPEAL_LINK = re.compile(r'href="/console/appeals/(\d+)/"')
RECEIPT = re.compile(r'<p class="big">\s*([^<\s]+)\s*</p>')
HTMX = {"HX-Request": "true"}

PLACES = [
    "和馨园小区",
    "麓谷街道枫林路",
    "天顶街道金茂小区",
    "岳麓山南门",
    "东方红镇白鹤村",
    "梅溪湖公园",
]
MATTERS = [
    ("路灯不亮", "小区门口的路灯坏了一个多星期，晚上很黑，老人出行不便，请尽快修复。"),
    ("夜间施工噪音", "工地每天晚上十一点以后还在施工，噪音很大，孩子无法入睡，请相关部门处理。"),
    ("垃圾清运不及时", "楼下的垃圾桶已经三天没有清运，气味很大，蚊蝇多，请安排清理。"),
    ("道路积水", "下雨后路口积水很深，行人和电动车通行困难，希望疏通排水管道。"),
    ("占道经营", "早市摊贩占用人行道，行人只能走机动车道，很危险，请加强管理。"),
    ("电梯故障", "我们单元的电梯经常停运，物业维修不及时，老人上下楼困难。"),
]
NOTES = [
    "已电话联系诉求人，约定明日上午到现场查看。",
    "已会同社区到现场核实，正在协调相关单位处理。",
    "已安排维修人员，预计三个工作日内完成。",
]


# The production settings mark the session and CSRF cookies Secure; on the loopback's plain
# HTTP they are sent all the same, as a browser's would be behind the TLS proxy in front.
# (requests builds a new cookie jar for each request, so the class's rule is the one to set.)
setattr(http.cookiejar.DefaultCookiePolicy, "return_ok_secure", lambda *_: True)  # noqa: B010


class _Forms(HTMLParser):
    """The page's forms: each one's action, class and fields (the first value of each name;
    the buttons apart)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._open = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "class": a.get("class", "")})
            self.forms[-1]["fields"] = {}
            self.forms[-1]["buttons"] = {}
            self._open = True
        elif self._open and tag == "button" and a.get("name"):
            self.forms[-1]["buttons"][a["name"]] = a.get("value", "")
        elif (
            self._open
            and tag in ("input", "textarea", "select")
            and a.get("name")
            and a.get("type") not in ("checkbox", "radio", "file", "submit")
        ):
            self.forms[-1]["fields"].setdefault(a["name"], a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def _form(page: str, action: str) -> dict[str, Any] | None:
    """The first form of the page whose action contains `action`."""
    return next((f for f in _Forms(page).forms if action in f["action"]), None)


def _post(user: HttpUser, url: str, fields: dict[str, str], name: str) -> bool:
    """A form sent, measured without the redirect that is its success (a page with an error
    answers 4xx, a refused login 200)."""
    with user.client.post(
        url, data=fields, name=name, allow_redirects=False, catch_response=True
    ) as response:
        if response.status_code == 302:
            return True
        response.failure(f"{response.status_code} instead of 302")
        return False


class _Staff(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    accounts: itertools.cycle[str]

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login page").text
        form = _form(page, "/accounts/login/") or {"fields": {}}
        fields = {
            **form["fields"],
            "username": next(self.accounts),
            "password": PASSWORD,
            "next": "",
        }
        _post(self, "/accounts/login/", fields, "login")


class _Queue(_Staff):
    """A user whose work starts from a queue: the page, then one of the first 20 appeals it
    lists (nothing more when it is empty)."""

    abstract = True
    queue: tuple[str, str]  # its URL, the request's name

    @task
    def work(self) -> None:
        url, name = self.queue
        ids = APPEAL_LINK.findall(self.client.get(url, name=name).text)
        if ids:
            self.appeal_work(random.choice(ids[:20]))

    def appeal_work(self, appeal: str) -> None:
        raise NotImplementedError


class Citizen(HttpUser):
    weight = 8
    wait_time = between(1, 3)
    _count = itertools.count(1)

    @task
    def submit(self) -> None:
        n = next(self._count)
        page = self.client.get("/appeal/new/", name="citizen: appeal form").text
        form = _form(page, "/appeal/new/")
        if form is None:
            return
        title, content = random.choice(MATTERS)
        place = random.choice(PLACES)
        fields = {
            **form["fields"],
            "kind": random.choice(["complaint", "help", "suggestion", "report"]),
            "title": f"{title}（{place}）",
            "content": f"{place}{content}已经反映过{n % 7 + 1}次，第{n}号楼附近。",
            "place_text": place,
            "appellant_name": random.choice(["张先生", "李女士", "王阿姨", "刘师傅"]),
            "appellant_phone": f"139{os.getpid() % 100:02d}{n:06d}",
        }
        if not _post(self, "/appeal/new/", fields, "citizen: appeal sent"):
            return
        receipt = self.client.get("/appeal/receipt/", name="citizen: receipt").text
        if random.random() < 0.25:
            self._track(receipt)

    def _track(self, receipt: str) -> None:
        found = RECEIPT.findall(receipt)
        page = self.client.get("/track/", name="citizen: tracking form").text
        form = _form(page, "/track/")
        if len(found) < 2 or form is None:
            return
        fields = {**form["fields"], "tracking_number": found[0], "query_code": found[1]}
        if _post(self, "/track/", fields, "citizen: tracking sent"):
            self.client.get(f"/track/{found[0]}/", name="citizen: tracked appeal")


class Handler(_Queue):
    weight = 6
    accounts = itertools.cycle(HANDLERS)
    queue = ("/console/unit/", "handler: unit queue")

    def appeal_work(self, appeal: str) -> None:
        url = f"/console/appeals/{appeal}/"
        page = self.client.get(url, name="handler: appeal page").text
        for action in ("note", "first_contact", "accept"):
            form = _form(page, f"/act/{action}/")
            if form is not None:
                fields = {**form["fields"], "reason": random.choice(NOTES)}
                if _post(self, form["action"], fields, f"handler: act {action}"):
                    self.client.get(url, name="handler: appeal page")
                return


class Dispatcher(_Queue):
    weight = 3
    accounts = itertools.cycle(DISPATCHERS)
    queue = ("/console/dispatch/screening/", "dispatcher: screening")

    def appeal_work(self, appeal: str) -> None:
        self.client.get(f"/console/appeals/{appeal}/", name="dispatcher: appeal page")
        panel = self.client.get(
            f"/console/triage/appeals/{appeal}/panel/",
            headers=HTMX,
            name="dispatcher: triage panel",
        ).text
        form = _form(panel, "/screen/")
        if form is None or "accept-form" not in form["class"] or random.random() >= 1 / 3:
            return
        fields = {**form["fields"], **form["buttons"]}  # dispatch=1 where a unit is suggested
        if _post(self, form["action"], fields, "dispatcher: accept suggestion"):
            self.client.get("/console/dispatch/screening/", name="dispatcher: screening")


class Leader(_Staff):
    weight = 3
    accounts = itertools.cycle(LEADERS)

    @task
    def figures(self) -> None:
        page = self.client.get("/console/supervision/", name="leader: dashboard").text
        points = re.search(r'data-points="([^"]+)"', page)
        if points:
            url = points.group(1).replace("&amp;", "&")
            self.client.get(url, name="leader: dashboard map points")
        self.client.get("/console/supervision/scorecards/", name="leader: scorecards")
