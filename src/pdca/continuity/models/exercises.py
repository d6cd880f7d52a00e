"""The exercise programme: exercises of continuity plans, their results and improvements."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Exercise(Archivable, OrgOwned, RequirementLinked):
    """One exercise of the programme (ISO 22301 8.5): a desk check, walkthrough, tabletop,
    simulation or live test of plans and activities, planned for a date with objectives and
    participants. Completing it records the results: the date it took place, whether the
    objectives were met, the recovery time measured against the activities' recovery time
    objective, and what was observed. A completed exercise is a record."""

    class Type(models.TextChoices):
        DESK_CHECK = "desk_check", "Desk check"
        WALKTHROUGH = "walkthrough", "Walkthrough"
        TABLETOP = "tabletop", "Tabletop"
        SIMULATION = "simulation", "Simulation"
        LIVE = "live", "Live or full"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Met(models.TextChoices):
        YES = "yes", "Met"
        PARTLY = "partly", "Partly met"
        NO = "no", "Not met"

    title = models.CharField(max_length=200)
    exercise_type = models.CharField("type", max_length=12, choices=Type.choices)
    planned_date = models.DateField()
    plans = models.ManyToManyField(
        "continuity.ContinuityPlan", blank=True, related_name="exercises"
    )
    activities = models.ManyToManyField(
        "continuity.BusinessImpactAnalysis",
        blank=True,
        related_name="exercises",
        verbose_name="activities",
    )
    scenario = models.TextField(blank=True)
    objectives = models.TextField(help_text="What the exercise must show")
    participants = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The results, written only by the complete and cancel steps.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    actual_date = models.DateField(null=True, blank=True, editable=False)
    objectives_met = models.CharField(max_length=8, choices=Met.choices, blank=True, editable=False)
    measured_recovery_hours = models.PositiveIntegerField(
        "measured recovery time (hours)", null=True, blank=True, editable=False
    )
    rto_target_hours = models.PositiveIntegerField(
        "recovery time objective (hours)",
        null=True,
        blank=True,
        editable=False,
        help_text="The shortest RTO of the activities exercised, when it was completed",
    )
    rto_achieved = models.BooleanField("RTO achieved", null=True, blank=True, editable=False)
    observations = models.TextField(blank=True, editable=False)

    record_type = "audit"

    class Meta:
        ordering = ["planned_date", "title"]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.status == self.Status.DONE:
            return "it took place and its results were recorded"
        return None

    def closed_reason(self) -> str | None:
        if self.status == self.Status.DONE:
            return "it took place; its results are a record"
        if self.status == self.Status.CANCELLED:
            return "it was cancelled"
        return None


class ExerciseImprovement(Archivable, OrgOwned):
    """Something an exercise showed should be better: what to do, who does it and by when.
    When it needs corrective action, it opens a nonconformity (once) and links to it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="improvements")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    nonconformity = models.ForeignKey(
        "improvement.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    record_type = "audit"

    class Meta:
        ordering = ["exercise", "due_date", "pk"]
        verbose_name = "exercise improvement"

    def __str__(self) -> str:
        return self.description

    def record_reason(self) -> str | None:
        if self.nonconformity_id is not None:
            return "it opened a nonconformity"
        if self.exercise.status == Exercise.Status.DONE:
            return "part of a completed exercise"
        return None
