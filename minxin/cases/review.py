"""Whether a submitted reply waits for the centre's review (办结审核) or is released at once.

The policy and the quality check live above cases (the review app's rules, the triage
library's score): an installed app with a `reply_review` module gives `decide(appeal, reply)`
(found like the machines, so cases imports none of them). Without one, every reply is
reviewed."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from minxin.core.discover import app_modules

from .models import Appeal, Reply


@dataclass(frozen=True)
class ReviewDecision:
    review: bool  # True: waits for a reviewer; False: released at once by the system
    why: str  # in Chinese: the rule that decided, for the event and the reviewer
    score: int | None = None  # the reply's quality score, when checked
    quality: dict[str, Any] = field(default_factory=dict)  # the checks and their reasons


class Decider(Protocol):
    def __call__(self, *, appeal: Appeal, reply: Reply) -> ReviewDecision: ...


NO_POLICY = ReviewDecision(review=True, why="未配置审核策略，全部审核")


def review_decide(*, appeal: Appeal, reply: Reply) -> ReviewDecision:
    for module in app_modules("reply_review"):
        decide: Decider = module.decide
        return decide(appeal=appeal, reply=reply)
    return NO_POLICY
