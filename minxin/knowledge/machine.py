from minxin.machine.engine import Machine

from .models import Article, ArticleEvent
from .workflow import TRANSITIONS, ArticleStatus

MISSING = "未找到该知识条目或无权查看"

ARTICLES: Machine[Article, ArticleEvent] = Machine(
    name="knowledge_article",
    noun="知识条目",
    statuses=ArticleStatus,
    table=TRANSITIONS,
    subject=Article,
    event=ArticleEvent,
    event_subject="article",
    reason_max=500,
    missing=MISSING,
    lead_label="责任单位",
    units=lambda article: (article.owner_unit_id, frozenset()),
)
