"""API of the leadership page: the policy documents and the commitments each adopted
standard asks of the policy (5.2), top management and the management representative, the
roles and authorities (5.3), for one management system. Thin: the reading is in
`selectors`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from pdca.core.api import organization_for, responses
from pdca.reviews.leadership import selectors
from pdca.reviews.models import ManagementReview
from pdca.reviews.selectors import chosen_system, visible_systems

router = Router()
TAG = "leadership"


class LeadershipQuery(Schema):
    organization: str | None = Field(None, description="Organization slug (when you have several)")
    system: int | None = Field(
        None, description="Management system id (the first one by name when left out)"
    )


class SystemRef(Schema):
    id: int
    name: str


class PersonOut(Schema):
    user_id: int
    name: str
    email: str
    job_title: str


class PolicyOut(Schema):
    id: int
    code: str
    title: str
    doc_type: str
    url: str
    owner: str | None
    published: bool = Field(description="False when no version of it is published")
    published_version: int | None
    published_on: dt.date | None = Field(description="Effective date of the published version")
    version_url: str | None
    asked: int = Field(description="People asked to read the published version")
    acknowledged: int = Field(description="Of them, those who confirmed they read it")
    standards: list[str] = Field(description="Standards whose clause 5.2 it is linked to")


class CommitmentOut(Schema):
    key: str
    text: str = Field(description="Our own words, not the standard's: check the policy's text")


class StandardPolicyOut(Schema):
    standard_id: int
    code: str
    name: str
    clauses: list[str] = Field(description="The standard's policy clauses (5.2 and below)")
    clause_url: str
    documents: list[int] = Field(description="Ids of the policies linked to those clauses")
    published: bool = Field(description="Whether one of those documents is published")
    commitments: list[CommitmentOut]


class DutyOut(Schema):
    id: int
    activity: str
    process: str
    url: str
    accountable: list[str]
    responsible: list[str]
    problems: list[str]


class RoleOut(Schema):
    role: str
    label: str
    authority: str
    people: list[PersonOut]


class LeadershipOut(Schema):
    system: SystemRef | None = Field(description="Null when the organization has no system yet")
    systems: list[SystemRef]
    top_management: list[PersonOut]
    representative: PersonOut | None = Field(description="The system's owner")
    system_managers: list[PersonOut] = Field(description="System managers and consultants")
    policies: list[PolicyOut]
    standards: list[StandardPolicyOut]
    duties: list[DutyOut] = Field(description="Responsibilities (5.3): accountable, responsible")
    roles: list[RoleOut]


def _person(person: selectors.Person) -> dict[str, Any]:
    return {
        "user_id": person.user_id,
        "name": person.name,
        "email": person.email,
        "job_title": person.job_title,
    }


def as_dict(data: selectors.Leadership) -> dict[str, Any]:
    return {
        "system": {"id": data.system.pk, "name": data.system.name} if data.system else None,
        "systems": [{"id": s.pk, "name": s.name} for s in data.systems],
        "top_management": [_person(p) for p in data.top_management],
        "representative": _person(data.representative) if data.representative else None,
        "system_managers": [_person(p) for p in data.system_managers],
        "policies": [
            {
                "id": p.id,
                "code": p.code,
                "title": p.title,
                "doc_type": p.doc_type,
                "url": p.url,
                "owner": p.owner,
                "published": p.published,
                "published_version": p.published_version,
                "published_on": p.published_on,
                "version_url": p.version_url,
                "asked": p.asked,
                "acknowledged": p.acknowledged,
                "standards": p.standards,
            }
            for p in data.policies
        ],
        "standards": [
            {
                "standard_id": s.standard_id,
                "code": s.code,
                "name": s.name,
                "clauses": s.clauses,
                "clause_url": s.clause_url,
                "documents": [d.id for d in s.documents],
                "published": s.published,
                "commitments": [{"key": c.key, "text": c.text} for c in s.commitments],
            }
            for s in data.standards
        ],
        "duties": [
            {
                "id": d.id,
                "activity": d.activity,
                "process": d.process,
                "url": d.url,
                "accountable": d.accountable,
                "responsible": d.responsible,
                "problems": d.problems,
            }
            for d in data.duties
        ],
        "roles": [
            {
                "role": r.role,
                "label": r.label,
                "authority": r.authority,
                "people": [_person(p) for p in r.people],
            }
            for r in data.roles
        ],
    }


@router.get("/leadership/", response=responses(LeadershipOut), tags=[TAG])
def get_leadership(request, filters: Query[LeadershipQuery]):
    """Leadership of one management system: top management, the management representative,
    the policy documents with their published version, the commitments each adopted standard
    asks of the policy (our own words, a checklist to check against the policy's text), and
    roles and authorities. 404 for another organization's system."""
    organization = organization_for(request.auth, filters.organization, may_view=ManagementReview)
    systems = list(visible_systems(request.auth, organization).select_related("owner"))
    try:
        system = chosen_system(systems, filters.system)
    except LookupError:
        raise Http404("No such management system.") from None
    return as_dict(selectors.leadership(request.auth, organization, system, systems))
