"""A knowledge-base article's lifecycle as data (知识库): written as a draft by the centre or
by the unit that owns the matter, published by the centre, revised (each revision kept whole),
confirmed still right at its review date, retired when it no longer holds. One ArticleEvent
per step."""

from enum import StrEnum
from typing import Final

from django.db import models

from minxin.accounts.roles import Role
from minxin.machine.table import Transition, UnitScope


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class ArticleAction(StrEnum):
    CREATE = "create"
    PUBLISH = "publish"
    REVISE = "revise"
    CONFIRM = "confirm"
    RETIRE = "retire"


S = ArticleStatus
# The centre keeps the knowledge base; a unit's handlers write and keep its own articles
# (the owner unit: the machine's lead unit).
CENTRE: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})
WRITERS: Final = CENTRE | {Role.HANDLER}

TRANSITIONS: Final[dict[ArticleAction, Transition[ArticleStatus]]] = {
    ArticleAction.CREATE: Transition("新建条目", frozenset(), S.DRAFT, WRITERS),
    ArticleAction.PUBLISH: Transition(
        "发布", frozenset({S.DRAFT}), S.PUBLISHED, CENTRE, style="primary"
    ),
    # A new revision: the text, category and review date as edited; the old ones are kept.
    ArticleAction.REVISE: Transition(
        "修订",
        frozenset({S.DRAFT, S.PUBLISHED}),
        None,
        WRITERS,
        needs_reason=True,
        reason_label="修订说明",
        handler_scope=UnitScope.LEAD,
        panel=True,
    ),
    # Reviewed at its date and still right: the next review date.
    ArticleAction.CONFIRM: Transition(
        "复核无误",
        frozenset({S.PUBLISHED}),
        None,
        WRITERS,
        handler_scope=UnitScope.LEAD,
        inputs=("review_due",),
    ),
    ArticleAction.RETIRE: Transition(
        "停用",
        frozenset({S.DRAFT, S.PUBLISHED}),
        S.RETIRED,
        CENTRE,
        needs_reason=True,
        reason_label="停用原因",
        style="danger",
    ),
}
