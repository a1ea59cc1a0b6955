"""The status of every machine's subject (an appeal, a suggestion, a board post, a
supervision order: every machine in the registry) is written in one place: the shared applier
`Machine.apply` (minxin/machine/engine.py); a new subject starts at its model's default. This
scans the source with `ast` for any other writer.

What counts as a write to a subject's status:
- a keyword `status=` to `.update()`, `.create()`, `.get_or_create()`, `.update_or_create()`
  or to the model's constructor (`Appeal(...)`), on a receiver that is a subject or subjects;
- `"status"` in the fields of `.bulk_update()` or in `update_fields=` of `.save()`;
- an assignment to `<subject>.status` (plain, augmented, annotated, in a tuple, or `setattr`);
- raw SQL `UPDATE <subject table> SET ... status`.

A receiver is a subject when its chain starts from a subject model (under any imported alias),
from a name with a word that names one (`appeal`, `suggestion`, `post`, `order`: the events'
keys to their subjects, or `subject`, the machine's own word), or from a variable assigned
from such an expression, and does not step through a reverse relation to another model
(`appeal.extensions`...). The demo seeder (minxin/demo/) writes history in bulk consistent with
the table and is allowed.
"""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from minxin.machine.registry import machines

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "minxin"
ENGINE = "minxin/machine/engine.py"
ALLOWED = {(ENGINE, "apply")}
SUBJECTS = {m.subject for m in machines()}
NAME_HINTS = frozenset({m.event_subject for m in machines()} | {"subject"})
# Query methods whose names hold a hint word without naming a subject.
NOT_HINTS = frozenset({"order_by"})
SKIPPED_DIRS = ("migrations", "tests", "demo")
WRITE_METHODS = {"update", "create", "get_or_create", "update_or_create"}
_TABLES = "|".join(re.escape(m._meta.db_table) for m in SUBJECTS)
RAW_UPDATE = re.compile(rf"update\s+\"?(?:{_TABLES})\"?\s+set\b.*\bstatus\b", re.I | re.S)


def _names_a_subject(name: str) -> bool:
    if name in NOT_HINTS:
        return False
    words = re.split(r"[^a-z]+", name.lower())
    return any(w in NAME_HINTS or (w.endswith("s") and w[:-1] in NAME_HINTS) for w in words)


def _reverse_accessors() -> dict[str, bool]:
    """The subjects' reverse relations: accessor name → whether it leads to a subject."""
    return {
        str(rel.get_accessor_name()): rel.related_model in SUBJECTS
        for model in SUBJECTS
        for rel in model._meta.related_objects
    }


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    function: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}(): {self.code}"


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, tree: ast.Module, source: str) -> None:
        self.path = path
        self.source = source
        self.found: list[Write] = []
        self.functions: list[str] = []
        self.accessors = _reverse_accessors()
        self.model_names = {m.__name__ for m in SUBJECTS}
        self.subject_vars: set[str] = set()
        self.status_dicts: set[str] = set()  # fields = {"status": ...}; .update(**fields)
        self._learn_names(tree)

    # --- what is an appeal ---------------------------------------------------------------

    def _learn_names(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name in self.model_names:
                        self.model_names.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _is_status_dict(node.value):
                self.status_dicts |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        # Variables assigned from appeal expressions, to a fixed point (qs = Appeal.objects...).
        changed = True
        while changed:
            changed = False
            for node in ast.walk(tree):
                value, targets = None, []
                if isinstance(node, ast.Assign):
                    value, targets = node.value, node.targets
                elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
                    value, targets = node.value, [node.target]
                elif isinstance(node, ast.For | ast.comprehension):
                    value, targets = node.iter, [node.target]
                elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                    value, targets = node.context_expr, [node.optional_vars]
                if value is None or not self._is_subject(value):
                    continue
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name) and name.id not in self.subject_vars:
                            self.subject_vars.add(name.id)
                            changed = True

    def _is_subject(self, node: ast.AST) -> bool:
        """Does this expression evaluate to a subject, or a queryset or list of them?"""
        if isinstance(node, ast.Name):
            return (
                node.id in self.model_names
                or node.id in self.subject_vars
                or _names_a_subject(node.id)
            )
        if isinstance(node, ast.Attribute):
            if node.attr in self.accessors:
                return self.accessors[node.attr] and self._is_subject(node.value)
            if _names_a_subject(node.attr):
                return True  # event.appeal, result.appeal, self.appeal, self.subject
            return self._is_subject(node.value)  # Appeal.objects, qs.filter
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                # A method keeps what its receiver is: Appeal.objects.filter(...).first().
                # (A module function such as selectors.appeal_get_for does not count: its
                # receiver is a module; what it returns is known only by the name it is given.)
                return self._is_subject(func.value)
            if isinstance(func, ast.Name):
                if func.id in self.model_names:
                    return True  # Appeal(...)
                if func.id in ("list", "iter", "next", "sorted", "reversed"):
                    return any(self._is_subject(a) for a in node.args)
            return False
        if isinstance(node, ast.Subscript):
            return self._is_subject(node.value)
        if isinstance(node, ast.Starred):
            return self._is_subject(node.value)
        return False

    # --- writes ----------------------------------------------------------------------------

    def _report(self, node: ast.AST) -> None:
        function = self.functions[-1] if self.functions else "<module>"
        if (self.path, function) in ALLOWED:
            return
        code = ast.get_source_segment(self.source, node) or ast.unparse(node)
        self.found.append(Write(self.path, node.lineno, function, " ".join(code.split())))  # type: ignore[attr-defined]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.visit_FunctionDef(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        keywords = {k.arg for k in node.keywords}
        if any(
            k.arg is None
            and (
                _is_status_dict(k.value)
                or (isinstance(k.value, ast.Name) and k.value.id in self.status_dicts)
            )
            for k in node.keywords
        ):
            keywords.add("status")  # .update(**{"status": ...})
        if isinstance(func, ast.Attribute) and self._is_subject(func.value):
            if _writes_status(func.attr, keywords, node):
                self._report(node)
        elif isinstance(func, ast.Name) and func.id in self.model_names and "status" in keywords:
            self._report(node)  # Appeal(status=...)
        elif (
            isinstance(func, ast.Name)
            and func.id == "setattr"
            and len(node.args) >= 2
            and self._is_subject(node.args[0])
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "status"
        ):
            self._report(node)
        self.generic_visit(node)

    def _check_target(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._check_target(element, node)
        elif (
            isinstance(target, ast.Attribute)
            and target.attr == "status"
            and self._is_subject(target.value)
        ):
            self._report(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_target(node.target, node)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and RAW_UPDATE.search(node.value):
            self._report(node)


def _writes_status(method: str, keywords: set[str | None], call: ast.Call) -> bool:
    if method in WRITE_METHODS:
        return "status" in keywords or any(
            k.arg == "defaults" and _mentions_status(k.value) for k in call.keywords
        )
    if method == "bulk_update":
        return _mentions_status(call)
    if method == "save":
        return any(k.arg == "update_fields" and _mentions_status(k.value) for k in call.keywords)
    return False


def _is_status_dict(node: ast.AST) -> bool:
    if isinstance(node, ast.Dict):
        return any(isinstance(k, ast.Constant) and k.value == "status" for k in node.keys)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return any(k.arg == "status" for k in node.keywords)
    return False


def _mentions_status(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value == "status" for n in ast.walk(node))


def scan(source: str, path: str = "minxin/example.py") -> list[Write]:
    tree = ast.parse(source)
    scanner = _Scanner(path, tree, source)
    scanner.visit(tree)
    return scanner.found


def _sources() -> Iterator[Path]:
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE).parts
        if any(part in SKIPPED_DIRS for part in parts[:-1]):
            continue
        yield path


def test_the_scan_sees_the_code():
    paths = {p.relative_to(ROOT).as_posix() for p in _sources()}
    assert ENGINE in paths
    assert "minxin/cases/views.py" in paths
    assert not any("/migrations/" in p or p.startswith("minxin/demo/") for p in paths)


def test_the_allowed_writers_are_where_the_scan_looks():
    """If the applier moved or stopped writing `status`, the allow-list would be stale."""
    path = ROOT / ENGINE
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    functions = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert {name for _, name in ALLOWED} <= functions
    # The same file under another name: the scan must see both allowed writers as writes.
    seen = scan(source, path="minxin/machine/not_allowed.py")
    assert {w.function for w in seen} == {name for _, name in ALLOWED}, seen


def test_nothing_else_writes_an_appeals_status():
    found: list[Write] = []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        found += scan(source, path=path.relative_to(ROOT).as_posix())
    assert not found, (
        "A subject's status may only change through the machine's applier (Machine.apply: "
        "one row of its table, one event). Other writers:\n" + "\n".join(str(w) for w in found)
    )


# --- the scanner itself --------------------------------------------------------------------

CAUGHT = [
    "Appeal.objects.filter(pk=1).update(status='archived')",
    "Appeal.objects.select_for_update().filter(pk=1).update(version=2, status=s)",
    "from minxin.cases.models import Appeal as A\nA.objects.filter(pk=1).update(status='x')",
    "qs = Appeal.objects.filter(pk=1)\nqs.update(status='x')",
    "rows = Appeal.objects.all()\nfor a in rows:\n    a.status = 'x'",
    "appeal.status = AppealStatus.CLOSED",
    "self.appeal.status = 'x'",
    "event.appeal.status = 'x'",
    "appeal.status, appeal.version = 'x', 2",
    "setattr(appeal, 'status', 'x')",
    "Appeal.objects.bulk_update(appeals, ['status'])",
    "Appeal.objects.bulk_update(appeals, fields=['status', 'version'])",
    "appeal.save(update_fields=['status'])",
    "Appeal.objects.create(title='t', status='received')",
    "Appeal(title='t', status='resolved')",
    "Appeal.objects.update_or_create(pk=1, defaults={'status': 'x'})",
    "appeal.duplicates.update(status='merged')",
    "original = Appeal.objects.get(pk=1)\noriginal.duplicates.update(status='merged')",
    "Appeal.objects.filter(pk=1).update(**{'status': 'x'})",
    "fields = {'status': s, 'version': 2}\nAppeal.objects.filter(pk=1).update(**fields)",
    "fields = dict(status=s)\nappeals.update(**fields)",
    "cursor.execute('UPDATE cases_appeal SET status = %s WHERE id = %s', [s, i])",
    "Suggestion.objects.filter(pk=1).update(status='adopted')",
    "suggestion.status = 'declined'",
    "BoardPost.objects.filter(pk=1).update(status='published')",
    "post.status = 'private'",
    "self.post.save(update_fields=['status', 'version'])",
    "SupervisionOrder.objects.filter(pk=1).update(status='answered')",
    "order.status = 'answered'",
    "orders.update(status='answered')",
    "cursor.execute('UPDATE supervision_supervisionorder SET status = %s', [s])",
]
IGNORED = [
    "Appeal.objects.filter(status='received')",
    "Appeal.objects.exclude(status__in=FINAL).count()",
    "Extension.objects.filter(appeal_id=1).update(status='approved')",
    "pending.status = ExtensionStatus.APPROVED",
    "appeal.extensions.update(status='refused')",
    "appeal.events.create(action='x', to_status='y')",
    "status = AppealStatus(appeal.status)",
    "render(request, 'x.html', context, status=400)",
    "Programme.objects.filter(pk=1).update(status='done')",
    "response.status_code = 409",
    "Export.objects.filter(pk=1).update(status='done')",
    "job.status = 'failed'",
    "Export.objects.order_by('x').update(status='done')",
]


@pytest.mark.parametrize("code", CAUGHT)
def test_the_scanner_catches(code):
    assert scan(code), code


@pytest.mark.parametrize("code", IGNORED)
def test_the_scanner_ignores(code):
    assert not scan(code), code


def test_the_scanner_allows_only_the_named_functions():
    code = "def apply():\n    Appeal.objects.filter(pk=1).update(status='x')\n"
    assert not scan(code, path=ENGINE)
    assert scan(code, path="minxin/cases/other.py")
    elsewhere = "def appeal_close():\n    Appeal.objects.filter(pk=1).update(status='x')\n"
    assert scan(elsewhere, path=ENGINE)
