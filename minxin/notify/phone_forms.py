"""The phone step of the citizens' forms that a confirmed phone may post once (a project's
rating, a round's vote): a code sent to the phone typed, and the code typed confirmed and kept
in the session for the posts that follow; after the post, its one-time key and receipt kept."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpResponse, QueryDict

from minxin.core.errors import MinxinError, ValidationFailed
from minxin.core.session import is_one_time_key

from .phone import phone_confirmed_keep
from .services import TooManyCodes, phone_code_confirm, phone_code_send


def phone_posted_confirm(
    session: SessionBase, post: QueryDict, *, purpose: str, hashed: str
) -> str:
    """The hash of the phone this browser has confirmed (`hashed`); without one, of the phone
    and code posted, confirmed now and kept in `session`."""
    if hashed:
        return hashed
    if not post.get("phone") or not post.get("code"):
        raise ValidationFailed("请先获取短信验证码并填写")
    hashed = phone_code_confirm(
        phone=post.get("phone", ""), code=post.get("code", ""), purpose=purpose
    )
    phone_confirmed_keep(session, purpose=purpose, phone_hash=hashed)
    return hashed


def phone_code_page(
    post: QueryDict,
    *,
    purpose: str,
    page: Callable[..., HttpResponse],
    check: Callable[[], None] = lambda: None,
) -> HttpResponse:
    """The phone typed (after `check`): a code sent to it and `page` at the step "code" to type
    it in; asked too often, the same step with why no new one came (a code may already be on its
    way); refused, `page` at the step "phone" with why."""
    try:
        check()
        phone_code_send(phone=post.get("phone", ""), purpose=purpose)
    except TooManyCodes as exc:
        return page(step="code", values=post, error=exc.message, status=429)
    except MinxinError as exc:
        return page(step="phone", values=post, error=exc.message, status=exc.status_code)
    return page(step="code", values=post)


@dataclass(frozen=True)
class PostedOnce:
    """Where a form that a citizen posts once keeps, in the session, the one-time keys it was
    posted with (`done_key`, the last `done_max` of them: the same form posted again is known)
    and the receipt for the receipt page (`receipt_key`)."""

    done_key: str
    receipt_key: str
    done_max: int = 20

    def keep(
        self, session: SessionBase, key: str, receipt: dict[str, Any], *, done: object
    ) -> None:
        """After the post: its `key` (when it is a one-time key) with `done`, and `receipt`."""
        if is_one_time_key(key):
            kept = session.get(self.done_key)
            kept = dict(
                list((kept if isinstance(kept, dict) else {}).items())[-(self.done_max - 1) :]
            )
            kept[key] = done
            session[self.done_key] = kept
        session[self.receipt_key] = receipt
