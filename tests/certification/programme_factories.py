"""Test data of the programme tests: accepted applications with their audit time, cycles, held
audits and findings, made directly (fast) except where the service under test is the point."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pdca.audits.findings import raise_finding
from pdca.audits.models import Audit, AuditTeamMember, Finding
from pdca.certification.models import (
    Application,
    AuditTimeCalculation,
    CertificationCycle,
    CycleAudit,
)
from pdca.certification.services.cycles import open_cycle
from pdca.core.roles import Role
from tests.certification.factories import make_application, make_client, make_site, standard

D = Decimal


def accepted_application(
    cb,
    index: int = 0,
    *,
    standards: tuple[str, ...] = ("iso9001-2015",),
    kind: str = Application.Kind.INITIAL,
    accepted_on: dt.date | None = None,
    client=None,
    days: dict[str, tuple[str, str, str, str]] | None = None,
) -> Application:
    """An accepted application with a site and one audit-time row per standard (stage 1,
    stage 2, surveillance, recertification days)."""
    client = client or make_client(cb, index)
    site = client.sites.first() or make_site(client, is_central=True)
    application = make_application(
        cb, client, standards, sites=[site], kind=kind, status=Application.Status.ACCEPTED
    )
    when = accepted_on or timezone.localdate()
    application.reviewed_at = timezone.make_aware(dt.datetime.combine(when, dt.time(12)))
    application.save(update_fields=["reviewed_at"])
    days = days or {}
    for code in standards:
        s1, s2, sv, rc = days.get(code, ("1.5", "3", "1.5", "3"))
        AuditTimeCalculation.objects.create(
            organization=cb,
            application=application,
            standard=standard(code),
            scheme="qms",
            initial_days=D(s1) + D(s2),
            stage1_days=D(s1),
            stage2_days=D(s2),
            surveillance_days=D(sv),
            recertification_days=D(rc),
            calculated_at=timezone.now(),
        )
    return application


def new_cycle(personas, index: int = 0, **kwargs: Any) -> CertificationCycle:
    manager = personas.users[Role.CB_MANAGER]
    return open_cycle(accepted_application(personas.cb, index, **kwargs), actor=manager)


def stage(cycle: CertificationCycle, kind: str, sequence: int = 1) -> CycleAudit:
    return CycleAudit.objects.get(cycle=cycle, kind=kind, sequence=sequence)


def hold(
    item: CycleAudit,
    start: dt.date,
    end: dt.date | None = None,
    *,
    status: str = Audit.Status.REPORT_ISSUED,
    lead=None,
    team: tuple = (),
    delivered: str | None = None,
) -> Audit:
    """Give `item` an audit held from `start` to `end` (made directly), in `status`."""
    cycle = item.cycle
    audit = Audit.objects.create(
        organization_id=item.organization_id,
        title=f"{item.get_kind_display()}: {cycle.client.name}",
        audit_type=item.kind if item.kind != CycleAudit.Kind.SHORT_NOTICE else "special",
        scope=cycle.scope,
        start_date=start,
        end_date=end or start,
        lead_auditor=lead,
        status=status,
    )
    audit.standards.set(list(cycle.standards.all()))
    for user in team:
        AuditTeamMember.objects.create(
            organization_id=item.organization_id, audit=audit, user=user, role="auditor"
        )
    item.audit = audit
    if delivered is not None:
        item.delivered_days = D(delivered)
    item.save()
    return audit


def finding(audit: Audit, grade: str, actor, title: str = "Calibration records missing") -> Finding:
    """Raise a finding through the audits service (so the review hook runs), even on an
    audit whose report is issued."""
    status = audit.status
    if audit.report_frozen:
        Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.REPORTING)
        audit.refresh_from_db()
    found = raise_finding(
        audit,
        actor=actor,
        grade=grade,
        title=title,
        requirement_statement="Measuring equipment is calibrated.",
        evidence="Register of gauges, 3 entries past due.",
        statement="Three gauges were used past their calibration date.",
    )
    Audit.objects.filter(pk=audit.pk).update(status=status)
    audit.refresh_from_db()
    return found
