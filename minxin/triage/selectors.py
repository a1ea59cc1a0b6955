"""Reads of the triage app."""

from minxin.triage.models import CorrectionField, TriageCorrection
from minxin.triage.nlp import Example


def triage_training_examples() -> list[Example]:
    """Category corrections as labelled examples (the latest correction of an appeal wins),
    labelled with the top level of the chosen path."""
    latest: dict[int, Example] = {}
    rows = (
        TriageCorrection.objects.filter(field=CorrectionField.CATEGORY)
        .select_related("appeal")
        .order_by("created_at", "pk")
    )
    for c in rows:
        top = c.chosen_value.split("/")[0].strip()
        if top:
            latest[c.appeal_id] = Example(c.appeal.title, c.appeal.content, top)
    return list(latest.values())
