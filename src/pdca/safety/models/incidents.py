"""Incidents (45001 10.2): injuries, ill health, near misses and dangerous occurrences."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked
from pdca.safety.models.hazards import Hazard


class Incident(Archivable, OrgOwned, RequirementLinked):
    """Something that happened at work and hurt someone, made someone ill, or could have (a
    near miss, a dangerous occurrence). Any member reports one; it is investigated (root
    cause, contributing factors, findings) and, when corrective action is needed, opens a
    nonconformity. Once closed it is a record and no longer changes."""

    record_type = "nonconformity"

    class Kind(models.TextChoices):
        INJURY = "injury", "Injury"
        ILL_HEALTH = "ill_health", "Ill health"
        NEAR_MISS = "near_miss", "Near miss"
        DANGEROUS_OCCURRENCE = "dangerous", "Dangerous occurrence"

    class Severity(models.TextChoices):
        NONE = "none", "No injury"
        FIRST_AID = "first_aid", "First aid"
        MEDICAL = "medical", "Medical treatment"
        LOST_TIME = "lost_time", "Lost time"
        MAJOR = "major", "Major injury or ill health"
        FATALITY = "fatality", "Fatality"

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported"
        INVESTIGATING = "investigating", "Under investigation"
        CLOSED = "closed", "Closed"

    reference = models.CharField(
        max_length=20, blank=True, help_text="Given when left empty, e.g. INC-2026-004"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField("when it happened")
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(max_length=200, blank=True, help_text="Where on the site")
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    involved_employees = models.BooleanField("employees involved", default=False)
    involved_contractors = models.BooleanField("contractors involved", default=False)
    involved_visitors = models.BooleanField("visitors involved", default=False)
    involved_public = models.BooleanField("members of the public involved", default=False)
    people_involved = models.TextField(blank=True, help_text="Names or roles of those involved")
    description = models.TextField("what happened")
    immediate_actions = models.TextField(blank=True, help_text="What was done straight away")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.NONE)
    days_lost = models.PositiveIntegerField(default=0)
    hazards = models.ManyToManyField(
        Hazard, blank=True, related_name="incidents", help_text="The hazards concerned"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=14, choices=Status.choices, default=Status.REPORTED, editable=False
    )
    # The investigation, recorded through `investigate_incident` only.
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    investigated_on = models.DateField(null=True, blank=True, editable=False)
    root_cause = models.TextField(blank=True, editable=False)
    contributing_factors = models.TextField(blank=True, editable=False)
    findings = models.TextField(blank=True, editable=False)
    action_needed = models.BooleanField(
        "corrective action needed", null=True, blank=True, editable=False
    )
    nonconformity = models.ForeignKey(
        "improvement.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organization", "-occurred_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="incident_reference_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    def record_reason(self) -> str | None:
        return "it is closed" if self.status == self.Status.CLOSED else None

    def closed_reason(self) -> str | None:
        return "the incident is closed" if self.status == self.Status.CLOSED else None
