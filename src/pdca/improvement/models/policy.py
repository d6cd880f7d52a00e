"""The organization's corrective-action policy and its certification bodies' deadlines."""

from __future__ import annotations

from django.db import models

from pdca.core.models import Archivable, OrgOwned


class CapaPolicy(OrgOwned):
    """How long a nonconformity may take, and how long to wait after its actions are
    implemented before checking that they worked, by severity (one per organization)."""

    major_due_days = models.PositiveSmallIntegerField(
        default=60, help_text="Days from triage to closure for a major nonconformity"
    )
    minor_due_days = models.PositiveSmallIntegerField(
        default=90, help_text="Days from triage to closure for a minor nonconformity"
    )
    major_wait_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days after implementation before a major's effectiveness check"
    )
    minor_wait_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after implementation before a minor's effectiveness check"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="capa_policy_one_per_org")
        ]

    def __str__(self) -> str:
        return "Corrective-action policy"

    def wait_days(self, severity: str) -> int:
        return self.major_wait_days if severity == "major" else self.minor_wait_days

    def due_days(self, severity: str) -> int:
        return self.major_due_days if severity == "major" else self.minor_due_days


class CertificationTerms(Archivable, OrgOwned):
    """A certification body's deadlines for answering its findings, counted from the last day
    of the audit: for a major, the correction, cause and action plan, then the corrective
    action verified (before the certification decision); for a minor, an accepted plan."""

    record_type = "terms"

    name = models.CharField(max_length=200, help_text="The certification body")
    is_default = models.BooleanField(
        default=False, help_text="Applied to certification findings unless another is chosen"
    )
    major_response_days = models.PositiveSmallIntegerField(default=30)
    major_closure_days = models.PositiveSmallIntegerField(default=90)
    minor_response_days = models.PositiveSmallIntegerField(default=30)
    minor_closure_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Blank: verified at the next audit"
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days overdue before top management is alerted"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = "certification body terms"
        verbose_name_plural = "certification body terms"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="cert_terms_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
