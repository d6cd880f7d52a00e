"""`pdca continuity prioritized|programme|complete-exercise|cancel-exercise`, run in-process
with typer's CliRunner on the test database: lists show the ids the other commands ask for,
refusals exit non-zero with the service's message and write nothing, and another
organization's exercises are out of reach."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.cli import app
from pdca.continuity.models import Exercise

from .factories import make_bia, make_exercise, make_plan

pytestmark = pytest.mark.django_db

MANAGER = "system_manager@a.example"
EMPLOYEE = "employee@a.example"


def run(*args):
    return CliRunner().invoke(app, ["continuity", *map(str, args)], prog_name="pdca")


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("prioritized", "--as"),
        ("programme", "--on"),
        ("complete-exercise", "--objectives"),
        ("cancel-exercise", "--reason"),
    ],
)
def test_every_command_has_help(command, says):
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert says in result.output


def test_prioritized_activities_by_mtpd_with_rto_and_rpo(personas):
    week = make_bia(personas.org, 1, mtpd_hours=168, rto_hours=72, rpo_hours=24)
    day = make_bia(personas.org, 2, mtpd_hours=24, rto_hours=12, rpo_hours=4)
    unranked = make_bia(personas.org, 3)
    make_bia(personas.other, 4, mtpd_hours=4)
    rows = as_json(run("prioritized", "--org", "org-a", "--as", EMPLOYEE, "--format", "json"))
    assert [r["id"] for r in rows] == [day.pk, week.pk, unranked.pk]
    assert (rows[0]["mtpd_hours"], rows[0]["rto_hours"], rows[0]["rpo_hours"]) == (24, 12, 4)
    table = run("prioritized", "--org", "org-a", "--as", EMPLOYEE)
    assert table.exit_code == 0
    assert "1 day" in table.output and "12 h" in table.output and "3 activities." in table.output
    nobody = run("prioritized", "--org", "org-a")
    assert nobody.exit_code == 2 and "--as EMAIL" in nobody.output
    outsider = run("prioritized", "--org", "org-a", "--as", "manager@b.example")
    assert outsider.exit_code == 1 and "may not see the" in outsider.output


def test_programme_lists_exercises_and_the_plans_not_exercised(personas):
    stale, fresh = make_plan(personas.org, 1), make_plan(personas.org, 2)
    done = make_exercise(
        personas.org, 1, status="done", actual_date=dt.date.today() - dt.timedelta(days=30)
    )
    done.plans.set([fresh])
    planned = make_exercise(personas.org, 2, planned_date=dt.date.today() + dt.timedelta(days=9))
    make_exercise(personas.other, 3)
    data = as_json(run("programme", "--org", "org-a", "--as", EMPLOYEE, "--format", "json"))
    assert [e["id"] for e in data["exercises"]] == [planned.pk, done.pk]
    assert data["plans_not_exercised"] == [stale.pk]
    assert {p["id"] for p in data["plans"]} == {stale.pk, fresh.pk}
    table = run("programme", "--org", "org-a", "--as", EMPLOYEE)
    assert table.exit_code == 0
    assert stale.title in table.output and "never" in table.output
    assert "1 of 2 plan(s) not exercised in the last 12 months." in table.output


def test_complete_exercise_compares_the_recovery_with_the_rto(personas):
    exercise = make_exercise(
        personas.org, 1, activities=[make_bia(personas.org, 1, mtpd_hours=24, rto_hours=12)]
    )
    result = run(
        "complete-exercise",
        exercise.pk,
        "--org",
        "org-a",
        "--as",
        MANAGER,
        "--objectives",
        "partly",
        "--recovery-hours",
        "14",
        "--observations",
        "Partner bakery's night number was out of date",
    )
    assert result.exit_code == 0, result.output
    assert "recovery took 14 h against an RTO of 12 h: RTO missed" in result.output
    exercise.refresh_from_db()
    assert (exercise.status, exercise.rto_achieved, exercise.objectives_met) == (
        "done",
        False,
        "partly",
    )
    again = run(
        "complete-exercise", exercise.pk, "--org", "org-a", "--as", MANAGER, "--objectives", "yes"
    )
    assert again.exit_code == 1
    assert "Only a planned exercise can be completed or cancelled; this one is done." in (
        " ".join(again.output.split())
    )


def test_complete_exercise_refusals_write_nothing(personas):
    exercise = make_exercise(personas.org, 1)
    theirs = make_exercise(personas.other, 2)
    ahead = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    future = run(
        "complete-exercise",
        exercise.pk,
        "--org",
        "org-a",
        "--as",
        MANAGER,
        "--objectives",
        "maybe",
        "--on",
        ahead,
    )
    assert future.exit_code == 1
    assert "actual_date: An exercise cannot be done in the future." in future.output
    assert "objectives_met: Say whether the objectives were met" in future.output
    employee = run(
        "complete-exercise", exercise.pk, "--org", "org-a", "--as", EMPLOYEE, "--objectives", "yes"
    )
    assert employee.exit_code == 1 and "may not change" in employee.output
    other = run(
        "complete-exercise", theirs.pk, "--org", "org-a", "--as", MANAGER, "--objectives", "yes"
    )
    assert other.exit_code == 1 and f"No exercise {theirs.pk} in org-a" in other.output
    nobody = run("complete-exercise", exercise.pk, "--org", "org-a", "--objectives", "yes")
    assert nobody.exit_code == 2 and "--as EMAIL" in nobody.output
    assert set(Exercise.objects.values_list("status", flat=True)) == {"planned"}


def test_cancel_exercise_with_a_reason(personas):
    exercise = make_exercise(personas.org, 1)
    blank = run("cancel-exercise", exercise.pk, "--org", "org-a", "--as", MANAGER, "--reason", " ")
    assert blank.exit_code == 1 and "reason: Say why the exercise is cancelled." in blank.output
    data = as_json(
        run(
            "cancel-exercise",
            exercise.pk,
            "--org",
            "org-a",
            "--as",
            MANAGER,
            "--reason",
            "Oven line rebuilt",
            "--format",
            "json",
        )
    )
    assert (data["id"], data["status"], data["observations"]) == (
        exercise.pk,
        "cancelled",
        "Oven line rebuilt",
    )
