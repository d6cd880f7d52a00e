"""The people API's permission matrix: the register bundles (requirements, records,
qualifications, assignments, campaigns), the read bundles of courses, paths, enrolments and
quiz attempts, and every other endpoint for a system manager of A, an employee of A, an
internal auditor of A and an outsider from B (404 everywhere)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing import ApiBundle
from pdca.core.testing.api_bundle import login
from pdca.people.models import (
    Assignment,
    AwarenessCampaign,
    Choice,
    CompetenceRequirement,
    Course,
    Enrolment,
    Module,
    PathCourse,
    Qualification,
    Question,
    QuizAttempt,
    TrainingPath,
    TrainingRecord,
)
from pdca.people.permissions import KEEPERS, READERS
from pdca.people.services.learning import complete_lesson, path_modules, start_path, submit_quiz
from pdca.tenancy.models import Membership
from tests.people.factories import in_days, make_path, requirement, right_answers

pytestmark = pytest.mark.django_db

API = "/api/v1"
PREFIX = "test-path-c1-"
RIGHT = right_answers(key_prefix=PREFIX)
LATER = in_days(30).isoformat()
#: The four people of every endpoint's matrix.
WHO = ("manager", "employee", "auditor", "outsider")


def reader_of(org):
    """A member of `org` who reads everyone's training rows (its system or CB manager), so
    that a row about them is seen by the readers only."""
    membership = (
        Membership.objects.filter(organization=org, role__in=[Role.SYSTEM_MANAGER, Role.CB_MANAGER])
        .select_related("user")
        .order_by("role")
        .first()
    )
    assert membership is not None
    return membership.user


def person(personas, who: str):
    return {
        "manager": personas.manager,
        "employee": personas.employee,
        "auditor": personas.users[Role.INTERNAL_AUDITOR],
        "outsider": personas.outsider,
    }[who]


def post(client, url: str, body: dict | None = None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def expect(response, status: int):
    assert response.status_code == status, response.content
    if status >= 400:
        assert response["Content-Type"] == "application/problem+json"


# --- the registers ----------------------------------------------------------------------------


class TestRequirementApi(ApiBundle):
    model = CompetenceRequirement
    url = f"{API}/competence-requirements/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = KEEPERS
    update_payload = {"title": "Knows the spill procedure", "mandatory": False}
    invalid_payloads = [
        (
            lambda org: {
                "organization": org.slug,
                "code": "CR-50",
                "title": "Internal auditor path",
                "evaluation": "path_passed",
            },
            "path",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "code": "CR-51",
                "title": "Two years in the lab",
                "evaluation": "experience",
            },
            "min_experience_months",
        ),
        (
            lambda org: {"organization": org.slug, "code": "CR-52", "title": "x", "kind": "magic"},
            "kind",
        ),
    ]

    def make(self, org, index=0):
        return CompetenceRequirement.objects.create(
            organization=org,
            code=f"CR-{index + 1:02d}",
            title=f"Spill response {index}",
            evaluation="assessed",
        )

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "code": "CR-90",
            "title": "First aid at work",
            "evaluation": "assessed",
        }


class TestRecordApi(ApiBundle):
    model = TrainingRecord
    url = f"{API}/training-records/"
    view_roles = READERS
    add_roles = change_roles = delete_roles = KEEPERS
    update_payload = {"provider": "Red Cross", "hours": "7.5"}
    invalid_payloads = [
        (
            lambda org: {
                "organization": org.slug,
                "person": reader_of(org).pk,
                "title": "First aid",
                "started_on": "2025-03-10",
                "completed_on": "2025-03-01",
            },
            "completed_on",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "person": reader_of(org).pk,
                "title": "Stage 2 at Acme",
                "kind": "audit",
                "completed_on": "2025-03-01",
            },
            "audit_role",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "person": Membership.objects.exclude(organization=org).first().user_id,
                "title": "First aid",
                "completed_on": "2025-03-01",
            },
            "person",
        ),
    ]

    def make(self, org, index=0):
        return TrainingRecord.objects.create(
            organization=org,
            person=reader_of(org),
            title=f"First aid {index}",
            completed_on=in_days(-30),
        )

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "person": reader_of(org).pk,
            "title": "Forklift licence",
            "result": "passed",
            "completed_on": in_days(-3).isoformat(),
        }


class TestQualificationApi(ApiBundle):
    model = Qualification
    url = f"{API}/qualifications/"
    view_roles = READERS
    add_roles = change_roles = delete_roles = KEEPERS
    update_payload = {"technical_area": "IAF 17"}
    invalid_payloads = [
        (
            lambda org: {
                "organization": org.slug,
                "person": reader_of(org).pk,
                "kind": "internal_auditor",
                "granted_on": "2025-03-10",
                "expires_on": "2025-03-01",
            },
            "expires_on",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "person": reader_of(org).pk,
                "kind": "wizard",
                "granted_on": "2025-03-10",
            },
            "kind",
        ),
    ]

    def make(self, org, index=0):
        return Qualification.objects.create(
            organization=org,
            person=reader_of(org),
            kind="internal_auditor",
            technical_area=f"Area {index}",
            granted_on=in_days(-100),
        )

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "person": reader_of(org).pk,
            "kind": "internal_auditor",
            "granted_on": in_days(-1).isoformat(),
            "basis": "Internal auditor path passed; two audits observed.",
        }


class TestAssignmentApi(ApiBundle):
    model = Assignment
    url = f"{API}/training-assignments/"
    view_roles = READERS
    add_roles = change_roles = delete_roles = KEEPERS
    update_payload = {"note": "Ask the lab lead for a slot"}
    invalid_payloads = [
        (lambda org: {"organization": org.slug, "due_date": LATER}, "path"),
        (
            lambda org: {
                "organization": org.slug,
                "action": "Shadow an audit",
                "person": reader_of(org).pk,
                "role": "employee",
                "due_date": LATER,
            },
            "person",
        ),
    ]

    def make(self, org, index=0):
        return Assignment.objects.create(
            organization=org, action=f"Shadow audit {index}", due_date=in_days(30)
        )

    def create_payload(self, org):
        return {"organization": org.slug, "action": "Shadow an audit", "due_date": LATER}


def bare_path(org, code: str) -> TrainingPath:
    return TrainingPath.objects.create(organization=org, code=code, title=f"Path {code}")


class TestCampaignApi(ApiBundle):
    model = AwarenessCampaign
    url = f"{API}/awareness-campaigns/"
    view_roles = READERS
    add_roles = change_roles = delete_roles = KEEPERS
    update_payload = {"description": "Read the policy, then pass the quiz."}
    invalid_payloads = [
        (lambda org: {"organization": org.slug, "title": "Policy", "due_date": LATER}, "documents"),
    ]

    def make(self, org, index=0):
        return AwarenessCampaign.objects.create(
            organization=org,
            title=f"Policy awareness {index}",
            path=bare_path(org, f"aware-{index}"),
            due_date=in_days(30),
        )

    def create_payload(self, org):
        path = bare_path(org, "aware-new")
        return {"organization": org.slug, "title": "Policy", "path": path.pk, "due_date": LATER}


# --- read-only endpoints: courses, paths, enrolments, attempts --------------------------------


class ReadOnly(ApiBundle):
    creates = updates = deletes = False


class TestCourseApi(ReadOnly):
    model = Course
    url = f"{API}/courses/"
    view_roles = ALL_ROLES

    def make(self, org, index=0):
        return Course.objects.create(organization=org, code=f"course-{index}", title="Induction")


class TestPathApi(ReadOnly):
    model = TrainingPath
    url = f"{API}/training-paths/"
    view_roles = ALL_ROLES

    def make(self, org, index=0):
        return bare_path(org, f"path-{index}")


class TestEnrolmentApi(ReadOnly):
    model = Enrolment
    url = f"{API}/enrolments/"
    view_roles = READERS

    def make(self, org, index=0):
        return Enrolment.objects.create(
            organization=org,
            person=reader_of(org),
            path=bare_path(org, f"enrol-{index}"),
            started_at=timezone.now(),
        )


class TestQuizAttemptApi(ReadOnly):
    model = QuizAttempt
    url = f"{API}/quiz-attempts/"
    view_roles = READERS

    def make(self, org, index=0):
        course = Course.objects.create(organization=org, code=f"quiz-{index}", title="Quiz")
        module = Module.objects.create(course=course, position=1, kind="quiz", title="Check")
        question = Question.objects.create(module=module, position=1, key=f"k{index}", text="?")
        Choice.objects.create(question=question, position=1, text="Yes", correct=True)
        Choice.objects.create(question=question, position=2, text="No")
        path = bare_path(org, f"quiz-path-{index}")
        PathCourse.objects.create(path=path, course=course, position=1)
        enrolment = Enrolment.objects.create(
            organization=org, person=reader_of(org), path=path, started_at=timezone.now()
        )
        return QuizAttempt.objects.create(
            organization=org,
            enrolment=enrolment,
            module=module,
            number=1,
            answers={f"k{index}": [2]},
            correct_count=0,
            question_count=1,
            score=0,
            pass_mark=80,
            passed=False,
            submitted_at=timezone.now(),
        )


# --- fixtures of the endpoint matrix ----------------------------------------------------------


@pytest.fixture
def path(personas) -> TrainingPath:
    """One course: a lesson, then a quiz of five questions (one multiple-answer)."""
    return make_path(personas.org, personas.manager, validity_months=24)


@pytest.fixture
def course(path) -> Course:
    return path.steps.get().course


@pytest.fixture
def enrolment(personas, path) -> Enrolment:
    """The employee's enrolment in the path."""
    return start_path(path, actor=personas.employee)


@pytest.fixture
def campaign(personas, path) -> AwarenessCampaign:
    return AwarenessCampaign.objects.create(
        organization=personas.org,
        title="Policy awareness",
        path=path,
        role=Role.EMPLOYEE,
        due_date=in_days(20),
    )


def attempt_of(enrolment) -> QuizAttempt:
    """The learner of `enrolment` reads the lesson and passes the quiz."""
    lesson, quiz = path_modules(enrolment.path)
    complete_lesson(enrolment, lesson, actor=enrolment.person)
    return submit_quiz(enrolment, quiz, RIGHT, actor=enrolment.person)


# --- courses and paths ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "answers"),
    [
        ("manager", 200, True),
        ("employee", 200, False),
        ("auditor", 200, False),
        ("outsider", 404, None),
    ],
)
def test_a_course_shows_its_answers_to_keepers_only(client, personas, course, who, status, answers):
    login(client, person(personas, who))
    response = client.get(f"{API}/courses/{course.pk}/")
    expect(response, status)
    if status != 200:
        return
    data = response.json()
    assert data["answers_shown"] is answers
    lesson, quiz = data["modules"]
    assert (lesson["kind"], quiz["kind"]) == ("lesson", "quiz")
    question = quiz["questions"][0]
    assert question["key"] == f"{PREFIX}q-single-a"
    flags = [c["correct"] for c in question["choices"]]
    if answers:
        assert flags == [True, False, False]
        assert question["explanation"] == "Because."
    else:
        assert flags == [None, None, None]
        assert question["explanation"] is None


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("employee", 403), ("auditor", 403), ("outsider", 404)]
)
def test_only_keepers_export_a_course(client, personas, course, who, status):
    login(client, person(personas, who))
    response = client.get(f"{API}/courses/{course.pk}/export.yaml")
    expect(response, status)
    if status == 200:
        assert response["Content-Type"] == "application/yaml"
        assert f"code: {course.code}" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 201), ("employee", 403), ("auditor", 403), ("outsider", 404)]
)
def test_only_keepers_import_a_course(client, personas, who, status):
    from tests.people.factories import course_text

    login(client, person(personas, who))
    count = Course.objects.count()
    response = client.post(
        f"{API}/courses/import/?organization=org-a",
        course_text("spill-response"),
        content_type="application/yaml",
    )
    expect(response, status)
    assert Course.objects.count() == count + (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 202), ("employee", 403), ("auditor", 403), ("outsider", 404)]
)
def test_only_keepers_install_the_shipped_paths(client, personas, monkeypatch, who, status):
    from pdca.people.services import course_files
    from tests.people.factories import course_text

    monkeypatch.setattr(course_files, "shipped_course_files", lambda: {"mini": course_text("mini")})
    monkeypatch.setattr(
        course_files,
        "shipped_paths",
        lambda: [{"code": "mini-path", "title": "Mini", "courses": ["mini"]}],
    )
    login(client, person(personas, who))
    response = post(client, f"{API}/training/install/jobs/?organization=org-a")
    expect(response, status)
    installed = TrainingPath.objects.filter(organization=personas.org, code="mini-path")
    assert installed.exists() is (status == 202)
    if status == 202:
        job = response.json()
        assert job["status"] == "succeeded", job
        assert job["result"]["created"] == ["mini-path"]
        assert response["Location"] == f"{API}/jobs/{job['id']}/"


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("employee", 200), ("auditor", 200), ("outsider", 404)]
)
def test_every_member_reads_a_path_with_its_courses(client, personas, path, who, status):
    login(client, person(personas, who))
    response = client.get(f"{API}/training-paths/{path.pk}/")
    expect(response, status)
    if status == 200:
        data = response.json()
        assert [c["code"] for c in data["courses"]] == ["test-path-c1"]
        assert (data["module_count"], data["pass_mark"]) == (2, 80)


# --- taking training --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 201), ("employee", 201), ("auditor", 201), ("outsider", 404)]
)
def test_every_member_starts_a_path(client, personas, path, who, status):
    user = person(personas, who)
    login(client, user)
    response = post(client, f"{API}/training-paths/{path.pk}/enrolments/")
    expect(response, status)
    assert Enrolment.objects.filter(person=user).exists() is (status == 201)
    if status == 201:
        assert response.json()["next_module"]["kind"] == "lesson"
        again = post(client, f"{API}/training-paths/{path.pk}/enrolments/")
        expect(again, 200)
        assert again.json()["id"] == response.json()["id"]


@pytest.mark.parametrize("who", WHO)
def test_my_training_is_each_members_own(client, personas, path, who):
    Assignment.objects.create(
        organization=personas.org, path=path, role=Role.EMPLOYEE, due_date=in_days(10)
    )
    login(client, person(personas, who))
    response = client.get(f"{API}/training/me/?organization=org-a")
    if who == "outsider":
        expect(response, 404)
        return
    expect(response, 200)
    items = response.json()["items"]
    if who == "employee":
        assert [(i["path"]["id"], i["status"], i["due_date"]) for i in items] == [
            (path.pk, "not_started", in_days(10).isoformat())
        ]
    else:
        assert items == []


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("employee", 200), ("auditor", 200), ("outsider", 404)]
)
def test_an_enrolment_is_read_by_its_person_and_the_readers(
    client, personas, enrolment, who, status
):
    login(client, person(personas, who))
    expect(client.get(f"{API}/enrolments/{enrolment.pk}/"), status)
    response = client.get(f"{API}/enrolments/{enrolment.pk}/attempts/")
    expect(response, status)


def test_an_employee_sees_only_their_own_enrolments_and_attempts(client, personas, path, enrolment):
    theirs = attempt_of(enrolment)
    colleague = personas.users[Role.PROCESS_OWNER]
    other = start_path(path, actor=colleague)
    other_attempt = attempt_of(other)
    login(client, personas.employee)
    assert [e["id"] for e in client.get(f"{API}/enrolments/").json()["items"]] == [enrolment.pk]
    assert [a["id"] for a in client.get(f"{API}/quiz-attempts/").json()["items"]] == [theirs.pk]
    expect(client.get(f"{API}/enrolments/{other.pk}/"), 404)
    expect(client.get(f"{API}/enrolments/{other.pk}/attempts/"), 404)
    expect(client.get(f"{API}/quiz-attempts/{other_attempt.pk}/"), 404)
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    seen = {e["id"] for e in client.get(f"{API}/enrolments/").json()["items"]}
    assert seen == {enrolment.pk, other.pk}
    seen = {a["id"] for a in client.get(f"{API}/quiz-attempts/").json()["items"]}
    assert seen == {theirs.pk, other_attempt.pk}


def test_an_employee_sees_only_their_own_training_records(client, personas):
    mine = TrainingRecord.objects.create(
        organization=personas.org,
        person=personas.employee,
        title="Forklift",
        completed_on=in_days(-3),
    )
    TrainingRecord.objects.create(
        organization=personas.org,
        person=personas.manager,
        title="Lead implementer",
        completed_on=in_days(-3),
    )
    login(client, personas.employee)
    listed = client.get(f"{API}/training-records/").json()["items"]
    assert [r["id"] for r in listed] == [mine.pk]
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    assert len(client.get(f"{API}/training-records/").json()["items"]) == 2


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 403), ("employee", 200), ("auditor", 403), ("outsider", 404)]
)
def test_only_the_learner_reads_a_lesson_and_answers_a_quiz(
    client, personas, enrolment, who, status
):
    lesson, quiz = path_modules(enrolment.path)
    login(client, person(personas, who))
    entries = ActivityEntry.objects.count()
    base = f"{API}/enrolments/{enrolment.pk}/modules"
    expect(post(client, f"{base}/{lesson.pk}/complete/"), status)
    expect(
        post(client, f"{base}/{quiz.pk}/attempts/", {"answers": RIGHT}),
        201 if status == 200 else status,
    )
    if status != 200:
        assert not enrolment.completions.exists()
        assert not QuizAttempt.objects.exists()
        assert ActivityEntry.objects.count() == entries


# --- competence -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("employee", 403), ("auditor", 200), ("outsider", 404)]
)
def test_the_matrix_is_read_by_the_readers(client, personas, path, who, status):
    requirement(personas.org, personas.manager, path=path)
    login(client, person(personas, who))
    expect(client.get(f"{API}/competence-matrix/?organization=org-a"), status)
    response = client.get(f"{API}/competence-matrix.xlsx?organization=org-a")
    expect(response, status)
    if status == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 201), ("employee", 403), ("auditor", 403), ("outsider", 404)]
)
def test_only_keepers_turn_gaps_into_actions(client, personas, path, who, status):
    requirement(personas.org, personas.manager, path=path)
    login(client, person(personas, who))
    before = Assignment.objects.count()
    response = post(
        client,
        f"{API}/competence-matrix/gap-actions/",
        {"organization": "org-a", "due_date": LATER},
    )
    expect(response, status)
    people = Membership.objects.filter(organization=personas.org).count()
    assert Assignment.objects.count() == before + (people if status == 201 else 0)


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 201), ("employee", 403), ("auditor", 403), ("outsider", 404)]
)
def test_only_keepers_assign_a_path(client, personas, path, who, status):
    login(client, person(personas, who))
    response = post(
        client,
        f"{API}/training-paths/{path.pk}/assignments/",
        {"due_date": LATER, "role": "employee"},
    )
    expect(response, status)
    assert Assignment.objects.exists() is (status == 201)


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("employee", 404), ("auditor", 200), ("outsider", 404)]
)
def test_an_assignments_progress_is_read_by_the_readers(client, personas, path, who, status):
    assignment = Assignment.objects.create(
        organization=personas.org, path=path, role=Role.EMPLOYEE, due_date=in_days(10)
    )
    login(client, person(personas, who))
    response = client.get(f"{API}/training-assignments/{assignment.pk}/progress/")
    expect(response, status)
    if status == 200:
        assert [r["person"]["email"] for r in response.json()["rows"]] == ["employee@a.example"]


def test_an_employee_reads_the_progress_of_their_own_assignment(client, personas, path):
    mine = Assignment.objects.create(
        organization=personas.org, path=path, person=personas.employee, due_date=in_days(10)
    )
    login(client, personas.employee)
    response = client.get(f"{API}/training-assignments/{mine.pk}/progress/")
    expect(response, 200)
    assert response.json()["rows"][0]["status"] == "not_started"


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("employee", 403), ("auditor", 200), ("outsider", 404)]
)
def test_the_overdue_list_is_read_by_the_readers(client, personas, path, who, status):
    Assignment.objects.create(
        organization=personas.org, path=path, role=Role.EMPLOYEE, due_date=in_days(-3)
    )
    login(client, person(personas, who))
    response = client.get(f"{API}/training/overdue/?organization=org-a")
    expect(response, status)
    if status == 200:
        [item] = response.json()["items"]
        assert (item["person"]["email"], item["days_overdue"]) == ("employee@a.example", 3)


# --- awareness campaigns ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("employee", 404), ("auditor", 403), ("outsider", 404)]
)
def test_only_keepers_launch_and_close_a_campaign(client, personas, campaign, who, status):
    login(client, person(personas, who))
    entries = ActivityEntry.objects.count()
    response = post(client, f"{API}/awareness-campaigns/{campaign.pk}/launch/")
    expect(response, status)
    campaign.refresh_from_db()
    if status != 200:
        assert campaign.status == "draft"
        assert ActivityEntry.objects.count() == entries
        expect(post(client, f"{API}/awareness-campaigns/{campaign.pk}/close/"), status)
        return
    assert (campaign.status, response.json()["status"]) == ("launched", "launched")
    assert response["ETag"]
    closed = post(client, f"{API}/awareness-campaigns/{campaign.pk}/close/")
    expect(closed, 200)
    assert closed.json()["status"] == "closed"


@pytest.mark.parametrize(
    ("who", "status"), [("manager", 200), ("employee", 404), ("auditor", 200), ("outsider", 404)]
)
def test_a_campaigns_report_is_read_by_the_readers(client, personas, campaign, who, status):
    login(client, person(personas, who))
    base = f"{API}/awareness-campaigns/{campaign.pk}"
    expect(client.get(f"{base}/report/"), status)
    expect(client.get(f"{base}/report.xlsx"), status)
    response = client.get(f"{base}/report.pdf")
    expect(response, status)
    if status == 200:
        assert response.content.startswith(b"%PDF")


def test_anonymous_is_refused_everywhere(client, personas, path, enrolment, campaign, course):
    urls = [
        ("get", f"{API}/courses/{course.pk}/export.yaml"),
        ("post", f"{API}/courses/import/"),
        ("post", f"{API}/training/install/jobs/"),
        ("get", f"{API}/training/me/"),
        ("post", f"{API}/training-paths/{path.pk}/enrolments/"),
        ("post", f"{API}/training-paths/{path.pk}/assignments/"),
        ("get", f"{API}/enrolments/{enrolment.pk}/attempts/"),
        ("get", f"{API}/competence-matrix/"),
        ("get", f"{API}/competence-matrix.xlsx"),
        ("post", f"{API}/competence-matrix/gap-actions/"),
        ("get", f"{API}/training/overdue/"),
        ("post", f"{API}/awareness-campaigns/{campaign.pk}/launch/"),
        ("get", f"{API}/awareness-campaigns/{campaign.pk}/report/"),
        ("get", f"{API}/awareness-campaigns/{campaign.pk}/report.pdf"),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 401, (url, response.content)


def test_the_people_schemas_have_names_of_their_own():
    """The OpenAPI document files a schema under its class name: one of ours named like a
    register's (`AssignmentOut`) once documented the training-assignments register with the
    fields of our answer."""
    import pydantic

    import pdca.api  # noqa: F401  (every router and its schemas)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    models = [m for m in subclasses(pydantic.BaseModel) if m.__module__.startswith("pdca.")]
    ours = {m.__name__ for m in models if m.__module__.startswith("pdca.people.")}
    others = {m.__name__ for m in models if not m.__module__.startswith("pdca.people.")}
    assert "CompetenceRequirementOut" in others  # the registers' schemas are among them
    assert ours & others == set()
