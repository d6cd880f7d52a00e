"""Certificates and every change of their status."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class Certificate(OrgOwned):
    """A certificate issued to a client: its number, standards and editions, scope and sites,
    dates, whether it is accredited (and by whom), and its status, which changes only through
    recorded transitions (suspended, withdrawn, expired, renewed, scope reduced, transferred to
    a new edition) with a reason and date. Anyone may verify it by its number."""

    record_type = "certification"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"
        RENEWED = "renewed", "Renewed"
        SCOPE_REDUCED = "scope_reduced", "Active, scope reduced"

    number = models.CharField(max_length=40, unique=True)
    client = models.ForeignKey(
        "certification.Client", on_delete=models.PROTECT, related_name="certificates"
    )
    cycle = models.ForeignKey(
        "certification.CertificationCycle", on_delete=models.PROTECT, related_name="certificates"
    )
    standards = models.ManyToManyField("standards.Standard", related_name="+")
    scope = models.TextField()
    sites = models.ManyToManyField("certification.ClientSite", blank=True, related_name="+")
    client_name = models.CharField(max_length=200, help_text="As printed")
    issued_on = models.DateField()
    original_issued_on = models.DateField(help_text="First certification of the client")
    expires_on = models.DateField()
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField()
    status_reason = models.CharField(max_length=500, blank=True)
    accredited = models.BooleanField(default=False)
    accreditation_body = models.CharField(max_length=200, blank=True)
    accreditation_number = models.CharField(max_length=60, blank=True)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal",
        help_text="The certificate this one renews",
    )

    class Meta:
        ordering = ["organization", "-issued_on", "number"]
        indexes = [
            models.Index(fields=["organization", "status"], name="certificate_org_status"),
            models.Index(fields=["organization", "expires_on"], name="certificate_org_expiry"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def title(self) -> str:
        return f"{self.number} {self.client_name}"

    @property
    def is_valid(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.SCOPE_REDUCED)

    def record_reason(self) -> str:
        return "it is an issued certificate"


class CertificateEvent(OrgOwned):
    """One change of a certificate's status (or scope, or its transfer to a new edition of a
    standard, with the editions before and after): from what, to what, when, why, by whom. The
    certificate's history; the public page shows the current status and its date."""

    record_type = "certification"

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14, choices=Certificate.Status.choices)
    on = models.DateField()
    reason = models.CharField(max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    standards_from = models.JSONField(
        default=list, blank=True, help_text="A transfer: the codes of the editions before it"
    )
    standards_to = models.JSONField(
        default=list, blank=True, help_text="A transfer: the codes of the editions after it"
    )

    class Meta:
        ordering = ["certificate", "on", "id"]
        verbose_name = "certificate event"

    def __str__(self) -> str:
        return f"{self.certificate}: {self.from_status or 'issued'} → {self.to_status}"

    def record_reason(self) -> str:
        return "it is part of a certificate's history"
