from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from minxin.core.models import optional_key
from minxin.directory.models import Unit
from minxin.directory.selectors import jurisdiction_of_region

from .roles import Role

STAFF_ROLE_CHOICES = [(r.value, r.label) for r in Role if r not in (Role.CITIZEN, Role.SYSTEM)]


class User(AbstractUser):
    """A member of staff: belongs to one unit and holds one role there."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=STAFF_ROLE_CHOICES, default=Role.HANDLER)
    unit = optional_key(Unit, "所属单位", related_name="members")
    is_unit_head = models.BooleanField("单位负责人", default=False)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def jurisdiction_scope(self) -> int | None:
        """The district this member of staff works for (their unit's); a deputy's, their
        constituency's (the people's congress they sit in); None for one of the city above the
        districts (no unit, or a unit of no district), who sees all of them."""
        if self.role == Role.DEPUTY and self.unit_id is None:
            deputy = getattr(self, "deputy", None)  # selection's Deputy, by its reverse name
            return None if deputy is None else jurisdiction_of_region(deputy.constituency_id)
        # The unit itself, not its one column: every staff page's bar shows its name, so the
        # one query serves both.
        return None if self.unit is None else self.unit.jurisdiction_id
