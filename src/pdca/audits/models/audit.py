"""An audit, its team, its plan and its opening and closing meetings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import Archivable, OrgOwned


class Audit(Archivable, OrgOwned):
    """One audit (internal, supplier or certification): its standards (several for an
    integrated audit), scope, objectives and criteria, sites and processes, dates, team and
    auditees, and where it stands: planned, prepared, in progress, reporting, report issued,
    closed."""

    record_type = "audit"

    class Type(models.TextChoices):
        INTERNAL = "internal", "Internal audit"
        SUPPLIER = "supplier", "Supplier audit"
        STAGE1 = "stage1", "Stage 1"
        STAGE2 = "stage2", "Stage 2"
        SURVEILLANCE = "surveillance", "Surveillance"
        RECERTIFICATION = "recertification", "Recertification"
        SPECIAL = "special", "Special audit"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        PREPARED = "prepared", "Prepared"
        IN_PROGRESS = "in_progress", "In progress"
        REPORTING = "reporting", "Reporting"
        REPORT_ISSUED = "report_issued", "Report issued"
        CLOSED = "closed", "Closed"

    class Recommendation(models.TextChoices):
        GRANT = "grant", "Recommended for certification"
        AFTER_CLOSURE = "after_closure", "Recommended once nonconformities are closed"
        NOT_RECOMMENDED = "not_recommended", "Not recommended"

    programme = models.ForeignKey(
        "audits.AuditProgramme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audits",
    )
    reference = models.CharField(max_length=30, blank=True, help_text="e.g. IA-2026-03")
    title = models.CharField(max_length=200)
    audit_type = models.CharField(
        "type", max_length=16, choices=Type.choices, default=Type.INTERNAL
    )
    standards = models.ManyToManyField("standards.Standard", blank=True, related_name="+")
    scope = models.TextField(blank=True)
    objectives = models.TextField(blank=True)
    criteria = models.TextField(
        blank=True, help_text="The standards, policies and procedures audited against"
    )
    sites = models.ManyToManyField("tenancy.Site", blank=True, related_name="+")
    processes = models.ManyToManyField("system.Process", blank=True, related_name="audits")
    requirements = models.ManyToManyField(
        "standards.Requirement", blank=True, related_name="+", help_text="Requirements in scope"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    auditees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField(blank=True)
    conclusion = models.TextField(blank=True)
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices, blank=True)

    class Meta:
        ordering = ["organization", "-start_date"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    @property
    def report_frozen(self) -> bool:
        """Once the report is issued, its findings and working papers stay as they are until
        a new revision is started."""
        return self.status in (self.Status.REPORT_ISSUED, self.Status.CLOSED)

    def record_reason(self) -> str | None:
        if self.status in (self.Status.REPORT_ISSUED, self.Status.CLOSED):
            state = "issued" if self.status == self.Status.REPORT_ISSUED else "closed"
            return f"its report is {state}"
        return None

    def closed_reason(self) -> str | None:
        return "the audit is closed" if self.status == self.Status.CLOSED else None


class AuditTeamMember(OrgOwned):
    """A person on an audit's team, in one role."""

    record_type = "audit"

    class Role(models.TextChoices):
        LEAD = "lead", "Lead auditor"
        AUDITOR = "auditor", "Auditor"
        EXPERT = "expert", "Technical expert"
        OBSERVER = "observer", "Observer"
        GUIDE = "guide", "Guide"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AUDITOR)

    class Meta:
        ordering = ["audit", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "user"], name="team_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def record_reason(self) -> str | None:
        return "its audit's report is issued" if self.audit.report_frozen else None


class AuditPlanItem(OrgOwned):
    """One slot of the audit plan: when, where, what (a process or requirements), who audits
    and who is audited."""

    record_type = "audit"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="plan_items")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    process = models.ForeignKey(
        "system.Process", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requirements = models.ManyToManyField("standards.Requirement", blank=True, related_name="+")
    activity = models.CharField(max_length=200, help_text="e.g. Opening meeting, Production")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    auditee = models.CharField(max_length=200, blank=True, help_text="Person or role met")

    class Meta:
        ordering = ["audit", "starts_at"]
        verbose_name = "audit plan item"

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.activity}"

    def record_reason(self) -> str | None:
        return "its audit's report is issued" if self.audit.report_frozen else None


class AuditMeeting(OrgOwned):
    """The record of an audit's opening or closing meeting: who attended, what was said."""

    record_type = "audit"

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening meeting"
        CLOSING = "closing", "Closing meeting"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    held_at = models.DateTimeField()
    attendees = models.TextField(help_text="One person per line, with their role")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["audit", "held_at"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "kind"], name="one_meeting_of_each_kind"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def record_reason(self) -> str | None:
        return "its audit's report is issued" if self.audit.report_frozen else None
