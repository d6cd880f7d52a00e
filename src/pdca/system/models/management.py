"""An organization's management system: the standards it adopts as one system, its scope,
sites and exclusions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class ManagementSystem(OrgOwned):
    """The set of standards an organization runs as one integrated system, with its scope
    statement, the sites it covers and its boundaries."""

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        IMPLEMENTING = "implementing", "Implementing"
        OPERATING = "operating", "Operating"
        CERTIFIED = "certified", "Certified"

    name = models.CharField(max_length=200)
    scope_statement = models.TextField(blank=True)
    boundaries = models.TextField(blank=True, help_text="What is in and out, and interfaces")
    sites = models.ManyToManyField("tenancy.Site", blank=True, related_name="systems")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_systems",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNING)
    certification_target_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="system_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AdoptedStandard(OrgOwned):
    """A standard the system follows; dropping it keeps the row (with the date) as history."""

    system = models.ForeignKey(ManagementSystem, on_delete=models.CASCADE, related_name="adoptions")
    standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="+")
    adopted_on = models.DateField()
    dropped_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["system", "standard__name"]
        constraints = [
            models.UniqueConstraint(fields=["system", "standard"], name="adoption_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.standard} in {self.system}"

    @property
    def active(self) -> bool:
        return self.dropped_on is None


class Exclusion(OrgOwned):
    """A requirement the system declares not applicable, with the justification an auditor
    will ask for."""

    system = models.ForeignKey(
        ManagementSystem, on_delete=models.CASCADE, related_name="exclusions"
    )
    requirement = models.ForeignKey(
        "standards.Requirement", on_delete=models.PROTECT, related_name="+"
    )
    justification = models.TextField()

    class Meta:
        ordering = ["system", "requirement__standard__name", "requirement__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["system", "requirement"], name="exclusion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.label} excluded"


class SystemTransition(OrgOwned):
    """The day a management system moved from an edition of a standard to the next (ISO
    14001:2015 to 2026): who carried it across and what moved. A record from the start: the
    old edition's items it left behind stay readable."""

    record_type = "assessment"

    system = models.ForeignKey(
        ManagementSystem, on_delete=models.CASCADE, related_name="transitions"
    )
    old_standard = models.ForeignKey(
        "standards.Standard", on_delete=models.PROTECT, related_name="+"
    )
    new_standard = models.ForeignKey(
        "standards.Standard", on_delete=models.PROTECT, related_name="+"
    )
    done_on = models.DateField()
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.JSONField(
        default=list, blank=True, help_text="Per carrier: key, title and counts per outcome"
    )

    class Meta:
        ordering = ["system", "-done_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "new_standard"], name="system_transition_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system}: {self.old_standard} to {self.new_standard}"

    def record_reason(self) -> str:
        return "it records a transition"
