"""Courses and training paths: our own shipped content and each organization's own."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pdca.core.models import Archivable, OrgOwned
from pdca.core.roles import Role


class Course(Archivable, OrgOwned):
    """A course: lessons to read and quizzes to pass, in order. Shipped courses are written by
    the pdca project in its own words; an organization writes its own (a procedure's
    induction) or imports one from a course file."""

    record_type = "training"

    class Source(models.TextChoices):
        SHIPPED = "shipped", "Shipped with pdca"
        OWN = "own", "Written here"
        IMPORTED = "imported", "Imported"

    code = models.SlugField(
        max_length=60, help_text="Short unique reference, e.g. awareness-basics"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, help_text="What a learner will be able to do")
    language = models.CharField(max_length=10, default="en")
    validity_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(240)],
        help_text="How long a pass counts before a refresher; empty: no expiry",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OWN)
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["organization", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="course_code_once"),
        ]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        from pdca.people.models.learning import ModuleCompletion, QuizAttempt

        if QuizAttempt.objects.filter(module__course=self).exists():
            return "people have taken its quizzes"
        # A lesson read is kept against its module (PROTECT): the modules must stay.
        if ModuleCompletion.objects.filter(module__course=self).exists():
            return "people have read its lessons"
        return None


class Module(models.Model):
    """One step of a course: a lesson (Markdown, with images) or a quiz."""

    class Kind(models.TextChoices):
        LESSON = "lesson", "Lesson"
        QUIZ = "quiz", "Quiz"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=6, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown; images as ![text](image:name.png)")

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="module_position_once"),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A quiz question: one right answer (single) or several (multiple), and why."""

    class Kind(models.TextChoices):
        SINGLE = "single", "One answer"
        MULTIPLE = "multiple", "Several answers"

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=80, help_text="Stable reference across imports")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField()
    explanation = models.TextField(blank=True)

    class Meta:
        ordering = ["module", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "position"], name="question_position_once"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "position"]

    def __str__(self) -> str:
        return self.text


class CourseImage(models.Model):
    """An image a lesson shows (PNG, JPEG, GIF or WebP; small, so kept with the course and
    exported inside the course file)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="images")
    name = models.CharField(max_length=100)
    content_type = models.CharField(max_length=40)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["course", "name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="course_image_once"),
        ]

    def __str__(self) -> str:
        return self.name


class TrainingPath(Archivable, OrgOwned):
    """An ordered set of courses for a role, with the mark every quiz must reach. Passing the
    path creates the person's training record."""

    record_type = "training"

    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    role = models.CharField(
        max_length=40, choices=Role.choices, blank=True, help_text="The role it is meant for"
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percent every quiz of the path must reach",
    )
    validity_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(240)],
        help_text="How long a pass counts; empty: no expiry",
    )
    source = models.CharField(
        max_length=10, choices=Course.Source.choices, default=Course.Source.OWN
    )
    courses: models.ManyToManyField[Course, PathCourse] = models.ManyToManyField(
        Course, through="PathCourse", related_name="paths"
    )

    class Meta:
        ordering = ["organization", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="path_code_once"),
        ]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        from pdca.people.models.learning import Enrolment

        if Enrolment.objects.filter(path=self).exists():
            return "people have started it"
        return None


class PathCourse(models.Model):
    path = models.ForeignKey(TrainingPath, on_delete=models.CASCADE, related_name="steps")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="path_steps")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["path", "course"], name="path_course_once"),
        ]

    def __str__(self) -> str:
        return f"{self.path} / {self.course}"
