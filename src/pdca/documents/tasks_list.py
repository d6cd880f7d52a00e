"""What a person has to do about documents: review the documents they own when their review
date has passed or is near, decide on versions waiting for their approval, and read and
acknowledge the published versions they were asked to read.

Three queries, however many tasks there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pdca.core.permissions import may, scope
from pdca.documents.models import Acknowledgement, Approval, Document, DocumentVersion

#: A review this close (or closer) shows on the owner's list.
REVIEW_NOTICE_DAYS = 30

REVIEW, APPROVE, ACKNOWLEDGE = "review", "approve", "acknowledge"
KIND_LABELS = {REVIEW: "Review", APPROVE: "Approve", ACKNOWLEDGE: "Read and acknowledge"}


@dataclass(frozen=True)
class Task:
    """One thing to do about a document."""

    kind: str
    document_id: int
    code: str
    title: str
    url: str
    due: dt.date | None
    overdue: bool
    version_id: int | None = None
    version_number: int | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def _document_url(document_id: int) -> str:
    return reverse("documents:documents-detail", args=[document_id])


def _version_url(version_id: int, document_id: int) -> str:
    # The version page when it exists; the document's page (listing its versions) otherwise.
    try:
        return reverse("documents:version-detail", args=[version_id])
    except NoReverseMatch:
        return _document_url(document_id)


def _reviews(user, organization, today: dt.date) -> list[Task]:
    horizon = today + dt.timedelta(days=REVIEW_NOTICE_DAYS)
    documents = scope(
        Document.objects.filter(
            organization=organization,
            owner=user,
            obsolete=False,
            review_due__isnull=False,
            review_due__lte=horizon,
        ),
        user,
    ).only("id", "code", "title", "review_due")
    return [
        Task(
            REVIEW,
            doc.pk,
            doc.code,
            doc.title,
            _document_url(doc.pk),
            due,
            due < today,
            note=(
                f"Review was due on {due:%Y-%m-%d}"
                if due < today
                else f"Review due on {due:%Y-%m-%d}"
            ),
        )
        for doc in documents
        if (due := doc.review_due) is not None  # always, as filtered
    ]


def _approvals(user, organization) -> list[Task]:
    if not may(user, "approve", DocumentVersion, organization=organization):
        return []
    decided = Approval.objects.filter(version=OuterRef("pk"), reviewer=user)
    versions = (
        scope(
            DocumentVersion.objects.filter(
                organization=organization, status=DocumentVersion.Status.IN_REVIEW
            ),
            user,
        )
        .exclude(author=user)
        .exclude(Exists(decided))
        .select_related("document", "author")
    )
    return [
        Task(
            APPROVE,
            version.document_id,
            version.document.code,
            version.document.title,
            _version_url(version.pk, version.document_id),
            None,
            False,
            version.pk,
            version.number,
            note=f"Version {version.number} by {version.author.get_full_name()}"
            + (
                f", submitted {timezone.localtime(version.submitted_at):%Y-%m-%d}"
                if version.submitted_at
                else ""
            ),
        )
        for version in versions
    ]


def _acknowledgements(user, organization, today: dt.date) -> list[Task]:
    pending = scope(
        Acknowledgement.objects.filter(
            organization=organization,
            user=user,
            acknowledged_at__isnull=True,
            version__status=DocumentVersion.Status.PUBLISHED,
        ),
        user,
    ).select_related("version__document")
    return [
        Task(
            ACKNOWLEDGE,
            ack.version.document_id,
            ack.version.document.code,
            ack.version.document.title,
            _version_url(ack.version_id, ack.version.document_id),
            ack.due_date,
            bool(ack.due_date and ack.due_date < today),
            ack.version_id,
            ack.version.number,
            note=f"Version {ack.version.number}"
            + (f", by {ack.due_date:%Y-%m-%d}" if ack.due_date else ""),
        )
        for ack in pending
    ]


def document_tasks(user, organization, *, today: dt.date | None = None) -> list[Task]:
    """Everything `user` has to do about documents in `organization`: overdue first, then by
    due date (undated last), then by code."""
    today = today or timezone.localdate()
    tasks = [
        *_reviews(user, organization, today),
        *_approvals(user, organization),
        *_acknowledgements(user, organization, today),
    ]
    return sorted(
        tasks,
        key=lambda t: (not t.overdue, t.due or dt.date.max, t.code, t.kind, t.version_number or 0),
    )
