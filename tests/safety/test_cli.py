"""`pdca safety incidents|investigate|close|participation`, run in-process with typer's
CliRunner on the test database: lists show the ids the other commands ask for, refusals exit
non-zero with the service's message and write nothing, and another organization's incidents
are out of reach."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.roles import Role
from pdca.improvement.models import Nonconformity
from pdca.safety.models import Incident
from tests.safety.factories import make_consultation, make_incident

pytestmark = pytest.mark.django_db

MANAGER = "system_manager@a.example"
EMPLOYEE = "employee@a.example"


def run(*args):
    return CliRunner().invoke(app, ["safety", *map(str, args)], prog_name="pdca")


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def investigation(incident_id, *extra):
    return run(
        "investigate",
        incident_id,
        "--org",
        "org-a",
        "--root-cause",
        "Swarf cleared by hand",
        "--findings",
        "No hook at the machine",
        *extra,
    )


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("incidents", "--status"),
        ("investigate", "--root-cause"),
        ("close", "--as"),
        ("participation", "--on"),
    ],
)
def test_every_command_has_help(command, says):
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert says in result.output


def test_incidents_lists_ids_by_status_and_what_a_member_may_see(personas):
    mine = make_incident(personas.org, 1, reported_by=personas.employee)
    other = make_incident(personas.org, 2, status=Incident.Status.INVESTIGATING)
    make_incident(personas.other, 3)
    rows = as_json(run("incidents", "--org", "org-a", "--format", "json"))
    assert {r["id"] for r in rows} == {mine.pk, other.pk}
    reported = as_json(run("incidents", "--org", "org-a", "--status", "reported", "-f", "json"))
    assert [r["id"] for r in reported] == [mine.pk]
    seen = as_json(run("incidents", "--org", "org-a", "--as", EMPLOYEE, "-f", "json"))
    assert [r["id"] for r in seen] == [mine.pk]
    table = run("incidents", "--org", "org-a")
    assert table.exit_code == 0 and mine.reference in table.output
    bad = run("incidents", "--org", "org-a", "--status", "open")
    assert bad.exit_code == 2 and "--status must be one of" in bad.output


def test_investigate_then_close_opens_one_nonconformity(personas, catalog):
    incident = make_incident(personas.org, 1)
    early = run("close", incident.pk, "--org", "org-a", "--as", MANAGER)
    assert early.exit_code == 1
    assert "cannot move to closed" in early.output
    done = investigation(incident.pk, "--action-needed", "--as", MANAGER)
    assert done.exit_code == 0, done.output
    nonconformity = Nonconformity.objects.get()
    assert f"nonconformity {nonconformity.pk}" in done.output
    incident.refresh_from_db()
    assert (incident.status, incident.investigator, incident.nonconformity) == (
        "investigating",
        personas.manager,
        nonconformity,
    )
    closed = as_json(run("close", incident.pk, "--org", "org-a", "--as", MANAGER, "-f", "json"))
    assert (closed["id"], closed["status"], closed["nonconformity"]) == (
        incident.pk,
        "closed",
        nonconformity.pk,
    )
    again = investigation(incident.pk, "--no-action-needed", "--as", MANAGER)
    assert again.exit_code == 1 and "is closed: it is a record" in again.output
    assert Nonconformity.objects.count() == 1


def test_investigate_refusals_name_the_field_and_write_nothing(personas):
    incident = make_incident(personas.org, 1)
    theirs = make_incident(personas.other, 2)
    undecided = investigation(incident.pk, "--as", MANAGER)
    assert undecided.exit_code == 1
    assert "action_needed: Say whether corrective action is needed." in undecided.output
    employee = investigation(incident.pk, "--no-action-needed", "--as", EMPLOYEE)
    assert employee.exit_code == 1 and "may not investigate" in employee.output
    stranger = investigation(
        incident.pk, "--no-action-needed", "--as", MANAGER, "--investigator", "manager@b.example"
    )
    assert stranger.exit_code == 1
    assert "investigator: Choose a member of this organization." in stranger.output
    other = investigation(theirs.pk, "--no-action-needed", "--as", MANAGER)
    assert other.exit_code == 1 and f"No incident {theirs.pk} in org-a" in other.output
    nobody = investigation(incident.pk, "--no-action-needed")
    assert nobody.exit_code == 2 and "--as EMAIL" in nobody.output
    incident.refresh_from_db()
    assert (incident.status, incident.findings) == ("reported", "")


def test_close_needs_the_findings(personas):
    incident = make_incident(personas.org, 1, status=Incident.Status.INVESTIGATING)
    result = run("close", incident.pk, "--org", "org-a", "--as", MANAGER)
    assert result.exit_code == 1
    assert "The incident cannot be closed yet." in result.output
    assert "findings: Record the investigation's findings first." in result.output
    incident.refresh_from_db()
    assert incident.status == "investigating"


def test_participation_over_the_last_twelve_months(personas):
    today = dt.date.today()
    make_consultation(personas.org, 1, held_on=today, workers_took_part=True)
    make_consultation(personas.org, 2, held_on=today - dt.timedelta(days=30))
    make_consultation(personas.org, 3, held_on=today - dt.timedelta(days=400))
    make_consultation(personas.other, 4, held_on=today, workers_took_part=True)
    data = as_json(run("participation", "--org", "org-a", "--as", MANAGER, "--format", "json"))
    assert (data["total"], data["with_workers"], data["share"]) == (2, 1, 50)
    assert data["by_topic"][0]["topic"] == "hazards"
    table = run("participation", "--org", "org-a", "--as", MANAGER)
    assert table.exit_code == 0
    assert "1 of 2 consultation(s) had non-managerial workers taking part (50 %)" in " ".join(
        table.output.split()
    )
    nobody = run("participation", "--org", "org-a")
    assert nobody.exit_code == 2 and "--as EMAIL" in nobody.output
    outsider = run("participation", "--org", "org-a", "--as", "manager@b.example")
    assert outsider.exit_code == 1 and "may not see the consultations of org-a" in outsider.output
    assert personas.users[Role.EMPLOYEE].email == EMPLOYEE
