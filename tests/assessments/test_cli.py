"""`pdca gap list|readiness|export|import|report`, run in-process with typer's CliRunner on the
test database."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.assessments.models import GapItem
from pdca.cli import app
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from tests.assessments.filedata import (
    item_for,
    make_assessment,
    save,
    set_cell,
    state,
    workbook_of,
)


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], prog_name="pdca")


@pytest.fixture
def assessment(personas, catalog):
    """ISO 9001 alone: two items implemented, one partial, one not applicable."""
    assessment = make_assessment(personas, ("iso9001-2015",))
    for number, values in {
        "4.1": {"status": "implemented"},
        "4.2": {"status": "implemented"},
        "4.3": {"status": "partial"},
        "8.3.1": {"status": "not_applicable", "justification": "No design."},
    }.items():
        GapItem.objects.filter(pk=item_for(assessment, "iso9001-2015", number).pk).update(**values)
    return assessment


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("list", "--format"),
        ("readiness", "--format"),
        ("export", "--output"),
        ("import", "--as"),
        ("report", "--output"),
    ],
)
def test_every_gap_command_has_help(command, says):
    result = run("gap", command, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: pdca gap {command} [OPTIONS]" in result.output
    assert says in result.output


def test_the_gap_help_lists_the_commands():
    result = run("gap", "--help")
    assert result.exit_code == 0
    for command in ("list", "readiness", "export", "import", "report"):
        assert command in result.output


# --- list ---------------------------------------------------------------------------------

LONG = "Obsolete drawing revision at machine 4"


@pytest.fixture
def assessments(personas, catalog):
    """Org A: an open assessment with a long title and a closed one; org B: one of its own."""
    ours = make_assessment(personas, ("iso9001-2015",))
    ours.title = LONG
    ours.save()
    closed = make_assessment(personas, ("iso9001-2015",), name="EMS")
    closed.status = "closed"
    closed.save()
    theirs = make_assessment(personas, ("iso9001-2015",), org=personas.other, name="Theirs")
    return ours, closed, theirs


def test_list_as_json_gives_the_ids_the_other_commands_take(assessments):
    ours, closed, _ = assessments
    result = run("gap", "list", "--org", "org-a", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == [closed.pk, ours.pk]
    assert rows[1] == {
        "id": ours.pk,
        "organization": "org-a",
        "title": LONG,
        "system": "IMS",
        "started_on": ours.started_on.isoformat(),
        "status": "open",
        "items": ours.items.count(),
        "copied_from": None,
    }


def test_list_as_a_table_prints_long_titles_whole(assessments):
    ours, _, _ = assessments
    result = run("gap", "list", "--org", "org-a", "--status", "open")
    assert result.exit_code == 0, result.output
    assert LONG in result.output and "…" not in result.output
    assert "EMS baseline" not in result.output and "Theirs" not in result.output
    row = next(line for line in result.output.splitlines() if LONG in line)
    assert [c.strip() for c in row.split("│")[1:-1]] == [
        str(ours.pk),
        LONG,
        "IMS",
        ours.started_on.isoformat(),
        "Open",
        str(ours.items.count()),
    ]
    assert "1 assessment(s)." in result.output


def test_list_without_an_organization_shows_every_one_with_its_organization(assessments):
    result = run("gap", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(r["organization"] for r in json.loads(result.output)) == [
        "org-a",
        "org-a",
        "org-b",
    ]


@pytest.mark.parametrize(
    ("email", "titles"),
    [
        ("employee@a.example", ["EMS baseline", LONG]),
        ("manager@b.example", ["Theirs baseline"]),
        ("lead_auditor@cb.example", []),
    ],
)
def test_list_as_a_member_shows_only_their_organizations(assessments, email, titles):
    result = run("gap", "list", "--as", email, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["title"] for r in json.loads(result.output)] == titles


@pytest.mark.parametrize(
    ("args", "says", "code"),
    [
        (["--status", "lost"], "--status must be one of open, closed, not 'lost'.", 2),
        (["--format", "xml"], "--format must be table or json, not 'xml'.", 2),
        (["--org", "nowhere"], "No organization with the short name 'nowhere'.", 1),
        (["--as", "nobody@x.example"], "No active user with the e-mail 'nobody@x.example'.", 1),
    ],
)
def test_list_refuses_bad_options(personas, args, says, code):
    result = run("gap", "list", *args)
    assert result.exit_code == code
    assert says in result.output


# --- readiness ----------------------------------------------------------------------------


def test_readiness_as_json_gives_the_numbers(assessment):
    result = run("gap", "readiness", assessment.pk, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    total = assessment.items.count()
    applicable = total - 1
    percent = round(100 * 2.5 / applicable, 1)
    assert (data["assessment"], data["title"], data["organization"]) == (
        assessment.pk,
        "IMS baseline",
        "org-a",
    )
    assert data["overall"] == {
        "percent": percent,
        "applicable": applicable,
        "points": 2.5,
        "counts": {
            "not_started": total - 4,
            "planned": 0,
            "partial": 1,
            "implemented": 2,
            "not_applicable": 1,
        },
    }
    [nine] = data["by_standard"]
    assert (nine["standard"], nine["percent"]) == ("iso9001-2015", percent)
    clause4 = next(c for c in data["by_clause"] if c["clause"] == "4")
    clause4_items = assessment.items.filter(requirement__number__startswith="4.").count()
    assert clause4["points"] == 2.5
    assert clause4["percent"] == round(100 * 2.5 / clause4_items, 1)
    clause8 = next(c for c in nine["clauses"] if c["clause"] == "8")
    assert clause8["counts"]["not_applicable"] == 1


def test_readiness_as_a_table(assessment):
    result = run("gap", "readiness", assessment.pk)
    assert result.exit_code == 0, result.output
    percent = round(100 * 2.5 / (assessment.items.count() - 1), 1)
    assert f"overall readiness {percent:g}%" in " ".join(result.output.split())
    assert "ISO 9001:2015" in result.output
    assert "Per clause" in result.output


def test_an_unknown_format_is_refused(assessment):
    result = run("gap", "readiness", assessment.pk, "--format", "yaml")
    assert result.exit_code == 2
    assert "--format must be table or json, not 'yaml'." in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("readiness", 999999),
        ("export", 999999),
        ("import", 999999, "file.xlsx", "--as", "system_manager@a.example"),
        ("report", 999999),
    ],
)
def test_an_unknown_assessment_is_a_clear_error(personas, args):
    result = run("gap", *args)
    assert result.exit_code == 1
    assert "No gap assessment with id 999999." in result.output


# --- export -------------------------------------------------------------------------------


def test_export_writes_gap_id_xlsx_by_default(assessment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("gap", "export", assessment.pk)
    assert result.exit_code == 0, result.output
    path = tmp_path / f"gap-{assessment.pk}.xlsx"
    count = assessment.items.count()
    assert f"Wrote gap-{assessment.pk}.xlsx ({count} items)." in result.output
    assert workbook_of(path.read_bytes())["Items"].max_row == count + 1


def test_export_writes_the_file_given(assessment, tmp_path):
    path = tmp_path / "mine.xlsx"
    result = run("gap", "export", assessment.pk, "-o", path)
    assert result.exit_code == 0, result.output
    assert workbook_of(path.read_bytes()).sheetnames[:3] == ["Items", "Help", "About"]


def test_export_to_a_folder_that_does_not_exist_fails_clearly(assessment, tmp_path):
    result = run("gap", "export", assessment.pk, "-o", tmp_path / "missing" / "gap.xlsx")
    assert result.exit_code == 1
    assert "Cannot write" in result.output


# --- import -------------------------------------------------------------------------------


def exported(assessment, tmp_path):
    path = tmp_path / "gap.xlsx"
    assert run("gap", "export", assessment.pk, "-o", path).exit_code == 0
    return path, workbook_of(path.read_bytes())


def test_import_applies_the_edits_as_the_member_and_logs_them_as_cli(
    personas, assessment, tmp_path
):
    path, workbook = exported(assessment, tmp_path)
    item = item_for(assessment, "iso9001-2015", "7.2")
    set_cell(workbook["Items"], item.pk, "Status", "Planned")
    set_cell(workbook["Items"], item.pk, "Target date", dt.date(2031, 3, 31))
    path.write_bytes(save(workbook))
    since = ActivityEntry.objects.order_by("-pk").first().pk

    result = run("gap", "import", assessment.pk, path, "--as", "System_Manager@a.example")

    assert result.exit_code == 0, result.output
    count = assessment.items.count()
    assert f"1 item(s) changed, {count - 1} unchanged." in " ".join(result.output.split())
    item.refresh_from_db()
    assert (item.status, item.target_date) == ("planned", dt.date(2031, 3, 31))
    entries = list(ActivityEntry.objects.filter(pk__gt=since))
    assert [(e.object_id, e.via, e.actor_id) for e in entries] == [
        (str(item.pk), "cli", personas.manager.pk)
    ]


def test_import_prints_every_bad_cell_and_writes_nothing(personas, assessment, tmp_path):
    path, workbook = exported(assessment, tmp_path)
    a = item_for(assessment, "iso9001-2015", "7.2")
    b = item_for(assessment, "iso9001-2015", "7.3")
    good = item_for(assessment, "iso9001-2015", "7.4")
    set_cell(workbook["Items"], good.pk, "Status", "Implemented")
    status_cell = set_cell(workbook["Items"], a.pk, "Status", "done")
    owner_cell = set_cell(workbook["Items"], b.pk, "Owner e-mail", "ghost@a.example")
    path.write_bytes(save(workbook))
    before = state(assessment)

    result = run("gap", "import", assessment.pk, path, "--as", "system_manager@a.example")

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        f"{status_cell}: status 'done' is not one of Not started, Planned, Partial, "
        "Implemented, Not applicable."
    )
    assert lines[1] == f"{owner_cell}: owner 'ghost@a.example' is not an active member of Org A."
    assert "2 problem(s); nothing was imported." in result.output
    assert state(assessment) == before


def test_import_of_something_else_than_a_workbook_fails_clearly(assessment, tmp_path):
    path = tmp_path / "gap.xlsx"
    path.write_text("ID,Status\n1,Implemented\n")
    before = state(assessment)
    result = run("gap", "import", assessment.pk, path, "--as", "system_manager@a.example")
    assert result.exit_code == 1
    assert result.output.startswith("file: This is not an XLSX workbook")
    assert state(assessment) == before


def test_import_checks_the_permissions_of_the_member(personas, assessment, tmp_path):
    path, workbook = exported(assessment, tmp_path)
    item = item_for(assessment, "iso9001-2015", "7.2")
    set_cell(workbook["Items"], item.pk, "Status", "Implemented")
    path.write_bytes(save(workbook))
    before = state(assessment)

    employee = run("gap", "import", assessment.pk, path, "--as", "employee@a.example")
    assert employee.exit_code == 1
    assert "Your role may not change assessment items, so it may not import." in employee.output

    owner = run("gap", "import", assessment.pk, path, "--as", "process_owner@a.example")
    assert owner.exit_code == 1
    assert f"item {item.pk} is not assigned to you" in owner.output

    outsider = run("gap", "import", assessment.pk, path, "--as", "manager@b.example")
    assert outsider.exit_code == 1
    assert "You are not a member of the organization" in outsider.output
    assert state(assessment) == before


def test_import_as_an_unknown_or_inactive_user_is_refused(personas, assessment, tmp_path):
    path, _ = exported(assessment, tmp_path)
    result = run("gap", "import", assessment.pk, path, "--as", "nobody@a.example")
    assert result.exit_code == 1
    assert "No active user with the e-mail 'nobody@a.example'." in result.output
    personas.users[Role.CONSULTANT].is_active = False
    personas.users[Role.CONSULTANT].save()
    result = run("gap", "import", assessment.pk, path, "--as", "consultant@a.example")
    assert result.exit_code == 1


def test_import_of_a_missing_file_fails_clearly(assessment, tmp_path):
    result = run(
        "gap", "import", assessment.pk, tmp_path / "nope.xlsx", "--as", "system_manager@a.example"
    )
    assert result.exit_code == 1
    assert "Cannot read" in result.output


# --- report -------------------------------------------------------------------------------


def test_report_writes_a_pdf_or_a_workbook(assessment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("gap", "report", assessment.pk)
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"gap-report-{assessment.pk}.pdf").read_bytes().startswith(b"%PDF-")
    result = run("gap", "report", assessment.pk, "-o", "r.xlsx")
    assert result.exit_code == 0, result.output
    assert workbook_of((tmp_path / "r.xlsx").read_bytes()).sheetnames == [
        "Summary",
        "Clauses",
        "Items",
        "Plan",
    ]
    result = run("gap", "report", assessment.pk, "-o", "r.docx")
    assert result.exit_code == 2
    assert "The report is written as .pdf or .xlsx, not '.docx'." in result.output


def test_report_and_import_may_be_handed_to_the_workers(personas, assessment, tmp_path):
    from pdca.core.jobs.models import Job

    result = run("gap", "report", assessment.pk, "-o", tmp_path / "r.xlsx", "--queue")
    assert result.exit_code == 0, result.output
    job = Job.objects.get()
    assert f"Queued job {job.pk}" in result.output
    assert (job.kind, job.requested_by, job.organization) == (
        "gap_report_xlsx",
        None,
        personas.org,
    )
    entry = ActivityEntry.objects.get(object_type="core.job", object_id=str(job.pk))
    assert (entry.action, entry.via) == ("enqueue", "cli")
    out = tmp_path / "queued.xlsx"
    assert run("jobs", "download", job.pk, "-o", out).exit_code == 0
    assert workbook_of(out.read_bytes()).sheetnames == ["Summary", "Clauses", "Items", "Plan"]

    path, workbook = exported(assessment, tmp_path)
    item = item_for(assessment, "iso9001-2015", "7.2")
    set_cell(workbook["Items"], item.pk, "Status", "Planned")
    path.write_bytes(save(workbook))
    result = run(
        "gap", "import", assessment.pk, path, "--as", "system_manager@a.example", "--queue"
    )
    assert result.exit_code == 0, result.output
    job = Job.objects.get(kind="gap_import")
    assert (job.requested_by, job.input_name, job.status) == (
        personas.manager,
        "gap.xlsx",
        "succeeded",
    )
    item.refresh_from_db()
    assert item.status == "planned"
