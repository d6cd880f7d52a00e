"""The certification body's clients, their sites, and its people's declared conflicts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned


class Client(Archivable, OrgOwned):
    """An organization the certification body certifies, whether or not it uses pdca: its
    legal entity, contact, sectors (IAF codes), the certifications it already holds, and where
    it comes from when it transfers from another certification body."""

    record_type = "certification"

    reference = models.CharField(
        max_length=30, blank=True, help_text="e.g. C-0042; numbered C-0001… when left empty"
    )
    name = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=200, blank=True)
    registration_number = models.CharField(max_length=60, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code")
    address = models.TextField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    sector_codes = models.CharField(
        max_length=300, blank=True, help_text="IAF codes or technical areas, comma separated"
    )
    existing_certifications = models.TextField(
        blank=True, help_text="Certificates held today: standard, body, number, expiry"
    )
    transferred_from = models.CharField(
        max_length=200, blank=True, help_text="The certification body it transfers from"
    )
    transfer_notes = models.TextField(
        blank=True, help_text="The transfer review: certificate, last audit, open findings"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who looks after the client",
    )

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="client_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        return self.name


class ClientSite(Archivable, OrgOwned):
    """A location of a client: its central function or another site, with its headcount and
    activities (audit time and multi-site sampling read them)."""

    record_type = "certification"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code")
    is_central = models.BooleanField(
        default=False, help_text="The central function (head office) of a multi-site client"
    )
    headcount = models.PositiveIntegerField(null=True, blank=True)
    activities = models.TextField(blank=True)

    class Meta:
        ordering = ["organization", "client", "-is_central", "name"]
        verbose_name = "client site"
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="client_site_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.name}"

    @property
    def title(self) -> str:
        return str(self)

    def record_reason(self) -> str | None:
        from pdca.certification.models.certificates import Certificate
        from pdca.certification.models.cycles import CertificationCycle

        if Certificate.objects.filter(sites=self).exists():
            return "a certificate names it"
        if CertificationCycle.objects.filter(sites=self).exists():
            return "a certification cycle covers it"
        return None


class ConflictOfInterest(Archivable, OrgOwned):
    """A declared tie between one of the certification body's people and a client: a personal
    relationship, consultancy to it, having implemented its management system, or employment
    there. Team selection refuses a conflicted person with the reason (17021-1 5.2)."""

    record_type = "certification"

    class Kind(models.TextChoices):
        RELATIONSHIP = "relationship", "Declared relationship"
        CONSULTANCY = "consultancy", "Consultancy to the client"
        IMPLEMENTED = "implemented", "Implemented its management system"
        EMPLOYMENT = "employment", "Employment by the client"
        OTHER = "other", "Other interest"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="conflicts")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.TextField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True, help_text="Empty: still going on")
    declared_on = models.DateField()

    class Meta:
        ordering = ["organization", "client", "person"]
        verbose_name = "conflict of interest"
        verbose_name_plural = "conflicts of interest"

    def __str__(self) -> str:
        return f"{self.person} – {self.client}: {self.get_kind_display()}"

    @property
    def title(self) -> str:
        return str(self)
