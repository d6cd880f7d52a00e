"""Processes (clause 4.4) and the responsibilities matrix (clause 5.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Process(Archivable, OrgOwned, RequirementLinked):
    """A process of the management system (4.4): who owns it, why it exists, what goes in and
    comes out, which processes it hands its outputs to, what it needs and how it is measured.

    The hand-overs (`feeds`) draw the process map; the rest fills the process's turtle diagram.
    """

    record_type = "process"

    class Category(models.TextChoices):
        MANAGEMENT = "management", "Management"
        CORE = "core", "Core (operational)"
        SUPPORT = "support", "Support"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    code = models.CharField(max_length=20, help_text="Short reference, e.g. P-03")
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=12, choices=Category.choices, default=Category.CORE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_processes",
    )
    purpose = models.TextField(blank=True)
    inputs = models.TextField(blank=True, help_text="What the process receives, one per line")
    outputs = models.TextField(blank=True, help_text="What it delivers, one per line")
    resources = models.TextField(blank=True, help_text="With what: equipment, systems, materials")
    competence = models.TextField(blank=True, help_text="With whom: roles and competence needed")
    methods = models.TextField(blank=True, help_text="How: procedures, methods, instructions")
    kpis = models.TextField(blank=True, help_text="How measured: indicators, one per line")
    feeds = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="fed_by",
        help_text="Processes that receive this process's outputs",
    )
    sites = models.ManyToManyField("tenancy.Site", blank=True, related_name="+")

    class Meta:
        ordering = ["organization", "code"]
        verbose_name_plural = "processes"
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="process_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Responsibility(Archivable, OrgOwned, RequirementLinked):
    """One row of the RACI matrix (5.3): an activity or decision, and who is responsible,
    accountable, consulted and informed for it (its `assignments`)."""

    record_type = "process"

    activity = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    process = models.ForeignKey(
        Process, null=True, blank=True, on_delete=models.SET_NULL, related_name="responsibilities"
    )

    class Meta:
        ordering = ["organization", "activity"]
        verbose_name_plural = "responsibilities"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "activity"], name="responsibility_activity_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.activity


class RaciAssignment(OrgOwned):
    """One cell of the RACI matrix: a party (a named role such as "Quality manager", or a
    person) and the letter it holds for one responsibility."""

    class Letter(models.TextChoices):
        RESPONSIBLE = "R", "Responsible"
        ACCOUNTABLE = "A", "Accountable"
        CONSULTED = "C", "Consulted"
        INFORMED = "I", "Informed"

    responsibility = models.ForeignKey(
        Responsibility, on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    letter = models.CharField(max_length=1, choices=Letter.choices)

    class Meta:
        ordering = ["responsibility", "role", "user"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(user__isnull=False))
                | (~Q(role="") & Q(user__isnull=True)),
                name="raci_party_is_role_or_person",
            ),
            models.UniqueConstraint(
                fields=["responsibility", "role"],
                condition=Q(user__isnull=True),
                name="raci_role_once",
            ),
            models.UniqueConstraint(
                fields=["responsibility", "user"],
                condition=Q(user__isnull=False),
                name="raci_person_once",
            ),
        ]

    def __str__(self) -> str:
        party = self.role or (self.user.get_full_name() if self.user else "")
        return f"{self.letter}: {party}"
