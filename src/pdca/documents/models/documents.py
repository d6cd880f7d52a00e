"""Documented information: documents and records, their codes and their versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class DocType(models.TextChoices):
    POLICY = "policy", "Policy"
    MANUAL = "manual", "Manual"
    PROCEDURE = "procedure", "Procedure"
    WORK_INSTRUCTION = "work_instruction", "Work instruction"
    FORM = "form", "Form or template"
    PLAN = "plan", "Plan"
    RECORD = "record", "Record"
    OTHER = "other", "Other"


class NumberingScheme(Archivable, OrgOwned):
    """How documents of one type are numbered in this organization: a prefix and a number of
    digits (`QP-001`), and the next number to give out."""

    record_type = "document"

    doc_type = models.CharField(max_length=20, choices=DocType.choices)
    prefix = models.CharField(max_length=12)
    digits = models.PositiveSmallIntegerField(default=3)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["organization", "doc_type"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "doc_type"], name="numbering_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{'0' * self.digits}"


class Document(Archivable, OrgOwned, RequirementLinked):
    """A piece of documented information: maintained (a policy, procedure, plan… kept up to
    date) or retained (a record of what was done). Its content lives in its versions; the
    published one is what people read. `requirements` says which mandatory documented
    information it provides."""

    record_type = "document"

    class Kind(models.TextChoices):
        MAINTAINED = "maintained", "Document (maintained)"
        RETAINED = "retained", "Record (retained)"

    class Classification(models.TextChoices):
        PUBLIC = "public", "Public"
        INTERNAL = "internal", "Internal"
        CONFIDENTIAL = "confidential", "Confidential"
        RESTRICTED = "restricted", "Restricted"

    code = models.CharField(
        max_length=30, blank=True, help_text="Left empty, the type's numbering scheme gives one"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MAINTAINED)
    doc_type = models.CharField(
        "type", max_length=20, choices=DocType.choices, default=DocType.PROCEDURE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_documents",
    )
    classification = models.CharField(
        max_length=12, choices=Classification.choices, default=Classification.INTERNAL
    )
    review_interval_months = models.PositiveSmallIntegerField(
        default=12, help_text="How often the owner reviews it (0: no periodic review)"
    )
    description = models.TextField(blank=True)
    sites = models.ManyToManyField("tenancy.Site", blank=True, related_name="+")
    processes = models.ManyToManyField("system.Process", blank=True, related_name="documents")
    #: Set when a version is published: the effective date plus the review interval.
    review_due = models.DateField(null=True, blank=True, editable=False)
    obsolete = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["organization", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="document_code_unique"),
        ]
        indexes = [models.Index(fields=["organization", "review_due"], name="document_review_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def state(self) -> str:
        """Where the document stands, from the list's annotations: "Published v3", "Draft v1"."""
        published = getattr(self, "published_number", None)
        latest = getattr(self, "latest_number", None)
        latest_status = getattr(self, "latest_status", None)
        if self.obsolete:
            return "Obsolete"
        if latest is None:
            return "No version yet"
        if published is not None and published == latest:
            return f"Published v{published}"
        label = DocumentVersion.Status(latest_status).label if latest_status else ""
        if published is not None:
            return f"Published v{published} · v{latest} {label.lower()}"
        return f"{label} v{latest}"

    def record_reason(self) -> str | None:
        if self.obsolete:
            return "it was made obsolete"
        kept = DocumentVersion.Status.DRAFT, DocumentVersion.Status.IN_REVIEW
        if self.pk and self.versions.exclude(status__in=kept).exists():
            return "a version of it was approved or published"
        return None


class DocumentVersion(OrgOwned):
    """One version of a document: its content (Markdown written in the browser, or an
    uploaded file), why it changed, and where it stands in the workflow: draft → in review →
    approved → published → superseded (by the next published version) or obsolete. Once
    published, a version is never changed or deleted."""

    record_type = "document"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"
        OBSOLETE = "obsolete", "Obsolete"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    content = models.TextField(blank=True, help_text="Markdown")
    file = models.ForeignKey(
        "documents.EvidenceFile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="versions",
    )
    change_summary = models.TextField(blank=True)
    effective_date = models.DateField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    #: SHA-256 of the content (or of the file) when approved: what was approved is what is
    #: published.
    content_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="published"),
                name="one_published_version",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="version_status_idx")]

    def __str__(self) -> str:
        return f"{self.document.code} v{self.number}"

    def record_reason(self) -> str | None:
        if self.status in (self.Status.DRAFT, self.Status.IN_REVIEW):
            return None
        return f"version {self.number} is {self.get_status_display().lower()}"
