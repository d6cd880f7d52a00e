"""`pdca training …` run in-process with typer's CliRunner on the test database: listing what
the other commands take ids of, assigning, the matrix, overdue and campaign reports, importing
a course file or a training history (all or nothing, bad cells named), exporting, installing."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.people.models import (
    Assignment,
    AwarenessCampaign,
    Course,
    TrainingPath,
    TrainingRecord,
)
from pdca.people.services.learning import complete_lesson, path_modules, start_path, submit_quiz
from tests.people.factories import (
    course_data,
    course_text,
    in_days,
    make_path,
    member,
    record,
    requirement,
    right_answers,
)

pytestmark = pytest.mark.django_db

MANAGER = "system_manager@a.example"
EMPLOYEE = "employee@a.example"
LATER = in_days(30).isoformat()


def run(*args):
    return CliRunner().invoke(app, ["training", *(str(a) for a in args)], prog_name="pdca")


def ok(result):
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def path(personas) -> TrainingPath:
    return make_path(personas.org, personas.manager, validity_months=24)


def test_the_training_commands_are_mounted():
    output = ok(CliRunner().invoke(app, ["training", "--help"], prog_name="pdca"))
    for command in ("list", "assign", "report", "import", "export", "install"):
        assert command in output


# --- list -------------------------------------------------------------------------------------


def test_list_shows_paths_and_what_the_other_commands_take(personas, path):
    make_path(personas.other, personas.outsider, code="theirs")
    output = ok(run("list", "--org", "org-a"))
    assert f"{path.pk}" in output and "test-path" in output and "Path test-path" in output
    assert "theirs" not in output
    rows = json.loads(ok(run("list", "-f", "json")))
    assert {r["code"] for r in rows} == {"test-path", "theirs"}
    courses = json.loads(ok(run("list", "--courses", "--org", "org-a", "-f", "json")))
    assert [(c["code"], c["modules"], c["quizzes"]) for c in courses] == [("test-path-c1", 2, 1)]
    campaign = AwarenessCampaign.objects.create(
        organization=personas.org, title="Spill awareness", path=path, due_date=in_days(9)
    )
    assert f"{campaign.pk}" in ok(run("list", "--campaigns", "--org", "org-a"))
    assignment = Assignment.objects.create(
        organization=personas.org, path=path, role=Role.EMPLOYEE, due_date=in_days(9)
    )
    [listed] = json.loads(ok(run("list", "--assignments", "-f", "json")))
    assert (listed["id"], listed["who"], listed["what"]) == (assignment.pk, "Employee", path.title)


def test_records_are_listed_as_the_member_given_may_see_them(personas):
    mine = record(personas.org, personas.manager, personas.employee, title="Forklift")
    record(personas.org, personas.manager, personas.manager, title="Lead implementer")
    everyone = json.loads(ok(run("list", "--records", "--org", "org-a", "-f", "json")))
    assert {r["title"] for r in everyone} == {"Forklift", "Lead implementer"}
    own = json.loads(ok(run("list", "--records", "--as", EMPLOYEE, "-f", "json")))
    assert [r["id"] for r in own] == [mine.pk]
    outsider = json.loads(ok(run("list", "--records", "--as", "manager@b.example", "-f", "json")))
    assert outsider == []


def test_list_refuses_two_kinds_and_unknown_organizations(personas):
    result = run("list", "--courses", "--records")
    assert result.exit_code == 2
    assert "Choose one of --courses, --records" in result.output
    result = run("list", "--org", "nope")
    assert result.exit_code == 1
    assert "No organization with the short name 'nope'" in result.output


# --- assign -----------------------------------------------------------------------------------


def test_assign_a_path_to_a_role_by_its_code(personas, path):
    output = ok(
        run(
            "assign",
            "test-path",
            "--org",
            "org-a",
            "--to-role",
            "employee",
            "--due",
            LATER,
            "--as",
            MANAGER,
        )
    )
    assignment = Assignment.objects.get()
    assert output == (
        f"Assigned Path test-path to Employee, due {LATER} (assignment {assignment.pk}).\n"
    )
    assert (assignment.role, assignment.owner, assignment.path) == (
        "employee",
        personas.manager,
        path,
    )
    entry = ActivityEntry.objects.get(object_type="people.assignment")
    assert (entry.action, entry.via, entry.actor) == ("create", "cli", personas.manager)


def test_assign_a_path_to_one_person_by_its_id(personas, path):
    ok(
        run(
            "assign",
            path.pk,
            "--to-person",
            EMPLOYEE,
            "--due",
            LATER,
            "--as",
            MANAGER,
            "--owner",
            "process_owner@a.example",
        )
    )
    assignment = Assignment.objects.get()
    assert (assignment.person, assignment.owner) == (
        personas.employee,
        personas.users[Role.PROCESS_OWNER],
    )


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--to-role", "employee", "--due", LATER, "--as", EMPLOYEE], 1, "may not add"),
        (
            ["--to-person", "manager@b.example", "--due", LATER, "--as", MANAGER],
            1,
            "no active member",
        ),
        (["--to-role", "employee", "--due", "tomorrow", "--as", MANAGER], 2, "YYYY-MM-DD"),
        (
            ["--to-role", "employee", "--due", in_days(-2).isoformat(), "--as", MANAGER],
            1,
            "due_date: ",
        ),
        (["--to-role", "wizard", "--due", LATER, "--as", MANAGER], 1, "role: Unknown role"),
        (["--due", LATER, "--as", MANAGER], 2, "Say who"),
        (["--to-site", "Nowhere", "--due", LATER, "--as", MANAGER], 1, "No site 'Nowhere'"),
    ],
)
def test_a_refused_assignment_says_why_and_writes_nothing(personas, path, args, code, says):
    entries = ActivityEntry.objects.count()
    result = run("assign", path.pk, *args)
    assert result.exit_code == code, result.output
    assert says in result.output
    assert not Assignment.objects.exists()
    assert ActivityEntry.objects.count() == entries


def test_assign_names_the_list_command_for_an_unknown_path(personas):
    result = run("assign", "999999", "--to-role", "employee", "--due", LATER, "--as", MANAGER)
    assert result.exit_code == 1
    assert "`pdca training list` shows them" in result.output


# --- report -----------------------------------------------------------------------------------


@pytest.fixture
def matrix(personas, path):
    requirement(personas.org, personas.manager, path=path, role=Role.EMPLOYEE)
    member(personas.org, "ann@a.example", team="Lab")
    record(
        personas.org,
        personas.manager,
        personas.employee,
        title="Passed",
        path=path,
        completed_on=in_days(-10),
    )


def test_report_prints_the_matrix(personas, matrix):
    output = ok(run("report", "--org", "org-a"))
    assert "Competence matrix of Org A" in output

    def line(name: str) -> str:
        return next(text for text in output.splitlines() if f"│ {name} " in text)

    assert "GAP" in line("ann")
    assert f"ok {in_days(-10).replace(year=in_days(-10).year + 2):%Y-%m-%d}" in line("Employee A")
    assert "–" in line("System Manager A")
    rows = json.loads(ok(run("report", "--org", "org-a", "-f", "json")))
    statuses = {r["email"]: r["cells"]["CR-01"]["status"] for r in rows}
    assert (statuses.pop("ann@a.example"), statuses.pop(EMPLOYEE)) == ("missing", "competent")
    assert set(statuses.values()) == {"n/a"}  # the requirement is for employees only
    assert len(statuses) == 6


def test_report_writes_the_matrix_workbook(personas, matrix, tmp_path):
    out = tmp_path / "matrix.xlsx"
    assert ok(run("report", "--org", "org-a", "--xlsx", out, "--role", "employee")).startswith(
        f"Wrote {out}"
    )
    sheet = load_workbook(out)["Matrix"]
    # By team, then e-mail: the employee has no team.
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [EMPLOYEE, "ann@a.example"]


def test_report_as_an_employee_is_refused(personas, matrix, tmp_path):
    result = run("report", "--as", EMPLOYEE, "--xlsx", tmp_path / "m.xlsx")
    assert result.exit_code == 1
    assert "may not view" in result.output
    assert not (tmp_path / "m.xlsx").exists()


def test_report_overdue(personas, path):
    Assignment.objects.create(
        organization=personas.org, path=path, person=personas.employee, due_date=in_days(-4)
    )
    rows = json.loads(ok(run("report", "--org", "org-a", "--overdue", "-f", "json")))
    assert [(r["person"], r["days_overdue"]) for r in rows] == [(EMPLOYEE, 4)]
    assert "Nobody is overdue." in ok(run("report", "--org", "org-b", "--overdue"))


def test_report_a_campaign(personas, path, tmp_path):
    campaign = AwarenessCampaign.objects.create(
        organization=personas.org,
        title="Spill awareness",
        path=path,
        role=Role.EMPLOYEE,
        due_date=in_days(9),
    )
    enrolment = start_path(path, actor=personas.employee)
    lesson, quiz = path_modules(path)
    complete_lesson(enrolment, lesson, actor=personas.employee)
    submit_quiz(enrolment, quiz, right_answers(key_prefix="test-path-c1-"), actor=personas.employee)
    output = ok(run("report", "--campaign", campaign.pk))
    assert "Spill awareness (draft" in output and "1 of 1 people done (100 %)." in output
    pdf, xlsx = tmp_path / "c.pdf", tmp_path / "c.xlsx"
    ok(run("report", "--campaign", campaign.pk, "--pdf", pdf, "--xlsx", xlsx))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert load_workbook(xlsx).sheetnames == ["Summary", "People", "Teams", "Sites"]
    result = run("report", "--campaign", campaign.pk, "--as", EMPLOYEE)
    assert result.exit_code == 1
    assert "`pdca training list --campaigns` shows them" in result.output


# --- import -----------------------------------------------------------------------------------


def test_import_a_course_file(personas, tmp_path):
    file = tmp_path / "spill.yaml"
    file.write_text(course_text("spill"))
    output = ok(run("import", file, "--as", MANAGER))
    course = Course.objects.get(code="spill")
    assert (
        output == f"Imported course spill (id {course.pk}, revision 1): 1 lesson(s), 1 quiz(zes).\n"
    )
    assert ActivityEntry.objects.get(object_type="people.course").via == "cli"
    assert "Replaced course spill" in ok(run("import", file, "--as", MANAGER, "--replace"))


def test_a_bad_course_file_prints_every_problem_and_writes_nothing(personas, tmp_path):
    data = course_data("broken")
    data["title"] = ""
    data["modules"][1]["questions"][0]["choices"][1]["correct"] = True
    file = tmp_path / "broken.yaml"
    file.write_text(yaml.safe_dump(data))
    entries = ActivityEntry.objects.count()
    result = run("import", file, "--as", MANAGER)
    assert result.exit_code == 1
    assert "title: This is required." in result.output
    assert "modules[1].questions[0].choices: A single-answer question has one right choice" in (
        result.output
    )
    assert "2 problem(s); nothing was written." in result.output
    assert not Course.objects.exists()
    assert ActivityEntry.objects.count() == entries


def test_import_wants_a_file_or_a_history_and_a_member_who_may(personas, tmp_path):
    assert run("import", "--as", MANAGER).exit_code == 2
    file = tmp_path / "spill.yaml"
    file.write_text(course_text("spill"))
    result = run("import", file, "--as", EMPLOYEE)
    assert result.exit_code == 1
    assert "may not add" in result.output
    assert not Course.objects.exists()


def history(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Training records"
    sheet.append(["person", "title", "kind", "result", "completed_on", "provider"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_a_training_history(personas, tmp_path):
    file = tmp_path / "history.xlsx"
    file.write_bytes(
        history(
            [
                [EMPLOYEE, "Forklift", "training", "passed", "2025-03-01", "Safe Lift Ltd"],
                [
                    "ann@a.example" if False else MANAGER,
                    "ISO 9001 lead implementer",
                    "training",
                    "passed",
                    "2024-11-20",
                    "TÜV",
                ],
            ]
        )
    )
    checked = ok(run("import", "--history", file, "--as", MANAGER, "--dry-run"))
    assert "Checked" in checked and "2 added" in checked
    assert not TrainingRecord.objects.exists()
    output = ok(run("import", "--history", file, "--as", MANAGER))
    assert "2 row(s) read: 2 added" in output
    assert sorted(TrainingRecord.objects.values_list("title", flat=True)) == [
        "Forklift",
        "ISO 9001 lead implementer",
    ]


def test_a_bad_training_history_names_each_cell_and_imports_nothing(personas, tmp_path):
    file = tmp_path / "history.xlsx"
    file.write_bytes(
        history(
            [
                [EMPLOYEE, "Forklift", "training", "passed", "2025-03-01", ""],
                ["manager@b.example", "First aid", "training", "passed", "someday", ""],
            ]
        )
    )
    result = run("import", "--history", file, "--as", MANAGER)
    assert result.exit_code == 1, result.output
    assert "Training records!A3:" in result.output
    assert "Training records!E3:" in result.output
    assert "nothing was imported" in result.output
    assert not TrainingRecord.objects.exists()


# --- export and install -----------------------------------------------------------------------


def test_export_a_course_and_read_it_back(personas, path, tmp_path):
    course = path.steps.get().course
    out = tmp_path / "course.yaml"
    ok(run("export", course.pk, "-o", out))
    assert yaml.safe_load(out.read_text())["code"] == course.code
    printed = ok(run("export", course.code, "--org", "org-a", "-o", "-"))
    assert printed == out.read_text()
    copy = tmp_path / "copy.yaml"
    copy.write_text(printed.replace(f"code: {course.code}", "code: copied"))
    ok(run("import", copy, "--as", MANAGER))
    assert Course.objects.get(code="copied").modules.count() == 2


def test_export_refuses_a_member_who_does_not_keep_courses(personas, path, tmp_path):
    course = path.steps.get().course
    result = run("export", course.pk, "--as", EMPLOYEE, "-o", tmp_path / "c.yaml")
    assert result.exit_code == 1
    assert not (tmp_path / "c.yaml").exists()
    assert run("export", "--as", MANAGER).exit_code == 2
    result = run("export", "nope", "--org", "org-a")
    assert result.exit_code == 1
    assert "`pdca training list --courses` shows them" in result.output


def test_export_the_matrix(personas, matrix, tmp_path):
    out = tmp_path / "m.xlsx"
    ok(run("export", "--matrix", "--org", "org-a", "-o", out))
    assert load_workbook(out).sheetnames == ["Matrix", "Requirements", "Cells", "Legend"]


@pytest.fixture
def mini_content(monkeypatch):
    from pdca.people.services import course_files

    monkeypatch.setattr(course_files, "shipped_course_files", lambda: {"mini": course_text("mini")})
    monkeypatch.setattr(
        course_files,
        "shipped_paths",
        lambda: [{"code": "mini-path", "title": "Mini path", "courses": ["mini"]}],
    )


def test_install_adds_the_shipped_paths_once(personas, mini_content):
    assert ok(run("install", "--as", MANAGER)).splitlines() == [
        "mini-path: Mini path (added)",
        "Installed 1 new path(s); 1 shipped paths are available.",
    ]
    assert "mini-path: Mini path (kept)" in ok(run("install", "--as", MANAGER))
    assert TrainingPath.objects.filter(code="mini-path").count() == 1


def test_install_is_refused_to_an_employee(personas, mini_content):
    result = run("install", "--as", EMPLOYEE)
    assert result.exit_code == 1
    assert "may not add" in result.output
    assert not TrainingPath.objects.exists()
    assert run("install", "--as", "nobody@a.example").exit_code == 1
