"""Who may open the knowledge base, named once."""

from minxin.accounts.access import has_role
from minxin.accounts.models import User
from minxin.accounts.roles import Role

from .models import Article
from .workflow import CENTRE, WRITERS

READERS = (
    Role.CALL_TAKER,
    Role.DISPATCHER,
    Role.HANDLER,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.ADMIN,
)


def may_read_knowledge(user: User) -> bool:
    """Every member of staff who answers or follows appeals (not the deputies)."""
    return has_role(user, *READERS)


def may_write_knowledge(user: User) -> bool:
    """The centre, and a unit's handlers for their unit's articles."""
    return has_role(user, *WRITERS) and (user.role != Role.HANDLER or user.unit_id is not None)


def keeps_knowledge(user: User) -> bool:
    """The centre sees drafts and retired articles of every unit."""
    return has_role(user, *CENTRE)


def keeps_district_of(user: User, article: Article) -> bool:
    """A district's staff change their district's articles only (the city's they read); the
    city's staff change every district's and the city's."""
    return user.jurisdiction_scope in (None, article.jurisdiction_id)
