"""Framework models shared by every domain app: the org-owned base and the activity log."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import models

from pdca.core.tenants import TENANT_MODEL

GENESIS_HASH = "0" * 64


_M = TypeVar("_M", bound=models.Model)


class OrgOwnedQuerySet(models.QuerySet[_M]):
    """Rows of organization-owned models; always reach them through `core.scoping`."""

    def in_organization(self, organization) -> OrgOwnedQuerySet[_M]:
        return self.filter(organization=organization)


class OrgOwned(models.Model):
    """Base of every record that belongs to one organization.

    Its `organization` decides who may ever see it: `core.scoping.scope` filters on it, so a row
    of another organization is unreachable from pages, the API and the CLI alike.
    """

    organization = models.ForeignKey(
        TENANT_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgOwnedQuerySet.as_manager()

    #: Fields left out of activity-log snapshots (bookkeeping, or secrets).
    activity_exclude: tuple[str, ...] = ()
    #: Which retention period applies once a row is a record (see `core.records`).
    record_type: str = ""

    class Meta:
        abstract = True

    def record_reason(self) -> str | None:
        """Why this row is a record that may no longer be deleted (None: it is not one).

        Models whose rows become records override this: it is the one place that decides."""
        return None

    def closed_reason(self) -> str | None:
        """Why this row may no longer be changed (None: it may)."""
        return None


class Archivable(models.Model):
    """A register entry that is archived (withdrawn, cancelled, made obsolete) instead of
    deleted once it is a record: who, when and why; archived entries stay readable, leave the
    default lists and pickers, and may be restored."""

    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    archive_reason = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class RequirementLinked(models.Model):
    """A register entry that answers requirements of the adopted standards.

    The links let the gap assessment show which registers meet which clause.
    """

    requirements = models.ManyToManyField(
        "standards.Requirement",
        blank=True,
        related_name="+",
        help_text="The clauses and controls this entry helps to meet",
    )

    class Meta:
        abstract = True


class ActivityEntry(models.Model):
    """One recorded change: who did what to which object, with before and after values.

    Entries form one hash chain per organization (`chain`): each entry's `hash` is the SHA-256 of
    the previous entry's hash and its own canonical content, so an altered, removed or inserted
    entry breaks the chain and `pdca verify-log` finds it. Entries are never edited.
    """

    class Via(models.TextChoices):
        WEB = "web", "Web"
        API = "api", "API"
        CLI = "cli", "CLI"
        TASK = "task", "Task"
        SYSTEM = "system", "System"

    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    organization = models.ForeignKey(
        TENANT_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_entries",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.SYSTEM)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-created_at", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="activity_chain_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="activity_object_idx"),
            models.Index(fields=["organization", "-created_at"], name="activity_org_time_idx"),
        ]
        verbose_name_plural = "activity entries"

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class ActivityChainHead(models.Model):
    """The last entry of one chain; writers lock this row so the chain never forks."""

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.chain} at {self.seq}"


class RetentionPeriod(models.Model):
    """How many years an organization keeps archived records of one type before they may be
    disposed of; without a row, `core.records.DEFAULT_RETENTION_YEARS` applies."""

    organization = models.ForeignKey(TENANT_MODEL, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=40)
    years = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "record_type"], name="retention_org_type_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.years} years"


# The task queue's rows live in their own module (core/jobs/); importing them here is what
# makes them core's models.
from pdca.core.jobs.models import Job, ScheduledRun  # noqa: E402, F401
