"""The audit's own part of its page (under its fields): where it stands with the steps it can
take (or why not), its team, a summary of its plan, its meetings, and links to the checklist,
findings and report pages. A fixed number of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from pdca.audits import services
from pdca.audits.models import Audit, AuditMeeting, AuditPlanItem, AuditTeamMember
from pdca.core.permissions import may

ROLE_ORDER = {value: i for i, value in enumerate(AuditTeamMember.Role.values)}


def audit_detail_context(request, audit: Audit) -> dict:
    """What `audits/_audit_detail.html` shows: `steps` ((step, reason or None) pairs), `team`,
    `plan` (count, first and last slot), `meetings` (one per kind or None) and the links."""
    user = request.user
    org_id = audit.organization_id
    team = sorted(
        audit.team.select_related("user"), key=lambda m: (ROLE_ORDER.get(m.role, 99), str(m.user))
    )
    lead_listed = any(m.user_id == audit.lead_auditor_id for m in team)
    slots = list(audit.plan_items.order_by("starts_at").values_list("starts_at", "ends_at"))
    meetings = {m.kind: m for m in audit.meetings.all()}
    can_change = may(user, "change", audit)
    frozen = audit.report_frozen
    return {
        "status": audit.get_status_display(),
        "steps": services.available_steps(audit) if can_change else [],
        "can_change": can_change,
        "transition_url": reverse("audits:transition", args=[audit.pk]),
        "team": team,
        "lead_not_listed": audit.lead_auditor
        if audit.lead_auditor_id and not lead_listed
        else None,
        "can_add_member": not frozen and may(user, "add", AuditTeamMember, organization=org_id),
        "can_change_member": not frozen
        and may(user, "change", AuditTeamMember, organization=org_id),
        "can_remove_member": not frozen
        and may(user, "delete", AuditTeamMember, organization=org_id),
        "team_add_url": reverse("audits:team-add", args=[audit.pk]),
        "plan": {
            "count": len(slots),
            "first": timezone.localtime(slots[0][0]) if slots else None,
            "last": timezone.localtime(slots[-1][1]) if slots else None,
            "url": reverse("audits:plan", args=[audit.pk]),
            "pdf_url": reverse("audits:plan-pdf", args=[audit.pk]),
            "add_url": reverse("audits:plan-item-create", args=[audit.pk])
            if not frozen and may(user, "add", AuditPlanItem, organization=org_id)
            else None,
        },
        "meetings": [
            (value, label, meetings.get(value)) for value, label in AuditMeeting.Kind.choices
        ],
        "can_record_meeting": audit.status != Audit.Status.CLOSED
        and may(user, "add", AuditMeeting, organization=org_id),
        "can_change_meeting": audit.status != Audit.Status.CLOSED
        and may(user, "change", AuditMeeting, organization=org_id),
        "meeting_create_url": reverse("audits:meeting-create", args=[audit.pk]),
        # Pages of the fieldwork and report helpers (plain paths: they may not be wired yet).
        "checklist_url": f"/audits/{audit.pk}/checklist/",
        "findings_url": f"/audits/{audit.pk}/findings/",
        "report_url": f"/audits/{audit.pk}/report/",
    }
