"""The machinery every state machine of minxin shares (appeals, suggestions, board moderation,
supervision orders, and what comes next): a transition table as data (`table.Transition`), one
applier that locks the row, checks the table, the role and the unit, updates with the version
and writes one immutable event in the same transaction (`engine.Machine`), an abstract
versioned subject and an abstract append-only event (`models`), the PostgreSQL trigger that
keeps events append-only (`operations.AppendOnly`) and their read-only admin (`admin`).

Each app keeps its own tables: `<app>/workflow.py` holds its statuses, actions and
transitions; `<app>/machine.py` binds them to its models as one `Machine`. See
docs/architecture.md for the one way to add a machine or an action."""
