from django.contrib import admin

from minxin.core.admin import ReadOnlyAdmin
from minxin.machine.admin import event_admin

from .models import Candidate, Deputy, DeputyVote, ResidentBallot, RoundEvent, SelectionRound


@admin.register(Deputy)
class DeputyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The roll of deputies: an account with the deputy role and its constituency."""

    list_display = ("user", "constituency", "delegation", "is_active")
    list_filter = ("is_active",)
    raw_id_fields = ("user",)


@admin.register(SelectionRound)
class SelectionRoundAdmin(ReadOnlyAdmin):
    """Rounds change through their screens only: the admin can look."""

    list_display = ("pk", "title", "status", "vote_opens_at", "vote_closes_at")
    list_filter = ("status",)


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ("pk", "round", "name", "source", "passed", "votes_for")


@admin.register(DeputyVote)
class DeputyVoteAdmin(ReadOnlyAdmin):
    list_display = ("round", "candidate", "deputy", "choice", "created_at")


@admin.register(ResidentBallot)
class ResidentBallotAdmin(ReadOnlyAdmin):
    list_display = ("round", "created_at")


event_admin(RoundEvent, subject="round")
