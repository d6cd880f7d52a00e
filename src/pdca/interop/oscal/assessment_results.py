"""Gap assessments and audits as OSCAL assessment results: one `result` per assessment or
audit, its `reviewed-controls` selecting the requirements (as the controls of our catalogs),
a finding per gap item or audit finding, and the evidence as observations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch

from pdca.assessments.models import GapAssessment, GapItem
from pdca.audits.models import Audit, Finding
from pdca.core.permissions import scope
from pdca.interop.oscal.catalog import catalog_uuid, control_ids
from pdca.interop.oscal.common import (
    JSON,
    document,
    metadata,
    oscal_uuid,
    party,
    prop,
    timestamp,
)
from pdca.standards.models import Requirement, Standard

GAP_STATES: dict[str, str] = {
    GapItem.Status.IMPLEMENTED: "implemented",
    GapItem.Status.PARTIAL: "partial",
    GapItem.Status.PLANNED: "planned",
    GapItem.Status.NOT_APPLICABLE: "not-applicable",
}
SATISFIED_GAPS = {GapItem.Status.IMPLEMENTED, GapItem.Status.NOT_APPLICABLE}
NONCONFORMITIES = {Finding.Grade.MAJOR, Finding.Grade.MINOR}


class ControlIds:
    """The control id of every requirement of some standards, as their catalogs name them
    (one query for all the standards)."""

    def __init__(self, standard_ids: Iterable[int]) -> None:
        by_standard: dict[int, list[Requirement]] = defaultdict(list)
        for requirement in Requirement.objects.filter(
            standard_id__in=set(standard_ids), retired=False
        ).order_by("standard_id", "sort_key"):
            by_standard[requirement.standard_id].append(requirement)
        self.ids: dict[int, str] = {}
        for requirements in by_standard.values():
            self.ids.update(control_ids(requirements))

    def of(self, requirement: Requirement) -> str:
        return self.ids.get(requirement.pk) or f"c.{requirement.number.lower()}"


def _selections(
    ids: ControlIds, standards: list[Standard], chosen: list[Requirement] | None
) -> list[JSON]:
    """One control selection per standard: the chosen requirements, or all of them."""
    selections = []
    for standard in standards:
        selection: JSON = {
            "description": f"{standard.full_name} (catalog {catalog_uuid(standard)})",
            "props": [prop("standard", standard.code)],
        }
        if chosen is None:
            selection["include-all"] = {}
        else:
            mine = [r for r in chosen if r.standard_id == standard.pk]
            if not mine:
                continue
            selection["include-controls"] = [{"control-id": ids.of(r)} for r in mine]
        selections.append(selection)
    return selections or [{"include-all": {}}]


def _target(ids: ControlIds, requirement: Requirement | None, state: str) -> JSON:
    if requirement is None:
        # A finding against no particular requirement is against the audit criteria.
        return {"type": "objective-id", "target-id": "audit-criteria", "status": {"state": state}}
    return {
        "type": "statement-id",
        "target-id": f"{ids.of(requirement)}_smt",
        "props": [
            prop("standard", requirement.standard.code),
            prop("label", requirement.number, ns=None),
        ],
        "status": {"state": state},
    }


def _observation(key: tuple, title: str, evidence: str, collected) -> JSON:
    lines = [line.strip() for line in evidence.splitlines() if line.strip()]
    relevant = []
    for line in lines:
        item: JSON = {"description": line}
        if line.startswith(("https://", "http://")) and " " not in line:
            item["href"] = line
        relevant.append(item)
    return {
        "uuid": oscal_uuid(*key),
        "title": title,
        "description": "\n".join(lines),
        "methods": ["EXAMINE"],
        "types": ["finding"],
        "relevant-evidence": relevant,
        "collected": timestamp(collected),
    }


def _resources(standards: list[Standard], plan_uuid: str, plan_title: str) -> JSON:
    resources: list[JSON] = [{"uuid": plan_uuid, "title": plan_title}]
    for standard in standards:
        resources.append(
            {
                "uuid": oscal_uuid("resource", "catalog", standard.code),
                "title": f"{standard.full_name} catalog",
                "props": [prop("standard", standard.code)],
                "rlinks": [{"href": f"/api/v1/oscal/catalogs/{standard.code}/"}],
            }
        )
    return {"resources": resources}


def _wrap(
    key: tuple, title: str, version: str, organization, result: JSON, standards, plan_title: str
) -> JSON:
    plan_uuid = oscal_uuid("plan", *key)
    org = party("organization", organization.slug, organization.name)
    return document(
        "assessment-results",
        {
            "uuid": oscal_uuid("assessment-results", *key),
            "metadata": metadata(
                title, version, props=[prop("organization", organization.slug)], parties=[org]
            ),
            "import-ap": {"href": f"#{plan_uuid}"},
            "results": [result],
            "back-matter": _resources(standards, plan_uuid, plan_title),
        },
    )


def assessment_results_for_assessment(assessment: GapAssessment) -> JSON:
    """A gap assessment as assessment results: each item a finding (satisfied when
    implemented or not applicable), its evidence an observation."""
    items = list(
        GapItem.objects.filter(assessment=assessment)
        .select_related("requirement__standard", "owner")
        .prefetch_related(
            Prefetch("covers", queryset=Requirement.objects.select_related("standard"))
        )
        .order_by("sort_key", "pk")
    )
    covered = {r.pk: r for item in items for r in [item.requirement, *item.covers.all()]}
    standards = sorted(
        {r.standard_id: r.standard for r in covered.values()}.values(), key=lambda s: s.code
    )
    ids = ControlIds(s.pk for s in standards)
    chosen = sorted(covered.values(), key=lambda r: (r.standard.code, r.sort_key))
    observations, findings = [], []
    for item in items:
        requirement = item.requirement
        name = f"{requirement.standard.name} {requirement.number} {requirement.title}"
        props = [prop("gap-status", item.status)]
        owner = item.owner if item.owner_id is not None else None
        if owner is not None:
            props.append(prop("owner", owner.get_full_name() or owner.email))
        if item.target_date:
            props.append(prop("target-date", item.target_date.isoformat()))
        for other in item.covers.all():
            if other.pk != requirement.pk:
                props.append(prop("covers", f"{other.standard.code} {other.number}"))
        target = _target(
            ids, requirement, "satisfied" if item.status in SATISFIED_GAPS else "not-satisfied"
        )
        if item.status in GAP_STATES:
            target["implementation-status"] = {"state": GAP_STATES[item.status]}
        finding: JSON = {
            "uuid": oscal_uuid("gap-item", item.pk),
            "title": name,
            "description": (item.notes or item.justification).strip()
            or f"Gap assessment status: {item.get_status_display()}.",
            "props": props,
            "target": target,
        }
        if item.evidence.strip():
            observation = _observation(
                ("gap-evidence", item.pk), f"Evidence for {name}", item.evidence, item.updated_at
            )
            observations.append(observation)
            finding["related-observations"] = [{"observation-uuid": observation["uuid"]}]
        findings.append(finding)
    result: JSON = {
        "uuid": oscal_uuid("result", "assessment", assessment.pk),
        "title": assessment.title,
        "description": assessment.notes.strip() or f"Gap assessment of {assessment.system.name}.",
        "start": timestamp(assessment.started_on),
        "props": [
            prop("status", assessment.status),
            prop("management-system", assessment.system.name),
        ],
        "reviewed-controls": {"control-selections": _selections(ids, standards, chosen)},
    }
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    return _wrap(
        ("assessment", assessment.pk),
        f"Gap assessment: {assessment.title}",
        timestamp(assessment.updated_at),
        assessment.organization,
        result,
        standards,
        f"Scope of the gap assessment: the standards {assessment.system.name} adopts",
    )


def assessment_results_for_audit(audit: Audit, *, viewer=None) -> JSON:
    """An audit as assessment results: each finding (major or minor nonconformity,
    observation, opportunity for improvement, strength) a finding, its evidence an
    observation. Nonconformities are not satisfied; the other grades are. The findings are
    those `viewer` may read (working papers: not every role may); all for `viewer` None,
    the operator at the command line."""
    standards = sorted(audit.standards.all(), key=lambda s: s.code)
    visible = Finding.objects.filter(audit=audit)
    if viewer is not None:
        visible = scope(visible, viewer)
    findings_qs = (
        visible.select_related("nonconformity")
        .prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.select_related("standard"))
        )
        .order_by("number")
    )
    found = list(findings_qs)
    audited = list(audit.requirements.select_related("standard").order_by("sort_key"))
    referenced = {r.standard_id for f in found for r in f.requirements.all()}
    ids = ControlIds({s.pk for s in standards} | {r.standard_id for r in audited} | referenced)
    observations, findings = [], []
    for item in found:
        requirements = sorted(item.requirements.all(), key=lambda r: (r.standard_id, r.sort_key))
        state = "not-satisfied" if item.grade in NONCONFORMITIES else "satisfied"
        props = [prop("grade", item.grade), prop("finding-number", item.number)]
        props += [prop("requirement", f"{r.standard.code} {r.number}") for r in requirements[1:]]
        if item.nonconformity_id is not None and item.nonconformity is not None:
            props.append(prop("nonconformity", str(item.nonconformity)))
        finding: JSON = {
            "uuid": oscal_uuid("finding", item.pk),
            "title": f"F{item.number} {item.title}",
            "description": item.statement.strip() or item.get_grade_display(),
            "props": props,
            "target": _target(ids, requirements[0] if requirements else None, state),
        }
        if item.requirement_statement.strip():
            finding["remarks"] = f"Requirement: {item.requirement_statement.strip()}"
        if item.evidence.strip():
            observation = _observation(
                ("finding-evidence", item.pk),
                f"Evidence for F{item.number}",
                item.evidence,
                item.updated_at,
            )
            observations.append(observation)
            finding["related-observations"] = [{"observation-uuid": observation["uuid"]}]
        findings.append(finding)
    props = [prop("audit-type", audit.audit_type), prop("status", audit.status)]
    if audit.reference:
        props.append(prop("reference", audit.reference))
    if audit.recommendation:
        props.append(prop("recommendation", audit.recommendation))
    result: JSON = {
        "uuid": oscal_uuid("result", "audit", audit.pk),
        "title": f"{audit.reference} {audit.title}".strip(),
        "description": (audit.scope or audit.objectives).strip() or f"Audit: {audit.title}.",
        "start": timestamp(audit.start_date),
        "end": timestamp(audit.end_date),
        "props": props,
        "reviewed-controls": {"control-selections": _selections(ids, standards, audited or None)},
    }
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    if audit.conclusion.strip():
        result["remarks"] = audit.conclusion.strip()
    return _wrap(
        ("audit", audit.pk),
        f"Audit: {result['title']}",
        timestamp(audit.updated_at),
        audit.organization,
        result,
        standards,
        f"Audit plan of {result['title']}",
    )
