"""A service that locks rows (``select_for_update``) runs in a transaction of its own.

On SQLite a lock outside a transaction passes unnoticed; on PostgreSQL it is a server
error ("select_for_update cannot be used outside of a transaction"). A decorator that
slid onto the function above when another was inserted took the register's save out
of its transaction once, and only the PostgreSQL run found it. This reads every public
service function of the three apps: one that locks must be wrapped in
``transaction.atomic`` (decorated, or its body in ``with transaction.atomic()``).
Private helpers (``_lock``…) document that their caller holds the transaction."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE_FILES = sorted(
    [
        *ROOT.glob("youthtrack/services/*.py"),
        ROOT / "programmes/services.py",
        *ROOT.glob("outcomes/*/services.py"),
    ]
)


def _is_atomic(node: ast.AST) -> bool:
    text = ast.unparse(node)
    return text in {"transaction.atomic", "atomic"} or text.startswith(
        ("transaction.atomic(", "atomic(")
    )


def public_services_locking_outside_a_transaction(source: str) -> list[str]:
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        if "select_for_update" not in ast.unparse(node):
            continue
        decorated = any(_is_atomic(d) for d in node.decorator_list)
        in_block = any(
            isinstance(inner, ast.With)
            and any(_is_atomic(item.context_expr) for item in inner.items)
            for inner in ast.walk(node)
        )
        if not (decorated or in_block):
            found.append(node.name)
    return found


def test_every_public_service_that_locks_rows_runs_in_a_transaction():
    offenders = {
        str(path.relative_to(ROOT)): names
        for path in SERVICE_FILES
        if (names := public_services_locking_outside_a_transaction(path.read_text()))
    }
    assert offenders == {}


def test_the_check_finds_a_lock_whose_decorator_slid_onto_another_function():
    planted = """
@transaction.atomic
def message(session):
    return "not started"


def attendance_save(*, session):
    Session.objects.select_for_update().filter(pk=session.pk).first()
"""
    assert public_services_locking_outside_a_transaction(planted) == ["attendance_save"]
    fixed = planted.replace(
        "def attendance_save", "@transaction.atomic\ndef attendance_save"
    )
    assert public_services_locking_outside_a_transaction(fixed) == []
