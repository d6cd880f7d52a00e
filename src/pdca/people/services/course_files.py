"""Courses as one file (`pdca-course/1`, YAML): what the shipped paths are written in, and how
an organization imports and exports its own. The file is checked whole before anything is
written, and every problem names where it is (`modules[3].questions[2].choices`)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from django.db import transaction

from pdca.core.activity import record_activity
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.people.models import (
    Choice,
    Course,
    CourseImage,
    Module,
    PathCourse,
    Question,
    TrainingPath,
)

#: libyaml's safe loader where it is built in (50 times faster), the pure-Python one otherwise.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
COURSE_FORMAT = "pdca-course/1"
PATHS_FORMAT = "pdca-paths/1"
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
IMAGE_REF = re.compile(r"\(image:([^)\s]+)\)")
#: An image's first bytes → its type; nothing that can carry script (no SVG).
IMAGE_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
MAX_IMAGE_BYTES = 1_000_000
MAX_FILE_BYTES = 8_000_000
MAX_MODULES = 200
MAX_QUESTIONS = 100
MAX_CHOICES = 8


@dataclass
class CourseFile:
    """A checked course file, ready to write."""

    data: dict[str, Any]
    images: dict[str, tuple[str, bytes]]


class _Errors:
    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, where: str, message: str, code: str = "invalid") -> None:
        self.items.append(FieldError(where, message, code))

    def text(self, where: str, value: Any, *, required: bool = True, limit: int = 200) -> str:
        if value is None or value == "":
            if required:
                self.add(where, "This is required.", "required")
            return ""
        if not isinstance(value, str):
            self.add(where, "Write text here.")
            return ""
        if len(value) > limit:
            self.add(where, f"At most {limit} characters ({len(value)} given).")
        return value


def _image_type(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, content_type in IMAGE_TYPES.items():
        if data.startswith(magic):
            return content_type
    return None


def parse_course(raw: bytes | str) -> CourseFile:
    """Read and check a course file; raise `ValidationFailed` naming every problem."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise ValidationFailed.single("file", "A course file is at most 8 MB.")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed.single("file", "A course file is UTF-8 text (YAML).") from None
    try:
        data = yaml.load(raw, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        raise ValidationFailed.single("file", f"Not valid YAML: {exc}".splitlines()[0]) from None
    except RecursionError:
        raise ValidationFailed.single("file", "Not valid YAML: nested too deeply.") from None
    errors = _Errors()
    if not isinstance(data, dict):
        raise ValidationFailed.single("file", "A course file is a YAML mapping.")
    if data.get("format") != COURSE_FORMAT:
        errors.add("format", f"Expected format: {COURSE_FORMAT}.")
    code = errors.text("code", data.get("code"), limit=60)
    if code and not CODE.match(code):
        errors.add("code", "Lower-case letters, digits and hyphens only.")
    errors.text("title", data.get("title"))
    errors.text("summary", data.get("summary"), required=False, limit=2000)
    validity = data.get("validity_months")
    if validity is not None and (
        not isinstance(validity, int) or isinstance(validity, bool) or not 1 <= validity <= 240
    ):
        errors.add("validity_months", "Months from 1 to 240, or null for no expiry.")
    images = _parse_images(data.get("images") or {}, errors)
    modules = data.get("modules")
    if not isinstance(modules, list) or not modules:
        errors.add("modules", "A course has at least one lesson or quiz.", "required")
        modules = []
    if len(modules) > MAX_MODULES:
        errors.add("modules", f"At most {MAX_MODULES} modules.")
    keys: set[str] = set()
    for index, module in enumerate(modules[:MAX_MODULES]):
        _check_module(f"modules[{index}]", module, images, keys, errors)
    if errors.items:
        raise ValidationFailed(errors.items)
    return CourseFile(data, images)


def _parse_images(raw: Any, errors: _Errors) -> dict[str, tuple[str, bytes]]:
    images: dict[str, tuple[str, bytes]] = {}
    if not isinstance(raw, dict):
        errors.add("images", "Images are a mapping of file name to base64 content.")
        return images
    for name, encoded in raw.items():
        where = f"images.{name}"
        if not isinstance(name, str) or not re.match(r"^[\w.-]{1,100}$", name):
            errors.add(where, "Name images with letters, digits, dots, hyphens and underscores.")
            continue
        try:
            content = base64.b64decode(str(encoded), validate=True)
        except (binascii.Error, ValueError):
            errors.add(where, "Not valid base64.")
            continue
        content_type = _image_type(content)
        if content_type is None:
            errors.add(where, "Images are PNG, JPEG, GIF or WebP.")
        elif len(content) > MAX_IMAGE_BYTES:
            errors.add(where, "An image is at most 1 MB.")
        else:
            images[name] = (content_type, content)
    return images


def _check_module(where: str, module: Any, images: dict, keys: set[str], errors: _Errors) -> None:
    if not isinstance(module, dict):
        errors.add(where, "A module is a mapping with kind and title.")
        return
    kind = module.get("kind")
    errors.text(f"{where}.title", module.get("title"))
    if kind == "lesson":
        body = errors.text(f"{where}.body", module.get("body"), limit=100_000)
        for name in IMAGE_REF.findall(body):
            if name not in images:
                errors.add(f"{where}.body", f"It shows image:{name}, which the file lacks.")
    elif kind == "quiz":
        questions = module.get("questions")
        if not isinstance(questions, list) or not questions:
            errors.add(f"{where}.questions", "A quiz has at least one question.", "required")
            return
        if len(questions) > MAX_QUESTIONS:
            errors.add(f"{where}.questions", f"At most {MAX_QUESTIONS} questions.")
        for index, question in enumerate(questions[:MAX_QUESTIONS]):
            _check_question(f"{where}.questions[{index}]", question, keys, errors)
    else:
        errors.add(f"{where}.kind", "A module is a lesson or a quiz.")


def _check_question(where: str, question: Any, keys: set[str], errors: _Errors) -> None:
    if not isinstance(question, dict):
        errors.add(where, "A question is a mapping with key, kind, text and choices.")
        return
    key = errors.text(f"{where}.key", question.get("key"), limit=80)
    if key in keys:
        errors.add(f"{where}.key", f"The key {key} is used twice.")
    keys.add(key)
    kind = question.get("kind", "single")
    if kind not in ("single", "multiple"):
        errors.add(f"{where}.kind", "A question is single or multiple.")
    errors.text(f"{where}.text", question.get("text"), limit=2000)
    errors.text(f"{where}.explanation", question.get("explanation"), required=False, limit=2000)
    choices = question.get("choices")
    if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
        errors.add(f"{where}.choices", f"Give 2 to {MAX_CHOICES} choices.")
        return
    correct = 0
    for index, choice in enumerate(choices):
        if not isinstance(choice, dict):
            errors.add(f"{where}.choices[{index}]", "A choice is a mapping with text.")
            continue
        errors.text(f"{where}.choices[{index}].text", choice.get("text"), limit=500)
        flag = choice.get("correct", False)
        if not isinstance(flag, bool):
            errors.add(f"{where}.choices[{index}].correct", "true or false.")
        correct += flag is True
    if kind == "single" and correct != 1:
        errors.add(
            f"{where}.choices", f"A single-answer question has one right choice ({correct})."
        )
    if kind == "multiple" and correct < 1:
        errors.add(f"{where}.choices", "Mark at least one right choice.")


def _write_modules(course: Course, parsed: CourseFile) -> None:
    for position, module in enumerate(parsed.data["modules"], start=1):
        row = Module.objects.create(
            course=course,
            position=position,
            kind=module["kind"],
            title=module["title"],
            body=module.get("body", "") if module["kind"] == "lesson" else "",
        )
        for q_position, question in enumerate(module.get("questions") or [], start=1):
            q = Question.objects.create(
                module=row,
                position=q_position,
                key=question["key"],
                kind=question.get("kind", "single"),
                text=question["text"],
                explanation=question.get("explanation") or "",
            )
            Choice.objects.bulk_create(
                Choice(
                    question=q, position=c_position, text=c["text"], correct=bool(c.get("correct"))
                )
                for c_position, c in enumerate(question["choices"], start=1)
            )
    CourseImage.objects.bulk_create(
        CourseImage(
            course=course,
            name=name,
            content_type=content_type,
            data=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        for name, (content_type, content) in parsed.images.items()
    )


@transaction.atomic
def import_course(
    organization,
    raw: bytes | str,
    *,
    actor,
    replace: bool = False,
    source: str = Course.Source.IMPORTED,
) -> Course:
    """Create the course a file describes, or (with `replace`) replace the content of the
    course with its code, which only a course nobody has taken a quiz of allows."""
    require(actor, "add", Course, organization=organization)
    return _import(organization, parse_course(raw), actor=actor, replace=replace, source=source)


def _import(organization, parsed: CourseFile, *, actor, replace: bool, source: str) -> Course:
    data = parsed.data
    existing = Course.objects.filter(organization=organization, code=data["code"]).first()
    if existing is not None and not replace:
        raise Conflict(
            f"A course with the code {data['code']} exists; replace it or change the code.",
            code="duplicate",
        )
    fields = {
        "title": data["title"],
        "summary": data.get("summary") or "",
        "language": str(data.get("language") or "en")[:10],
        "validity_months": data.get("validity_months"),
        "source": source,
    }
    if existing is not None:
        reason = existing.record_reason()
        if reason:
            raise Conflict(
                f"The course cannot be replaced: {reason}. Import it under a new code.",
                code="is_record",
            )
        existing.modules.all().delete()
        existing.images.all().delete()
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.revision += 1
        existing.save()
        course = existing
        action = "update"
    else:
        course = Course.objects.create(organization=organization, code=data["code"], **fields)
        action = "create"
    _write_modules(course, parsed)
    record_activity(actor=actor, action=action, obj=course, message="imported from a course file")
    return course


def export_course(course: Course) -> str:
    """The course as one `pdca-course/1` file (what `import_course` reads back)."""
    modules = []
    for module in course.modules.prefetch_related("questions__choices"):
        item: dict[str, Any] = {"kind": module.kind, "title": module.title}
        if module.kind == Module.Kind.LESSON:
            item["body"] = module.body
        else:
            item["questions"] = [
                {
                    "key": q.key,
                    "kind": q.kind,
                    "text": q.text,
                    "choices": [
                        {"text": c.text, **({"correct": True} if c.correct else {})}
                        for c in q.choices.all()
                    ],
                    "explanation": q.explanation,
                }
                for q in module.questions.all()
            ]
        modules.append(item)
    data = {
        "format": COURSE_FORMAT,
        "code": course.code,
        "title": course.title,
        "summary": course.summary,
        "language": course.language,
        "validity_months": course.validity_months,
        "modules": modules,
        "images": {
            image.name: base64.b64encode(bytes(image.data)).decode("ascii")
            for image in course.images.all()
        },
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def shipped_course_files() -> dict[str, str]:
    """{code: file text} of the courses shipped with pdca."""
    folder = resources.files("pdca.people") / "content" / "courses"
    files = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            files[entry.name.removesuffix(".yaml")] = entry.read_text(encoding="utf-8")
    return files


def shipped_paths() -> list[dict[str, Any]]:
    text = (resources.files("pdca.people") / "content" / "paths.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if data.get("format") != PATHS_FORMAT:
        raise ValueError(f"paths.yaml is not {PATHS_FORMAT}")
    return list(data["paths"])


@transaction.atomic
def install_shipped_paths(
    organization, *, actor, progress: Callable[..., None] | None = None
) -> list[TrainingPath]:
    """Give `organization` the four paths written by the pdca project (awareness, internal
    auditor, lead implementer, lead auditor). Courses and paths it already has are kept as
    they are; run again after an upgrade to add what is new. `progress(done, total, message)`
    hears of each course (a job's progress, the CLI's bar)."""
    require(actor, "add", TrainingPath, organization=organization)
    courses = {c.code: c for c in Course.objects.filter(organization=organization)}
    files = shipped_course_files()
    for done, (code, text) in enumerate(files.items()):
        if progress is not None:
            progress(done, len(files) + 1, f"Course {code}")
        if code not in courses:
            courses[code] = _import(
                organization,
                parse_course(text),
                actor=actor,
                replace=False,
                source=Course.Source.SHIPPED,
            )
    if progress is not None:
        progress(len(files), len(files) + 1, "Paths")
    installed = []
    for spec in shipped_paths():
        path = TrainingPath.objects.filter(organization=organization, code=spec["code"]).first()
        if path is None:
            path = TrainingPath.objects.create(
                organization=organization,
                code=spec["code"],
                title=spec["title"],
                summary=spec.get("summary", ""),
                role=spec.get("role", ""),
                pass_mark=spec.get("pass_mark", 80),
                validity_months=spec.get("validity_months"),
                source=Course.Source.SHIPPED,
            )
            PathCourse.objects.bulk_create(
                PathCourse(path=path, course=courses[code], position=position)
                for position, code in enumerate(spec["courses"], start=1)
            )
            record_activity(
                actor=actor, action="create", obj=path, message="shipped path installed"
            )
        installed.append(path)
    return installed
