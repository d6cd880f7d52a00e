"""OH&S hazards (6.1.2) and the controls chosen for each (8.1.2)."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Hazard(Archivable, OrgOwned, RequirementLinked):
    """Something at work that could hurt someone (or, as an OH&S opportunity, a chance to make
    work safer), identified per activity and workplace: routine or not, what kind of hazard,
    who could be affected and what could happen. Its OH&S risk is scored before and after the
    controls on the organization's hazard scoring method; the method used is kept with it."""

    record_type = "risk"

    class Kind(models.TextChoices):
        HAZARD = "hazard", "Hazard"
        OPPORTUNITY = "opportunity", "OH&S opportunity"

    class Situation(models.TextChoices):
        ROUTINE = "routine", "Routine"
        NON_ROUTINE = "non_routine", "Non-routine"
        EMERGENCY = "emergency", "Emergency"

    class HazardType(models.TextChoices):
        MECHANICAL = "mechanical", "Mechanical"
        PHYSICAL = "physical", "Physical (noise, vibration, heat)"
        CHEMICAL = "chemical", "Chemical"
        BIOLOGICAL = "biological", "Biological"
        ERGONOMIC = "ergonomic", "Ergonomic"
        PSYCHOSOCIAL = "psychosocial", "Psychosocial"
        ELECTRICAL = "electrical", "Electrical"
        TRANSPORT = "transport", "Vehicles and mobile plant"
        HEIGHT = "height", "Work at height"
        FIRE = "fire", "Fire and explosion"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        ASSESSED = "assessed", "Assessed"
        CONTROLLED = "controlled", "Controlled"
        CLOSED = "closed", "Closed (no longer present)"

    code = models.CharField(
        max_length=20, blank=True, help_text="Short reference, e.g. HZ-004; given when left empty"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.HAZARD)
    activity = models.CharField(max_length=200, help_text="The work or task concerned")
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.CharField(max_length=200, blank=True, help_text="Where on the site")
    situation = models.CharField(
        max_length=12, choices=Situation.choices, default=Situation.ROUTINE
    )
    hazard_type = models.CharField(max_length=14, choices=HazardType.choices, blank=True)
    affects_employees = models.BooleanField("employees affected", default=False)
    affects_contractors = models.BooleanField("contractors affected", default=False)
    affects_visitors = models.BooleanField("visitors affected", default=False)
    affects_public = models.BooleanField("the public affected", default=False)
    harm = models.TextField("what could happen", blank=True)
    likelihood_before = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Likelihood level without the controls"
    )
    severity_before = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Severity level without the controls"
    )
    likelihood_after = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Likelihood level with the controls in place"
    )
    severity_after = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Severity level with the controls in place"
    )
    score_before = models.PositiveIntegerField(null=True, blank=True, editable=False)
    score_after = models.PositiveIntegerField(null=True, blank=True, editable=False)
    #: The method the scores were made with (labels, rule, acceptable level), as JSON text:
    #: the API shows it as it was stored.
    scored_with = models.TextField(blank=True, editable=False)
    higher_controls_justification = models.TextField(
        "why no higher-level control",
        blank=True,
        help_text="Needed when the best control is administrative or PPE: why elimination, "
        "substitution and engineering controls are not reasonably practicable",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDENTIFIED)

    class Meta:
        ordering = ["organization", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="hazard_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    @property
    def people_affected(self) -> str:
        names = [
            label
            for flag, label in (
                (self.affects_employees, "employees"),
                (self.affects_contractors, "contractors"),
                (self.affects_visitors, "visitors"),
                (self.affects_public, "the public"),
            )
            if flag
        ]
        return ", ".join(names)

    @property
    def method_snapshot(self) -> dict:
        """The method the hazard was scored with ({} when it is not scored)."""
        return json.loads(self.scored_with) if self.scored_with else {}

    @property
    def current_score(self) -> int | None:
        return self.score_after if self.score_after is not None else self.score_before

    def record_reason(self) -> str | None:
        if self.status == self.Status.CLOSED:
            return "it is closed"
        # An incident investigation relies on the hazard it names.
        if self.pk is not None and self.incidents.exists():
            return "an incident names it"
        return None


class HazardControl(Archivable, OrgOwned):
    """One measure that eliminates a hazard or reduces its risk, with its level in the
    hierarchy of controls (elimination, substitution, engineering, administrative, PPE), its
    status, owner and due date. A control considered and not adopted stays listed, with why."""

    record_type = "risk"

    class Level(models.TextChoices):
        ELIMINATION = "elimination", "Elimination"
        SUBSTITUTION = "substitution", "Substitution"
        ENGINEERING = "engineering", "Engineering control"
        ADMINISTRATIVE = "administrative", "Administrative (signage, procedures, training)"
        PPE = "ppe", "Personal protective equipment"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PLACE = "in_place", "In place"
        NOT_ADOPTED = "not_adopted", "Considered, not adopted"

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="controls")
    title = models.CharField("control", max_length=200)
    level = models.CharField(max_length=14, choices=Level.choices)
    #: Position of `level` in the hierarchy (1 = elimination), kept for sorting.
    rank = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The procedure or instruction that describes the control",
    )
    notes = models.TextField(
        blank=True, help_text="How it works or is checked; for one not adopted, why not"
    )

    class Meta:
        ordering = ["hazard", "rank", "pk"]

    def __str__(self) -> str:
        return self.title
