"""Home sections of auditors, internal or of a certification body: the audits they lead or
are on the team of, the checklist results still waiting for a finding, and (for internal
auditors) their qualification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from pdca.audits.models import Audit, AuditTeamMember, ChecklistItem, Finding
from pdca.audits.qualification import standings
from pdca.core.permissions import may, scope
from pdca.people.models import TrainingRecord
from pdca.tenancy.models import Organization
from pdca.web.home.items import Item, Section, link, section, url

A = Audit.Status
#: Audits still to be conducted or reported.
OPEN = (A.PLANNED, A.PREPARED, A.IN_PROGRESS, A.REPORTING)
#: Audits whose fieldwork is under way: checklist results turn into findings.
FIELDWORK = (A.IN_PROGRESS, A.REPORTING)
#: Checklist results that ask for a finding.
TO_WRITE = (
    ChecklistItem.Result.NONCONFORMITY,
    ChecklistItem.Result.OBSERVATION,
    ChecklistItem.Result.OFI,
)


def my_audits(user: Any, org: Any) -> list[Audit]:
    """The open audits the person leads or is on the team of, soonest first."""
    if not may(user, "view", Audit, organization=org):
        return []
    on_team = AuditTeamMember.objects.filter(audit=OuterRef("pk"), user=user)
    rows = (
        scope(
            Audit.objects.filter(organization=org, archived_at__isnull=True, status__in=OPEN),
            user,
        )
        .filter(Q(lead_auditor=user) | Exists(on_team))
        .order_by("start_date", "pk")
    )
    if org.kind == Organization.Kind.CERTIFICATION_BODY:
        # A certification audit is named after its client.
        rows = rows.select_related("certification_audit__cycle__client")
    return list(rows)


def audits_section(user: Any, org: Any, audits: list[Audit], today: dt.date) -> Section:
    certifying = org.kind == Organization.Kind.CERTIFICATION_BODY
    items = []
    for audit in audits:
        # Past its last day and still not reported: the audit is late.
        late = audit.end_date < today and audit.status in (A.PLANNED, A.PREPARED, A.IN_PROGRESS)
        role = "Lead" if audit.lead_auditor_id == user.pk else "Team"
        # Read only where it was joined: elsewhere each audit would cost a query.
        programme = getattr(audit, "certification_audit", None) if certifying else None
        client = programme.cycle if programme is not None else None
        items.append(
            Item(
                str(audit),
                url("audits:audits-detail", audit.pk),
                role,
                "primary" if role == "Lead" else "secondary",
                (f"{client.client} · " if client is not None else "")
                + f"{audit.get_status_display()} · {audit.start_date:%Y-%m-%d} to "
                f"{audit.end_date:%Y-%m-%d}",
                audit.start_date,
                late,
            )
        )
    return section(
        "my-audits",
        "My audits",
        items,
        link=link("All audits", "audits:audits-list"),
        empty="You lead or are on no open audit.",
        limit=8,
    )


def fieldwork_section(user: Any, audits: list[Audit]) -> Section | None:
    """Per audit under way: checklist results that still need a finding, and the questions
    assigned to the person that are still unanswered (one query)."""
    under_way = {a.pk: a for a in audits if a.status in FIELDWORK}
    if not under_way:
        return None
    has_finding = Finding.objects.filter(checklist_item=OuterRef("pk"))
    counts = {
        row["audit_id"]: row
        for row in ChecklistItem.objects.filter(audit_id__in=list(under_way))
        .annotate(found=Exists(has_finding))
        .values("audit_id")
        .annotate(
            to_write=Count("pk", filter=Q(result__in=TO_WRITE, found=False)),
            to_answer=Count("pk", filter=Q(result="", auditor=user)),
        )
        .order_by()
    }
    items = []
    for pk, audit in under_way.items():
        row = counts.get(pk, {})
        if row.get("to_write"):
            n = row["to_write"]
            items.append(
                Item(
                    str(audit),
                    url("audits:findings", pk),
                    "Findings",
                    "warning",
                    f"{n} checklist result{'s' if n != 1 else ''} without a finding",
                    audit.end_date,
                )
            )
        if row.get("to_answer"):
            n = row["to_answer"]
            items.append(
                Item(
                    str(audit),
                    url("audits:checklist", pk),
                    "Checklist",
                    "info",
                    f"{n} question{'s' if n != 1 else ''} of yours unanswered",
                    audit.end_date,
                )
            )
    return section(
        "findings",
        "Findings to write",
        items,
        empty="Every checklist result of your audits has its finding.",
    )


def qualification_section(user: Any, org: Any, today: dt.date) -> Section | None:
    """The internal auditor's standing for each standard the organization uses."""
    if not may(user, "view", TrainingRecord, organization=org):
        return None
    items = [
        Item(
            standing.standard.name,
            url("audits:auditors"),
            "Qualified" if standing.qualified else "Not yet",
            "success" if standing.qualified else "warning",
            standing.basis if standing.qualified else f"Missing: {standing.missing}",
        )
        for standing in standings(org, users=[user], as_of=today)
    ]
    return section(
        "qualification",
        "My qualification as internal auditor",
        items,
        link=link("Internal auditors", "audits:auditors"),
        empty="The organization has adopted no standard yet.",
        ordered=True,
        info=True,
        limit=8,
    )
