"""What the people API does beyond who may call it: quizzes scored through the API (half a
multiple-answer question is wrong, retakes, the pass mark), bad answers and bad course files
refused with the field named and nothing written, the competence matrix (content, filters,
the XLSX, the same queries at 5 and 40 people), gap actions, assigning, and campaigns."""

from __future__ import annotations

import io
import subprocess

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.people.models import (
    Assignment,
    AwarenessCampaign,
    Course,
    Enrolment,
    Module,
    QuizAttempt,
    TrainingPath,
    TrainingRecord,
)
from pdca.people.services.learning import complete_lesson, path_modules, start_path, submit_quiz
from pdca.tenancy.models import Membership
from tests.people.factories import (
    course_data,
    course_text,
    in_days,
    make_path,
    member,
    record,
    requirement,
    right_answers,
    site,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
PREFIX = "test-path-c1-"
RIGHT = right_answers(key_prefix=PREFIX)
SINGLE_A, MULTIPLE = f"{PREFIX}q-single-a", f"{PREFIX}q-multiple"
LATER = in_days(30).isoformat()


def post(client, url: str, body=None, **extra):
    return client.post(
        url, body if body is not None else {}, content_type="application/json", **extra
    )


def problem_fields(response, status: int = 422) -> set[str]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {e["field"] for e in response.json()["errors"]}


@pytest.fixture
def path(personas) -> TrainingPath:
    return make_path(personas.org, personas.manager, validity_months=24)


@pytest.fixture
def enrolment(personas, path) -> Enrolment:
    return start_path(path, actor=personas.employee)


@pytest.fixture
def learner(client, personas):
    login(client, personas.employee)
    return client


def urls(enrolment) -> tuple[str, str]:
    lesson, quiz = path_modules(enrolment.path)
    base = f"{API}/enrolments/{enrolment.pk}/modules"
    return f"{base}/{lesson.pk}/complete/", f"{base}/{quiz.pk}/attempts/"


# --- quizzes ----------------------------------------------------------------------------------


def test_a_right_quiz_after_the_lesson_completes_the_path(learner, enrolment):
    read, answer = urls(enrolment)
    response = post(learner, read)
    assert response.status_code == 200, response.content
    assert response.json()["next_module"]["kind"] == "quiz"
    response = post(learner, answer, {"answers": RIGHT})
    assert response.status_code == 201, response.content
    attempt = response.json()
    assert (attempt["number"], attempt["score"], attempt["passed"]) == (1, 100, True)
    assert [r["right"] for r in attempt["results"]] == [True] * 5
    assert attempt["results"][0]["explanation"] == "Because."
    detail = learner.get(f"{API}/enrolments/{enrolment.pk}/").json()
    assert (detail["percent"], detail["next_module"]) == (100, None)
    record = TrainingRecord.objects.get(person=enrolment.person)
    assert detail["record"] == record.pk
    assert (record.result, record.score) == ("passed", 100)


def test_half_a_multiple_answer_question_is_wrong(learner, enrolment):
    _, answer = urls(enrolment)
    response = post(learner, answer, {"answers": {**RIGHT, MULTIPLE: [1]}})
    attempt = response.json()
    results = {r["key"]: (r["right"], r["chosen"]) for r in attempt["results"]}
    assert results[MULTIPLE] == (False, [1])
    # 4 of 5 is 80 %, the path's pass mark: passed, but the path waits for its lesson.
    assert (attempt["correct_count"], attempt["score"], attempt["passed"]) == (4, 80, True)
    assert Enrolment.objects.get(pk=enrolment.pk).completed_at is None


def test_retakes_count_up_and_the_pass_mark_is_the_paths(client, personas):
    path = make_path(personas.org, personas.manager, code="strict", pass_mark=90)
    enrolment = start_path(path, actor=personas.employee)
    login(client, personas.employee)
    _, answer = urls(enrolment)
    keys = right_answers(key_prefix="strict-c1-")
    first = post(client, answer, {"answers": {**keys, "strict-c1-q-multiple": [1, 2, 3]}})
    left_out = dict(keys)
    left_out.pop("strict-c1-q-single-d")
    second = post(client, answer, {"answers": left_out})
    third = post(client, answer, {"answers": keys})
    scored = [
        (r.json()["number"], r.json()["score"], r.json()["passed"]) for r in (first, second, third)
    ]
    assert scored == [(1, 80, False), (2, 80, False), (3, 100, True)]
    listed = client.get(f"{API}/enrolments/{enrolment.pk}/attempts/").json()
    assert [a["number"] for a in listed["items"]] == [1, 2, 3]
    # The learner gets the key of the passed attempt only, so that a retake is no copy.
    assert [a["answers_shown"] for a in listed["items"]] == [False, False, True]
    assert listed["items"][1]["results"][4] == {
        "key": "strict-c1-q-single-d",
        "text": "Question q-single-d?",
        "chosen": [],
        "right": False,
        "right_choices": None,
        "explanation": None,
    }
    assert listed["items"][2]["results"][2]["right_choices"] == [1, 3]
    # Someone reading another person's attempts sees the key of every one.
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    read = client.get(f"{API}/enrolments/{enrolment.pk}/attempts/").json()["items"][1]
    assert (read["answers_shown"], read["results"][4]["right_choices"]) == (True, [1])
    assert read["results"][4]["explanation"] == "Because."


BAD_ANSWERS = [
    ({"answers": {"nope": [1]}}, "answers.nope"),
    ({"answers": {SINGLE_A: [4]}}, f"answers.{SINGLE_A}"),  # three choices
    ({"answers": {SINGLE_A: [1, 2]}}, f"answers.{SINGLE_A}"),  # one answer only
    ({"answers": {SINGLE_A: [9]}}, f"answers.{SINGLE_A}.0"),  # no question has nine
    ({"answers": {SINGLE_A: [0]}}, f"answers.{SINGLE_A}.0"),
    ({"answers": {SINGLE_A: [True]}}, f"answers.{SINGLE_A}.0"),
    ({"answers": {SINGLE_A: "1"}}, f"answers.{SINGLE_A}"),
    ({"answers": [[1]]}, "answers"),
    ({"answers": RIGHT, "score": 100}, "score"),
    ({}, "answers"),
]


@pytest.mark.parametrize(("body", "field"), BAD_ANSWERS)
def test_bad_answers_name_the_question_and_keep_nothing(learner, enrolment, body, field):
    _, answer = urls(enrolment)
    entries = ActivityEntry.objects.count()
    assert field in problem_fields(post(learner, answer, body))
    assert not QuizAttempt.objects.exists()
    assert ActivityEntry.objects.count() == entries
    assert Enrolment.objects.get(pk=enrolment.pk).last_module is None


def test_a_body_that_is_not_an_object_is_refused(learner, enrolment):
    _, answer = urls(enrolment)
    response = learner.post(answer, '"answers"', content_type="application/json")
    assert response.status_code == 422
    assert not QuizAttempt.objects.exists()


def test_modules_are_taken_as_what_they_are(learner, personas, enrolment):
    lesson, quiz = path_modules(enrolment.path)
    base = f"{API}/enrolments/{enrolment.pk}/modules"
    assert "module" in problem_fields(post(learner, f"{base}/{quiz.pk}/complete/"))
    assert "module" in problem_fields(
        post(learner, f"{base}/{lesson.pk}/attempts/", {"answers": {}})
    )
    other = make_path(personas.org, personas.manager, code="other")
    foreign = path_modules(other)[0]
    assert post(learner, f"{base}/{foreign.pk}/complete/").status_code == 404
    elsewhere = make_path(personas.other, personas.outsider, code="elsewhere")
    assert post(learner, f"{base}/{path_modules(elsewhere)[0].pk}/complete/").status_code == 404
    assert post(learner, f"{base}/999999/complete/").status_code == 404
    assert not enrolment.completions.exists()


def test_a_passed_path_takes_no_more_answers(learner, personas, enrolment):
    read, answer = urls(enrolment)
    post(learner, read)
    post(learner, answer, {"answers": RIGHT})
    response = post(learner, answer, {"answers": RIGHT})
    assert response.status_code == 409
    assert response.json()["code"] == "completed"
    assert QuizAttempt.objects.count() == 1
    # Starting again after the pass is a retake: a new enrolment.
    again = post(learner, f"{API}/training-paths/{enrolment.path_id}/enrolments/")
    assert again.status_code == 201
    assert again.json()["id"] != enrolment.pk


def test_my_training_follows_progress(learner, personas, path, enrolment):
    Assignment.objects.create(
        organization=personas.org, path=path, person=personas.employee, due_date=in_days(5)
    )
    read, _ = urls(enrolment)
    post(learner, read)
    [item] = learner.get(f"{API}/training/me/").json()["items"]
    assert (item["status"], item["percent"], item["done"], item["total"]) == (
        "in_progress",
        50,
        1,
        2,
    )
    assert (item["enrolment"], item["due_date"]) == (enrolment.pk, in_days(5).isoformat())


# --- course files -----------------------------------------------------------------------------


@pytest.fixture
def keeper(client, personas):
    login(client, personas.manager)
    return client


def import_yaml(client, text: str, query: str = ""):
    return client.post(
        f"{API}/courses/import/?organization=org-a{query}", text, content_type="application/yaml"
    )


def counts() -> tuple[int, int, int]:
    return Course.objects.count(), Module.objects.count(), ActivityEntry.objects.count()


def broken(change) -> str:
    data = course_data("broken")
    change(data)
    return yaml.safe_dump(data)


BAD_FILES = [
    (lambda d: d.update(format="pdca-course/9"), "format"),
    (lambda d: d.update(title=""), "title"),
    (lambda d: d.update(code="Not A Code"), "code"),
    (lambda d: d["modules"][0].update(kind="video"), "modules[0].kind"),
    (
        lambda d: d["modules"][1]["questions"][0]["choices"][1].update(correct=True),
        "modules[1].questions[0].choices",
    ),
    (
        lambda d: d["modules"][1]["questions"][2]["choices"][0].update(text=None),
        "modules[1].questions[2].choices[0].text",
    ),
    (
        lambda d: d["modules"][1]["questions"][1].update(key=f"{PREFIX}x", kind="several"),
        "modules[1].questions[1].kind",
    ),
    (lambda d: d["modules"][0].update(body="![x](image:missing.png)"), "modules[0].body"),
]


@pytest.mark.parametrize(("change", "field"), BAD_FILES)
def test_a_bad_course_file_names_where_it_is_wrong_and_writes_nothing(keeper, change, field):
    before = counts()
    assert field in problem_fields(import_yaml(keeper, broken(change)))
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("modules: [unclosed", "application/yaml"),
        ("- just\n- a list", "application/yaml"),
        ('{"format": "pdca-course/1"}', "application/json"),
        ("", "text/csv"),
    ],
)
def test_what_is_no_course_file_is_refused_as_the_file(keeper, body, content_type):
    before = counts()
    response = keeper.post(
        f"{API}/courses/import/?organization=org-a", body, content_type=content_type
    )
    assert "file" in problem_fields(response)
    assert counts() == before


def test_a_course_file_is_uploaded_as_multipart(keeper, personas):
    upload = SimpleUploadedFile("spill.yaml", course_text("spill").encode(), "application/x-yaml")
    response = keeper.post(f"{API}/courses/import/?organization=org-a", {"file": upload})
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "spill"
    assert response.json()["source"] == "imported"
    missing = keeper.post(f"{API}/courses/import/?organization=org-a", {"other": "x"})
    assert "file" in problem_fields(missing)


def test_a_course_is_replaced_only_on_request_and_only_while_nobody_took_it(keeper, personas, path):
    course = path.steps.get().course
    exported = keeper.get(f"{API}/courses/{course.pk}/export.yaml").content.decode()
    duplicate = import_yaml(keeper, exported)
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate")
    changed = exported.replace("Lesson 1", "Lesson one")
    replaced = import_yaml(keeper, changed, "&replace=true")
    assert replaced.status_code == 200, replaced.content
    assert (replaced.json()["id"], replaced.json()["revision"]) == (course.pk, 2)
    assert replaced.json()["modules"][0]["title"] == "Lesson one"
    # A lesson read keeps the course as it is (the reading is kept against its module).
    enrolment = start_path(path, actor=personas.employee)
    complete_lesson(enrolment, path_modules(path)[0], actor=personas.employee)
    before = counts()
    refused = import_yaml(keeper, exported, "&replace=true")
    assert (refused.status_code, refused.json()["code"]) == (409, "is_record")
    assert counts() == before


def test_an_exported_course_imports_back_the_same(keeper, personas, path):
    course = path.steps.get().course
    exported = keeper.get(f"{API}/courses/{course.pk}/export.yaml").content.decode()
    copy = import_yaml(keeper, exported.replace(f"code: {course.code}", "code: copied"))
    assert copy.status_code == 201, copy.content
    original = keeper.get(f"{API}/courses/{course.pk}/").json()
    strip = ("id", "code", "created_at", "updated_at", "source")
    for key in strip:
        original.pop(key)
        copy.json().pop(key)
    made = {k: v for k, v in copy.json().items() if k not in strip}

    def content(modules):
        return [
            (m["kind"], m["title"], m["body"], [(q["key"], q["choices"]) for q in m["questions"]])
            for m in modules
        ]

    assert content(made["modules"]) == content(original["modules"])


# --- the matrix -------------------------------------------------------------------------------


@pytest.fixture
def staff(personas):
    plant = site(personas.org, "Plant")
    return {
        "plant": plant,
        "ann": member(personas.org, "ann@a.example", team="Lab", site=plant),
        "bob": member(personas.org, "bob@a.example", team="Stores"),
    }


def test_the_matrix_gives_each_cell_its_status_evidence_and_action(keeper, personas, path, staff):
    needed = requirement(personas.org, personas.manager, path=path, role=Role.EMPLOYEE)
    ann, bob = staff["ann"].user, staff["bob"].user
    passed = record(
        personas.org,
        personas.manager,
        ann,
        title="Path passed",
        path=path,
        completed_on=in_days(-10),
    )
    planned = Assignment.objects.create(
        organization=personas.org, path=path, person=bob, due_date=in_days(7)
    )
    response = keeper.get(f"{API}/competence-matrix/?organization=org-a&team=")
    assert response.status_code == 200, response.content
    data = response.json()
    assert [r["code"] for r in data["requirements"]] == [needed.code]
    cells = {row["person"]["email"]: row["cells"][0] for row in data["rows"]}
    assert cells["ann@a.example"]["status"] == "competent"
    assert cells["ann@a.example"]["evidence"] == passed.pk
    assert cells["ann@a.example"]["expires_on"] == passed.expires_on.isoformat()
    assert (cells["bob@a.example"]["status"], cells["bob@a.example"]["action"]) == (
        "planned",
        planned.pk,
    )
    assert cells["employee@a.example"]["status"] == "missing"
    assert cells["system_manager@a.example"]["status"] == "n/a"
    assert data["counts"] == {"competent": 1, "planned": 1, "missing": 1}
    lab = keeper.get(f"{API}/competence-matrix/?team=lab&site={staff['plant'].pk}").json()
    assert [row["person"]["email"] for row in lab["rows"]] == ["ann@a.example"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("site=999999", "site"),
        ("process=999999", "process"),
        ("standard=iso-none", "standard"),
        ("role=wizard", "role"),
        ("site=abc", "site"),
    ],
)
def test_bad_matrix_filters_name_the_field(keeper, personas, query, field):
    assert field in problem_fields(keeper.get(f"{API}/competence-matrix/?{query}"))
    assert field in problem_fields(keeper.get(f"{API}/competence-matrix.xlsx?{query}"))


def test_another_organizations_site_is_no_filter(keeper, personas):
    theirs = site(personas.other, "Their plant")
    assert "site" in problem_fields(keeper.get(f"{API}/competence-matrix/?site={theirs.pk}"))


def grow(personas, path, people: int, start: int = 0) -> None:
    """`people` more employees, each with a passed record of the path and an attempt."""
    for n in range(start, start + people):
        membership = member(personas.org, f"p{n}@a.example", team=f"T{n % 3}")
        record(personas.org, personas.manager, membership.user, title="Passed", path=path)
        Assignment.objects.create(
            organization=personas.org, path=path, person=membership.user, due_date=in_days(-1)
        )


@pytest.mark.parametrize(
    "url",
    [
        "/competence-matrix/",
        "/competence-matrix.xlsx",
        "/training/overdue/",
        "/training-assignments/{assignment}/progress/",
        "/awareness-campaigns/{campaign}/report/",
    ],
)
def test_reports_take_the_same_queries_for_5_and_40_people(keeper, personas, path, url):
    requirement(personas.org, personas.manager, path=path)
    requirement(personas.org, personas.manager, "CR-02", role=Role.EMPLOYEE)
    everyone = Assignment.objects.create(organization=personas.org, path=path, due_date=in_days(9))
    campaign = AwarenessCampaign.objects.create(
        organization=personas.org, title="Awareness", path=path, due_date=in_days(9)
    )
    address = API + url.format(assignment=everyone.pk, campaign=campaign.pk)
    grow(personas, path, 5)
    small, response = count_queries(lambda: keeper.get(address))
    assert response.status_code == 200, response.content
    grow(personas, path, 35, start=5)
    large, response = count_queries(lambda: keeper.get(address))
    assert response.status_code == 200
    assert large == small, f"{small} queries for 5 people, {large} for 40"


def test_the_matrix_workbook_colours_cells_and_runs_no_formula(keeper, personas, path):
    requirement(personas.org, personas.manager, path=path, role=Role.EMPLOYEE)
    sneaky = member(personas.org, "eve@a.example")
    sneaky.user.full_name = '=HYPERLINK("http://evil.example","click")'
    sneaky.user.save()
    record(
        personas.org,
        personas.manager,
        personas.employee,
        title="Passed",
        path=path,
        completed_on=in_days(-10),
    )
    response = keeper.get(f"{API}/competence-matrix.xlsx?role=employee")
    assert response.status_code == 200
    assert 'filename="org-a-competence-matrix-' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Matrix", "Requirements", "Cells", "Legend"]
    sheet = book["Matrix"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Person", "E-mail", "Role", "Team", "Site", "Gaps"]
    assert header[6] == "CR-01 Requirement CR-01"
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    competent = rows["employee@a.example"][6]
    assert competent.value.startswith("Competent, expires ")
    assert competent.fill.fgColor.rgb.endswith("C6EFCE")
    gap = rows["eve@a.example"]
    assert gap[0].value == "'" + sneaky.user.full_name
    assert gap[0].data_type == "s"
    assert (gap[5].value, gap[6].value) == (1, "Gap")
    assert gap[6].fill.fgColor.rgb.endswith("FFC7CE")


# --- gap actions and assigning ----------------------------------------------------------------


def test_gap_actions_are_made_once_for_the_gaps_without_one(keeper, personas, path, staff):
    requirement(personas.org, personas.manager, path=path, role=Role.EMPLOYEE)
    body = {"due_date": LATER, "team": "lab"}
    response = post(keeper, f"{API}/competence-matrix/gap-actions/", body)
    assert response.status_code == 201, response.content
    [made] = response.json()["assignments"]
    assert (made["person"]["email"], made["path"]["id"], made["owner"]["email"]) == (
        "ann@a.example",
        path.pk,
        "system_manager@a.example",
    )
    again = post(keeper, f"{API}/competence-matrix/gap-actions/", body)
    assert again.json() == {"created": 0, "assignments": []}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_date": in_days(-1).isoformat()}, "due_date"),
        ({"owner": 999999}, "owner"),
        ({"requirements": [999999]}, "requirements"),
        ({"people": ["x"]}, "people.0"),
        ({"due_date": "soon"}, "due_date"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_gap_actions_name_the_field_and_write_nothing(keeper, personas, path, change, field):
    requirement(personas.org, personas.manager, path=path)
    entries = ActivityEntry.objects.count()
    body = {"organization": "org-a", "due_date": LATER, **change}
    assert field in problem_fields(post(keeper, f"{API}/competence-matrix/gap-actions/", body))
    assert not Assignment.objects.exists()
    assert ActivityEntry.objects.count() == entries


def test_a_path_is_assigned_to_a_team(keeper, personas, path, staff):
    response = post(
        keeper,
        f"{API}/training-paths/{path.pk}/assignments/",
        {
            "due_date": LATER,
            "team": "Lab",
            "owner": staff["bob"].user_id,
            "note": "Before the audit",
        },
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["team"], made["audience"], made["owner"]["email"]) == (
        "Lab",
        "team Lab",
        "bob@a.example",
    )
    assignment = Assignment.objects.get(pk=made["id"])
    entry = ActivityEntry.objects.get(object_type="people.assignment", object_id=str(assignment.pk))
    assert (entry.action, entry.via, entry.actor) == ("create", "api", personas.manager)
    progress = keeper.get(f"{API}/training-assignments/{assignment.pk}/progress/").json()
    assert [(r["person"]["email"], r["status"]) for r in progress["rows"]] == [
        ("ann@a.example", "not_started")
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"due_date": in_days(-1).isoformat()}, "due_date"),
        ({"person": "outsider"}, "person"),
        ({"owner": "outsider"}, "owner"),
        ({"site": "theirs"}, "site"),
        ({"person": "employee", "role": "employee"}, "person"),
        ({"role": "wizard"}, "role"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_bad_assignments_name_the_field_and_write_nothing(keeper, personas, path, change, field):
    ids = {
        "outsider": personas.outsider.pk,
        "employee": personas.employee.pk,
        "theirs": site(personas.other, "Theirs").pk,
    }
    body = {
        "due_date": LATER,
        **{k: ids[v] if k in ("person", "owner", "site") else v for k, v in change.items()},
    }
    entries = ActivityEntry.objects.count()
    assert field in problem_fields(
        post(keeper, f"{API}/training-paths/{path.pk}/assignments/", body)
    )
    assert not Assignment.objects.exists()
    assert ActivityEntry.objects.count() == entries


# --- campaigns --------------------------------------------------------------------------------


@pytest.fixture
def campaign(personas, path, staff) -> AwarenessCampaign:
    return AwarenessCampaign.objects.create(
        organization=personas.org,
        title="Spill awareness",
        path=path,
        role=Role.EMPLOYEE,
        due_date=in_days(20),
    )


def test_a_launched_campaign_assigns_its_path_and_reports_who_passed(keeper, personas, campaign):
    base = f"{API}/awareness-campaigns/{campaign.pk}"
    launched = post(keeper, f"{base}/launch/")
    assert launched.status_code == 200, launched.content
    assert launched.json()["launched_by"]["email"] == "system_manager@a.example"
    assignment = Assignment.objects.get(campaign=campaign)
    assert (assignment.role, assignment.path_id) == ("employee", campaign.path_id)
    enrolment = start_path(campaign.path, actor=personas.employee)
    lesson, quiz = path_modules(campaign.path)
    complete_lesson(enrolment, lesson, actor=personas.employee)
    submit_quiz(enrolment, quiz, {**RIGHT, MULTIPLE: [1]}, actor=personas.employee)
    report = keeper.get(f"{base}/report/").json()
    people = {p["person"]["email"]: p for p in report["people"]}
    assert set(people) == {"employee@a.example", "ann@a.example", "bob@a.example"}
    assert (
        people["employee@a.example"]["path_status"],
        people["employee@a.example"]["best_score"],
    ) == (
        "passed",
        80,
    )
    assert people["ann@a.example"]["path_label"] == "Not started"
    assert (report["complete"], report["percent"]) == (1, 33)
    assert {g["name"]: g["complete"] for g in report["teams"]} == {
        "Lab": 0,
        "No team": 1,
        "Stores": 0,
    }
    workbook = load_workbook(io.BytesIO(keeper.get(f"{base}/report.xlsx").content))
    assert workbook.sheetnames == ["Summary", "People", "Teams", "Sites"]
    assert workbook["Summary"]["B1"].value == "Spill awareness"
    pdf = keeper.get(f"{base}/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Spill awareness" in text and "ann@a.example" in text and "1 of 3 people" in text


def test_a_campaign_is_launched_once_and_not_from_a_stale_version(keeper, personas, campaign):
    base = f"{API}/awareness-campaigns/{campaign.pk}"
    etag = keeper.get(f"{base}/").headers["ETag"]
    post(keeper, f"{API}/awareness-campaigns/{campaign.pk}/", {})  # nothing
    keeper.patch(f"{base}/", {"title": "Spill awareness 2026"}, content_type="application/json")
    stale = post(keeper, f"{base}/launch/", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412, stale.content
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert not Assignment.objects.filter(campaign=campaign).exists()
    fresh = keeper.get(f"{base}/").headers["ETag"]
    assert post(keeper, f"{base}/launch/", HTTP_IF_MATCH=fresh).status_code == 200
    again = post(keeper, f"{base}/launch/")
    assert (again.status_code, again.json()["code"]) == (409, "not_draft")
    assert Assignment.objects.filter(campaign=campaign).count() == 1


def test_a_campaign_nobody_is_covered_by_is_not_launched(keeper, personas, path):
    lonely = AwarenessCampaign.objects.create(
        organization=personas.org, title="Divers", path=path, position="Diver", due_date=in_days(5)
    )
    entries = ActivityEntry.objects.count()
    assert "role" in problem_fields(post(keeper, f"{API}/awareness-campaigns/{lonely.pk}/launch/"))
    lonely.refresh_from_db()
    assert lonely.status == "draft"
    assert ActivityEntry.objects.count() == entries
    assert not Membership.objects.filter(job_title="Diver").exists()
