"""Taking training: assignments with due dates, each person's enrolment in a path with where
they stopped, lessons read and quiz attempts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from pdca.core.models import Archivable, OrgOwned
from pdca.people.models.audience import Audience


class Assignment(Audience, Archivable, OrgOwned):
    """A training path (or another competence action: shadowing, a course elsewhere) assigned,
    with a due date and someone who follows it up, to one person or to everyone a role,
    position, team or site covers (people who join later are covered too). A gap in the
    competence matrix becomes one."""

    record_type = "training"

    path = models.ForeignKey(
        "people.TrainingPath",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    action = models.CharField(
        max_length=300, blank=True, help_text="What is to be done, when it is not a path"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="One person; empty: the role, position, team and site below",
    )
    due_date = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who follows it up",
    )
    campaign = models.ForeignKey(
        "people.AwarenessCampaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        editable=False,
    )
    requirement = models.ForeignKey(
        "people.CompetenceRequirement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        help_text="The competence gap it closes",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["organization", "due_date"]

    def __str__(self) -> str:
        who = str(self.person) if self.person_id else self.audience_label
        return f"{self.path or self.action} for {who}"

    @property
    def title(self) -> str:
        return str(self)

    def covers(self, membership) -> bool:
        if self.person_id:
            return membership.user_id == self.person_id
        return super().covers(membership)

    def record_reason(self) -> str | None:
        if self.campaign_id:
            return "it belongs to a launched awareness campaign"
        return None


class Enrolment(OrgOwned):
    """A person taking a path: when they started, which step they are at, and when they passed
    (which creates their training record). A new enrolment starts a retake after expiry."""

    record_type = "training"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    path = models.ForeignKey(
        "people.TrainingPath", on_delete=models.PROTECT, related_name="enrolments"
    )
    started_at = models.DateTimeField()
    last_module = models.ForeignKey(
        "people.Module",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where the person stopped",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    record = models.OneToOneField(
        "people.TrainingRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolment",
    )

    class Meta:
        ordering = ["organization", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "path"],
                condition=Q(completed_at__isnull=True),
                name="one_open_enrolment_per_path",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.path}"

    def record_reason(self) -> str | None:
        return "it is completed" if self.completed_at else None

    def closed_reason(self) -> str | None:
        return "it is completed" if self.completed_at else None


class ModuleCompletion(models.Model):
    """A lesson read or a quiz passed, within an enrolment."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    module = models.ForeignKey("people.Module", on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module"], name="module_done_once"),
        ]

    def __str__(self) -> str:
        return f"{self.module} done"


class QuizAttempt(OrgOwned):
    """One submission of a quiz: the answers given, the score and whether it passed."""

    record_type = "training"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attempts")
    module = models.ForeignKey("people.Module", on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    #: {question key: [chosen choice positions]}
    answers = models.JSONField(default=dict)
    correct_count = models.PositiveSmallIntegerField()
    question_count = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(help_text="Percent")
    pass_mark = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["enrolment", "module", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module", "number"], name="attempt_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} attempt {self.number}: {self.score} %"

    def record_reason(self) -> str | None:
        return "it is a submitted answer"

    def closed_reason(self) -> str | None:
        return "it is a submitted answer"
