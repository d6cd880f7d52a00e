"""`pdca food programmes|due|verify-prp|deviations|decisions`, run in-process with typer's
CliRunner on the test database: lists show the ids the other commands ask for, refusals exit
non-zero with the service's message and write nothing, and another organization's programmes
are out of reach."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.cli import app
from pdca.food.models import PrpVerification
from pdca.improvement.models import Nonconformity
from tests.food.factories import make_deviation, make_hazard, make_programme, make_step

pytestmark = pytest.mark.django_db

MANAGER = "system_manager@a.example"
EMPLOYEE = "employee@a.example"


def run(*args):
    return CliRunner().invoke(app, ["food", *map(str, args)], prog_name="pdca")


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("programmes", "--as"),
        ("due", "--on"),
        ("verify-prp", "--result"),
        ("deviations", "--plan"),
        ("decisions", "--significant"),
    ],
)
def test_every_command_has_help(command, says):
    result = run(command, "--help")
    assert result.exit_code == 0, result.output
    assert says in result.output


def test_programmes_and_the_ones_due(personas):
    today = dt.date.today()
    # Weekly: due a week after the start.
    late = make_programme(personas.org, 1, frequency="weekly", started_on=today - dt.timedelta(9))
    soon = make_programme(personas.org, 2, frequency="weekly", started_on=today - dt.timedelta(4))
    make_programme(personas.other, 3, frequency="weekly", started_on=today - dt.timedelta(9))
    every = as_json(run("programmes", "--org", "org-a", "--format", "json"))
    assert [r["id"] for r in every] == [late.pk, soon.pk]
    due = as_json(run("due", "--org", "org-a", "--format", "json"))
    assert [(r["id"], r["overdue"]) for r in due] == [(late.pk, True)]
    ahead = (today + dt.timedelta(days=3)).isoformat()
    due = as_json(run("due", "--org", "org-a", "--on", ahead, "--format", "json"))
    assert [r["id"] for r in due] == [late.pk, soon.pk]
    table = run("due", "--org", "org-a")
    assert table.exit_code == 0 and late.title in table.output and "1 programme(s)." in table.output


def test_verify_prp_moves_the_due_date_and_a_failure_opens_a_nonconformity(personas, catalog):
    today = dt.date.today()
    programme = make_programme(
        personas.org, 1, frequency="weekly", started_on=today - dt.timedelta(9)
    )
    ok = as_json(
        run("verify-prp", programme.pk, "--org", "org-a", "--as", MANAGER, "--result",
            "conforming", "--format", "json")
    )  # fmt: skip
    assert (ok["result"], ok["nonconformity"]) == ("conforming", None)
    assert ok["next_due"] == (today + dt.timedelta(days=7)).isoformat()
    failed = run(
        "verify-prp",
        programme.pk,
        "--org",
        "org-a",
        "--as",
        MANAGER,
        "--result",
        "not_conforming",
        "--notes",
        "Droppings behind the flour silo",
    )
    assert failed.exit_code == 0, failed.output
    nonconformity = Nonconformity.objects.get()
    assert f"It opened nonconformity {nonconformity.pk}" in failed.output
    assert PrpVerification.objects.filter(programme=programme).count() == 2


def test_verify_prp_refusals(personas):
    programme = make_programme(personas.org, 1)
    theirs = make_programme(personas.other, 2)
    args = ("--result", "not_conforming")
    no_notes = run("verify-prp", programme.pk, "--org", "org-a", "--as", MANAGER, *args)
    assert no_notes.exit_code == 1
    assert "notes: Say what did not conform" in no_notes.output
    employee = run("verify-prp", programme.pk, "--org", "org-a", "--as", EMPLOYEE, *args)
    assert employee.exit_code == 1
    assert "Only a system manager, a consultant or the owner" in employee.output
    other = run("verify-prp", theirs.pk, "--org", "org-a", "--as", MANAGER, *args)
    assert other.exit_code == 1
    assert f"No prerequisite programme {theirs.pk} in org-a" in other.output
    bad = run("verify-prp", programme.pk, "--org", "org-a", "--as", MANAGER, "--result", "ok")
    assert bad.exit_code == 2 and "--result must be one of" in bad.output
    nobody = run("verify-prp", programme.pk, "--org", "org-a", "--result", "conforming")
    assert nobody.exit_code == 2 and "--as EMAIL" in nobody.output
    assert not PrpVerification.objects.exists()


def test_deviations_list_their_ids_and_plans(personas):
    first = make_deviation(personas.org, 1)
    second = make_deviation(personas.org, 2, occurred_on=dt.date(2026, 11, 5))
    make_deviation(personas.other, 3)
    rows = as_json(run("deviations", "--org", "org-a", "--format", "json"))
    assert [r["id"] for r in rows] == [second.pk, first.pk]
    assert rows[1]["value"] == "88" and rows[1]["limits"] == "≥ 92 °C"
    only = as_json(run("deviations", "--org", "org-a", "--plan", first.plan_id, "-f", "json"))
    assert [r["id"] for r in only] == [first.pk]
    table = run("deviations", "--org", "org-a")
    assert table.exit_code == 0 and first.plan.code in table.output


def test_decisions_show_the_category_and_the_reasoning(personas):
    step = make_step(personas.org, 0)
    ccp = make_hazard(personas.org, 1, step=step)
    open_ = make_hazard(personas.org, 2, step=step, designed_to_control="", control_measure="")
    prp = make_hazard(personas.org, 3, step=step, likelihood=1, severity=1)
    make_hazard(personas.other, 4)
    rows = {r["id"]: r for r in as_json(run("decisions", "--org", "org-a", "-f", "json"))}
    assert set(rows) == {ccp.pk, open_.pk, prp.pk}
    assert (rows[ccp.pk]["control_category"], rows[ccp.pk]["next_question"]) == ("ccp", None)
    assert "a CCP" in rows[ccp.pk]["reason"]
    assert rows[open_.pk]["control_category"] is None
    assert rows[open_.pk]["next_question"] == "designed_to_control"
    assert rows[prp.pk]["control_category"] == "prp"
    significant = as_json(run("decisions", "--org", "org-a", "--significant", "-f", "json"))
    assert {r["id"] for r in significant} == {ccp.pk, open_.pk}
    table = run("decisions", "--org", "org-a")
    assert table.exit_code == 0 and "CCP" in table.output and "3 hazard(s)." in table.output
