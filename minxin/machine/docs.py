"""docs/workflow.md is generated from every machine's transition table, so the two cannot
drift apart."""

from typing import Any

from .engine import Machine
from .registry import machines
from .table import UnitScope

HEADER = """# The state machines

Generated from each app's `workflow.py` by `minxin workflow_doc`; do not edit by hand
(a test fails when this file and the tables differ).

Every status change of every machine goes through its one applier, `Machine.transition`
(`minxin/machine/engine.py`): it locks the row, checks the table, the actor's role and unit,
updates the status with an optimistic version check, and writes exactly one event in the same
transaction; side effects run after commit. Refused actions change nothing and answer with a
Chinese message (409 for a wrong status or a stale page, 403 for a wrong role or unit).
"""

_SCOPES = {
    UnitScope.LEAD: "its own unit",
    UnitScope.ASSIGNED: "lead, assisting or delegated unit",
    UnitScope.DELEGATED: "the unit it was passed down to",
}


def machine_markdown(machine: Machine[Any, Any]) -> list[str]:
    module = machine.subject.__module__.rsplit(".", 1)[0]
    lines = [
        f"## {machine.noun}: `{machine.name}`\n",
        f"Table: `{module.replace('.', '/')}/workflow.py`; subject "
        f"`{machine.subject.__name__}`, events `{machine.event.__name__}`.\n",
        "| status | 中文 |",
        "|---|---|",
    ]
    lines += [f"| `{value}` | {label} |" for value, label in machine.statuses.choices]
    lines += [
        "",
        "| action | 中文 | from | to | roles | handler must be | reason required "
        "| citizen sees it |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for action, t in machine.table.items():
        source = ", ".join(f"`{s}`" for s in sorted(t.source)) or f"(new {machine.name})"
        target = f"`{t.target}`" if t.target else "(unchanged)"
        roles = ", ".join(sorted(str(r) for r in t.roles))
        scope = _SCOPES.get(t.handler_scope, "any") if "handler" in roles else "—"
        lines.append(
            f"| `{action}` | {t.label} | {source} | {target} | {roles} | {scope} | "
            f"{t.reason_label if t.needs_reason else 'no'} | {'yes' if t.public else 'no'} |"
        )
    return [*lines, ""]


def workflow_markdown() -> str:
    lines = [HEADER]
    for machine in machines():
        lines += machine_markdown(machine)
    return "\n".join(lines)
