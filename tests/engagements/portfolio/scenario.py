"""The portfolio's known world, around TODAY: Bright Path Consulting with two clients (Org A,
full of records that count and records that must not, and Acme, empty), and the rows that
must stay out (an ended engagement's client, another consultancy's client, an ended
certification engagement's certificate, an archived client record's certificate). The
expected figures are in test_figures.py.

Made with the ORM (fast, no activity-log entries); `grow` adds clients and records for the
query-count tests."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.services import create_assessment
from pdca.audits.models import Audit
from pdca.certification.models import Certificate, CertificationCycle, Client, CycleAudit
from pdca.core.roles import Role
from pdca.engagements.models import Engagement
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard, ManagementSystem
from pdca.tenancy.models import Organization
from tests.certification.factories import make_client
from tests.engagements.portfolio.factories import (
    make_consultancy,
    make_engagement,
    make_member,
    make_organization,
)

TODAY = dt.date(2026, 6, 15)
D = dt.date
PAST = dt.date(2026, 5, 1)
LATER = dt.date(2026, 9, 1)
ARCHIVED = dt.datetime(2026, 5, 2, 12, tzinfo=dt.UTC)
CERTIFICATION = Engagement.Kind.CERTIFICATION
_numbers = itertools.count(1)


@dataclass
class World:
    consultancy: Organization
    principal: Any
    consultant: Any
    employee: Any
    acme: Organization
    system: ManagementSystem
    assessment: GapAssessment
    client_record: Client


def make_system(org, name: str = "IMS", codes=("iso9001-2015", "iso14001-2015")):
    system = ManagementSystem.objects.create(organization=org, name=name, status="implementing")
    for code in codes:
        AdoptedStandard.objects.create(
            organization=org,
            system=system,
            standard=Standard.objects.get(code=code),
            adopted_on=D(2025, 1, 1),
        )
    return system


def make_nc(org, **fields) -> Nonconformity:
    n = next(_numbers)
    values = {
        "reference": f"NC-{n:03d}",
        "title": f"Problem {n}",
        "description": "Found.",
        "source": "internal_audit",
    }
    values.update(fields)
    return Nonconformity.objects.create(organization=org, **values)


def make_action(nc: Nonconformity, owner, due: dt.date, **fields) -> CorrectiveAction:
    return CorrectiveAction.objects.create(
        organization_id=nc.organization_id,
        nonconformity=nc,
        title="Fix",
        owner=owner,
        due_date=due,
        **fields,
    )


def make_output(
    system, due: dt.date | None, *, review_status: str = "held", **fields
) -> ReviewOutput:
    review = ManagementReview.objects.create(
        organization_id=system.organization_id, system=system, title="Review", meeting_date=PAST
    )
    ManagementReview.objects.filter(pk=review.pk).update(status=review_status)
    return ReviewOutput.objects.create(
        organization_id=system.organization_id, review=review, title="Act", due_date=due, **fields
    )


def make_audit(org, ref: str, start: dt.date, end: dt.date | None = None, **fields) -> Audit:
    return Audit.objects.create(
        organization=org,
        reference=ref,
        title=f"Audit {ref}",
        audit_type=fields.pop("audit_type", "internal"),
        start_date=start,
        end_date=end or start,
        **fields,
    )


def make_cycle(cb, client: Client, **fields) -> CertificationCycle:
    cycle = CertificationCycle.objects.create(
        organization=cb, client=client, number=fields.pop("number", 1), scope="Widgets", **fields
    )
    cycle.standards.set(Standard.objects.filter(code="iso9001-2015"))
    return cycle


def make_cycle_audit(
    cycle, kind: str, due: dt.date, audit: Audit | None = None, **fields
) -> CycleAudit:
    return CycleAudit.objects.create(
        organization_id=cycle.organization_id,
        cycle=cycle,
        kind=kind,
        due_date=due,
        audit=audit,
        **fields,
    )


def make_certificate(cycle, expires: dt.date, status: str = "active") -> Certificate:
    n = next(_numbers)
    certificate = Certificate.objects.create(
        organization_id=cycle.organization_id,
        number=f"CERT-{n:04d}",
        client=cycle.client,
        cycle=cycle,
        scope="Widgets",
        client_name=cycle.client.name,
        issued_on=expires - dt.timedelta(days=3 * 365),
        original_issued_on=expires - dt.timedelta(days=3 * 365),
        expires_on=expires,
        status=status,
        status_changed_on=PAST,
    )
    certificate.standards.set(Standard.objects.filter(code="iso9001-2015"))
    return certificate


def fill_client(
    org, cb, owner, *, index: int = 0
) -> tuple[ManagementSystem, GapAssessment, Client]:
    """Org `org`'s records: five overdue items that count and as many that must not, four
    audits ahead, one certificate expiring; a certification engagement of `cb` linking it."""
    system = make_system(org)
    dropped = AdoptedStandard.objects.create(
        organization=org,
        system=system,
        standard=Standard.objects.get(code="iso27001-2022"),
        adopted_on=D(2025, 1, 1),
        dropped_on=D(2025, 6, 1),
    )
    assert dropped.dropped_on
    old = create_assessment(system, title="Baseline", started_on=D(2025, 2, 1), actor=owner)
    GapAssessment.objects.filter(pk=old.pk).update(status="closed")
    GapItem.objects.filter(assessment=old).update(target_date=PAST)  # closed: history
    current = create_assessment(system, title="Current", started_on=D(2026, 3, 1), actor=owner)
    items = GapItem.objects.filter(assessment=current).order_by("sort_key")
    items.update(status="partial")
    first, second, third = list(items[:3])
    GapItem.objects.filter(pk=first.pk).update(target_date=PAST)  # partial and late: counts
    GapItem.objects.filter(pk=second.pk).update(target_date=PAST, status="implemented")
    GapItem.objects.filter(pk=third.pk).update(target_date=PAST, status="not_applicable")
    # Nonconformities: late (own date), late (a body's response), and four that are not.
    late = make_nc(org, due_date=PAST)
    make_nc(org, response_due=PAST, source="certification_audit")
    make_nc(org, due_date=PAST, status="closed")
    make_nc(org, due_date=PAST, status="dismissed")
    archived = make_nc(org, due_date=PAST, archived_at=ARCHIVED)
    make_nc(org, due_date=LATER)
    # Corrective actions: one late; implemented, cancelled, on an archived or closed
    # nonconformity, or not yet due do not count.
    make_action(late, owner, PAST)
    make_action(late, owner, PAST, status="implemented")
    make_action(late, owner, PAST, status="cancelled")
    make_action(archived, owner, PAST)
    make_action(make_nc(org, status="closed"), owner, PAST)
    make_action(late, owner, LATER)
    # Management review actions: one late; done, archived, not due, of a cancelled review not.
    make_output(system, PAST)
    ReviewOutput.objects.filter(pk=make_output(system, PAST).pk).update(status="done")
    make_output(system, PAST, archived_at=ARCHIVED)
    make_output(system, LATER)
    make_output(system, PAST, review_status="cancelled")
    # Internal audits: one under way, one planned; reported, archived, over, supplier not.
    make_audit(org, f"IA-{index}-2", D(2026, 6, 10), D(2026, 6, 20), status="in_progress")
    make_audit(org, f"IA-{index}-1", D(2026, 7, 1))
    make_audit(org, f"IA-{index}-3", D(2026, 7, 2), status="report_issued")
    make_audit(org, f"IA-{index}-4", D(2026, 7, 3), archived_at=ARCHIVED)
    make_audit(org, f"IA-{index}-5", D(2026, 6, 1))
    make_audit(org, f"SA-{index}-1", D(2026, 7, 4), audit_type="supplier")
    # The certification body's programme: a scheduled surveillance, one due later; a
    # cancelled one and a reported one do not count.
    record = make_client(cb, 100 + index, name=f"{org.name} (CB record)")
    make_engagement(cb, org, kind=CERTIFICATION, client=record)
    cycle = make_cycle(cb, record)
    scheduled = make_audit(cb, f"CB-{index}-S1", D(2026, 7, 20), audit_type="surveillance")
    make_cycle_audit(cycle, "surveillance", D(2026, 9, 1), scheduled)
    make_cycle_audit(cycle, "surveillance", D(2027, 5, 1), sequence=2)
    make_cycle_audit(cycle, "special", D(2026, 8, 1), cancelled_reason="Not needed")
    done = make_audit(cb, f"CB-{index}-R", D(2026, 6, 16), audit_type="special", status="closed")
    make_cycle_audit(cycle, "special", D(2026, 8, 2), done)
    # Certificates: one expiring within 90 days; expired and withdrawn ones are not shown.
    make_certificate(cycle, D(2026, 8, 1))
    make_certificate(cycle, D(2026, 1, 1), status="expired")
    make_certificate(cycle, D(2027, 1, 1), status="withdrawn")
    return system, current, record


def build(personas) -> World:
    cb, org = personas.cb, personas.org
    bright, principal, employee = make_consultancy()
    consultant = make_member(bright, "consultant@brightpath.example", Role.CONSULTANT, "Carl")
    # The principal works inside Org A as its consultant (today's consultant membership).
    make_member(org, principal.email, Role.CONSULTANT)
    make_engagement(bright, org, started_on=D(2025, 1, 10), consultants=[principal])
    acme = make_organization("Acme Ltd", "acme")
    make_engagement(bright, acme, started_on=D(2026, 2, 1))
    system, assessment, record = fill_client(org, cb, personas.manager)
    # Rows that must not count: an ended engagement's client, another consultancy's client,
    # an invitation not accepted yet, and a certificate of an ended certification link.
    gone = make_organization("Gone Ltd", "gone")
    make_engagement(bright, gone, status=Engagement.Status.ENDED, ended_on=D(2026, 1, 1))
    make_nc(gone, due_date=PAST)
    tidy, _, _ = make_consultancy("Tidy Systems", "tidy")
    make_engagement(tidy, personas.other, started_on=D(2025, 5, 1))
    make_nc(personas.other, due_date=PAST)
    make_engagement(bright, None, status=Engagement.Status.INVITED)
    old_cb = make_organization("Old CB", "old-cb", Organization.Kind.CERTIFICATION_BODY)
    make_member(old_cb, "manager@old-cb.example", Role.CB_MANAGER)
    old_record = make_client(old_cb, 7)
    make_engagement(old_cb, org, kind=CERTIFICATION, client=old_record, status="ended")
    make_certificate(make_cycle(old_cb, old_record), D(2026, 7, 1))
    # A body whose client record of Org A is archived: its certificates are not shown.
    shelf_cb = make_organization("Shelf CB", "shelf-cb", Organization.Kind.CERTIFICATION_BODY)
    make_member(shelf_cb, "manager@shelf-cb.example", Role.CB_MANAGER)
    shelved = make_client(shelf_cb, 8, archived_at=ARCHIVED)
    make_engagement(shelf_cb, org, kind=CERTIFICATION, client=shelved)
    make_certificate(make_cycle(shelf_cb, shelved), D(2026, 7, 2))
    return World(bright, principal, consultant, employee, acme, system, assessment, record)


def grow(world: World, personas, clients: int) -> None:
    """`clients` more clients of the consultancy, each with the records of Org A."""
    for i in range(clients):
        org = make_organization(f"Grown {i:02d}", f"grown-{i:02d}")
        make_engagement(world.consultancy, org, started_on=D(2026, 1, 1))
        manager = make_member(org, f"manager@grown-{i:02d}.example", Role.SYSTEM_MANAGER)
        fill_client(org, personas.cb, manager, index=10 + i)
