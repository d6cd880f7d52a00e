"""The life of a document's versions: writing a draft, review, approval by someone other than
the author, publication (which supersedes the version published before), and withdrawal of
the document from use.

    draft ──submit──▶ in review ──approve──▶ approved ──publish──▶ published ──obsolete──▶ obsolete
      ▲                  │                                            │
      └─withdraw/reject──┘                       (next publication) superseded

What was approved is what is published: the content's SHA-256 is kept at approval and checked
again at publication. A published, superseded or obsolete version is a record and never
changes again.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from pdca.core.activity import (
    diff,
    record_activity,
    record_create,
    record_delete,
    record_update,
    snapshot,
)
from pdca.core.concurrency import check_version, lock_for_update, save_changed, serialize_on
from pdca.core.exceptions import (
    Conflict,
    FieldError,
    PermissionDenied,
    ServiceError,
    ValidationFailed,
)
from pdca.core.permissions import may, require
from pdca.core.records.rules import ensure_deletable
from pdca.documents.models import Approval, Document, DocumentVersion, EvidenceFile

if TYPE_CHECKING:
    from pdca.accounts.models import User

Status = DocumentVersion.Status

#: Versions still on their way to publication: a document has at most one at a time.
OPEN = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)
#: Versions that are records: never changed or deleted again.
LOCKED = (Status.PUBLISHED, Status.SUPERSEDED, Status.OBSOLETE)
#: What a caller may set on a draft.
VERSION_FIELDS = ("content", "file", "change_summary")


@dataclass(frozen=True)
class Transition:
    """One step of the workflow: its name (also the activity-log action), from where to where,
    and the label of its button."""

    name: str
    source: str
    target: str
    label: str


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("submit", Status.DRAFT, Status.IN_REVIEW, "Submit for review"),
        Transition("withdraw", Status.IN_REVIEW, Status.DRAFT, "Withdraw from review"),
        Transition("approve", Status.IN_REVIEW, Status.APPROVED, "Approve"),
        Transition("reject", Status.IN_REVIEW, Status.DRAFT, "Reject"),
        Transition("publish", Status.APPROVED, Status.PUBLISHED, "Publish"),
        Transition("obsolete", Status.PUBLISHED, Status.OBSOLETE, "Withdraw the document"),
    )
}


def today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months (31 January + 1 month is 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def fingerprint(version: DocumentVersion) -> str:
    """The SHA-256 of what a version says: its file's hash, or the hash of its Markdown."""
    if version.file:
        return version.file.sha256
    return hashlib.sha256(version.content.encode("utf-8")).hexdigest()


def _label(status: str) -> str:
    return Status(status).label.lower()


def _name(version: DocumentVersion) -> str:
    return f"{version.document.code} v{version.number}"


# --- writing versions ---------------------------------------------------------------------


def _refuse_unless_draft(version: DocumentVersion, doing: str) -> None:
    if version.status in LOCKED:
        raise Conflict(
            f"{_name(version)} is {_label(version.status)}: a version that was published is a "
            f"record and is never {doing}. Start a new version instead.",
            code="version_locked",
        )
    if version.status != Status.DRAFT:
        hint = "withdraw it from review" if version.status == Status.IN_REVIEW else "publish it"
        raise Conflict(
            f"{_name(version)} is {_label(version.status)}: only a draft is {doing} "
            f"({hint} first).",
            code="not_draft",
        )


def _check_content(document: Document, content: object, file: object) -> list[FieldError]:
    errors = []
    if not isinstance(content, str):
        errors.append(FieldError("content", "Give the content as Markdown text."))
    if file is not None and (
        not isinstance(file, EvidenceFile) or file.organization_id != document.organization_id
    ):
        errors.append(FieldError("file", "Choose a file of this organization's evidence store."))
    elif file is not None and isinstance(content, str) and content.strip():
        errors.append(
            FieldError("file", "A version holds Markdown content or a file, not both: clear one.")
        )
    return errors


def open_version(document: Document) -> DocumentVersion | None:
    """The document's version on its way to publication (draft, in review or approved)."""
    return document.versions.filter(status__in=OPEN).order_by("-number").first()


def published_version(document: Document) -> DocumentVersion | None:
    return document.versions.filter(status=Status.PUBLISHED).select_related("file").first()


@transaction.atomic
def create_version(
    document: Document,
    *,
    actor: User,
    content: str = "",
    file: EvidenceFile | None = None,
    change_summary: str = "",
) -> DocumentVersion:
    """Start the document's next version. With neither content nor a file, it starts from the
    published version's content. One version is open at a time."""
    require(actor, "change", document)
    # The document's row lock serializes numbering: two people starting a version at once
    # never get the same number, nor two open versions.
    document = Document.objects.select_for_update().get(pk=document.pk)
    current = open_version(document)
    if current is not None:
        raise Conflict(
            f"{_name(current)} is still {_label(current.status)}: finish, publish or delete it "
            "before starting another version.",
            code="open_version_exists",
        )
    if not isinstance(change_summary, str):
        raise ValidationFailed.single("change_summary", "Give the change summary as text.")
    errors = _check_content(document, content, file)
    if errors:
        raise ValidationFailed(errors)
    content = content.strip()
    if not content and file is None:
        published = published_version(document)
        if published is not None:
            content, file = published.content, published.file
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion.objects.create(
        organization_id=document.organization_id,
        document=document,
        number=number,
        content=content,
        file=file,
        change_summary=change_summary.strip(),
        author=actor,
    )
    record_create(actor=actor, obj=version)
    return version


@transaction.atomic
def update_version(version: DocumentVersion, *, actor: User, **fields: Any) -> DocumentVersion:
    """Change a draft's content, file or change summary."""
    lock_for_update(version)
    require(actor, "change", version.document)
    _refuse_unless_draft(version, "changed")
    unknown = sorted(set(fields) - set(VERSION_FIELDS))
    if unknown:
        raise ValidationFailed(
            [FieldError(n, "This field does not exist or cannot be changed.") for n in unknown]
        )
    if "change_summary" in fields and not isinstance(fields["change_summary"], str):
        raise ValidationFailed.single("change_summary", "Give the change summary as text.")
    content = fields.get("content", version.content)
    file = fields.get("file", version.file)
    errors = _check_content(version.document, content, file)
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(version)
    for name, value in fields.items():
        setattr(version, name, value.strip() if isinstance(value, str) else value)
    save_changed(version)
    record_update(actor=actor, obj=version, before=before)
    return version


@transaction.atomic
def delete_version(version: DocumentVersion, *, actor: User) -> None:
    """Delete a draft; anything further along is kept."""
    require(actor, "change", version.document)
    _refuse_unless_draft(version, "deleted")
    ensure_deletable(version)
    record_delete(actor=actor, obj=version)
    version.delete()


# --- the workflow -------------------------------------------------------------------------


def may_write(user: User, version: DocumentVersion) -> bool:
    """The author, or anyone who may change the document, moves a draft in and out of review."""
    return user.pk == version.author_id or may(user, "change", version.document)


def _refusal(
    version: DocumentVersion, step: Transition, actor: User, *, comment: str, comment_field: str
) -> ServiceError | None:
    """Why `actor` may not take `step` on `version` now (None when they may): permission
    first, then the state, then what the step needs."""
    name = _name(version)
    if not may(actor, "view", version):
        return _denied(actor, "view", version)
    if step.name in ("submit", "withdraw") and not may_write(actor, version):
        return PermissionDenied(
            f"Only the author of {name} or someone who may change {version.document.code} "
            f"may {step.name} it."
        )
    if step.name in ("approve", "reject"):
        if not may(actor, "approve", version):
            return _denied(actor, "approve", version)
        if actor.pk == version.author_id:
            if step.name == "approve":
                return PermissionDenied(
                    "You wrote this version, so another person must approve it.",
                    code="author_cannot_approve",
                )
            return PermissionDenied(
                "You wrote this version: withdraw it from review instead of rejecting it.",
                code="author_cannot_reject",
            )
    if step.name in ("publish", "obsolete") and not may(actor, "publish", version):
        return _denied(actor, "publish", version)
    if version.status != step.source:
        return _invalid(version, step.target, step.name)
    if step.name == "submit":
        errors = []
        if not version.content.strip() and not version.file_id:
            errors.append(
                FieldError("content", "Write the content or attach a file before submitting.")
            )
        if not version.change_summary.strip():
            errors.append(
                FieldError("change_summary", "Say what changed in this version.", "required")
            )
        if errors:
            return ValidationFailed(errors)
    if step.name == "reject" and not comment.strip():
        return ValidationFailed.single(
            comment_field, "Say why it is rejected: the author reads it.", "required"
        )
    if step.name == "obsolete" and not comment.strip():
        return ValidationFailed.single(
            comment_field, "Say why the document is withdrawn.", "required"
        )
    return None


def _denied(actor: User, action: str, version: DocumentVersion) -> PermissionDenied:
    try:
        require(actor, action, version)
    except PermissionDenied as exc:
        return exc
    raise AssertionError("unreachable")  # pragma: no cover


def _invalid(version: DocumentVersion, target: str, step: str | None = None) -> Conflict:
    source = version.status
    what = f"cannot {step} it" if step else f"it cannot go to {_label(target)}"
    return Conflict(
        f"{_name(version)} is {_label(source)}: {what} ({source} → {target} is not a step "
        "of the workflow).",
        code="invalid_transition",
    )


def resolve(version: DocumentVersion, to: str, actor: User) -> Transition:
    """The step meant by `to`: a step's name (submit, approve…) or the status to reach
    (in_review, approved…). Back to draft from review is a withdrawal for the author and a
    rejection for anyone else."""
    if to in TRANSITIONS:
        return TRANSITIONS[to]
    if to not in Status.values:
        choices = ", ".join([*TRANSITIONS, *Status.values])
        raise ValidationFailed.single("to", f"Unknown step {to!r}: choose one of {choices}.")
    if to == Status.DRAFT and version.status == Status.IN_REVIEW:
        return TRANSITIONS["withdraw" if actor.pk == version.author_id else "reject"]
    for step in TRANSITIONS.values():
        if step.source == version.status and step.target == to:
            return step
    raise _invalid(version, to)


@dataclass(frozen=True)
class Action:
    """A workflow step as a page offers it: allowed, or not with the reason."""

    name: str
    label: str
    allowed: bool
    reason: str = ""
    needs_comment: bool = False


def actions_for(version: DocumentVersion, user: User) -> list[Action]:
    """The steps leading out of the version's current status, each allowed or with the reason
    it is not (permission, authorship, missing content)."""
    found = []
    for step in TRANSITIONS.values():
        if step.source != version.status:
            continue
        refusal = _refusal(version, step, user, comment="-", comment_field="comment")
        if isinstance(refusal, PermissionDenied) and refusal.code == "permission_denied":
            continue  # steps of other roles are left out rather than listed as refused
        found.append(
            Action(
                name=step.name,
                label=step.label,
                allowed=refusal is None,
                reason=refusal.message if refusal else "",
                needs_comment=step.name in ("reject", "obsolete"),
            )
        )
    return found


@transaction.atomic
def transition_version(
    version: DocumentVersion,
    to: str,
    *,
    actor: User,
    comment: str = "",
    effective_date: dt.date | None = None,
    comment_field: str = "comment",
) -> DocumentVersion:
    """Move `version` one step along the workflow (see the module's docstring). `to` is the
    step's name or the status to reach; the step is recorded in the activity log under its
    name, and reviewers' decisions as approvals."""
    # The document's row first: steps of its versions go one at a time, so two approved
    # versions published at once never leave two published versions.
    serialize_on(Document, version.document_id)
    # Read again under a row lock: two reviewers acting at once see each other's decision.
    locked = (
        DocumentVersion.objects.select_for_update(of=("self",))
        .select_related("document", "file", "organization")
        .get(pk=version.pk)
    )
    check_version(locked)
    if not isinstance(comment, str):
        raise ValidationFailed.single(comment_field, "Give the comment as text.")
    comment = comment.strip()
    step = resolve(locked, to, actor)
    refusal = _refusal(locked, step, actor, comment=comment, comment_field=comment_field)
    if refusal is not None:
        raise refusal
    before = snapshot(locked)
    now = timezone.now()
    locked.status = step.target
    if step.name == "submit":
        locked.submitted_at = now
    elif step.name in ("withdraw", "reject"):
        locked.submitted_at = None
    if step.name in ("approve", "reject"):
        Approval.objects.create(
            organization_id=locked.organization_id,
            version=locked,
            reviewer=actor,
            decision=Approval.Decision.APPROVED
            if step.name == "approve"
            else Approval.Decision.REJECTED,
            comment=comment,
        )
    if step.name == "approve":
        locked.approved_by = actor
        locked.approved_at = now
        locked.content_sha256 = fingerprint(locked)
    if step.name == "publish":
        _publish(locked, actor, effective_date or today(), now)
    if step.name == "obsolete":
        _retire(locked, actor, comment)
    locked.save()
    record_activity(
        actor=actor,
        action=step.name,
        obj=locked,
        changes=diff(before, snapshot(locked)),
        message=comment,
    )
    version.refresh_from_db()
    return version


def _publish(version: DocumentVersion, actor: User, effective: dt.date, now: dt.datetime) -> None:
    if fingerprint(version) != version.content_sha256:
        raise Conflict(
            f"{_name(version)} is no longer what was approved: its content's SHA-256 differs "
            "from the one recorded at approval. Start a new version and have it approved.",
            code="content_changed",
        )
    if not isinstance(effective, dt.date):
        raise ValidationFailed.single("effective_date", "Give a date (YYYY-MM-DD).")
    previous = (
        DocumentVersion.objects.select_for_update()
        .filter(document_id=version.document_id, status=Status.PUBLISHED)
        .first()
    )
    if previous is not None:
        prior = snapshot(previous)
        previous.status = Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        record_update(
            actor=actor,
            obj=previous,
            before=prior,
            action="supersede",
            message=f"Superseded by v{version.number}.",
        )
    version.published_at = now
    version.effective_date = effective
    document = version.document
    prior = snapshot(document)
    months = document.review_interval_months
    document.review_due = add_months(effective, months) if months else None
    document.obsolete = False
    document.save(update_fields=["review_due", "obsolete", "updated_at"])
    record_update(
        actor=actor,
        obj=document,
        before=prior,
        action="publish",
        message=f"v{version.number} published, effective {effective:%Y-%m-%d}.",
    )


def _retire(version: DocumentVersion, actor: User, reason: str) -> None:
    document = version.document
    prior = snapshot(document)
    document.obsolete = True
    document.review_due = None
    document.save(update_fields=["obsolete", "review_due", "updated_at"])
    record_update(actor=actor, obj=document, before=prior, action="obsolete", message=reason)


# --- the named steps ----------------------------------------------------------------------


def submit_version(version: DocumentVersion, *, actor: User, comment: str = "") -> DocumentVersion:
    return transition_version(version, "submit", actor=actor, comment=comment)


def withdraw_version(
    version: DocumentVersion, *, actor: User, comment: str = ""
) -> DocumentVersion:
    return transition_version(version, "withdraw", actor=actor, comment=comment)


def approve_version(version: DocumentVersion, *, actor: User, comment: str = "") -> DocumentVersion:
    return transition_version(version, "approve", actor=actor, comment=comment)


def reject_version(version: DocumentVersion, *, actor: User, comment: str) -> DocumentVersion:
    return transition_version(version, "reject", actor=actor, comment=comment)


def publish_version(
    version: DocumentVersion, *, actor: User, effective_date: dt.date | None = None
) -> DocumentVersion:
    return transition_version(version, "publish", actor=actor, effective_date=effective_date)


def make_obsolete(document: Document, *, actor: User, reason: str) -> DocumentVersion:
    """Withdraw the document from use: its published version becomes obsolete."""
    version = published_version(document)
    if version is None:
        require(actor, "publish", DocumentVersion, organization=document.organization_id)
        raise Conflict(
            f"{document.code} has no published version to withdraw.", code="invalid_transition"
        )
    version = transition_version(
        version, "obsolete", actor=actor, comment=reason, comment_field="reason"
    )
    document.refresh_from_db()
    return version
