"""The report's cost, its checksum, the drill-down and ``manage.py funder_report``."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.indicators.engine import indicator_participants, report_compute
from tests.factories import UserFactory
from tests.outcomes.indicators_helpers import (
    FROM,
    TO,
    D,
    operation,
    outcome,
    participation,
)
from tests.youthtrack.sharing_helpers import make_user

pytestmark = pytest.mark.django_db


def _leavers(op, count, **facts):
    for n in range(count):
        case_file = participation(
            op, since=D(2024, 6, 1), exit=D(2025, 6, 1), gender="male", **facts
        )
        outcome(case_file, "job", D(2025, 6, 1 + n % 20))


def _queries(op) -> int:
    with CaptureQueriesContext(connection) as queries:
        report_compute(rule_set=op.rule_set, operation=op, date_from=FROM, date_to=TO)
    return len(queries)


@pytest.mark.parametrize("rule_set", ["esfplus2021", "esf2014"])
def test_the_report_costs_the_same_queries_whatever_the_number_of_participants(
    rule_set,
):
    op = operation(rule_set)
    _leavers(op, 2)
    few = _queries(op)
    _leavers(op, 12)
    assert _queries(op) == few <= 4


def test_the_same_data_give_the_same_checksum_and_a_change_another():
    op = operation()
    _leavers(op, 3)
    compute = lambda: report_compute(  # noqa: E731
        rule_set="esfplus2021", operation=op, date_from=FROM, date_to=TO
    )
    first = compute()
    assert compute()["checksum"] == first["checksum"]
    case_file = op.case_files.first()
    case_file.unemployed_since = D(2024, 7, 1)
    case_file.save()
    changed = compute()
    assert changed["checksum"] != first["checksum"]
    assert changed["indicators"] == first["indicators"]


def test_the_drill_down_lists_what_the_figure_counts_through_the_gate():
    op = operation()
    woman = participation(op, gender="female", disability="yes")
    participation(op, gender="male", disability="yes")
    participation(op, gender="female", disability="declined")
    advisor = UserFactory(organisation=woman.owner_organisation, role="advisor")
    listed = indicator_participants(
        rule_set="esfplus2021", operation=op, date_from=FROM, date_to=TO,
        code="EECO12", gender="women", user=advisor,
    )  # fmt: skip
    assert list(listed) == [woman]
    outsider = make_user("outsider-r1", org_code="actiris")
    assert not indicator_participants(
        rule_set="esfplus2021", operation=op, date_from=FROM, date_to=TO,
        code="EECO12", user=outsider,
    ).exists()  # fmt: skip


def test_funder_report_json_gives_the_figures_of_the_engine(tmp_path):
    op = operation()
    _leavers(op, 3)
    participation(op, gender="female", status="inactive")
    arguments = ["esfplus2021", "--operation", op.reference, "--from", "2025-01-01",
                 "--to", "2025-12-31", "--format", "json"]  # fmt: skip
    out = io.StringIO()
    call_command("funder_report", *arguments, stdout=out)
    printed = json.loads(out.getvalue())
    engine = report_compute(
        rule_set="esfplus2021", operation=op, date_from=FROM, date_to=TO
    )
    assert printed == json.loads(json.dumps(engine))
    assert printed["indicators"]["EECO01"] == {
        "women": 1, "men": 3, "non_binary": 0, "total": 4
    }  # fmt: skip
    assert printed["indicators"]["EECR04"]["men"] == 3
    assert list(printed["indicators"])[:3] == ["EECO01", "EECO02", "EECO03"]
    target = tmp_path / "report.json"
    call_command("funder_report", *arguments, "--output", str(target))
    assert json.loads(target.read_text())["checksum"] == engine["checksum"]


def test_funder_report_refuses_an_unknown_operation():
    with pytest.raises(CommandError, match="NOPE"):
        call_command(
            "funder_report", "esf2014", "--operation", "NOPE",
            "--from", "2025-01-01", "--to", "2025-12-31",
        )  # fmt: skip


def test_funder_report_writes_the_csv_of_the_renderer(tmp_path):
    op = operation()
    _leavers(op, 2)
    target = tmp_path / "report.csv"
    call_command(
        "funder_report", "esfplus2021", "--operation", op.reference,
        "--from", "2025-01-01", "--to", "2025-12-31", "--format", "csv",
        "--output", str(target),
    )  # fmt: skip
    text = target.read_bytes().decode("utf-8-sig")
    assert "EECO01" in text and "EECR04" in text
    assert text.index("EECO01") < text.index("EECO02") < text.index("EECR01")
