"""The competence matrix: people against the requirements that apply to them, and for each
pair whether the records show competence, when that evidence expires, and what is planned
where they do not. Read in a fixed number of queries whatever the organization's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TypeVar

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import require
from pdca.people.models import Assignment, CompetenceRequirement, TrainingRecord
from pdca.people.permissions import FOLLOWERS
from pdca.people.services.rules import EXPIRY_WARNING_DAYS, add_months
from pdca.tenancy.models import Membership

Evaluation = CompetenceRequirement.Evaluation
Result = TrainingRecord.Result
#: Records of these kinds add up to experience.
EXPERIENCE_KINDS = (TrainingRecord.Kind.EXPERIENCE, TrainingRecord.Kind.AUDIT)
#: The fields of a training record the matrix reads.
RECORD_FIELDS = (
    "organization_id",
    "person_id",
    "kind",
    "title",
    "requirement_id",
    "path_id",
    "result",
    "started_on",
    "completed_on",
    "expires_on",
)
#: Days in a month, for adding up experience.
MONTH_DAYS = 30.44


class Status(StrEnum):
    COMPETENT = "competent"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    PLANNED = "planned"
    MISSING = "missing"
    NOT_APPLICABLE = "n/a"

    @property
    def label(self) -> str:
        return {
            "competent": "Competent",
            "expiring": f"Expires within {EXPIRY_WARNING_DAYS} days",
            "expired": "Expired",
            "planned": "Gap, action planned",
            "missing": "Gap",
            "n/a": "Not required",
        }[self.value]

    @property
    def is_gap(self) -> bool:
        return self in (Status.EXPIRED, Status.PLANNED, Status.MISSING)


@dataclass
class Cell:
    status: Status
    mandatory: bool = True
    evidence: TrainingRecord | None = None
    expires_on: dt.date | None = None
    action: Assignment | None = None
    experience_months: float | None = None

    @property
    def title(self) -> str:
        parts = [self.status.label]
        if self.evidence is not None:
            parts.append(f"evidence: {self.evidence.title}")
        if self.expires_on:
            parts.append(f"expires {self.expires_on:%Y-%m-%d}")
        if self.experience_months is not None:
            parts.append(f"{self.experience_months:.0f} months logged")
        if self.action is not None:
            parts.append(f"action due {self.action.due_date:%Y-%m-%d}")
        if not self.mandatory:
            parts.append("optional")
        return "; ".join(parts)


@dataclass
class Row:
    membership: Membership
    cells: list[Cell]

    @property
    def gaps(self) -> int:
        return sum(1 for c in self.cells if c.mandatory and c.status.is_gap)

    @property
    def competent(self) -> bool:
        return self.gaps == 0


@dataclass
class Gap:
    membership: Membership
    requirement: CompetenceRequirement
    cell: Cell


@dataclass
class Matrix:
    as_of: dt.date
    requirements: list[CompetenceRequirement]
    rows: list[Row]
    counts: dict[Status, int] = field(default_factory=dict)

    @property
    def gaps(self) -> list[Gap]:
        return [
            Gap(row.membership, requirement, cell)
            for row in self.rows
            for requirement, cell in zip(self.requirements, row.cells, strict=True)
            if cell.mandatory and cell.status.is_gap
        ]

    def columns(self) -> list[tuple[CompetenceRequirement, int, int]]:
        """(requirement, people competent, mandatory gaps) per requirement, for column heads."""
        competent = [0] * len(self.requirements)
        gaps = [0] * len(self.requirements)
        for row in self.rows:
            for index, cell in enumerate(row.cells):
                if cell.status in (Status.COMPETENT, Status.EXPIRING):
                    competent[index] += 1
                elif cell.mandatory and cell.status.is_gap:
                    gaps[index] += 1
        return list(zip(self.requirements, competent, gaps, strict=True))

    @property
    def people_competent(self) -> int:
        return sum(1 for row in self.rows if row.competent)


class Evidence(Protocol):
    """What the rules read of a training record: a `TrainingRecord`, or a plain row of its
    values where building thousands of model instances would cost too much."""

    @property
    def kind(self) -> str: ...
    @property
    def requirement_id(self) -> int | None: ...
    @property
    def path_id(self) -> int | None: ...
    @property
    def result(self) -> str: ...
    @property
    def started_on(self) -> dt.date | None: ...
    @property
    def completed_on(self) -> dt.date | None: ...
    @property
    def expires_on(self) -> dt.date | None: ...


_E = TypeVar("_E", bound=Evidence)


def counts_as_evidence(record: Evidence, requirement: CompetenceRequirement) -> bool:
    """Whether `record` shows the competence `requirement` asks (ignoring expiry)."""
    linked = record.requirement_id == requirement.pk or (
        requirement.path_id is not None and record.path_id == requirement.path_id
    )
    if not linked:
        return False
    if record.result == Result.PASSED:
        return True
    # Attendance shows awareness or a course taken, not a path passed or a qualification.
    return record.result == Result.ATTENDED and requirement.evaluation in (
        Evaluation.ASSESSED,
        Evaluation.EXPERIENCE,
    )


def expiry_of(record: Evidence, requirement: CompetenceRequirement) -> dt.date | None:
    """When `record` stops counting for `requirement`: the record's own expiry, or sooner
    when the requirement's validity is shorter."""
    dates = [record.expires_on] if record.expires_on else []
    if requirement.validity_months and record.completed_on:
        dates.append(add_months(record.completed_on, requirement.validity_months))
    return min(dates) if dates else None


def experience_months(records: Iterable[Evidence], as_of: dt.date) -> float:
    """Months of experience the records add up to (an open entry counts up to `as_of`)."""
    days = 0
    for record in records:
        if record.kind in EXPERIENCE_KINDS and record.started_on and record.result != Result.FAILED:
            end = min(record.completed_on or as_of, as_of)
            days += max((end - record.started_on).days, 0)
    return round(days / MONTH_DAYS, 1)


def evaluate_cell(
    requirement: CompetenceRequirement,
    records: list[TrainingRecord],
    actions: list[Assignment],
    as_of: dt.date,
) -> Cell:
    """The status of one person against one requirement that applies to them."""
    mandatory = requirement.mandatory
    if requirement.evaluation == Evaluation.EXPERIENCE:
        mine, months, met = _experience(requirement, records, as_of)
        if met:
            return Cell(Status.COMPETENT, mandatory, mine[0], None, experience_months=months)
        action = actions[0] if actions else None
        status = Status.PLANNED if action else Status.MISSING
        return Cell(status, mandatory, None, None, action, experience_months=months)
    best = _best_evidence(requirement, records)
    if best is not None and best[0].completed_on:
        # An action made before the evidence was completed is the one that evidence answered;
        # only a later one plans the refresher.
        done_on = best[0].completed_on
        actions = [a for a in actions if a.created_at is None or _day(a.created_at) > done_on]
    action = actions[0] if actions else None
    if best is not None:
        record, expires = best
        if expires is None or expires > as_of + dt.timedelta(days=EXPIRY_WARNING_DAYS):
            return Cell(Status.COMPETENT, mandatory, record, expires)
        if expires > as_of:
            return Cell(Status.EXPIRING, mandatory, record, expires, action)
        if action is None:
            return Cell(Status.EXPIRED, mandatory, record, expires)
        return Cell(Status.PLANNED, mandatory, record, expires, action)
    return Cell(Status.PLANNED if action else Status.MISSING, mandatory, None, None, action)


def _experience(
    requirement: CompetenceRequirement, records: Iterable[_E], as_of: dt.date
) -> tuple[list[_E], float, bool]:
    """The records of an experience requirement, the months they add up to, and whether that
    meets it (at least one record, and the minimum months)."""
    mine = [r for r in records if r.requirement_id == requirement.pk]
    months = experience_months(mine, as_of)
    return mine, months, bool(mine) and months >= (requirement.min_experience_months or 0)


def _best_evidence(
    requirement: CompetenceRequirement, records: Iterable[_E]
) -> tuple[_E, dt.date | None] | None:
    """The record that counts for `requirement` the longest, and when it stops counting."""
    best: tuple[_E, dt.date | None] | None = None
    for record in records:
        if not counts_as_evidence(record, requirement):
            continue
        expires = expiry_of(record, requirement)
        if best is None or _later(expires, best[1]):
            best = (record, expires)
    return best


def meets(requirement: CompetenceRequirement, records: Iterable[Evidence], as_of: dt.date) -> bool:
    """Whether the records meet `requirement` on `as_of`: the cells the matrix calls competent
    or expiring (whatever is planned, a requirement not met is a gap)."""
    if requirement.evaluation == Evaluation.EXPERIENCE:
        return _experience(requirement, records, as_of)[2]
    best = _best_evidence(requirement, records)
    return best is not None and (best[1] is None or best[1] > as_of)


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _later(a: dt.date | None, b: dt.date | None) -> bool:
    """Whether expiry `a` is later than `b` (no expiry is latest)."""
    if a is None:
        return b is not None
    return b is not None and a > b


def competence_matrix(
    organization,
    *,
    as_of: dt.date | None = None,
    site=None,
    team: str = "",
    role: str = "",
    process=None,
    standard=None,
    people: Iterable[int] | None = None,
) -> Matrix:
    """People of `organization` (those of `site`, `team` or `role`, or only `people`) against
    the requirements in force (those for `process` or `standard` when given)."""
    as_of = as_of or timezone.localdate()
    members = Membership.objects.filter(organization=organization, user__is_active=True)
    if site is not None:
        members = members.filter(site=site)
    if team:
        members = members.filter(team__iexact=team)
    if role:
        members = members.filter(role=role)
    if people is not None:
        members = members.filter(user_id__in=list(people))
    memberships = list(members.select_related("user", "site").order_by("team", "user__email"))
    requirements_qs = CompetenceRequirement.objects.filter(
        organization=organization, archived_at__isnull=True
    )
    if process is not None:
        requirements_qs = requirements_qs.filter(process=process)
    if standard is not None:
        requirements_qs = requirements_qs.filter(Q(standard=standard) | Q(standard__isnull=True))
    requirements = list(
        requirements_qs.select_related("path", "standard", "site", "process").order_by("code")
    )
    user_ids = [m.user_id for m in memberships]
    path_ids = {r.path_id for r in requirements if r.path_id}
    # Each record under every (person, requirement) it counts for, directly or through the
    # requirement's path, newest first: a cell reads its own few, not all of the person's.
    by_path: dict[int, list[int]] = defaultdict(list)
    for r in requirements:
        if r.path_id:
            by_path[r.path_id].append(r.pk)
    linked: dict[tuple[int, int], list[TrainingRecord]] = defaultdict(list)
    if requirements and user_ids:
        records = TrainingRecord.objects.filter(
            organization=organization, archived_at__isnull=True, person_id__in=user_ids
        ).filter(Q(requirement__in=requirements) | Q(path_id__in=path_ids))
        # Only what the cells read: a large organization has tens of thousands of records.
        records = records.only(*RECORD_FIELDS)
        for record in records.order_by("-completed_on"):
            targets = dict.fromkeys(
                ([record.requirement_id] if record.requirement_id else [])
                + (by_path.get(record.path_id, []) if record.path_id else [])
            )
            for pk in targets:
                linked[(record.person_id, pk)].append(record)
    # Keyed by ("r", requirement) or ("p", path), and the person (None: an audience's).
    actions_for: dict[tuple[str, int, int | None], list[Assignment]] = defaultdict(list)
    for assignment in (
        Assignment.objects.filter(organization=organization, archived_at__isnull=True)
        .filter(Q(requirement__in=requirements) | Q(path_id__in=path_ids))
        .order_by("due_date")
    ):
        if assignment.requirement_id:
            key: tuple[str, int] = ("r", assignment.requirement_id)
        else:
            assert assignment.path_id is not None  # the query asks for one or the other
            key = ("p", assignment.path_id)
        actions_for[(*key, assignment.person_id)].append(assignment)
    rows = []
    counts: dict[Status, int] = defaultdict(int)
    for membership in memberships:
        cells = []
        for requirement in requirements:
            if not requirement.covers(membership):
                cells.append(Cell(Status.NOT_APPLICABLE, requirement.mandatory))
                continue
            keys = [("r", requirement.pk)]
            if requirement.path_id:
                keys.append(("p", requirement.path_id))
            actions = [
                a
                for kind, pk in keys
                for person in (membership.user_id, None)
                for a in actions_for.get((kind, pk, person), ())
                if person is not None or a.covers(membership)
            ]
            mine = linked.get((membership.user_id, requirement.pk), [])
            cell = evaluate_cell(requirement, mine, actions, as_of)
            counts[cell.status] += 1
            cells.append(cell)
        rows.append(Row(membership, cells))
    return Matrix(as_of, requirements, rows, dict(counts))


@transaction.atomic
def create_gap_actions(
    organization,
    gaps: Iterable[Gap],
    *,
    actor,
    owner,
    due_date: dt.date,
) -> list[Assignment]:
    """Turn gaps without an action into assignments for their person: the requirement's path
    where it has one, otherwise an action to meet it; each followed up by `owner`."""
    require(actor, "add", Assignment, organization=organization)
    if due_date < timezone.localdate():
        raise ValidationFailed.single("due_date", "The due date cannot be in the past.")
    if not Membership.objects.filter(
        organization=organization, user=owner, role__in=FOLLOWERS
    ).exists():
        raise ValidationFailed.single(
            "owner",
            "Choose a member who keeps training, a process owner or top management.",
        )
    gaps = list(gaps)
    if any(
        gap.membership.organization_id != organization.pk
        or gap.requirement.organization_id != organization.pk
        for gap in gaps
    ):
        raise ValidationFailed.single("gaps", "Choose gaps of this organization's matrix.")
    created = []
    for gap in gaps:
        if gap.cell.action is not None:
            continue
        requirement = gap.requirement
        assignment = Assignment.objects.create(
            organization=organization,
            person=gap.membership.user,
            path=requirement.path,
            action="" if requirement.path_id else f"Meet {requirement.code}: {requirement.title}",
            requirement=requirement,
            due_date=due_date,
            owner=owner,
            note="From a gap in the competence matrix",
        )
        record_activity(actor=actor, action="create", obj=assignment)
        created.append(assignment)
    return created
