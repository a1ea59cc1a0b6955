"""Background work of triage, on django-tasks (run by `minxin db_worker`)."""

from django_tasks import task

from .services import appeal_triage


@task()
def triage_appeal_task(appeal_id: int) -> int:
    """Suggest (and, where a 快速交办 rule allows, screen and dispatch) a new appeal."""
    return appeal_triage(appeal_id=appeal_id).pk


@task()
def train_model_version_task() -> int:
    """Train a candidate category model and promote it if it is at least as good as the model
    in use on the evaluation set (`triage.versions`); the new version's id."""
    from .versions import model_version_train

    return model_version_train(actor=None).pk
