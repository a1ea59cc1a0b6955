"""The arithmetic of a vote, pure: a candidate's tally and whether it passes.

A candidate passes when its votes for are more than `percent` % of the base: the deputies
present (those who cast their ballot in the round; abstentions count as present) or every
deputy on the round's roll. Integers only: for × 100 > percent × base."""

from dataclasses import dataclass

PRESENT = "present"
ROSTER = "roster"


@dataclass(frozen=True)
class Tally:
    votes_for: int
    votes_against: int
    votes_abstain: int

    @property
    def cast(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


def base_of(*, base: str, present: int, roster: int) -> int:
    return present if base == PRESENT else roster


def passes(tally: Tally, *, base: str, percent: int, present: int, roster: int) -> bool:
    n = base_of(base=base, present=present, roster=roster)
    return n > 0 and tally.votes_for * 100 > percent * n


def needed(*, base: str, percent: int, present: int, roster: int) -> int:
    """The fewest votes for that pass (shown beside the result)."""
    n = base_of(base=base, present=present, roster=roster)
    return percent * n // 100 + 1


def share(part: int, whole: int) -> float | None:
    """part / whole in % (one decimal), None when nobody took part."""
    return round(part * 100 / whole, 1) if whole else None
