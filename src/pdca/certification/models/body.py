"""The certification body itself: its accreditation, its terms and its certificate look."""

from __future__ import annotations

import datetime as dt

from django.db import models

from pdca.core.models import Archivable, OrgOwned


class CertificationBodyProfile(OrgOwned):
    """What makes an organization a certification body: who accredits it and under which
    number, its own deadlines for clients' answers to findings, how long a suspension may
    last, and what its certificates look like (number prefix, logo, signatory)."""

    accreditation_body = models.CharField(max_length=200, blank=True, help_text="e.g. UKAS, DAkkS")
    accreditation_number = models.CharField(max_length=60, blank=True)
    address = models.TextField(blank=True, help_text="Printed on certificates")
    certificate_prefix = models.CharField(
        max_length=12, default="CERT", help_text="Certificate numbers start with it, e.g. NB"
    )
    major_response_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days after the audit for a major's correction, cause and plan"
    )
    major_closure_days = models.PositiveSmallIntegerField(
        default=90, help_text="Days after the audit for a major's actions to be verified"
    )
    minor_response_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days after the audit for a minor's plan"
    )
    suspension_limit_months = models.PositiveSmallIntegerField(
        default=6, help_text="Months a suspension may last before withdrawal (six at most)"
    )
    logo = models.ForeignKey(
        "documents.EvidenceFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signatory_name = models.CharField(max_length=200, blank=True)
    signatory_title = models.CharField(max_length=200, blank=True)
    signature = models.ForeignKey(
        "documents.EvidenceFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_register = models.BooleanField(
        default=True, help_text="List the certificates on the public register"
    )

    class Meta:
        verbose_name = "certification body profile"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="cb_profile_one_per_org")
        ]

    def __str__(self) -> str:
        return f"Certification body profile of {self.organization}"


class AccreditedScope(Archivable, OrgOwned):
    """A standard (and the sectors or technical areas, e.g. IAF codes) the certification body
    is accredited to certify, between two dates. A certificate is accredited only when a
    scope covers its standards and sectors on the decision date."""

    record_type = "certification"

    standard = models.ForeignKey("standards.Standard", on_delete=models.PROTECT, related_name="+")
    sector_codes = models.CharField(
        max_length=300,
        blank=True,
        help_text="IAF codes or technical areas, comma separated; empty covers every sector",
    )
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="Empty: until withdrawn")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["organization", "standard", "-valid_from"]
        verbose_name = "accredited scope"

    def __str__(self) -> str:
        sectors = f" ({self.sector_codes})" if self.sector_codes else ""
        return f"{self.standard}{sectors}"

    @property
    def title(self) -> str:
        return str(self)

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)
