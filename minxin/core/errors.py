"""Domain errors carry a Chinese message and the HTTP status a view should answer with."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the text library (triage/nlp) imports these errors without Django
    from django.forms import BaseForm


class MinxinError(Exception):
    status_code = 400
    default_message = "请求无效"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ValidationFailed(MinxinError):
    status_code = 400
    default_message = "提交的内容有误"


class NotFound(MinxinError):
    # One answer for "missing" and "not yours", so scope cannot be probed.
    status_code = 404
    default_message = "未找到该诉求或无权查看"


class PermissionDenied(MinxinError):
    status_code = 403
    default_message = "您没有执行该操作的权限"


class IllegalTransition(MinxinError):
    status_code = 409
    default_message = "当前状态下不能执行该操作"


class ConcurrentEdit(MinxinError):
    status_code = 409
    default_message = "该诉求已被他人更新，请刷新后重试"


def form_cleaned(form: "BaseForm") -> dict[str, Any]:
    """The form's cleaned data; when it is not valid, its first error (the form's message, in
    Chinese) as ValidationFailed."""
    if form.is_valid():
        return form.cleaned_data
    for errors in form.errors.values():
        raise ValidationFailed(str(errors[0]))
    raise ValidationFailed
