"""`pdca environment method|significant|due|evaluations|record-evaluation`, run in-process with
typer's CliRunner on the test database: lists show the ids the other commands ask for,
refusals exit non-zero with the service's message and write nothing, and another
organization's rows are out of reach."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.roles import Role
from pdca.environment.models import ComplianceEvaluation
from pdca.improvement.models import Nonconformity
from tests.environment.factories import make_aspect, make_evaluation, make_obligation

pytestmark = pytest.mark.django_db

MANAGER = "system_manager@a.example"
EMPLOYEE = "employee@a.example"


def run(*args):
    return CliRunner().invoke(app, ["environment", *map(str, args)], prog_name="pdca")


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("method", "--org"),
        ("significant", "--unaddressed"),
        ("due", "--on"),
        ("evaluations", "--drafts"),
        ("record-evaluation", "--as"),
    ],
)
def test_every_command_has_help(command, says):
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert says in result.output


def test_method_shows_the_default_until_one_is_saved(personas):
    data = as_json(run("method", "--org", "org-a", "--format", "json"))
    assert (data["saved"], data["rule"], data["threshold"]) == (False, "sum", 15)
    assert [c["key"] for c in data["criteria"]][:2] == ["severity", "probability"]
    table = run("method", "--org", "org-a")
    assert table.exit_code == 0 and "Severity of the impact" in table.output
    assert "significant from 15" in table.output


def test_significant_lists_the_significant_aspects_and_the_unaddressed(personas):
    high = make_aspect(personas.org, 1, significant=True, score=18, significance_reason="18")
    low = make_aspect(personas.org, 2, significant=True, score=15, significance_reason="15")
    make_aspect(personas.org, 3, significant=False, score=9)
    make_aspect(personas.other, 4, significant=True, score=20)
    rows = as_json(run("significant", "--org", "org-a", "--format", "json"))
    assert [r["id"] for r in rows] == [high.pk, low.pk]
    assert rows[0]["has_objective"] is False
    unaddressed = as_json(run("significant", "--org", "org-a", "--unaddressed", "-f", "json"))
    assert {r["id"] for r in unaddressed} == {high.pk, low.pk}
    table = run("significant", "--org", "org-a")
    assert table.exit_code == 0 and high.code in table.output and "2 aspect(s)." in table.output


def test_a_viewer_who_is_not_a_member_is_refused(personas):
    result = run("significant", "--org", "org-a", "--as", "manager@b.example")
    assert result.exit_code == 1
    assert "may not see the aspects of org-a" in result.output


def test_due_lists_the_obligations_due_by_the_day(personas):
    today = dt.date.today()
    late = make_obligation(personas.org, 1, next_evaluation_due=today - dt.timedelta(days=10))
    soon = make_obligation(personas.org, 2, next_evaluation_due=today + dt.timedelta(days=5))
    make_obligation(personas.other, 3, next_evaluation_due=today - dt.timedelta(days=10))
    rows = as_json(run("due", "--org", "org-a", "--format", "json"))
    assert [(r["id"], r["days_overdue"]) for r in rows] == [(late.pk, 10)]
    later = (today + dt.timedelta(days=7)).isoformat()
    rows = as_json(run("due", "--org", "org-a", "--on", later, "--format", "json"))
    assert [r["id"] for r in rows] == [late.pk, soon.pk]
    assert run("due", "--org", "org-a", "--on", "2026-13-01").exit_code == 2


def test_record_evaluation_opens_a_nonconformity_when_it_fails(personas, catalog):
    obligation = make_obligation(personas.org, 1)
    evaluation = make_evaluation(
        personas.org,
        1,
        obligation=obligation,
        evaluated_on=dt.date.today() - dt.timedelta(days=1),
        result="not_compliant",
        findings="pH above 10 twice",
    )
    drafts = as_json(run("evaluations", "--org", "org-a", "--drafts", "--format", "json"))
    assert [r["id"] for r in drafts] == [evaluation.pk]
    result = run("record-evaluation", evaluation.pk, "--org", "org-a", "--as", MANAGER)
    assert result.exit_code == 0, result.output
    nonconformity = Nonconformity.objects.get()
    assert f"It opened nonconformity {nonconformity.pk}" in result.output
    evaluation.refresh_from_db()
    assert evaluation.is_recorded and evaluation.nonconformity_id == nonconformity.pk
    listed = as_json(run("evaluations", "--org", "org-a", "--format", "json"))
    assert listed[0]["nonconformity"] == nonconformity.pk
    again = run("record-evaluation", evaluation.pk, "--org", "org-a", "--as", MANAGER)
    assert again.exit_code == 1
    assert "This evaluation is recorded already." in again.output
    assert Nonconformity.objects.count() == 1


def test_record_evaluation_in_json_says_no_nonconformity_when_compliant(personas):
    evaluation = make_evaluation(personas.org, 1, evaluated_on=dt.date.today())
    data = as_json(
        run("record-evaluation", evaluation.pk, "--org", "org-a", "--as", MANAGER, "-f", "json")
    )
    assert (data["id"], data["status"], data["nonconformity"]) == (
        evaluation.pk,
        "recorded",
        None,
    )
    assert data["next_evaluation_due"] is not None


def test_record_evaluation_refusals(personas):
    evaluation = make_evaluation(personas.org, 1)
    theirs = make_evaluation(personas.other, 2)
    denied = run("record-evaluation", evaluation.pk, "--org", "org-a", "--as", EMPLOYEE)
    assert denied.exit_code == 1
    assert "may not record" in denied.output
    nobody = run("record-evaluation", evaluation.pk, "--org", "org-a")
    assert nobody.exit_code == 2 and "--as EMAIL" in nobody.output
    other = run("record-evaluation", theirs.pk, "--org", "org-a", "--as", MANAGER)
    assert other.exit_code == 1
    assert f"No evaluation of compliance {theirs.pk} in org-a" in other.output
    outsider = run("record-evaluation", theirs.pk, "--org", "org-b", "--as", MANAGER)
    assert outsider.exit_code == 1 and "not a member" in outsider.output
    assert not ComplianceEvaluation.objects.filter(status="recorded").exists()
    assert personas.users[Role.EMPLOYEE].email == EMPLOYEE
