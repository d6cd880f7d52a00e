"""The main menu: each item names the permission it needs, so a role sees only what it may use.

Apps below `web` add their items with `core.navigation.add_item` in their AppConfig.ready; they
come before the standards catalog, in the order they were added.
"""

from __future__ import annotations

import functools

from django.apps import apps
from django.urls import get_script_prefix, reverse

from pdca.core.navigation import NavItem, added_items
from pdca.core.permissions import may

_items: list[NavItem] = [
    NavItem("Home", "web:home", "Overview"),
    # Reports and imports people asked for (and, for managers, everyone's): every member.
    NavItem("Jobs", "jobs:list", "Overview"),
    NavItem("Organization", "tenancy:organization", "Organization", "tenancy.organization"),
    NavItem("Sites", "tenancy:site_list", "Organization", "tenancy.site"),
    NavItem("Members", "tenancy:member_list", "Organization", "tenancy.membership"),
    NavItem("Activity log", "web:activity", "Organization", "core.activityentry"),
    NavItem("Records and retention", "web:records", "Organization", "core.retentionperiod"),
    NavItem(
        "Management system", "system:system_list", "Management system", "system.managementsystem"
    ),
    NavItem(
        "Gap assessments",
        "assessments:assessment_list",
        "Management system",
        "assessments.gapassessment",
    ),
    NavItem("Context", "workspace:context-issues-list", "Management system", "system.contextissue"),
    NavItem(
        "Interested parties",
        "workspace:interested-parties-list",
        "Management system",
        "system.interestedparty",
    ),
    NavItem("Processes", "workspace:processes-list", "Management system", "system.process"),
    NavItem(
        "Responsibilities",
        "workspace:responsibilities-list",
        "Management system",
        "system.responsibility",
    ),
    NavItem("Objectives", "workspace:objectives-list", "Management system", "system.objective"),
    NavItem("Risks", "risks:risks-list", "Risks and controls", "risks.risk"),
    NavItem(
        "Statement of Applicability",
        "risks:soa-list",
        "Risks and controls",
        "risks.statementofapplicability",
    ),
    NavItem("AI systems", "risks:ai-systems-list", "Risks and controls", "risks.aisystem"),
    NavItem(
        "AI impact assessments",
        "risks:impact-assessments-list",
        "Risks and controls",
        "risks.impactassessment",
    ),
    NavItem("Documents", "documents:documents-list", "Documents", "documents.document"),
    NavItem("Evidence", "documents:evidence-list", "Documents", "documents.evidencefile"),
    NavItem(
        "Reviews", "documents:review-queue", "Documents", "documents.documentversion", "approve"
    ),
    NavItem("To read", "documents:my-acknowledgements", "Documents", "documents.acknowledgement"),
    NavItem(
        "Audit programmes",
        "audits:audit-programmes-list",
        "Audit and improvement",
        "audits.auditprogramme",
    ),
    NavItem("Audits", "audits:audits-list", "Audit and improvement", "audits.audit"),
    NavItem(
        "Internal auditors", "audits:auditors", "Audit and improvement", "people.trainingrecord"
    ),
    NavItem(
        "Saved checklists",
        "audits:saved-checklists",
        "Audit and improvement",
        "audits.savedchecklist",
    ),
    NavItem(
        "Nonconformities",
        "improvement:nonconformities-list",
        "Audit and improvement",
        "improvement.nonconformity",
    ),
    # Every member may report a problem and has a task list (an employee sees only theirs).
    NavItem(
        "Report a nonconformity",
        "improvement:report",
        "Audit and improvement",
        "improvement.nonconformity",
        "report",
    ),
    NavItem(
        "My CAPA tasks",
        "improvement:tasks",
        "Audit and improvement",
        "improvement.nonconformity",
        "report",
    ),
    NavItem(
        "Improvement opportunities",
        "improvement:opportunities-list",
        "Audit and improvement",
        "improvement.improvementopportunity",
    ),
    NavItem(
        "CAPA analytics",
        "improvement:analytics",
        "Audit and improvement",
        "improvement.nonconformity",
    ),
    # Every member has their own training (an employee sees only theirs).
    NavItem("My training", "people:home", "Competence and training", "people.trainingpath"),
    NavItem(
        "Competence matrix", "people:matrix", "Competence and training", "people.trainingrecord"
    ),
    NavItem(
        "Requirements",
        "people:competence-requirements-list",
        "Competence and training",
        "people.competencerequirement",
        "add",
    ),
    NavItem(
        "Training records",
        "people:training-records-list",
        "Competence and training",
        "people.trainingrecord",
    ),
    NavItem("Training paths", "people:path-list", "Competence and training", "people.trainingpath"),
    NavItem(
        "Awareness campaigns",
        "people:awareness-campaigns-list",
        "Competence and training",
        "people.awarenesscampaign",
    ),
    NavItem(
        "Qualifications",
        "people:qualifications-list",
        "Competence and training",
        "people.qualification",
    ),
    # The catalog is shared reference data: every signed-in person may read it.
    NavItem("Standards", "standards:list", "Standards"),
    NavItem("Integrated view", "standards:integrated", "Standards"),
    NavItem("OSCAL", "interop:oscal", "Standards"),
]


def _adopted_codes(organization) -> tuple[str, ...]:
    from pdca.system.models import AdoptedStandard

    return tuple(
        AdoptedStandard.objects.filter(organization=organization, dropped_on__isnull=True)
        .values_list("standard__code", flat=True)
        .distinct()
    )


def items_for(user, organization) -> list[dict]:
    visible = []
    adopted: tuple[str, ...] | None = None  # read once, only when an item depends on it
    # The apps' own items come before the shared reference data (the standards catalog).
    cut = next(i for i, item in enumerate(_items) if item.section == "Standards")
    for item in [*_items[:cut], *added_items(), *_items[cut:]]:
        if item.model is not None:
            if organization is None:
                continue
            model = apps.get_model(item.model)
            if not may(user, item.action, model, organization=organization):
                continue
        if item.kinds and getattr(organization, "kind", None) not in item.kinds:
            continue
        if item.standard is not None:
            if organization is None:
                continue
            if adopted is None:
                adopted = _adopted_codes(organization)
            if not any(code.startswith(item.standard) for code in adopted):
                continue
        visible.append({"label": item.label, "url": _url(item.url_name), "section": item.section})
    return visible


@functools.cache
def _reversed(url_name: str, script_prefix: str) -> str:
    return reverse(url_name)


def _url(url_name: str) -> str:
    """A menu item's address, reversed once per process (and script prefix): the menu is on
    every page, and reversing its seventy-odd names took two milliseconds of each."""
    return _reversed(url_name, get_script_prefix())
