"""Leadership in one place, read from existing data: top management, the management
representative, the policy documents with their published versions, what each adopted
standard asks the policy to commit to (5.2), and roles and authorities (5.3): the RACI
matrix's accountable and responsible parties and the members by role.

Ten queries, however many documents, responsibilities and members there are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from pdca.core.permissions import scope
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.documents.models import Acknowledgement, Document, DocumentVersion
from pdca.documents.models.documents import DocType
from pdca.reviews.leadership.commitments import (
    AUTHORITY,
    Commitment,
    commitments_for,
    is_policy_clause,
)
from pdca.standards.models import Requirement
from pdca.system.models import AdoptedStandard, ManagementSystem, RaciAssignment, Responsibility
from pdca.tenancy.models import Membership

if TYPE_CHECKING:
    from pdca.accounts.models import User

PUBLISHED = DocumentVersion.Status.PUBLISHED
#: The order roles are listed in: who is accountable first.
ROLE_ORDER = (
    Role.TOP_MANAGEMENT,
    Role.SYSTEM_MANAGER,
    Role.CONSULTANT,
    Role.PROCESS_OWNER,
    Role.INTERNAL_AUDITOR,
    Role.EMPLOYEE,
    Role.ADMIN,
)


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    email: str
    job_title: str = ""


@dataclass
class PolicyDocument:
    """A document that holds a policy: typed as a policy, or linked to a clause 5.2."""

    id: int
    code: str
    title: str
    doc_type: str
    url: str
    owner: str | None
    published_version: int | None
    published_on: dt.date | None
    version_url: str | None
    #: People asked to read the published version, and how many confirmed they did (7.3).
    asked: int = 0
    acknowledged: int = 0
    #: Codes of the standards whose clause 5.2 the document is linked to, and their names.
    standards: list[str] = field(default_factory=list)
    standard_names: list[str] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.published_version is not None


@dataclass(frozen=True)
class StandardPolicy:
    """One adopted standard: the requirement(s) of its clause 5.2, the documents linked to
    them, and the commitments its policy is expected to make."""

    standard_id: int
    code: str
    name: str
    clauses: list[str]
    clause_url: str
    documents: list[PolicyDocument]
    commitments: tuple[Commitment, ...]

    @property
    def published(self) -> bool:
        return any(d.published for d in self.documents)


@dataclass(frozen=True)
class Duty:
    """One row of the RACI matrix: who is accountable and who is responsible for it."""

    id: int
    activity: str
    process: str
    url: str
    accountable: list[str]
    responsible: list[str]

    @property
    def problems(self) -> list[str]:
        found = []
        if not self.responsible:
            found.append("nobody is responsible (no R)")
        if not self.accountable:
            found.append("nobody is accountable (no A)")
        return found


@dataclass(frozen=True)
class RoleGroup:
    role: str
    label: str
    authority: str
    people: list[Person]


@dataclass
class Leadership:
    system: ManagementSystem | None
    systems: list[ManagementSystem]
    top_management: list[Person]
    representative: Person | None
    system_managers: list[Person]
    policies: list[PolicyDocument]
    standards: list[StandardPolicy]
    duties: list[Duty]
    roles: list[RoleGroup]


def _person(user: Any, job_title: str = "") -> Person:
    return Person(user.pk, user.get_full_name() or user.email, user.email, job_title)


def _standard_order(standard: Any) -> tuple[int, str]:
    """ISO 9001 before ISO 14001: by the standard's number, which its code carries."""
    digits = re.search(r"\d+", standard.code)
    return (int(digits.group()) if digits else 0, standard.code)


def _policy_requirements(system: ManagementSystem | None) -> tuple[list[Any], list[Requirement]]:
    """The system's adopted standards (still adopted), and their clause 5.2 requirements."""
    if system is None:
        return [], []
    standards = sorted(
        (
            a.standard
            for a in AdoptedStandard.objects.filter(
                system=system, dropped_on__isnull=True
            ).select_related("standard")
        ),
        key=_standard_order,
    )
    # "5.2", "5.2.1", "5.2.2": a prefix filter, then the exact rule in Python.
    requirements = [
        r
        for r in Requirement.objects.filter(standard__in=standards, number__startswith="5.2")
        .select_related("standard")
        .order_by("sort_key")
        if is_policy_clause(r.number)
    ]
    return standards, requirements


def _policies(
    user: User, organization: Any, requirements: list[Requirement]
) -> tuple[list[PolicyDocument], dict[int, set[int]]]:
    """The policy documents the user may see, and the requirement ids each is linked to."""
    published = DocumentVersion.objects.filter(document=OuterRef("pk"), status=PUBLISHED)
    rows = list(
        scope(Document.objects.filter(organization=organization, archived_at__isnull=True), user)
        .filter(obsolete=False)
        .filter(Q(doc_type=DocType.POLICY) | Q(requirements__in=requirements))
        .distinct()
        .select_related("owner")
        .annotate(
            published_id=Subquery(published.values("pk")[:1]),
            published_number=Subquery(published.values("number")[:1]),
            published_date=Subquery(published.values("effective_date")[:1]),
            published_at=Subquery(published.values("published_at")[:1]),
        )
        .order_by("code", "pk")
    )
    links: dict[int, set[int]] = defaultdict(set)
    for document_id, requirement_id in Document.requirements.through.objects.filter(
        document__in=[d.pk for d in rows], requirement__in=requirements
    ).values_list("document_id", "requirement_id"):
        links[document_id].add(requirement_id)
    version_ids = [d.published_id for d in rows if d.published_id]
    counts = {
        row["version_id"]: row
        for row in Acknowledgement.objects.filter(version_id__in=version_ids)
        .values("version_id")
        .annotate(
            asked=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False))
        )
        .order_by()
    }
    policies = []
    for doc in rows:
        on = doc.published_date or (
            timezone.localtime(doc.published_at).date() if doc.published_at else None
        )
        ack = counts.get(doc.published_id, {})
        policies.append(
            PolicyDocument(
                id=doc.pk,
                code=doc.code,
                title=doc.title,
                doc_type=doc.get_doc_type_display(),
                url=reverse("documents:documents-detail", args=[doc.pk]),
                owner=(doc.owner.get_full_name() or doc.owner.email) if doc.owner else None,
                published_version=doc.published_number,
                published_on=on if doc.published_id else None,
                version_url=(
                    reverse("documents:version-detail", args=[doc.published_id])
                    if doc.published_id
                    else None
                ),
                asked=ack.get("asked", 0),
                acknowledged=ack.get("acknowledged", 0),
            )
        )
    return policies, links


def _standards(
    standards: list[Any],
    requirements: list[Requirement],
    policies: list[PolicyDocument],
    links: dict[int, set[int]],
) -> list[StandardPolicy]:
    clauses: dict[int, list[Requirement]] = defaultdict(list)
    for requirement in requirements:
        clauses[requirement.standard_id].append(requirement)
    result = []
    for standard in standards:
        own = {r.pk for r in clauses[standard.pk]}
        linked = [p for p in policies if links.get(p.id, set()) & own]
        for policy in linked:
            policy.standards.append(standard.code)
            policy.standard_names.append(standard.name)
        result.append(
            StandardPolicy(
                standard_id=standard.pk,
                code=standard.code,
                name=standard.name,
                clauses=[r.number for r in clauses[standard.pk]],
                clause_url=reverse("standards:requirement", args=[standard.code, "5.2"]),
                documents=linked,
                commitments=commitments_for(standard.code),
            )
        )
    return result


def _duties(user: User, organization: Any) -> list[Duty]:
    """Each responsibility with its accountable and responsible parties (two queries)."""
    cells = Prefetch(
        "assignments",
        queryset=RaciAssignment.objects.filter(
            letter__in=[RaciAssignment.Letter.ACCOUNTABLE, RaciAssignment.Letter.RESPONSIBLE]
        )
        .select_related("user")
        .order_by("role", "user__full_name", "pk"),
        to_attr="key_cells",
    )
    rows = (
        scope(
            Responsibility.objects.filter(organization=organization, archived_at__isnull=True),
            user,
        )
        .select_related("process")
        .prefetch_related(cells)
        .order_by("activity", "pk")
    )
    duties = []
    for row in rows:
        parties: dict[str, list[str]] = {"A": [], "R": []}
        prefetched: Any = row  # carries the prefetch's `key_cells`
        cell: RaciAssignment
        for cell in prefetched.key_cells:
            # A cell names a role or a person, never both (a constraint of the table).
            label = cell.user.get_full_name() if cell.user is not None else cell.role
            parties[cell.letter].append(label)
        duties.append(
            Duty(
                id=row.pk,
                activity=row.activity,
                process=str(row.process) if row.process else "",
                url=reverse("workspace:responsibilities-detail", args=[row.pk]),
                accountable=parties["A"],
                responsible=parties["R"],
            )
        )
    return duties


def leadership(
    user: User, organization: Any, system: ManagementSystem | None, systems: list[ManagementSystem]
) -> Leadership:
    """Everything the leadership page and API show for one management system (`system` None
    when the organization has none yet: the people and roles still show)."""
    members = list(
        scope(Membership.objects.filter(organization=organization), user)
        .select_related("user")
        .filter(user__is_active=True)
        .order_by("user__full_name", "user__email")
    )
    by_role: dict[str, list[Person]] = defaultdict(list)
    for membership in members:
        by_role[membership.role].append(_person(membership.user, membership.job_title))
    standards, requirements = _policy_requirements(system)
    policies, links = _policies(user, organization, requirements)
    owner = system.owner if system is not None else None
    return Leadership(
        system=system,
        systems=systems,
        top_management=by_role[Role.TOP_MANAGEMENT],
        representative=_person(owner) if owner is not None else None,
        system_managers=by_role[Role.SYSTEM_MANAGER] + by_role[Role.CONSULTANT],
        policies=policies,
        standards=_standards(standards, requirements, policies, links),
        duties=_duties(user, organization),
        roles=[
            RoleGroup(role, Role(role).label, AUTHORITY.get(role, ""), by_role[role])
            for role in ROLE_ORDER
            if role in ORGANIZATION_ROLES and by_role[role]
        ],
    )
