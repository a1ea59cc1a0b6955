"""The figures issue 11 ("One house for every state machine") asks of the tree, in one run:

- modules over 500 lines (outside migrations);
- functions over 60 lines, not counting the lines of data literals (a dict, list, tuple or set
  written out in the code, such as the OpenAPI document);
- blocks graded D or worse by radon (`radon cc -n D minxin`);
- ORM queries in view modules (`objects.` in views.py or *_views.py);
- pairs the `duplicates` tool reports outside migrations and tests (when the tool is on PATH:
  the tree is copied without migrations and tests, and the tool is run on the copy), for runs
  of six lines (the issue's figure) and of ten, and without the declarative files (DECLARATIVE);
- the import-linter contracts.

Run: `.venv/bin/python scripts/house.py` from the repository root."""

import ast
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "minxin"
MODULE_MAX = 500
FUNCTION_MAX = 60
LITERALS = (ast.Dict, ast.List, ast.Tuple, ast.Set)


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _literal_lines(node: ast.AST) -> set[int]:
    """Lines inside data literals of at least three lines within `node`."""
    lines: set[int] = set()
    for child in ast.walk(node):
        end = getattr(child, "end_lineno", None)
        if isinstance(child, LITERALS) and end is not None and end - child.lineno >= 2:
            lines.update(range(child.lineno + 1, end))
    return lines


def long_modules() -> list[str]:
    found = []
    for path in _sources():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MODULE_MAX:
            found.append(f"{path.relative_to(ROOT)}: {count} lines")
    return found


def long_functions() -> list[str]:
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                span = node.end_lineno - node.lineno + 1
                code = span - len(_literal_lines(node))
                if code > FUNCTION_MAX:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {code}")
    return found


def radon_d_or_worse() -> list[str]:
    radon = Path(sys.executable).with_name("radon")
    out = subprocess.run(
        [str(radon), "cc", "-n", "D", "-s", str(PACKAGE)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found, module = [], ""
    for line in out.splitlines():
        if not line.startswith(" "):
            module = str(Path(line.strip()).relative_to(ROOT))
        elif line.strip():
            found.append(f"{module} {line.strip()}")
    return found


def queries_in_views() -> list[str]:
    found = []
    for path in _sources():
        if path.name == "views.py" or path.name.endswith("_views.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "objects." in line:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


# Files that declare rather than do: models and their choices, transition tables, machine
# declarations, URL lists, admin, app configs, the staff bar, forms, permission predicates and
# the demo's data. Their pairs are the same shape by design (one way to declare each thing).
DECLARATIVE = (
    "models.py",
    "workflow.py",
    "machine.py",
    "urls.py",
    "public_urls.py",
    "admin.py",
    "apps.py",
    "nav.py",
    "forms.py",
    "permissions.py",
)


def _declarative(parts: tuple[str, ...]) -> bool:
    return parts[-1] in DECLARATIVE or "demo" in parts[:-1]


def duplicate_pairs(min_lines: int, *, declarative: bool = True) -> str:
    tool = shutil.which("duplicates")
    if tool is None:
        return "the duplicates tool is not on PATH: not counted"
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    with tempfile.TemporaryDirectory() as copy:
        for name in files:
            parts = Path(name).parts
            if (
                "migrations" in parts
                or parts[0] in ("tests", "docs")
                or not (ROOT / name).is_file()
                or (not declarative and _declarative(parts))
            ):
                continue
            target = Path(copy) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, target)
        out = subprocess.run(
            [tool, "--min-lines", str(min_lines), "--most", "200", "--seconds", "120"],
            cwd=copy,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return out.splitlines()[0] if out else "no output"


def import_contracts() -> str:
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True).stdout
    return next((line for line in out.splitlines() if line.startswith("Contracts:")), out)


def main() -> None:
    sections = [
        (f"modules over {MODULE_MAX} lines", long_modules()),
        (f"functions over {FUNCTION_MAX} lines (data literals aside)", long_functions()),
        ("blocks graded D or worse (radon cc -n D)", radon_d_or_worse()),
        ("ORM queries in view modules", queries_in_views()),
    ]
    for title, found in sections:
        print(f"{title}: {len(found)}")
        for line in found:
            print(f"  {line}")
    print(f"duplicates outside migrations and tests: {duplicate_pairs(6)}")
    # The figure counts runs of six lines; longer runs say how much of it is more
    # than the shape of declarative code (tables, fields, machine declarations).
    print(f"  the same, runs of 10 lines or more: {duplicate_pairs(10)}")
    print(f"  the same, declarative files left out: {duplicate_pairs(6, declarative=False)}")
    print(f"import-linter: {import_contracts()}")


if __name__ == "__main__":
    main()
