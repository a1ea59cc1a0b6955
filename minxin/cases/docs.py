"""docs/workflow.md is generated from the transition table, so the two cannot drift apart."""

from .workflow import TRANSITIONS, AppealStatus, UnitScope

HEADER = """# The appeal lifecycle

Generated from `minxin/cases/workflow.py` by `minxin workflow_doc`; do not edit by hand
(a test fails when this file and the table differ).

Every status change goes through `cases.services.appeal_transition`: it locks the appeal row,
checks this table, the actor's role and unit, updates the status with an optimistic version
check, and writes exactly one `AppealEvent` in the same transaction. Refused actions change
nothing and answer with a Chinese message (409 for a wrong status or a stale page, 403 for a
wrong role or unit).

"""


def workflow_markdown() -> str:
    lines = [HEADER, "## Statuses\n", "| status | 中文 |", "|---|---|"]
    lines += [f"| `{s.value}` | {s.label} |" for s in AppealStatus]
    lines += [
        "",
        "## Transitions\n",
        "| action | 中文 | from | to | roles | handler must be | reason required "
        "| citizen sees it |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for action, t in TRANSITIONS.items():
        source = ", ".join(f"`{s.value}`" for s in sorted(t.source)) or "(new appeal)"
        target = f"`{t.target.value}`" if t.target else "(unchanged)"
        roles = ", ".join(sorted(r.value for r in t.roles))
        scope = (
            {
                UnitScope.LEAD: "lead unit",
                UnitScope.ASSIGNED: "lead or assisting unit",
                UnitScope.ANY: "any",
            }[t.handler_scope]
            if "handler" in roles
            else "—"
        )
        lines.append(
            f"| `{action.value}` | {t.label} | {source} | {target} | {roles} | {scope} | "
            f"{t.reason_label if t.needs_reason else 'no'} | {'yes' if t.public else 'no'} |"
        )
    return "\n".join(lines) + "\n"
