"""One demo appeal's path and its times: the steps through TRANSITIONS that end in the status
chosen for its age, and when each is taken (staff act in their working hours). Pure: the
random numbers come from the caller's generator, in a fixed order, so a seed gives the same
district every time."""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from datetime import time as dtime
from typing import Final

from minxin.cases.models import Channel
from minxin.cases.workflow import Action, AppealStatus
from minxin.deadlines import calendar
from minxin.deadlines.models import Urgency

S = AppealStatus
A = Action


@dataclass
class Step:
    action: Action
    by: str  # "citizen", "system", "call_taker", "dispatcher", "handler", "assist", "supervisor"
    variant: str = ""
    at: datetime | None = None


_RECEIVED_BY: Final[dict[str, str]] = {
    Channel.HOTLINE: "call_taker",
    Channel.VISIT: "dispatcher",
    Channel.API: "system",
    Channel.IMPORT: "system",
}


def compose(rng: random.Random, status: AppealStatus, age: float, channel: str) -> list[Step]:
    """The steps of a path through TRANSITIONS that ends in `status`."""
    r = rng.random
    steps = [Step(A.RECEIVE, _RECEIVED_BY.get(channel, "citizen"))]
    if status in (S.RECEIVED, S.INVALID, S.MERGED):
        return steps + _screened_out(r, status)
    if r() < 0.01:
        restorer = "supervisor" if r() < 0.5 else "dispatcher"
        steps += [Step(A.MARK_INVALID, "dispatcher"), Step(A.RESTORE, restorer)]
    steps.append(Step(A.SCREEN, "dispatcher"))
    if status == S.SCREENED:
        return steps
    steps += _dispatched(r, status)
    if status in (S.RETURNED, S.DISPATCHED):
        return steps
    steps.append(Step(A.ACCEPT, "handler"))
    if status == S.ACCEPTED:
        return steps
    steps.append(Step(A.FIRST_CONTACT, "handler"))
    # A few appeals in progress are back from a dissatisfied rating (重办).
    reopened = status == S.IN_PROGRESS and age > 8 and r() < 0.12
    still_open = status == S.IN_PROGRESS and not reopened
    steps += handling(rng, age if still_open else 0.0, pending_ok=still_open)
    if still_open:
        return steps
    if status == S.SUSPENDED:
        return [*steps, Step(A.SUSPEND, "handler")]
    steps.append(Step(A.RESOLVE, "handler"))
    if status == S.REVIEWING:
        return steps  # the reply waits for the centre's review (unless the policy passes it)
    steps += _reviewed(r)
    if reopened:
        return [
            *steps,
            Step(A.RATE_DISSATISFIED, "rater"),
            Step(A.FOLLOW_UP, "caller"),
            Step(A.REOPEN, "supervisor"),
        ]
    return steps + _after_the_reply(r, status, age)


def _reviewed(r: Callable[[], float]) -> list[Step]:
    """The centre's review of a reply: passed, or sent back once and passed when revised. Steps
    marked "reviewed" happen only if the policy holds the reply for review (`steps.run` drops
    them, and the system passes it, when the policy lets it through)."""
    if r() < 0.15:
        return [
            Step(A.SEND_BACK, "reviewer", "reviewed"),
            Step(A.RESOLVE, "handler", "reviewed"),
            Step(A.APPROVE_REPLY, "reviewer"),
        ]
    return [Step(A.APPROVE_REPLY, "reviewer")]


def _screened_out(r: Callable[[], float], status: AppealStatus) -> list[Step]:
    """Still waiting for screening (rarely back from invalid), or found invalid or a duplicate."""
    if status == S.RECEIVED:
        if r() < 0.03:
            return [Step(A.MARK_INVALID, "dispatcher"), Step(A.RESTORE, "supervisor")]
        return []
    steps = [Step(A.SCREEN, "dispatcher")] if r() < 0.3 else []
    action = A.MARK_INVALID if status == S.INVALID else A.MERGE
    by = "dispatcher" if r() < 0.9 or action == A.MARK_INVALID else "system"
    return [*steps, Step(action, by)]


def _dispatched(r: Callable[[], float], status: AppealStatus) -> list[Step]:
    """The dispatch, sometimes returned by the unit and dispatched again."""
    steps = [Step(A.DISPATCH, "dispatcher")]
    if status == S.RETURNED:
        return [*steps, Step(A.RETURN, "handler")]
    if r() < 0.05:
        steps += [Step(A.RETURN, "handler"), Step(A.DISPATCH, "dispatcher", "again")]
    return steps


def _after_the_reply(r: Callable[[], float], status: AppealStatus, age: float) -> list[Step]:
    """Rated, followed up, closed or archived: the end of the loop after the reply."""
    if status == S.RESOLVED:
        return []
    if status == S.RATED:
        return [Step(A.RATE, "rater")]
    if status == S.FOLLOW_UP:
        steps = [Step(A.RATE_DISSATISFIED, "rater")]
        return [*steps, Step(A.FOLLOW_UP, "caller")] if r() < 0.5 else steps
    assert status == S.ARCHIVED
    x = r()
    if x < 0.22 and age > 12:
        return [Step(A.ARCHIVE, "system")]  # never rated: archived after 7 days
    if x < 0.86:
        return [Step(A.RATE, "rater"), Step(A.ARCHIVE, "supervisor")]
    steps = [Step(A.RATE_DISSATISFIED, "rater"), Step(A.FOLLOW_UP, "caller")]
    if x < 0.93:
        return [*steps, Step(A.CLOSE, "supervisor")]
    return [
        *steps,
        Step(A.REOPEN, "supervisor"),
        Step(A.NOTE, "handler"),
        Step(A.RESOLVE, "handler", "again"),
        *_reviewed(r),
        Step(A.RATE, "rater"),
        Step(A.ARCHIVE, "supervisor"),
    ]


def handling(rng: random.Random, open_for: float, *, pending_ok: bool) -> list[Step]:
    """Notes, a pause for the citizen, an extension: what happens while in progress.
    `open_for` > 0 for an appeal still in progress after that many days: more notes."""
    r = rng.random
    steps: list[Step] = []
    notes = rng.choices((0, 1, 2), weights=(55, 35, 10))[0] + min(3, int(open_for / 6))
    for _ in range(notes):
        steps.append(Step(A.NOTE, "assist" if r() < 0.15 else "handler"))
    if r() < 0.04:
        steps += [Step(A.SUSPEND, "handler"), Step(A.RESUME, "handler")]
    if r() < 0.06 + (0.1 if open_for > 10 else 0.0):
        steps.append(Step(A.REQUEST_EXTENSION, "handler"))
        if not (pending_ok and r() < 0.3):
            decider = "dispatcher" if r() < 0.6 else "supervisor"
            decision = A.APPROVE_EXTENSION if r() < 0.8 else A.REFUSE_EXTENSION
            steps.append(Step(decision, decider))
    return steps


# --- times ----------------------------------------------------------------------------------

# Hours from the previous step: a fixed part and the mean of an exponential one.
_GAPS: Final[dict[Action, tuple[float, float]]] = {
    A.SCREEN: (0.05, 0.8),
    A.MARK_INVALID: (0.1, 1.5),
    A.MERGE: (0.1, 1.5),
    A.RESTORE: (2, 12),
    A.RETURN: (0.5, 8),
    A.ACCEPT: (0.05, 2),
    A.FIRST_CONTACT: (0.2, 3),
    A.NOTE: (4, 24),
    A.REQUEST_EXTENSION: (24, 60),
    A.APPROVE_EXTENSION: (1, 8),
    A.REFUSE_EXTENSION: (1, 8),
    A.SUSPEND: (4, 24),
    A.RESUME: (12, 48),
    A.RATE: (1, 30),
    A.RATE_DISSATISFIED: (1, 30),
    A.FOLLOW_UP: (4, 24),
    A.APPROVE_REPLY: (0.3, 5),
    A.SEND_BACK: (0.3, 5),
    A.REOPEN: (1, 12),
    A.CLOSE: (4, 48),
}


@dataclass(frozen=True)
class Clock:
    """What the times of a path depend on: the generator, the district's time zone, the time
    the demo is seeded at, and how long an unrated reply waits before it is archived."""

    rng: random.Random
    tz: tzinfo
    now: datetime
    archive_after: timedelta

    def gap(self, step: Step) -> float:
        """Hours since the previous step."""
        action, rng = step.action, self.rng
        if action == A.DISPATCH:
            base, mean = (0.5, 6) if step.variant == "again" else (0.05, 1.5)
        elif action == A.RESOLVE and step.variant == "reviewed":
            base, mean = 2, 16  # the reply revised after the review sent it back
        elif action == A.RESOLVE:
            median_days = 4.0 if step.variant == "again" else 2.0
            return max(2.0, 24 * rng.lognormvariate(math.log(median_days), 0.75))
        elif action == A.ARCHIVE and step.by == "system":
            # The nightly job, once the 7 days to rate are over.
            return self.archive_after.total_seconds() / 3600 + rng.uniform(0.5, 24)
        elif action == A.ARCHIVE:
            base, mean = 4, 48
        else:
            base, mean = _GAPS[action]
        return base + rng.expovariate(1 / mean)

    def within_hours(self, at: datetime, by: str) -> datetime:
        """Move a step to when its actor works: offices on working days 8:30–17:30, the
        dispatchers 8:00–22:00 and the hotline 8:30–21:00 every day."""
        local = at.astimezone(self.tz)
        minutes = local.hour * 60 + local.minute
        if by in ("handler", "assist", "supervisor"):
            if calendar.is_working_day(local.date()) and 510 <= minutes < 1050:
                return at
            day = local.date() if minutes < 510 else local.date() + timedelta(days=1)
            while not calendar.is_working_day(day):
                day += timedelta(days=1)
            start = datetime.combine(day, dtime(8, 30), tzinfo=self.tz)
            return start + timedelta(minutes=self.rng.uniform(0, 120))
        window = {
            "dispatcher": (480, 1320),
            "reviewer": (480, 1320),
            "call_taker": (510, 1260),
            "caller": (510, 1260),
        }
        hours = window.get(by)
        if hours is None or hours[0] <= minutes < hours[1]:
            return at
        day = local.date() if minutes < hours[0] else local.date() + timedelta(days=1)
        start = datetime.combine(day, dtime(0), tzinfo=self.tz) + timedelta(minutes=hours[0])
        return start + timedelta(minutes=self.rng.uniform(0, 60))

    def schedule(self, steps: list[Step], received_at: datetime, urgency: str) -> None:
        """Give each step its time; a path that would end after now is squeezed to fit."""
        # Urgent matters are taken on and the citizen called at once, by whoever is on duty.
        haste = {Urgency.URGENT: 0.25, Urgency.CRITICAL: 0.08}.get(Urgency(urgency), 1.0)
        at = received_at
        steps[0].at = at
        for step in steps[1:]:
            gap = self.gap(step)
            if step.action in (A.DISPATCH, A.ACCEPT, A.FIRST_CONTACT) and haste < 1:
                at += timedelta(hours=gap * haste)
            else:
                at = self.within_hours(at + timedelta(hours=gap), step.by)
            step.at = at
        limit = self.now - timedelta(seconds=30)
        last = steps[-1].at
        assert last is not None
        if last > limit:
            self._squeeze(steps, received_at, last, limit)

    @staticmethod
    def _squeeze(steps: list[Step], received_at: datetime, last: datetime, limit: datetime) -> None:
        # The nominal path does not fit before now: squeeze it into the time there is.
        # The nightly job archives only after the 7 days to rate: a supervisor does here.
        for step in steps:
            if step.action == A.ARCHIVE:
                step.by = "supervisor"
        factor = (limit - received_at) / (last - received_at)
        previous = received_at
        for step in steps[1:]:
            assert step.at is not None
            moved = received_at + (step.at - received_at) * factor
            step.at = max(moved, previous + timedelta(milliseconds=1))
            previous = step.at
