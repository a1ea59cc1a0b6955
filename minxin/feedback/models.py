from django.db import models
from django.utils import timezone

from minxin.cases.models import Appeal
from minxin.cases.workflow import Satisfaction
from minxin.core.models import key


class Rating(models.Model):
    """The citizen's rating of one reply (满意度评价); a reopened appeal can be rated again."""

    appeal = key(Appeal, "诉求", related_name="ratings")
    reply = models.ForeignKey(
        "cases.Reply",
        verbose_name="答复",
        on_delete=models.PROTECT,
        null=True,
        related_name="ratings",
    )
    satisfaction = models.CharField("满意度", max_length=24, choices=Satisfaction.choices)
    comment = models.TextField("评价意见", blank=True)
    by_staff = models.BooleanField("代为评价（电话回访）", default=False)
    created_at = models.DateTimeField("评价时间", default=timezone.now)

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        constraints = [
            models.UniqueConstraint(fields=["reply"], name="rating_one_per_reply"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.satisfaction}"
