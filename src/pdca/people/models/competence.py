"""Competence (7.2 of every standard, ISO 19011 clause 7): what each role must know, and the
records that show who does."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from pdca.core.models import Archivable, OrgOwned, RequirementLinked
from pdca.people.models.audience import Audience


class CompetenceRequirement(Audience, Archivable, OrgOwned, RequirementLinked):
    """What people in a role, position, team or site must have: education, training,
    experience, a skill or a qualification, perhaps for one standard or process; whether it is
    mandatory; and how it is shown (a path passed, assessed on the job, experience logged, a
    qualification held)."""

    record_type = "training"

    class Kind(models.TextChoices):
        EDUCATION = "education", "Education"
        TRAINING = "training", "Training"
        EXPERIENCE = "experience", "Experience"
        SKILL = "skill", "Skill"
        QUALIFICATION = "qualification", "Qualification"
        AWARENESS = "awareness", "Awareness"

    class Evaluation(models.TextChoices):
        PATH_PASSED = "path_passed", "Training path passed"
        ASSESSED = "assessed", "Assessed on the job"
        EXPERIENCE = "experience", "Experience logged"
        QUALIFICATION = "qualification", "Qualification or certificate held"

    code = models.CharField(max_length=30, help_text="Short reference, e.g. CR-07")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.TRAINING)
    evaluation = models.CharField(
        "shown by", max_length=15, choices=Evaluation.choices, default=Evaluation.PATH_PASSED
    )
    path = models.ForeignKey(
        "people.TrainingPath",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requirements",
        help_text="Passing this path meets the requirement",
    )
    standard = models.ForeignKey(
        "standards.Standard",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Only where the requirement is for one standard",
    )
    process = models.ForeignKey(
        "system.Process",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The process it is needed for, where it matters",
    )
    mandatory = models.BooleanField(default=True)
    validity_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(240)],
        help_text="How long evidence counts; empty: as the path says, or no expiry",
    )
    min_experience_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For experience: months of experience logged"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who keeps this requirement current",
    )

    class Meta:
        ordering = ["organization", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="competence_requirement_code_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def record_reason(self) -> str | None:
        if self.records.exists():
            return "training records show competence against it"
        return None


class TrainingRecord(Archivable, OrgOwned):
    """Evidence of a person's competence (7.2 d): a training attended or passed, a
    qualification, an experience entry or audit logged, or an assessment on the job; with the
    provider, dates, result, certificate, expiry, the evidence file, and whether the action
    was effective (7.2 c). A certification body holds the same records for its auditors, per
    standard and technical area, among them the transition training an auditor needs for a new
    edition of a standard (kind `transition`, `standard` the new edition) before auditing it."""

    record_type = "training"

    class Kind(models.TextChoices):
        TRAINING = "training", "Training"
        QUALIFICATION = "qualification", "Qualification"
        EDUCATION = "education", "Education"
        EXPERIENCE = "experience", "Experience"
        AUDIT = "audit", "Audit logged"
        ASSESSMENT = "assessment", "Assessment on the job"
        TRANSITION = "transition", "Transition training"

    class Result(models.TextChoices):
        PLANNED = "planned", "Planned"
        PASSED = "passed", "Passed"
        ATTENDED = "attended", "Attended"
        FAILED = "failed", "Failed"

    class Effectiveness(models.TextChoices):
        NOT_EVALUATED = "not_evaluated", "Not evaluated"
        EFFECTIVE = "effective", "Effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"

    class AuditRole(models.TextChoices):
        OBSERVER = "observer", "Observer"
        AUDITOR = "auditor", "Auditor"
        LEAD = "lead", "Lead auditor"
        EXPERT = "expert", "Technical expert"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=13, choices=Kind.choices, default=Kind.TRAINING)
    title = models.CharField(max_length=200)
    requirement = models.ForeignKey(
        CompetenceRequirement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        help_text="The requirement it shows competence for",
    )
    path = models.ForeignKey(
        "people.TrainingPath", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    course = models.ForeignKey(
        "people.Course", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.CharField(max_length=200, blank=True)
    provider_recognized = models.BooleanField(
        "provider recognized", default=False, help_text="Recognized or accredited provider"
    )
    recognized_by = models.CharField(
        max_length=200, blank=True, help_text="Who recognizes or accredits the provider"
    )
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    result = models.CharField(max_length=8, choices=Result.choices, default=Result.PASSED)
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)], help_text="Percent"
    )
    certificate_number = models.CharField(max_length=100, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    evidence = models.ForeignKey(
        "documents.EvidenceFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    standard = models.ForeignKey(
        "standards.Standard", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    technical_area = models.CharField(
        max_length=100, blank=True, help_text="Sector or technical area, e.g. IAF 17"
    )
    audit_role = models.CharField(
        max_length=8, choices=AuditRole.choices, blank=True, help_text="For an audit logged"
    )
    audit_reference = models.CharField(max_length=100, blank=True)
    effectiveness = models.CharField(
        max_length=13, choices=Effectiveness.choices, default=Effectiveness.NOT_EVALUATED
    )
    effectiveness_notes = models.TextField(blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    evaluated_on = models.DateField(null=True, blank=True, editable=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["organization", "-completed_on", "person"]
        indexes = [models.Index(fields=["organization", "person"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.person})"

    def record_reason(self) -> str | None:
        if self.result != self.Result.PLANNED:
            return "it is evidence of competence"
        return None
