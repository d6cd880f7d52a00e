"""Open nonconformities and their corrective actions as an OSCAL plan of action and
milestones: a `poam-item` per open nonconformity, its risk carrying the status and due date,
its corrective actions as the risk's remediation tasks with their owners and due dates, and
the audit finding that raised it (the same UUID as in the audit's assessment results)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from pdca.core.permissions import scope
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.interop.oscal.assessment_results import ControlIds, _target
from pdca.interop.oscal.common import (
    JSON,
    document,
    metadata,
    oscal_uuid,
    party,
    prop,
    timestamp,
)
from pdca.standards.models import Requirement

S = Nonconformity.Status
#: Our states as OSCAL risk states: not yet understood, being investigated, being remedied.
RISK_STATES: dict[str, str] = {
    S.REPORTED: "open",
    S.TRIAGED: "investigating",
    S.CONTAINED: "investigating",
    S.CAUSE_ANALYSED: "investigating",
    S.ACTION_PLANNED: "remediating",
    S.IMPLEMENTED: "remediating",
    S.VERIFIED: "remediating",
}
OPEN = tuple(RISK_STATES)
ROLE = "action-owner"


def open_nonconformities(
    queryset: QuerySet[Nonconformity], *, viewer=None
) -> QuerySet[Nonconformity]:
    """The open ones (not closed, dismissed or archived) of `queryset`, ready for the plan,
    with the corrective actions `viewer` may read (all for None: the command line)."""
    actions = CorrectiveAction.objects.exclude(status=CorrectiveAction.Status.CANCELLED)
    if viewer is not None:
        actions = scope(actions, viewer)
    return (
        queryset.filter(status__in=OPEN, archived_at__isnull=True)
        .select_related("owner", "organization")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=actions.select_related("owner").order_by("round", "due_date", "pk"),
            ),
            Prefetch("requirements", queryset=Requirement.objects.select_related("standard")),
            "finding",
        )
        .order_by("due_date", "pk")
    )


def _person(user) -> JSON:
    return party("person", user.pk, user.get_full_name() or user.email)


def poam_document(organization, nonconformities: Iterable[Nonconformity]) -> JSON:
    """The plan of action and milestones of `organization` over its open `nonconformities`
    (as `open_nonconformities` reads them: a fixed number of queries)."""
    rows = list(nonconformities)
    requirements = [r for nc in rows for r in nc.requirements.all()]
    ids = ControlIds({r.standard_id for r in requirements})
    people: dict[int, JSON] = {}
    items, risks, findings = [], [], []
    for nc in rows:
        for user in [nc.owner, *(a.owner for a in nc.actions.all())]:
            if user is not None and user.pk not in people:
                people[user.pk] = _person(user)
        risk_uuid = oscal_uuid("nonconformity-risk", nc.pk)
        tasks = []
        for action in nc.actions.all():
            task: JSON = {
                "uuid": oscal_uuid("corrective-action", action.pk),
                "type": "milestone",
                "title": action.title,
                "props": [prop("action-status", action.status)],
                "timing": {"on-date": {"date": timestamp(action.due_date)}},
                "responsible-roles": [
                    {"role-id": ROLE, "party-uuids": [people[action.owner_id]["uuid"]]}
                ],
            }
            if action.description.strip():
                task["description"] = action.description.strip()
            tasks.append(task)
        risk: JSON = {
            "uuid": risk_uuid,
            "title": str(nc),
            "description": nc.description.strip() or nc.title,
            "statement": (nc.root_cause or nc.correction or nc.description).strip() or nc.title,
            "props": [prop("nonconformity-status", nc.status)],
            "status": RISK_STATES.get(nc.status, "open"),
        }
        due = nc.due_date or nc.closure_due
        if due:
            risk["deadline"] = timestamp(due)
        if tasks:
            lifecycle = (
                "planned" if any(a.status == "planned" for a in nc.actions.all()) else ("completed")
            )
            risk["remediations"] = [
                {
                    "uuid": oscal_uuid("remediation", nc.pk),
                    "lifecycle": lifecycle,
                    "title": f"Corrective action of {nc.reference or nc.title}",
                    "description": nc.effectiveness_criteria.strip()
                    or "The corrective actions that remove the cause.",
                    "tasks": tasks,
                }
            ]
        risks.append(risk)
        props = [prop("source", nc.source), prop("nonconformity-status", nc.status)]
        if nc.reference:
            props.append(prop("reference", nc.reference))
        if nc.severity:
            props.append(prop("severity", nc.severity))
        if due:
            props.append(prop("due-date", due.isoformat()))
        if nc.owner_id is not None:
            props.append(prop("owner", people[nc.owner_id]["name"]))
        item: JSON = {
            "uuid": oscal_uuid("poam-item", nc.pk),
            "title": str(nc),
            "description": nc.description.strip() or nc.title,
            "props": props,
            "related-risks": [{"risk-uuid": risk_uuid}],
        }
        # A nonconformity no audit finding raised has none (the reverse lookup raises).
        finding = getattr(nc, "finding", None)
        linked = sorted(nc.requirements.all(), key=lambda r: (r.standard_id, r.sort_key))
        if finding is not None:
            findings.append(
                {
                    "uuid": oscal_uuid("finding", finding.pk),
                    "title": f"F{finding.number} {finding.title}",
                    "description": finding.statement.strip() or finding.title,
                    "props": [prop("grade", finding.grade)],
                    "target": _target(ids, linked[0] if linked else None, "not-satisfied"),
                    "related-risks": [{"risk-uuid": risk_uuid}],
                }
            )
            item["related-findings"] = [{"finding-uuid": oscal_uuid("finding", finding.pk)}]
        items.append(item)
    org = party("organization", organization.slug, organization.name)
    body: JSON = {
        "uuid": oscal_uuid("poam", organization.slug),
        "metadata": metadata(
            f"Plan of action and milestones: {organization.name}",
            timestamp(max((nc.updated_at for nc in rows), default=None)),
            props=[prop("organization", organization.slug)],
            roles=[{"id": ROLE, "title": "Owner of the corrective action"}],
            parties=[org, *people.values()],
        ),
        "system-id": {
            "identifier-type": "https://ietf.org/rfc/rfc4122",
            "id": oscal_uuid("organization", organization.slug),
        },
    }
    if risks:
        body["risks"] = risks
    if findings:
        body["findings"] = findings
    body["poam-items"] = items
    return document("plan-of-action-and-milestones", body)
