from pathlib import Path

from django.conf import settings

from minxin.machine.docs import workflow_markdown


def test_workflow_doc_matches_the_transition_table():
    doc = Path(settings.BASE_DIR) / "docs" / "workflow.md"
    assert doc.read_text(encoding="utf-8") == workflow_markdown(), (
        "docs/workflow.md is stale: run `minxin workflow_doc`"
    )
