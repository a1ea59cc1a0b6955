"""The people's verdict: who may rate what and when, one rating per phone per round (a second
refused with nothing written), the revisit round only after the 回头看 starts, milestones once
done, and the summary's numbers (raters, spread, satisfaction), never a bare average."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from minxin.core.errors import NotFound, ValidationFailed
from minxin.projects.models import ProjectEvent, ProjectRating, RatingRound, Verdict
from minxin.projects.verdict import (
    COMMENT_MAX,
    AlreadyRated,
    project_rate,
    rating_comments,
    ratings_summary,
)
from tests.projects.builders import programme_new

from .ratings import act, first_milestone_done, phone, project_at

S, B, D = Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED, Verdict.DISSATISFIED


def rate(project, n=0, verdict=S, comment="", **extra):
    return project_rate(
        project_id=project.pk, phone_hash=phone(n), verdict=verdict, comment=comment, **extra
    )


@pytest.mark.parametrize("stage", ["completed", "accepted"])
def test_a_completed_or_accepted_project_is_rated_in_the_completion_round(district, stage):
    project = project_at(district, stage)
    events = ProjectEvent.objects.filter(project=project).count()
    rating = rate(project, comment="  电梯很方便  ")
    assert rating.round == RatingRound.COMPLETION and rating.comment == "电梯很方便"
    assert rating.phone_hash == phone(0) and rating.milestone is None
    # A rating is the citizen's own row, not a step on the project's timeline.
    assert ProjectEvent.objects.filter(project=project).count() == events


@pytest.mark.parametrize("stage", ["planned", "in_progress"])
def test_a_project_not_completed_cannot_be_rated(district, stage):
    project = project_at(district, stage)
    with pytest.raises(ValidationFailed, match="项目完工后才能评价"):
        rate(project)
    assert not ProjectRating.objects.exists()


def test_a_second_rating_from_the_same_phone_is_refused_and_nothing_written(district):
    project = project_at(district, "completed")
    rate(project, verdict=S)
    with pytest.raises(AlreadyRated, match="您已评价过该项目") as refused:
        rate(project, verdict=D, comment="再评一次")
    assert refused.value.status_code == 409
    assert list(ProjectRating.objects.values_list("verdict", flat=True)) == [S]
    rate(project, n=1, verdict=D)  # another phone may
    assert ProjectRating.objects.count() == 2


def test_the_revisit_round_opens_only_with_the_revisit(district):
    project = project_at(district, "accepted")
    rate(project, n=0)
    with pytest.raises(AlreadyRated):
        rate(project, n=0)
    project = project_at(district, "revisit", name="另一个项目")
    assert project.revisit_at is not None
    first = rate(project, n=0)
    assert first.round == RatingRound.REVISIT
    with pytest.raises(AlreadyRated, match="回头看"):
        rate(project, n=0)


def test_a_phone_rates_again_at_the_revisit(district):
    project = project_at(district, "accepted")
    rate(project, n=0, verdict=D)
    act(district, project, "revisit")
    again = rate(project, n=0, verdict=S)
    assert again.round == RatingRound.REVISIT
    assert ProjectRating.objects.filter(phone_hash=phone(0)).count() == 2


def test_a_back_dated_rating_before_the_revisit_is_a_completion_one(district):
    project = project_at(district, "revisit")
    before = project.revisit_at - timedelta(days=30)
    rating = rate(project, at=before)
    assert rating.round == RatingRound.COMPLETION and rating.created_at == before


def test_a_milestone_is_rated_once_done(district):
    project = project_at(district, "in_progress")
    pending = project.milestones.order_by("-position").first()
    with pytest.raises(ValidationFailed, match="节点完成后"):
        rate(project, milestone_id=pending.pk)
    done = first_milestone_done(district, project)
    # The project itself is in progress: a done milestone is still not rateable before the
    # project is completed (the rounds are the project's).
    with pytest.raises(ValidationFailed, match="项目完工后才能评价"):
        rate(project, milestone_id=done)


def test_a_done_milestone_of_a_completed_project_is_rated_once_per_phone(district):
    project = project_at(district, "in_progress")
    done = first_milestone_done(district, project)
    act(district, project, "complete")
    rate(project, n=0, milestone_id=done)
    rate(project, n=0)  # the project itself is another ballot
    with pytest.raises(AlreadyRated, match="该节点"):
        rate(project, n=0, milestone_id=done)
    assert ProjectRating.objects.count() == 2
    other = project_at(district, "completed", name="别的项目")
    with pytest.raises(NotFound):
        rate(other, milestone_id=done)  # a milestone of another project


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone_hash": ""}, "验证手机号"),
        ({"phone_hash": "13912345678"}, "验证手机号"),
        ({"verdict": "great"}, "请选择"),
        ({"verdict": ""}, "请选择"),
        ({"comment": "长" * (COMMENT_MAX + 1)}, f"不能超过{COMMENT_MAX}字"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(district, overrides, message):
    project = project_at(district, "completed")
    values = {"project_id": project.pk, "phone_hash": phone(0), "verdict": S, "comment": ""}
    with pytest.raises(ValidationFailed, match=message):
        project_rate(**{**values, **overrides})
    assert not ProjectRating.objects.exists()


def test_hidden_projects_cannot_be_rated(district):
    hidden = project_at(district, "completed", name="不公开")
    hidden.is_public = False
    hidden.save(update_fields=["is_public"])
    private_programme = programme_new(name="内部计划", is_public=False)
    in_private = project_at(district, "completed", programme=private_programme)
    for project in (hidden, in_private):
        with pytest.raises(NotFound):
            rate(project)
    with pytest.raises(NotFound):
        project_rate(project_id=999999, phone_hash=phone(0), verdict=S, comment="")
    assert not ProjectRating.objects.exists()


def test_the_summary_gives_raters_spread_and_satisfaction_per_round(district):
    project = project_at(district, "accepted")
    for n, verdict in enumerate([S, S, S, B, D]):
        rate(project, n=n, verdict=verdict, comment="好" if n < 2 else "")
    act(district, project, "revisit")
    for n, verdict in enumerate([D, D, S]):
        rate(project, n=n, verdict=verdict)

    summary = ratings_summary(project)

    completion, revisit = summary.rounds
    assert completion.round == RatingRound.COMPLETION and completion.raters == 5
    assert [(s.verdict, s.count, s.share) for s in completion.spread] == [
        (S, 3, 60.0),
        (B, 1, 20.0),
        (D, 1, 20.0),
    ]
    assert completion.satisfaction_rate == 80.0
    assert revisit.raters == 3 and revisit.satisfaction_rate == pytest.approx(33.3)
    assert [s.count for s in revisit.spread] == [1, 0, 2]
    assert summary.raters == 8 and summary.milestones == []
    assert rating_comments(project).count() == 2


def test_an_empty_summary_has_no_rate(district):
    project = project_at(district, "completed")
    summary = ratings_summary(project)
    assert [r.raters for r in summary.rounds] == [0, 0]
    assert all(r.satisfaction_rate is None for r in summary.rounds)
    assert all(s.share == 0 for r in summary.rounds for s in r.spread)


def test_milestone_ratings_are_summed_apart(district):
    project = project_at(district, "in_progress")
    done = first_milestone_done(district, project)
    act(district, project, "complete")
    rate(project, n=0, milestone_id=done, verdict=D)
    rate(project, n=1, milestone_id=done, verdict=S)
    rate(project, n=0, verdict=S)
    summary = ratings_summary(project)
    assert summary.rounds[0].raters == 1
    (milestone,) = summary.milestones
    assert milestone.milestone_id == done and milestone.rounds[0].raters == 2
    assert milestone.rounds[0].satisfaction_rate == 50.0


def test_ratings_can_be_back_dated_for_the_demo(district):
    project = project_at(district, "completed")
    at = timezone.now() - timedelta(days=3)
    assert rate(project, at=at).created_at == at


# --- on the staff's project page ------------------------------------------------------------


def test_the_staff_page_shows_the_spread_per_round_and_the_comments(client, district):
    project = project_at(district, "accepted")
    script = "<script>alert(1)</script>"
    rate(project, n=0, verdict=S, comment=f"电梯很好{script}")
    rate(project, n=1, verdict=D, comment="我的电话13912345678，请联系")
    act(district, project, "revisit")
    rate(project, n=0, verdict=B)
    client.force_login(district.user("supervisor"))

    response = client.get(reverse("projects:project_detail", args=[project.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert 'data-round="completion"' in page and 'data-round="revisit"' in page
    assert "2 人评价" in page and "1 人评价" in page and "满意率 <strong data-rate>50.0%" in page
    assert "1 人 · 50.0%" in page
    assert "电梯很好&lt;script&gt;" in page and script not in page
    assert "13912345678" not in page and "139******78" in page
    assert reverse("projects:rating_comments", args=[project.pk]) not in page


def test_more_than_20_comments_link_to_their_paginated_page(client, district):
    project = project_at(district, "completed")
    for n in range(21):
        rate(project, n=n, comment=f"意见{n:02d}")
    client.force_login(district.user("supervisor"))
    page = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    comments = reverse("projects:rating_comments", args=[project.pk])
    assert comments in page and "意见20" in page and "意见00" not in page
    listing = client.get(comments).content.decode()
    assert "意见00" in listing and "意见20" in listing
    client.force_login(district.user("handler_other"))  # another street's unit
    assert client.get(comments).status_code == 404


def test_ratings_cannot_be_rewritten_on_postgresql(district):
    project = project_at(district, "completed")
    rate(project, comment="好")
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    quoted = connection.ops.quote_name(ProjectRating._meta.db_table)
    for sql in (f"UPDATE {quoted} SET verdict = 'dissatisfied'", f"DELETE FROM {quoted}"):  # noqa: S608
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert list(ProjectRating.objects.values_list("verdict", flat=True)) == [S]
