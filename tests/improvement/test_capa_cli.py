"""`pdca capa list|export|remind`, run in-process with typer's CliRunner on the test
database."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import types

import pytest
import typer
from django.utils import timezone
from openpyxl import load_workbook
from typer.testing import CliRunner

from pdca.core.roles import Role
from pdca.improvement.cli import app as capa_app
from tests.improvement.test_analytics import at, build, make_nc

pytestmark = pytest.mark.usefixtures("catalog")

# Mounted here as the project's `pdca` command mounts it, so the tests do not depend on it.
root = typer.Typer()
root.add_typer(capa_app, name="capa")


@pytest.fixture(autouse=True)
def wide_table(monkeypatch):
    """A wide terminal, so the table's cells are not wrapped."""
    from pdca.improvement import cli

    monkeypatch.setattr(cli.console, "width", 200)


def run(*args):
    return CliRunner().invoke(root, [str(a) for a in args], prog_name="pdca")


def words(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def register(personas):
    """Open nonconformities due 10 and 3 days ago, in 5 days and without a date; one closed."""
    today = timezone.localdate()
    org, owner = personas.org, personas.users[Role.PROCESS_OWNER]
    make_nc(
        org,
        1,
        at(2026, 1, 1),
        status="triaged",
        severity="minor",
        owner=owner,
        due_date=today - dt.timedelta(days=3),
    )
    make_nc(
        org,
        2,
        at(2026, 1, 2),
        status="contained",
        severity="major",
        owner=personas.employee,
        due_date=today - dt.timedelta(days=10),
    )
    make_nc(org, 3, at(2026, 1, 3), status="reported", due_date=today + dt.timedelta(days=5))
    make_nc(org, 4, at(2026, 1, 4), status="reported")
    make_nc(org, 5, at(2026, 1, 5), status="closed", closed_at=at(2026, 2, 1))
    make_nc(personas.other, 1, at(2026, 1, 1), status="reported")
    return org


@pytest.mark.parametrize(
    ("command", "says"), [("list", "--overdue"), ("export", "--org"), ("remind", "--today")]
)
def test_every_capa_command_has_help(command, says):
    result = run("capa", command, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: pdca capa {command}" in result.output
    assert says in result.output


def _references(output: str) -> list[str]:
    return [w for w in output.split() if w.startswith("NC-") or w.startswith("#")]


def test_list_shows_the_open_ones_overdue_first(register):
    result = run("capa", "list", "--org", "org-a")
    assert result.exit_code == 0, result.output
    assert _references(result.output) == ["NC-002", "NC-001", "NC-003", "NC-004"]
    assert "4 nonconformities." in words(result.output)
    rows = {
        cells[0]: cells
        for line in result.output.splitlines()
        if "NC-0" in line
        for cells in [[c.strip() for c in line.split("│")[1:-1]]]
    }
    due = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    assert rows["NC-002"] == [
        "NC-002",
        "Problem 2",
        "Contained",
        "Major",
        "employee@a.example",
        due,
        "10",
        "",
    ]
    assert rows["NC-001"][-2:] == ["3", ""]
    assert rows["NC-003"][-2:] == ["", ""]
    assert rows["NC-004"][3:] == ["—", "—", "—", "", ""]


def test_an_overdue_action_makes_its_nonconformity_overdue(register, personas):
    from pdca.improvement.models import CorrectiveAction, Nonconformity

    on_time = Nonconformity.objects.get(reference="NC-003")
    for days in (4, 2, -5):
        CorrectiveAction.objects.create(
            organization=personas.org,
            nonconformity=on_time,
            title=f"Action due {days} days ago",
            owner=personas.users[Role.PROCESS_OWNER],
            due_date=timezone.localdate() - dt.timedelta(days=days),
        )
    result = run("capa", "list", "--org", "org-a", "--overdue")
    assert _references(result.output) == ["NC-002", "NC-001", "NC-003"]
    row = next(line for line in result.output.splitlines() if "NC-003" in line)
    assert [c.strip() for c in row.split("│")[1:-1]][-2:] == ["4", "2"]


def test_list_filters(register):
    overdue = run("capa", "list", "--org", "org-a", "--overdue")
    assert _references(overdue.output) == ["NC-002", "NC-001"]
    closed = run("capa", "list", "--org", "org-a", "--status", "closed")
    assert _references(closed.output) == ["NC-005"]
    owned = run("capa", "list", "--org", "org-a", "--owner", "PROCESS_OWNER@a.example")
    assert _references(owned.output) == ["NC-001"]


def test_list_without_an_organization_shows_every_one_with_its_organization(register):
    result = run("capa", "list")
    assert result.exit_code == 0, result.output
    assert "org-b" in result.output and "org-a" in result.output
    assert "5 nonconformities." in words(result.output)


def test_list_as_a_member_shows_only_what_they_may_see(register, personas):
    result = run("capa", "list", "--as", "employee@a.example")
    assert result.exit_code == 0, result.output
    assert _references(result.output) == ["NC-002"]
    outsider = run("capa", "list", "--org", "org-a", "--as", "manager@b.example")
    assert _references(outsider.output) == []
    assert "0 nonconformities." in words(outsider.output)


def test_list_as_json_gives_stored_values_and_iso_dates(register, personas):
    result = run("capa", "list", "--org", "org-a", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["reference"] for r in rows] == ["NC-002", "NC-001", "NC-003", "NC-004"]
    nc = rows[0]
    assert nc == {
        "id": nc["id"],
        "organization": "org-a",
        "reference": "NC-002",
        "title": "Problem 2",
        "status": "contained",
        "severity": "major",
        "owner": "employee@a.example",
        "due_date": (timezone.localdate() - dt.timedelta(days=10)).isoformat(),
        "body_deadline": None,
        "days_overdue": 10,
        "actions_overdue": 0,
    }
    assert rows[3]["severity"] is None and rows[3]["due_date"] is None


def test_list_as_json_as_an_employee_shows_only_what_they_may_see(register):
    result = run("capa", "list", "--as", "employee@a.example", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["reference"] for r in json.loads(result.output)] == ["NC-002"]


@pytest.mark.parametrize(
    ("args", "says", "code"),
    [
        (["--status", "lost"], "--status must be one of", 2),
        (["--format", "xml"], "--format must be table or json, not 'xml'.", 2),
        (["--org", "nowhere"], "No organization with the short name 'nowhere'", 1),
        (["--as", "nobody@x.example"], "No active user with the e-mail", 1),
    ],
)
def test_list_refuses_bad_options(register, args, says, code):
    result = run("capa", "list", *args)
    assert result.exit_code == code
    assert says in words(result.output)


def test_export_writes_the_pages_workbook(personas, tmp_path):
    build(personas)
    path = tmp_path / "capa.xlsx"
    result = run("capa", "export", path, "--org", "org-a")
    assert result.exit_code == 0, result.output
    assert f"Wrote {path}" in words(result.output)
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    assert "Recurrences" in workbook.sheetnames
    refs = [r[0].value for r in workbook["Nonconformities"].iter_rows(min_row=2)]
    assert refs == ["NC-001", "NC-002", "NC-005", "NC-006", "NC-003", "NC-004"]


def test_export_as_a_member_takes_their_organization_and_rights(personas, tmp_path):
    build(personas)
    path = tmp_path / "mine.xlsx"
    result = run("capa", "export", path, "--as", "manager@b.example")
    assert result.exit_code == 0, result.output
    refs = [r[0].value for r in load_workbook(path)["Nonconformities"].iter_rows(min_row=2)]
    assert refs == ["NC-001"]
    refused = tmp_path / "refused.xlsx"
    result = run("capa", "export", refused, "--org", "org-a", "--as", "employee@a.example")
    assert result.exit_code == 1
    assert "may not see the nonconformities of Org A" in words(result.output)
    assert not refused.exists()


def test_export_needs_an_organization(personas, tmp_path):
    result = run("capa", "export", tmp_path / "x.xlsx")
    assert result.exit_code == 2
    assert "--org SLUG" in result.output


@pytest.fixture
def notifications(monkeypatch):
    """Stand-ins for the reminder and escalation jobs, recording how they were called."""
    calls = []

    class Result:
        def __str__(self) -> str:
            return "Reminded 2 people."

    def send_reminders(*, today=None, organization=None):
        calls.append(("send_reminders", today, organization))
        return Result()

    def escalate_overdue(*, today=None, organization=None):
        calls.append(("escalate_overdue", today, organization))
        return ["NC-009 Late certification finding"]

    module = types.ModuleType("pdca.improvement.notifications")
    module.send_reminders = send_reminders
    module.escalate_overdue = escalate_overdue
    monkeypatch.setitem(sys.modules, "pdca.improvement.notifications", module)
    return calls


def test_remind_runs_both_jobs_for_the_day_and_organization(personas, notifications):
    result = run("capa", "remind", "--org", "org-a", "--today", "2026-06-15")
    assert result.exit_code == 0, result.output
    assert notifications == [
        ("send_reminders", dt.date(2026, 6, 15), personas.org),
        ("escalate_overdue", dt.date(2026, 6, 15), personas.org),
    ]
    text = words(result.output)
    assert "Reminders: Reminded 2 people." in text
    assert "Escalated: 1 NC-009 Late certification finding" in text


def test_remind_defaults_to_today_and_every_organization(personas, notifications):
    result = run("capa", "remind")
    assert result.exit_code == 0, result.output
    assert notifications[0] == ("send_reminders", timezone.localdate(), None)


def test_remind_refuses_a_bad_date(personas, notifications):
    result = run("capa", "remind", "--today", "15/06/2026")
    assert result.exit_code == 2
    assert "--today must be a date as YYYY-MM-DD" in words(result.output)
    assert notifications == []


def test_remind_with_the_real_jobs_sends_the_overdue_reminders(personas):
    owner = personas.users[Role.PROCESS_OWNER]
    make_nc(
        personas.org, 1, at(2026, 1, 1), status="triaged", owner=owner, due_date=dt.date(2026, 6, 1)
    )
    result = run("capa", "remind", "--org", "org-a", "--today", "2026-06-15")
    assert result.exit_code == 0, result.output
    assert "Reminders: Reminded 1 people of 1 overdue nonconformities" in words(result.output)
    assert "Escalated: 0" in words(result.output)
