"""The one acting: a member of staff, a citizen holding a record's query code, or the system."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .roles import Role

if TYPE_CHECKING:
    from .models import User


@dataclass(frozen=True)
class Actor:
    role: Role
    user: "User | None" = None
    unit_id: int | None = None

    @classmethod
    def of(cls, user: "User") -> "Actor":
        return cls(role=Role(user.role), user=user, unit_id=user.unit_id)

    @classmethod
    def citizen(cls) -> "Actor":
        return cls(role=Role.CITIZEN)

    @classmethod
    def system(cls) -> "Actor":
        return cls(role=Role.SYSTEM)
