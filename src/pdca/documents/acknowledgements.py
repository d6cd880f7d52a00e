"""Read and acknowledge: a published version is assigned to roles or people, who confirm they
have read it; the report shows who has and who has not (evidence of awareness).

Requests belong to one version. When a newer version is published, the older one's pending
requests stay where they were (the report says so) and the same people can be asked again on
the new version in one step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.exceptions import Conflict, FieldError, PermissionDenied, ValidationFailed
from pdca.core.permissions import may, memberships, require, roles_for, scope
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.documents.models import Acknowledgement, DocumentVersion
from pdca.tenancy.models import Membership

Status = DocumentVersion.Status


def today() -> dt.date:
    return timezone.localdate()


def visible_acknowledgements(user) -> QuerySet[Acknowledgement]:
    """Every request of the organizations where the user may read the report, and the user's
    own requests everywhere else."""
    rules_report = roles_for(Acknowledgement, "report")
    rules_view = roles_for(Acknowledgement, "view")
    roles = memberships(user)
    full = [org for org, role in roles.items() if role in rules_report]
    own = [org for org, role in roles.items() if role in rules_view]
    if not roles:
        return Acknowledgement.objects.none()
    return Acknowledgement.objects.filter(
        Q(organization_id__in=full) | Q(organization_id__in=own, user=user)
    )


def _members(organization_id: int, users: Iterable) -> dict[int, str]:
    ids = {u.pk for u in users}
    return dict(
        Membership.objects.filter(
            organization_id=organization_id, user_id__in=ids, user__is_active=True
        ).values_list("user_id", "role")
    )


def _ask(version: DocumentVersion, wanted: dict, *, actor, due_date, message: str) -> list:
    """Create the requests of `wanted` ({user id: via_role}) not made yet; one log entry."""
    already = set(version.acknowledgements.values_list("user_id", flat=True))
    new = [
        Acknowledgement(
            organization_id=version.organization_id,
            version=version,
            user_id=user_id,
            via_role=via_role,
            assigned_by=actor,
            due_date=due_date,
        )
        for user_id, via_role in sorted(wanted.items())
        if user_id not in already
    ]
    if new:
        Acknowledgement.objects.bulk_create(new)
        emails = dict(
            Membership.objects.filter(
                organization_id=version.organization_id, user_id__in=[a.user_id for a in new]
            ).values_list("user_id", "user__email")
        )
        record_activity(
            actor=actor,
            action="request_acknowledgement",
            obj=version,
            changes={"asked": [None, sorted(emails[a.user_id] for a in new)]},
            message=message or f"{len(new)} person(s) asked to read and acknowledge it.",
        )
    return list(
        version.acknowledgements.filter(user_id__in=[a.user_id for a in new]).select_related("user")
    )


def _check_request(version: DocumentVersion, actor, due_date) -> None:
    require(actor, "add", Acknowledgement, organization=version.organization_id)
    if version.status != Status.PUBLISHED:
        raise Conflict(
            f"v{version.number} is {version.get_status_display().lower()}: only the published "
            "version is read and acknowledged.",
            code="not_published",
        )
    if due_date is not None and (not isinstance(due_date, dt.date) or due_date < today()):
        raise ValidationFailed.single("due_date", "The due date cannot be in the past.")


@transaction.atomic
def request_acknowledgement(
    version: DocumentVersion,
    *,
    actor,
    roles: Iterable[str] = (),
    users: Iterable = (),
    due_date: dt.date | None = None,
) -> list[Acknowledgement]:
    """Ask the members holding `roles` (today) and the named `users` to read and acknowledge
    the published `version`. People already asked are skipped; the new requests are returned."""
    _check_request(version, actor, due_date)
    roles, users = list(roles), list(users)
    errors = []
    unknown = sorted(r for r in roles if r not in ORGANIZATION_ROLES)
    if unknown:
        errors.append(FieldError("roles", f"Unknown role(s): {', '.join(map(str, unknown))}."))
    members = _members(version.organization_id, users)
    strangers = [u for u in users if u.pk not in members]
    if strangers:
        names = ", ".join(sorted(str(u) for u in strangers))
        errors.append(FieldError("users", f"Not members of this organization: {names}."))
    if not roles and not users:
        errors.append(FieldError("roles", "Choose at least one role or person.", "required"))
    if errors:
        raise ValidationFailed(errors)
    wanted: dict[int, str] = dict(
        Membership.objects.filter(
            organization_id=version.organization_id, role__in=roles, user__is_active=True
        ).values_list("user_id", "role")
    )
    # People named one by one were asked by name, whatever their role.
    wanted.update({u.pk: "" for u in users})
    return _ask(version, wanted, actor=actor, due_date=due_date, message="")


def previous_published(version: DocumentVersion) -> DocumentVersion | None:
    """The version published before `version` (now superseded)."""
    return (
        DocumentVersion.objects.filter(
            document_id=version.document_id,
            number__lt=version.number,
            status__in=(Status.SUPERSEDED, Status.OBSOLETE),
            published_at__isnull=False,
        )
        .order_by("-number")
        .first()
    )


@transaction.atomic
def request_same_people(
    version: DocumentVersion, *, actor, due_date: dt.date | None = None
) -> list[Acknowledgement]:
    """Ask the people asked to read the previous published version to read this one too
    (those still members; the role they were asked through is kept)."""
    _check_request(version, actor, due_date)
    previous = previous_published(version)
    if previous is None:
        raise Conflict(
            f"v{version.number} is the document's first published version: nobody was asked "
            "before.",
            code="no_previous_version",
        )
    asked = dict(previous.acknowledgements.values_list("user_id", "via_role"))
    current = set(
        Membership.objects.filter(
            organization_id=version.organization_id, user_id__in=asked, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    wanted = {user_id: role for user_id, role in asked.items() if user_id in current}
    return _ask(
        version,
        wanted,
        actor=actor,
        due_date=due_date,
        message=f"The people asked to read v{previous.number} asked again.",
    )


@transaction.atomic
def acknowledge(version: DocumentVersion, *, actor) -> Acknowledgement:
    """Confirm that `actor` read the published `version`; confirming twice changes nothing."""
    ack = (
        Acknowledgement.objects.select_for_update()
        .filter(version_id=version.pk, user_id=actor.pk)
        .first()
    )
    if ack is None:
        raise PermissionDenied(
            f"You were not asked to acknowledge v{version.number} of {version.document.code}.",
            code="not_asked",
        )
    if ack.acknowledged_at is not None:
        return ack
    if version.status != Status.PUBLISHED:
        raise Conflict(
            f"v{version.number} is {version.get_status_display().lower()}: read and acknowledge "
            "the published version instead.",
            code="not_published",
        )
    ack.acknowledged_at = timezone.now()
    ack.save(update_fields=["acknowledged_at", "updated_at"])
    record_activity(
        actor=actor,
        action="acknowledge",
        obj=ack,
        changes={"acknowledged_at": [None, ack.acknowledged_at]},
    )
    return ack


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """One person asked: who, their role today, how they were asked, and when they confirmed."""

    user_id: int
    name: str
    email: str
    role: str
    via_role: str
    due_date: dt.date | None
    acknowledged_at: dt.datetime | None
    overdue: bool


@dataclass(frozen=True)
class Report:
    """Who was asked to read one version, who has confirmed and who has not."""

    version: DocumentVersion
    rows: list[ReportRow] = field(default_factory=list)
    #: A note for a version that is no longer the published one.
    note: str = ""

    @property
    def asked(self) -> int:
        return len(self.rows)

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.acknowledged_at)

    @property
    def pending(self) -> int:
        return self.asked - self.done

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.asked) if self.asked else 0

    def as_dict(self) -> dict:
        return {
            "version": self.version.pk,
            "asked": self.asked,
            "done": self.done,
            "pending": self.pending,
            "overdue": self.overdue,
            "percent": self.percent,
            "note": self.note,
            "people": [r.__dict__ for r in self.rows],
        }


def _role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


def acknowledgement_report(version: DocumentVersion, *, only_user=None) -> Report:
    """The report of `version` (only `only_user`'s line when given): pending first, then by
    name. Costs the same few queries whatever the number of people."""
    on = today()
    found = version.acknowledgements.select_related("user").order_by(
        "acknowledged_at", "user__full_name", "user__email"
    )
    if only_user is not None:
        found = found.filter(user=only_user)
    acks = list(found)
    roles = dict(
        Membership.objects.filter(
            organization_id=version.organization_id, user_id__in=[a.user_id for a in acks]
        ).values_list("user_id", "role")
    )
    rows = [
        ReportRow(
            user_id=a.user_id,
            name=str(a.user),
            email=a.user.email,
            role=_role_label(roles[a.user_id]) if a.user_id in roles else "No longer a member",
            via_role=_role_label(a.via_role) if a.via_role else "",
            due_date=a.due_date,
            acknowledged_at=a.acknowledged_at,
            overdue=a.acknowledged_at is None and a.due_date is not None and a.due_date < on,
        )
        for a in acks
    ]
    rows.sort(key=lambda r: (r.acknowledged_at is not None, r.name.lower()))
    return Report(version=version, rows=rows, note=_note(version, rows))


def _note(version: DocumentVersion, rows: list[ReportRow]) -> str:
    if version.status == Status.PUBLISHED:
        return ""
    pending = sum(1 for r in rows if not r.acknowledged_at)
    if version.status == Status.SUPERSEDED:
        newer = (
            DocumentVersion.objects.filter(
                document_id=version.document_id, number__gt=version.number
            )
            .exclude(published_at=None)
            .order_by("number")
            .values_list("number", flat=True)
            .first()
        )
        where = f"v{newer}" if newer else "a newer version"
        return (
            f"This version was superseded by {where}. Its {pending} pending request(s) stay on "
            f"this version; ask the same people again on {where}."
        )
    return f"This version is {version.get_status_display().lower()}; nothing more is read here."


def may_see_report(user, version: DocumentVersion) -> bool:
    return may(user, "report", Acknowledgement, organization=version.organization_id)


def report_for(user, version: DocumentVersion) -> Report:
    """The full report for those who may read it, the user's own line for anyone asked."""
    if may_see_report(user, version):
        return acknowledgement_report(version)
    if not version.acknowledgements.filter(user=user).exists():
        require(user, "report", Acknowledgement, organization=version.organization_id)
    return acknowledgement_report(version, only_user=user)


def summaries(versions: Iterable[DocumentVersion]) -> dict[int, tuple[int, int]]:
    """{version id: (acknowledged, asked)} in one query."""
    ids = [v.pk for v in versions]
    rows = (
        Acknowledgement.objects.filter(version_id__in=ids)
        .values("version_id")
        .annotate(asked=Count("pk"), done=Count("pk", filter=Q(acknowledged_at__isnull=False)))
    )
    return {r["version_id"]: (r["done"], r["asked"]) for r in rows}


def my_acknowledgements(user, organization) -> QuerySet[Acknowledgement]:
    """The user's own requests in `organization`: pending first, then the latest confirmed."""
    return (
        scope(Acknowledgement.objects.filter(organization=organization, user=user), user)
        .select_related("version__document", "assigned_by")
        .order_by(F("acknowledged_at").desc(nulls_first=True), "due_date", "-created_at")
    )
