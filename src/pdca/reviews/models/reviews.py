"""Management review (clause 9.3): the meeting, the inputs compiled from the system's own data,
and the outputs (decisions and actions) that are followed up until the next review."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from pdca.core.models import Archivable, OrgOwned

#: Reviews are held at least this often unless the system says otherwise.
DEFAULT_INTERVAL_MONTHS = 12


class ReviewPlan(OrgOwned):
    """How often top management reviews one management system (twelve months unless set)."""

    system = models.OneToOneField(
        "system.ManagementSystem", on_delete=models.CASCADE, related_name="review_plan"
    )
    interval_months = models.PositiveSmallIntegerField(
        default=DEFAULT_INTERVAL_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="Months between two management reviews",
    )

    record_type = "review"

    def __str__(self) -> str:
        return f"Reviews of {self.system} every {self.interval_months} months"


class ManagementReview(Archivable, OrgOwned):
    """One management review meeting of a management system: its date, the date its data is
    compiled as of, the chair and attendees (top management among them), the agenda, the
    inputs compiled from the system's registers with top management's assessment of each, the
    conclusions and the outputs. It is planned, then held, then its minutes are approved:
    approved minutes are frozen (a copy of what was decided and its SHA-256) and are a record."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        APPROVED = "approved", "Minutes approved"
        CANCELLED = "cancelled", "Cancelled"

    system = models.ForeignKey(
        "system.ManagementSystem", on_delete=models.PROTECT, related_name="reviews"
    )
    title = models.CharField(max_length=200)
    meeting_date = models.DateField()
    data_as_of = models.DateField(
        "data as of",
        null=True,
        blank=True,
        help_text="The inputs are compiled from the registers as they stood on this date "
        "(the meeting date when empty)",
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A member of top management",
    )
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    other_attendees = models.TextField(
        blank=True, help_text="Guests and people without an account, one per line"
    )
    agenda = models.TextField(blank=True)
    conclusions = models.TextField(
        blank=True,
        help_text="Top management's conclusions on the system's continuing suitability, "
        "adequacy and effectiveness, and its alignment with the strategic direction",
    )
    # Written by the services only.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="The review before this one of the same system",
    )
    compiled_at = models.DateTimeField(null=True, blank=True, editable=False)
    held_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # The frozen copy is read through the minutes endpoint; editable (though no form has it)
    # so that the register's API does not publish it as a plain text field.
    minutes = models.JSONField(default=dict, blank=True)
    minutes_sha256 = models.CharField("minutes SHA-256", max_length=64, blank=True, editable=False)
    status_note = models.CharField(max_length=500, blank=True, editable=False)

    record_type = "review"
    # The frozen minutes are proven by their SHA-256, which the log keeps; a copy of them in
    # every approval entry would only bloat the log.
    activity_exclude = ("minutes",)

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        verbose_name = "management review"
        indexes = [models.Index(fields=["organization", "system", "meeting_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def as_of(self):
        return self.data_as_of or self.meeting_date

    @property
    def frozen(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.CANCELLED)

    def record_reason(self) -> str | None:
        if self.status == self.Status.APPROVED:
            return "its minutes are approved"
        if self.status == self.Status.HELD:
            return "it was held"
        return None

    def closed_reason(self) -> str | None:
        if self.status == self.Status.APPROVED:
            return "its minutes are approved and frozen"
        if self.status == self.Status.CANCELLED:
            return "it was cancelled"
        return None


class ReviewInput(OrgOwned):
    """One input of a review (9.3.2 and each adopted standard's own): the figures compiled from
    the registers as of the review's date, with links to them, and top management's written
    assessment."""

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="inputs")
    key = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    clauses = models.CharField(max_length=100, blank=True)
    standard_code = models.CharField(
        max_length=40, blank=True, help_text="The standard that asks for it (blank: all)"
    )
    figures = models.JSONField(default=dict, blank=True)
    compiled_at = models.DateTimeField(null=True, blank=True)
    assessment = models.TextField(blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    record_type = "review"

    class Meta:
        ordering = ["review", "position"]
        verbose_name = "review input"
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="review_input_once"),
        ]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        return self.review.record_reason()

    def closed_reason(self) -> str | None:
        return self.review.closed_reason()


class ReviewOutput(Archivable, OrgOwned):
    """A decision or action of a management review (9.3.3): an improvement, a change to the
    system, a need for resources, or an action with an owner and a due date. Outputs are
    followed up as tasks of their owners; the next review opens with their status. An
    improvement opens an improvement opportunity (source: management review)."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Decision"
        ACTION = "action", "Action"
        CHANGE = "change", "Need for change to the system"
        RESOURCE = "resource", "Need for resources"
        IMPROVEMENT = "improvement", "Opportunity for improvement"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="outputs")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ACTION)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_outputs",
    )
    due_date = models.DateField(null=True, blank=True)
    # Written by `services.transition_output` only.
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, editable=False
    )
    outcome = models.TextField(
        blank=True, editable=False, help_text="What was done, or why it was cancelled"
    )
    completed_on = models.DateField(null=True, blank=True, editable=False)
    opportunity = models.ForeignKey(
        "improvement.ImprovementOpportunity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    record_type = "review"

    class Meta:
        ordering = ["review", "due_date", "pk"]
        verbose_name = "review action"
        indexes = [models.Index(fields=["organization", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.review.status == ManagementReview.Status.APPROVED:
            return "it is part of approved minutes"
        return None

    def closed_reason(self) -> str | None:
        if self.status == self.Status.DONE:
            return "it is done"
        if self.status == self.Status.CANCELLED:
            return "it was cancelled"
        return None
