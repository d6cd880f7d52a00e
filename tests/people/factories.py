"""Shared test data of the people tests: small course files, a path made of them, requirements,
records and members with a team and a site, each made through the services where one exists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.registers.services import create_entry
from pdca.people.models import CompetenceRequirement, PathCourse, TrainingPath, TrainingRecord
from pdca.people.registers import RECORDS, REQUIREMENTS
from pdca.people.services.course_files import import_course
from pdca.tenancy.models import Membership, Site

TODAY = timezone.localdate()

#: The quiz of `course_text`: (key, kind, [(choice text, correct)]).
QUESTIONS: list[tuple[str, str, list[tuple[str, bool]]]] = [
    ("q-single-a", "single", [("Right", True), ("Wrong", False), ("Also wrong", False)]),
    ("q-single-b", "single", [("Wrong", False), ("Right", True)]),
    ("q-multiple", "multiple", [("Right", True), ("Wrong", False), ("Right too", True)]),
    ("q-single-c", "single", [("Wrong", False), ("Wrong too", False), ("Right", True)]),
    ("q-single-d", "single", [("Right", True), ("Wrong", False)]),
]


def in_days(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def course_data(
    code: str = "test-course",
    *,
    questions: list[tuple[str, str, list[tuple[str, bool]]]] | None = None,
    lessons: int = 1,
    validity_months: int | None = None,
    images: dict[str, str] | None = None,
    key_prefix: str = "",
) -> dict[str, Any]:
    """A course file as data: `lessons` lessons, then one quiz."""
    questions = QUESTIONS if questions is None else questions
    modules: list[dict[str, Any]] = [
        {"kind": "lesson", "title": f"Lesson {n}", "body": f"## Lesson {n}\n\nRead this."}
        for n in range(1, lessons + 1)
    ]
    modules.append(
        {
            "kind": "quiz",
            "title": "Check",
            "questions": [
                {
                    "key": f"{key_prefix}{key}",
                    "kind": kind,
                    "text": f"Question {key}?",
                    "choices": [
                        {"text": text, **({"correct": True} if right else {})}
                        for text, right in choices
                    ],
                    "explanation": "Because.",
                }
                for key, kind, choices in questions
            ],
        }
    )
    return {
        "format": "pdca-course/1",
        "code": code,
        "title": f"Course {code}",
        "summary": "What you will be able to do.",
        "language": "en",
        "validity_months": validity_months,
        "modules": modules,
        "images": images or {},
    }


def course_text(code: str = "test-course", **kwargs: Any) -> str:
    return yaml.safe_dump(course_data(code, **kwargs), sort_keys=False)


def right_answers(
    questions: list[tuple[str, str, list[tuple[str, bool]]]] | None = None, key_prefix: str = ""
) -> dict[str, list[int]]:
    """{question key: 1-based positions of the right choices}."""
    questions = QUESTIONS if questions is None else questions
    return {
        f"{key_prefix}{key}": [i for i, (_, right) in enumerate(choices, start=1) if right]
        for key, _, choices in questions
    }


def make_path(
    org,
    actor,
    code: str = "test-path",
    *,
    courses: int = 1,
    pass_mark: int = 80,
    validity_months: int | None = 12,
    questions: list[tuple[str, str, list[tuple[str, bool]]]] | None = None,
    lessons: int = 1,
) -> TrainingPath:
    """A path of `courses` imported courses (each `lessons` lessons and one quiz)."""
    path = TrainingPath.objects.create(
        organization=org,
        code=code,
        title=f"Path {code}",
        pass_mark=pass_mark,
        validity_months=validity_months,
    )
    for position in range(1, courses + 1):
        course = import_course(
            org,
            course_text(
                f"{code}-c{position}",
                questions=questions,
                lessons=lessons,
                key_prefix=f"{code}-c{position}-",
            ),
            actor=actor,
        )
        PathCourse.objects.create(path=path, course=course, position=position)
    return path


def requirement(org, actor, code: str = "CR-01", **fields: Any) -> CompetenceRequirement:
    """A requirement through the register, for everyone unless told (shown by the path
    passed when a path is given, otherwise assessed on the job)."""
    values: dict[str, Any] = {"title": f"Requirement {code}", "kind": "training"}
    values.update(fields)
    values.setdefault("evaluation", "path_passed" if "path" in values else "assessed")
    return create_entry(REQUIREMENTS, org, actor=actor, code=code, **values)


def record(org, actor, person, **fields: Any) -> TrainingRecord:
    """A training record through the register (defaults: passed 30 days ago)."""
    values: dict[str, Any] = {
        "title": "Training",
        "kind": "training",
        "result": "passed",
        "completed_on": in_days(-30),
    }
    values.update(fields)
    return create_entry(RECORDS, org, actor=actor, person=person, **values)


def member(
    org, email: str, role: str = "employee", *, team: str = "", site: Site | None = None, **kw: Any
) -> Membership:
    user = User.objects.create_user(email, "pw-123456789", full_name=email.split("@")[0])
    return Membership.objects.create(
        organization=org, user=user, role=role, team=team, site=site, **kw
    )


def site(org, name: str = "Plant") -> Site:
    return Site.objects.create(organization=org, name=name, code=name[:3].upper())
