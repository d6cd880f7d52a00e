"""Course files: every shipped course parses, the shipped paths install (once), a course
exported reads back the same, bad files name where they are wrong, images are only raster
images, and a course people have answered cannot be replaced."""

from __future__ import annotations

import base64
import copy

import pytest
import yaml

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.people.models import Course, CourseImage, Module, PathCourse, Question, TrainingPath
from pdca.people.services.course_files import (
    export_course,
    import_course,
    install_shipped_paths,
    parse_course,
    shipped_course_files,
    shipped_paths,
)
from pdca.people.services.learning import complete_lesson, path_modules, start_path, submit_quiz
from tests.people.factories import course_data, course_text, make_path, right_answers

pytestmark = pytest.mark.django_db

SHIPPED = shipped_course_files()
#: The paths written by the pdca project.
SHIPPED_PATHS = {"awareness", "internal-auditor", "lead-implementer", "lead-auditor"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
GIF = b"GIF89a" + b"\x01" * 20
WEBP = b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 20
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- the shipped content ----------------------------------------------------------------------


def test_courses_are_shipped():
    assert len(SHIPPED) >= 4


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_every_shipped_course_file_parses(code):
    parsed = parse_course(SHIPPED[code])
    data = parsed.data
    assert data["code"] == code  # the file is named after its code
    kinds = [m["kind"] for m in data["modules"]]
    assert "lesson" in kinds and "quiz" in kinds
    for module in data["modules"]:
        for question in module.get("questions") or []:
            assert question.get("explanation"), f"{question['key']} explains its answer"


def test_question_keys_are_unique_across_the_shipped_courses():
    seen: dict[str, str] = {}
    for code, text in SHIPPED.items():
        for module in yaml.safe_load(text)["modules"]:
            for question in module.get("questions") or []:
                assert question["key"] not in seen, (
                    question["key"],
                    code,
                    seen.get(question["key"]),
                )
                seen[question["key"]] = code


def test_the_four_shipped_paths_name_shipped_courses():
    paths = {spec["code"]: spec for spec in shipped_paths()}
    assert set(paths) == SHIPPED_PATHS
    for spec in paths.values():
        assert spec["courses"], spec["code"]
        assert set(spec["courses"]) <= set(SHIPPED), spec["code"]
        assert 1 <= spec.get("pass_mark", 80) <= 100
    # The audits app qualifies internal auditors by a passed path meant for their role.
    assert paths["internal-auditor"].get("role") == Role.INTERNAL_AUDITOR


def test_install_shipped_paths_creates_the_four_paths_once(personas):
    org, manager = personas.org, personas.manager
    installed = install_shipped_paths(org, actor=manager)
    assert {p.code for p in installed} == SHIPPED_PATHS
    paths = {p.code: p for p in TrainingPath.objects.filter(organization=org)}
    assert set(paths) == SHIPPED_PATHS
    for spec in shipped_paths():
        path = paths[spec["code"]]
        assert (path.source, path.title) == ("shipped", spec["title"])
        assert [
            s.course.code for s in PathCourse.objects.filter(path=path).order_by("position")
        ] == (spec["courses"])
        assert path.pass_mark == spec.get("pass_mark", 80)
        assert path.validity_months == spec.get("validity_months")
    used = {code for spec in shipped_paths() for code in spec["courses"]}
    courses = Course.objects.filter(organization=org)
    assert set(courses.values_list("code", flat=True)) == set(SHIPPED)
    assert set(courses.values_list("source", flat=True)) == {"shipped"}
    assert used <= set(SHIPPED)
    counts = (
        Course.objects.count(),
        Module.objects.count(),
        Question.objects.count(),
        TrainingPath.objects.count(),
        ActivityEntry.objects.count(),
    )
    again = install_shipped_paths(org, actor=manager)
    assert [p.pk for p in again] == [p.pk for p in installed]
    assert counts == (
        Course.objects.count(),
        Module.objects.count(),
        Question.objects.count(),
        TrainingPath.objects.count(),
        ActivityEntry.objects.count(),
    )


def test_install_keeps_what_the_organization_changed(personas):
    org, manager = personas.org, personas.manager
    install_shipped_paths(org, actor=manager)
    TrainingPath.objects.filter(organization=org, code="awareness").update(pass_mark=90)
    install_shipped_paths(org, actor=manager)
    assert TrainingPath.objects.get(organization=org, code="awareness").pass_mark == 90


def test_only_keepers_install_the_shipped_paths(personas):
    with pytest.raises(PermissionDenied):
        install_shipped_paths(personas.org, actor=personas.employee)
    assert not Course.objects.exists()


# --- export and import ------------------------------------------------------------------------


def _content(course: Course) -> list:
    """Everything a course file carries, from the database."""
    return [
        (
            m.position,
            m.kind,
            m.title,
            m.body,
            [
                (
                    q.key,
                    q.kind,
                    q.text,
                    q.explanation,
                    [(c.text, c.correct) for c in q.choices.all()],
                )
                for q in m.questions.all()
            ],
        )
        for m in course.modules.all()
    ]


@pytest.mark.parametrize("code", sorted(SHIPPED)[:3])
def test_export_then_import_gives_the_same_course(personas, code):
    first = import_course(personas.org, SHIPPED[code], actor=personas.manager)
    text = export_course(first)
    second = import_course(personas.other, text, actor=personas.outsider)
    assert _content(second) == _content(first)
    assert (second.title, second.summary, second.language, second.validity_months) == (
        first.title,
        first.summary,
        first.language,
        first.validity_months,
    )
    assert export_course(second) == text
    # And the same content as the shipped file says.
    original = yaml.safe_load(SHIPPED[code])
    assert [m["title"] for m in original["modules"]] == [m[2] for m in _content(first)]


def test_images_travel_with_the_course(personas):
    data = course_data(images={"diagram.png": b64(PNG), "photo.webp": b64(WEBP)})
    data["modules"][0]["body"] += "\n\n![The cycle](image:diagram.png) ![A photo](image:photo.webp)"
    first = import_course(personas.org, yaml.safe_dump(data), actor=personas.manager)
    second = import_course(personas.other, export_course(first), actor=personas.outsider)
    images = {i.name: (i.content_type, bytes(i.data)) for i in second.images.all()}
    assert images == {"diagram.png": ("image/png", PNG), "photo.webp": ("image/webp", WEBP)}
    assert _content(second) == _content(first)


# --- bad files --------------------------------------------------------------------------------


def _bad(change) -> str:
    data = course_data()
    change(data)
    return yaml.safe_dump(data)


def _set(path: str, value):
    """A change setting `value` at a dotted path like modules.1.questions.0.kind."""

    def change(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return change


_DELETE = object()
TWO_RIGHT = [{"text": "A", "correct": True}, {"text": "B", "correct": True}]


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        (_set("modules.1.questions.0.choices", TWO_RIGHT), ["modules[1].questions[0].choices"]),
        (
            _set("modules.1.questions.2.choices", [{"text": "A"}, {"text": "B"}]),
            ["modules[1].questions[2].choices"],
        ),
        (
            _set("modules.1.questions.0.choices", [{"text": "A", "correct": True}]),
            ["modules[1].questions[0].choices"],
        ),
        (
            _set("modules.1.questions.0.choices.0.correct", "yes"),
            [
                "modules[1].questions[0].choices[0].correct",
                "modules[1].questions[0].choices",  # and so no right choice is left
            ],
        ),
        (
            _set("modules.1.questions.0.choices.1.text", ""),
            ["modules[1].questions[0].choices[1].text"],
        ),
        (_set("modules.1.questions.1.key", "q-single-a"), ["modules[1].questions[1].key"]),
        (_set("modules.1.questions.1.kind", "essay"), ["modules[1].questions[1].kind"]),
        (_set("modules.1.questions", []), ["modules[1].questions"]),
        (_set("modules.0.kind", "video"), ["modules[0].kind"]),
        (_set("modules.0.body", "![x](image:missing.png)"), ["modules[0].body"]),
        (_set("modules.0.title", _DELETE), ["modules[0].title"]),
        (_set("modules", []), ["modules"]),
        (_set("format", "pdca-course/2"), ["format"]),
        (_set("code", "Bad Code"), ["code"]),
        (_set("title", ""), ["title"]),
        (_set("title", "x" * 201), ["title"]),
        (_set("validity_months", 0), ["validity_months"]),
        (_set("validity_months", "12"), ["validity_months"]),
        (_set("images", ["a.png"]), ["images"]),
    ],
)
def test_a_bad_file_names_where_it_is_wrong_and_writes_nothing(personas, change, fields):
    with pytest.raises(ValidationFailed) as caught:
        import_course(personas.org, _bad(change), actor=personas.manager)
    assert [e.field for e in caught.value.errors] == fields
    assert not Course.objects.exists()
    assert not Module.objects.exists()


def test_every_problem_is_named_at_once(personas):
    def change(data):
        data["title"] = ""
        data["modules"][1]["questions"][0]["choices"] = TWO_RIGHT
        data["modules"][1]["questions"][3]["text"] = ""

    with pytest.raises(ValidationFailed) as caught:
        parse_course(_bad(change))
    assert [e.field for e in caught.value.errors] == [
        "title",
        "modules[1].questions[0].choices",
        "modules[1].questions[3].text",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "format: [unclosed",
        "- a list\n- not a mapping\n",
        b"\xff\xfe not utf-8",
        b"x" * 8_000_001,
    ],
)
def test_a_file_that_is_no_course_is_refused_as_a_whole(raw):
    with pytest.raises(ValidationFailed) as caught:
        parse_course(raw)
    assert [e.field for e in caught.value.errors] == ["file"]


@pytest.mark.parametrize(
    ("name", "content", "refused"),
    [
        ("logo.svg", b64(SVG), True),
        ("logo.png", b64(SVG), True),  # the name does not make it an image
        ("script.js", b64(b"alert(1)"), True),
        ("page.html", b64(b"<html><img src=x onerror=alert(1)></html>"), True),
        ("broken.png", "not base64!", True),
        ("huge.png", b64(PNG + b"\x00" * 1_000_000), True),
        ("bad name.png", b64(PNG), True),
        ("ok.png", b64(PNG), False),
        ("ok.gif", b64(GIF), False),
        ("ok.jpg", b64(b"\xff\xd8\xff\xe0" + b"\x00" * 20), False),
        ("ok.webp", b64(WEBP), False),
    ],
)
def test_only_raster_images_are_accepted(personas, name, content, refused):
    text = course_text(images={name: content})
    if refused:
        with pytest.raises(ValidationFailed) as caught:
            import_course(personas.org, text, actor=personas.manager)
        assert [e.field for e in caught.value.errors] == [f"images.{name}"]
        assert not CourseImage.objects.exists()
    else:
        course = import_course(personas.org, text, actor=personas.manager)
        assert list(course.images.values_list("name", flat=True)) == [name]


# --- replacing a course -----------------------------------------------------------------------


def test_a_course_is_replaced_by_its_code_and_a_duplicate_refused(personas):
    org, manager = personas.org, personas.manager
    course = import_course(org, course_text(), actor=manager)
    with pytest.raises(Conflict) as caught:
        import_course(org, course_text(), actor=manager)
    assert caught.value.code == "duplicate"
    changed = course_data(lessons=2)
    changed["title"] = "New title"
    replaced = import_course(org, yaml.safe_dump(changed), actor=manager, replace=True)
    assert replaced.pk == course.pk
    assert (replaced.title, replaced.revision) == ("New title", 2)
    assert [m.kind for m in replaced.modules.all()] == ["lesson", "lesson", "quiz"]


def _taken(personas, *, answer: bool) -> Course:
    path = make_path(personas.org, personas.manager)
    lesson, quiz = path_modules(path)
    enrolment = start_path(path, actor=personas.employee)
    complete_lesson(enrolment, lesson, actor=personas.employee)
    if answer:
        answers = right_answers(key_prefix="test-path-c1-")
        submit_quiz(enrolment, quiz, {k: [1] for k in answers}, actor=personas.employee)
    return lesson.course


@pytest.mark.parametrize("answer", [True, False])
def test_a_course_people_have_taken_cannot_be_replaced(personas, answer):
    """Regression (answer=False): a course whose lesson someone had read, but whose quiz nobody
    had answered yet, failed with a server error when replaced."""
    course = _taken(personas, answer=answer)
    before = (_content(course), course.revision, ActivityEntry.objects.count())
    text = course_text(course.code, key_prefix="new-")
    with pytest.raises(Conflict) as caught:
        import_course(personas.org, text, actor=personas.manager, replace=True)
    assert (caught.value.status, caught.value.code) == (409, "is_record")
    course.refresh_from_db()
    assert (_content(course), course.revision, ActivityEntry.objects.count()) == before


def test_only_keepers_import(personas):
    for role in (Role.EMPLOYEE, Role.PROCESS_OWNER, Role.INTERNAL_AUDITOR):
        with pytest.raises(PermissionDenied):
            import_course(personas.org, course_text(), actor=personas.users[role])
    assert not Course.objects.exists()


def test_a_parsed_file_is_not_changed_by_importing_it(personas):
    data = course_data()
    kept = copy.deepcopy(data)
    parsed = parse_course(yaml.safe_dump(data))
    import_course(personas.org, yaml.safe_dump(data), actor=personas.manager)
    assert parsed.data == kept
