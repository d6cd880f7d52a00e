"""Prerequisite programmes (PRPs) and their verifications."""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Frequency(models.TextChoices):
    """How often something is checked; `months` and `days` give the next due date."""

    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SIX_MONTHLY = "six_monthly", "Every six months"
    YEARLY = "yearly", "Yearly"


class PrerequisiteProgramme(Archivable, OrgOwned, RequirementLinked):
    """A prerequisite programme (PRP): the basic conditions and activities a site keeps up so
    that food is handled in a hygienic environment (cleaning and sanitation, pest control,
    personal hygiene, allergen management…). It names its site, category, owner, the documents
    that describe it, and how often it is verified; the next verification falls due that long
    after the last one (or after it started), and an overdue one shows in the list."""

    class Category(models.TextChoices):
        CLEANING = "cleaning", "Cleaning and sanitation"
        PEST_CONTROL = "pest_control", "Pest control"
        PERSONAL_HYGIENE = "personal_hygiene", "Personal hygiene and health"
        MAINTENANCE = "maintenance", "Maintenance and equipment"
        SUPPLIERS = "suppliers", "Supplier approval and purchased materials"
        ALLERGENS = "allergens", "Allergen management"
        WASTE = "waste", "Waste management"
        UTILITIES = "utilities", "Water, air and energy quality"
        STORAGE = "storage", "Storage and transport"
        PREMISES = "premises", "Premises, layout and workspace"
        TRAINING = "training", "Training and supervision"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200, help_text="e.g. Cleaning of mixing room equipment")
    site = models.ForeignKey(
        "tenancy.Site", on_delete=models.PROTECT, related_name="+", help_text="Where it applies"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField(blank=True, help_text="What is done, by whom and how")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    documents = models.ManyToManyField(
        "documents.Document",
        blank=True,
        related_name="+",
        help_text="Procedures, schedules and forms that describe it",
    )
    frequency = models.CharField(
        "verification frequency",
        max_length=12,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
    )
    started_on = models.DateField(
        null=True, blank=True, help_text="When it began: the first verification is due after it"
    )
    last_verified_on = models.DateField(null=True, blank=True, editable=False)
    next_due = models.DateField("next verification due", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name = "prerequisite programme"

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return self.next_due is not None and self.next_due < timezone.localdate()


class PrpVerification(OrgOwned):
    """One verification of a prerequisite programme: on which date, who verified it, whether
    what they found conforms, their notes and the evidence they looked at. A verification that
    does not conform opens a nonconformity, linked from here. A verification is a record from
    the moment it is made."""

    record_type = "risk"

    class Result(models.TextChoices):
        CONFORMING = "conforming", "Conforming"
        NOT_CONFORMING = "not_conforming", "Not conforming"

    programme = models.ForeignKey(
        PrerequisiteProgramme, on_delete=models.PROTECT, related_name="verifications"
    )
    verified_on = models.DateField()
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(max_length=20, choices=Result.choices)
    notes = models.TextField(blank=True)
    evidence = models.TextField(
        blank=True, help_text="What was looked at: records, swab results, photos, their references"
    )
    nonconformity = models.ForeignKey(
        "improvement.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-verified_on", "-pk"]
        verbose_name = "PRP verification"

    def __str__(self) -> str:
        return f"{self.programme} verified {self.verified_on:%Y-%m-%d}"

    def record_reason(self) -> str | None:
        return "a verification result is retained evidence of the programme"

    @property
    def conforming(self) -> bool:
        return self.result == self.Result.CONFORMING


def next_due(frequency: str, after: dt.date | None) -> dt.date | None:
    """The day a check repeating at `frequency` falls due after `after` (None without a start).

    Months count calendar months, clamped to the month's last day (31 Jan + 1 month = 28 Feb)."""
    if after is None:
        return None
    if frequency == Frequency.DAILY:
        return after + dt.timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        return after + dt.timedelta(days=7)
    months = {
        Frequency.MONTHLY: 1,
        Frequency.QUARTERLY: 3,
        Frequency.SIX_MONTHLY: 6,
        Frequency.YEARLY: 12,
    }.get(Frequency(frequency), 1)
    month_index = after.month - 1 + months
    year, month = after.year + month_index // 12, month_index % 12 + 1
    day = min(after.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)
