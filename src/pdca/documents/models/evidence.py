"""The evidence store: uploaded files, kept once per content (SHA-256)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class EvidenceFile(OrgOwned):
    """A file an organization uploaded: a document's content, an audit's evidence, a record.

    The bytes are stored once under their SHA-256 (`evidence/ab/abcdef…`), whoever uploads
    them and however often; this row says which organization holds the file, under which name,
    who uploaded it and when. `pdca verify-evidence` re-hashes the stored bytes against
    `sha256` to find missing or altered files.
    """

    record_type = "document"

    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120, help_text="Detected from the content")
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(max_length=300, blank=True)

    #: Set by `store_evidence` on the row it returns: whether the upload added it (not a field).
    created: bool

    class Meta:
        ordering = ["organization", "-created_at"]
        verbose_name = "evidence file"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sha256"], name="evidence_once_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def storage_name(self) -> str:
        return f"evidence/{self.sha256[:2]}/{self.sha256}"

    def record_reason(self) -> str | None:
        from pdca.core.records.rules import first_link

        link = first_link(self)
        return f"it is linked as evidence from {link}" if link else None
