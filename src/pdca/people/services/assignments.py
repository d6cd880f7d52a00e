"""Who has which training to do: a person's assigned paths with their progress and due
dates (their home page, task list and reminders), and an assignment's progress across the
people it covers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.permissions import require
from pdca.core.roles import Role
from pdca.people.models import (
    Assignment,
    Enrolment,
    Module,
    TrainingPath,
    TrainingRecord,
)
from pdca.people.services.rules import EXPIRY_WARNING_DAYS, validate_assignment
from pdca.tenancy.models import Membership, Site


def latest_passes(
    organization, person_ids: Iterable[int], paths: Iterable[TrainingPath]
) -> dict[tuple[int, int], TrainingRecord]:
    """{(person, path): the pass that counts longest}: passes of a path are its training
    records with the result passed, whether a completed enrolment wrote them or someone entered
    them by hand (a classroom session). One query."""
    best: dict[tuple[int, int], TrainingRecord] = {}
    records = TrainingRecord.objects.filter(
        organization=organization,
        archived_at__isnull=True,
        result=TrainingRecord.Result.PASSED,
        person_id__in=list(person_ids),
        path__in=list(paths),
    ).order_by("completed_on", "pk")
    for record in records:
        assert record.path_id is not None  # filtered on it
        key = (record.person_id, record.path_id)
        current = best.get(key)
        if current is None or (
            current.expires_on is not None
            and (record.expires_on is None or record.expires_on >= current.expires_on)
        ):
            best[key] = record
    return best


def valid_on(record: TrainingRecord, day: dt.date) -> bool:
    """Whether a pass still counts on `day` (it expires at the start of its expiry date)."""
    return record.expires_on is None or record.expires_on > day


@dataclass
class TrainingItem:
    """One path a person is to take (or has taken): where they are, and by when."""

    path: TrainingPath
    due_date: dt.date | None
    enrolment: Enrolment | None = None
    #: The person's latest pass of the path (from a completed enrolment or entered by hand).
    passed: TrainingRecord | None = None
    done: int = 0
    total: int = 0
    as_of: dt.date = field(default_factory=timezone.localdate)

    @property
    def expires_on(self) -> dt.date | None:
        return self.passed.expires_on if self.passed else None

    @property
    def status(self) -> str:
        if self.passed is not None and self.enrolment is None:
            expires = self.expires_on
            if expires is None or expires > self.as_of + dt.timedelta(days=EXPIRY_WARNING_DAYS):
                return "passed"
            return "expiring" if expires > self.as_of else "expired"
        if self.due_date and self.due_date < self.as_of:
            return "overdue"
        return "in_progress" if self.enrolment is not None else "not_started"

    @property
    def status_label(self) -> str:
        return {
            "passed": "Passed",
            "expiring": "Passed, refresher due soon",
            "expired": "Expired, take it again",
            "overdue": "Overdue",
            "in_progress": "In progress",
            "not_started": "Not started",
        }[self.status]

    @property
    def percent(self) -> int:
        if self.status in ("passed", "expiring"):
            return 100
        return (self.done * 100) // self.total if self.total else 0

    @property
    def is_open(self) -> bool:
        return self.status not in ("passed", "expiring")


def assignments_covering(membership: Membership) -> list[Assignment]:
    """Live assignments of paths that cover the member."""
    candidates = Assignment.objects.filter(
        organization_id=membership.organization_id,
        archived_at__isnull=True,
        path__isnull=False,
    ).filter(Q(person_id=membership.user_id) | Q(person__isnull=True))
    return [a for a in candidates.select_related("path") if a.covers(membership)]


def my_training(user, organization, *, as_of: dt.date | None = None) -> list[TrainingItem]:
    """The paths assigned to `user` in `organization` (earliest due first), and paths they
    started on their own; each with progress and status."""
    as_of = as_of or timezone.localdate()
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        return []
    due: dict[int, dt.date | None] = {}
    paths: dict[int, TrainingPath] = {}
    for assignment in assignments_covering(membership):
        path = assignment.path
        assert path is not None
        paths[path.pk] = path
        current = due.get(path.pk)
        due[path.pk] = assignment.due_date if current is None else min(current, assignment.due_date)
    enrolments = list(
        Enrolment.objects.filter(organization=organization, person=user)
        .select_related("path", "record")
        .order_by("started_at")
    )
    open_by_path = {e.path_id: e for e in enrolments if e.completed_at is None}
    passed_by_path = {
        path_id: record
        for (_person, path_id), record in latest_passes(
            organization, [user.pk], paths.values()
        ).items()
    }
    for enrolment in enrolments:
        paths.setdefault(enrolment.path_id, enrolment.path)
    totals = (
        dict(
            Module.objects.filter(course__path_steps__path__in=paths.values())
            .values("course__path_steps__path")
            .annotate(n=Count("pk"))
            .values_list("course__path_steps__path", "n")
        )
        if paths
        else {}
    )
    done = dict(
        Enrolment.objects.filter(pk__in=[e.pk for e in open_by_path.values()])
        .annotate(n=Count("completions"))
        .values_list("pk", "n")
    )
    items = [
        TrainingItem(
            path=path,
            due_date=due.get(pk),
            enrolment=open_by_path.get(pk),
            passed=passed_by_path.get(pk),
            done=done.get(open_by_path[pk].pk, 0) if pk in open_by_path else 0,
            total=totals.get(pk, 0),
            as_of=as_of,
        )
        for pk, path in paths.items()
    ]
    order = {
        "overdue": 0,
        "expired": 1,
        "in_progress": 2,
        "not_started": 3,
        "expiring": 4,
        "passed": 5,
    }
    return sorted(items, key=lambda i: (order[i.status], i.due_date or dt.date.max, i.path.title))


#: How a person's standing on a path reads.
STATUS_LABELS = {
    "passed": "Passed",
    "in_progress": "In progress",
    "not_started": "Not started",
    "overdue": "Overdue",
    "none": "No path",
}


@dataclass
class ProgressRow:
    membership: Membership
    status: str
    percent: int
    completed_on: dt.date | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Progress:
    assignment: Assignment
    rows: list[ProgressRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def completed(self) -> int:
        return self.count("passed")

    @property
    def percent(self) -> int:
        return (self.completed * 100) // len(self.rows) if self.rows else 0


def covered_members(organization, audience) -> list[Membership]:
    """Active members an assignment or campaign covers."""
    members = Membership.objects.filter(organization=organization, user__is_active=True)
    person_id = getattr(audience, "person_id", None)
    members = (
        members.filter(user_id=person_id) if person_id else members.filter(audience.member_filter())
    )
    return list(members.select_related("user", "site").order_by("team", "user__email"))


def path_progress(
    organization,
    path: TrainingPath,
    members: list[Membership],
    *,
    due_date: dt.date | None,
    as_of: dt.date,
) -> list[ProgressRow]:
    """Where each of `members` stands on `path`: a fixed number of queries for any number."""
    user_ids = [m.user_id for m in members]
    total = Module.objects.filter(course__path_steps__path=path).count()
    enrolments = Enrolment.objects.filter(
        path=path, person_id__in=user_ids, completed_at__isnull=True
    ).annotate(n=Count("completions"))
    open_done = {e.person_id: e.n for e in enrolments}
    passed: dict[int, dt.date | None] = {
        person_id: record.completed_on
        for (person_id, _path), record in latest_passes(organization, user_ids, [path]).items()
        if valid_on(record, as_of)
    }
    rows = []
    for m in members:
        if m.user_id in passed:
            rows.append(ProgressRow(m, "passed", 100, passed[m.user_id]))
        elif m.user_id in open_done:
            late = due_date is not None and due_date < as_of
            percent = (open_done[m.user_id] * 100) // total if total else 0
            rows.append(ProgressRow(m, "overdue" if late else "in_progress", percent))
        else:
            late = due_date is not None and due_date < as_of
            rows.append(ProgressRow(m, "overdue" if late else "not_started", 0))
    return rows


def assignment_progress(assignment: Assignment, *, as_of: dt.date | None = None) -> Progress:
    as_of = as_of or timezone.localdate()
    members = covered_members(assignment.organization, assignment)
    if assignment.path is None:
        return Progress(assignment, [ProgressRow(m, "not_started", 0) for m in members])
    rows = path_progress(
        assignment.organization, assignment.path, members, due_date=assignment.due_date, as_of=as_of
    )
    return Progress(assignment, rows)


@dataclass
class OverdueTraining:
    membership: Membership
    path: TrainingPath
    due_date: dt.date
    assignment: Assignment


def overdue_training(organization, *, as_of: dt.date | None = None) -> list[OverdueTraining]:
    """Every person whose assigned path is past its due date and not passed: the task lists
    and reminders read this one rule."""
    as_of = as_of or timezone.localdate()
    late = list(
        Assignment.objects.filter(
            organization=organization,
            archived_at__isnull=True,
            path__isnull=False,
            due_date__lt=as_of,
        ).select_related("path")
    )
    if not late:
        return []
    members = list(
        Membership.objects.filter(organization=organization, user__is_active=True).select_related(
            "user"
        )
    )
    passed = {
        key
        for key, record in latest_passes(
            organization, [m.user_id for m in members], [a.path for a in late if a.path]
        ).items()
        if valid_on(record, as_of)
    }
    found: dict[tuple[int, int], OverdueTraining] = {}
    for assignment in late:
        path = assignment.path
        assert path is not None
        for m in members:
            if (m.user_id, path.pk) in passed or not assignment.covers(m):
                continue
            key = (m.user_id, path.pk)
            if key not in found or assignment.due_date < found[key].due_date:
                found[key] = OverdueTraining(m, path, assignment.due_date, assignment)
    return sorted(found.values(), key=lambda o: (o.due_date, o.membership.user.email))


@transaction.atomic
def assign_path(
    path: TrainingPath,
    *,
    actor,
    due_date: dt.date,
    person=None,
    role: str = "",
    position: str = "",
    team: str = "",
    site: Site | None = None,
    owner=None,
    note: str = "",
) -> Assignment:
    """Assign `path` to one person, or to everyone a role, position, team or site covers."""
    organization = path.organization
    require(actor, "add", Assignment, organization=organization)
    errors = []
    if role and role not in Role.values:
        errors.append(FieldError("role", f"Unknown role: {role}."))
    if due_date < timezone.localdate():
        errors.append(FieldError("due_date", "The due date cannot be in the past."))
    for name, user in (("person", person), ("owner", owner)):
        if (
            user is not None
            and not Membership.objects.filter(organization=organization, user=user).exists()
        ):
            errors.append(FieldError(name, "Choose a member of this organization."))
    if site is not None and site.organization_id != organization.pk:
        errors.append(FieldError("site", "Choose a site of this organization."))
    if path.is_archived:
        errors.append(FieldError("path", "This path is archived."))
    if errors:
        raise ValidationFailed(errors)
    assignment = Assignment(
        organization=organization,
        path=path,
        person=person,
        role=role,
        position=position.strip(),
        team=team.strip(),
        site=site,
        due_date=due_date,
        owner=owner or actor,
        note=note.strip()[:300],
    )
    validate_assignment(assignment)
    assignment.save()
    record_activity(actor=actor, action="create", obj=assignment)
    return assignment


@dataclass
class AssignmentSummary:
    assignment: Assignment
    people: int
    done: int
    late: int


def path_assignment_summaries(
    path: TrainingPath, *, as_of: dt.date | None = None
) -> list[AssignmentSummary]:
    """Each live assignment of `path` with how many people it covers, how many passed and how
    many are late: three queries however many assignments and people."""
    as_of = as_of or timezone.localdate()
    assignments = list(
        path.assignments.filter(archived_at__isnull=True).select_related("person", "site", "owner")
    )
    if not assignments:
        return []
    members = list(
        Membership.objects.filter(organization_id=path.organization_id, user__is_active=True)
    )
    passed = {
        person_id
        for (person_id, _path), record in latest_passes(
            path.organization_id, [m.user_id for m in members], [path]
        ).items()
        if valid_on(record, as_of)
    }
    summaries = []
    for assignment in assignments:
        covered = [m for m in members if assignment.covers(m)]
        done = sum(1 for m in covered if m.user_id in passed)
        late = len(covered) - done if assignment.due_date < as_of else 0
        summaries.append(AssignmentSummary(assignment, len(covered), done, late))
    return summaries
