"""Cycles and scheduled certification audits for the auditor pool and impartiality tests,
made directly with the ORM (fast, no activity-log entries)."""

from __future__ import annotations

import datetime as dt

from pdca.audits.models import Audit, AuditTeamMember
from pdca.certification.models import CertificationCycle, Client, CycleAudit
from pdca.people.models import Qualification
from pdca.standards.models import Standard
from tests.certification.factories import TODAY, make_client


def make_cycle(cb, client: Client | None = None, *, number: int = 1, codes=("iso9001-2015",)):
    client = client or make_client(cb)
    cycle = CertificationCycle.objects.create(
        organization=cb, client=client, number=number, scope="Manufacture of widgets"
    )
    cycle.standards.set(Standard.objects.filter(code__in=codes))
    return cycle


def make_cycle_audit(
    cycle: CertificationCycle,
    *,
    kind: str = CycleAudit.Kind.STAGE2,
    start: dt.date | None = None,
    days: int = 2,
    lead=None,
) -> CycleAudit:
    """A programme audit of `cycle`, scheduled as an audit of the body from `start`."""
    start = start or TODAY + dt.timedelta(days=30)
    audit = Audit.objects.create(
        organization_id=cycle.organization_id,
        title=f"{kind} {cycle.client}",
        reference=f"CA-{cycle.pk}-{kind}-{start:%m%d}",
        audit_type=kind if kind in Audit.Type.values else Audit.Type.SPECIAL,
        start_date=start,
        end_date=start + dt.timedelta(days=days - 1),
        lead_auditor=lead,
    )
    audit.standards.set(cycle.standards.all())
    if lead is not None:
        AuditTeamMember.objects.create(
            organization_id=cycle.organization_id,
            audit=audit,
            user=lead,
            role=AuditTeamMember.Role.LEAD,
        )
    return CycleAudit.objects.create(
        organization_id=cycle.organization_id,
        cycle=cycle,
        kind=kind,
        due_date=start + dt.timedelta(days=60),
        audit=audit,
        planned_days=days,
    )


def qualify(
    cb, person, code: str = "iso9001-2015", kind: str = Qualification.Kind.LEAD_AUDITOR, **fields
) -> Qualification:
    values = {"granted_on": TODAY - dt.timedelta(days=400)}
    values.update(fields)
    return Qualification.objects.create(
        organization=cb,
        person=person,
        kind=kind,
        standard=Standard.objects.get(code=code),
        **values,
    )
