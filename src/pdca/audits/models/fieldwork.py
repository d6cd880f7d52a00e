"""Fieldwork: the checklist of an audit, the evidence behind each answer, saved checklists."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class ChecklistItem(OrgOwned):
    """One question of an audit's checklist: a requirement in scope (a core requirement shared
    by several standards of an integrated audit appears once, tagged with each of them in
    `covers`) or a custom question, with the auditor's result and notes."""

    record_type = "audit"

    class Result(models.TextChoices):
        CONFORMING = "conforming", "Conforming"
        NONCONFORMITY = "nonconformity", "Nonconformity"
        OBSERVATION = "observation", "Observation"
        OFI = "ofi", "Opportunity for improvement"
        NOT_AUDITED = "not_audited", "Not audited"

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="checklist")
    requirement = models.ForeignKey(
        "standards.Requirement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    covers = models.ManyToManyField(
        "standards.Requirement",
        blank=True,
        related_name="+",
        help_text="Every requirement this item answers, across the audit's standards",
    )
    question = models.TextField()
    sort_key = models.CharField(max_length=80, db_index=True)
    result = models.CharField(max_length=14, choices=Result.choices, blank=True)
    notes = models.TextField(blank=True)
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["audit", "sort_key", "pk"]
        verbose_name = "checklist item"

    def __str__(self) -> str:
        return self.question[:80]

    def record_reason(self) -> str | None:
        return "its audit's report is issued" if self.audit.report_frozen else None


class EvidenceRecord(OrgOwned):
    """What an answer rests on: a document reviewed (the exact version), an interview, an
    observation, or a record sampled (with the sample size), optionally with a file."""

    record_type = "audit"

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Document reviewed"
        INTERVIEW = "interview", "Interview"
        OBSERVATION = "observation", "Observation"
        RECORD = "record", "Record sampled"

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.TextField()
    document_version = models.ForeignKey(
        "documents.DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interviewee = models.CharField(max_length=200, blank=True, help_text="Person or role")
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    file = models.ForeignKey(
        "documents.EvidenceFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["item", "created_at"]
        verbose_name = "evidence record"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"

    def record_reason(self) -> str | None:
        return "its audit's report is issued" if self.item.audit.report_frozen else None


class SavedChecklist(OrgOwned):
    """A checklist kept for reuse: its questions (with the requirement each answers, when
    any), to add to a later audit."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    #: [{"requirement": id or null, "question": text}, …]
    items = models.JSONField(default=list)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="saved_checklist_name"),
        ]

    def __str__(self) -> str:
        return self.name
