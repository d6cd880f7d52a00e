"""`pdca cb seed-scale`: a certification body at scale, for benchmarks and load tests.

It builds, by bulk inserts, a body with N clients (1,000 by default), each with one to three
sites, an accepted application and fifteen years of history: five cycles (initial, then four
recertifications) of fifteen programme audits in all, ten findings per audit, the reviews of
their majors and minors, a decision and a certificate per cycle (older ones renewed; the
latest active, or now and then suspended, withdrawn or expired), and a pool of auditors on
every audit's team. 1,000 clients make 15,000 audits and 150,000 findings.

The rows are synthetic: no activity-log entries are written for them (the log records what
people did; nobody did this), and the data is only for a throwaway database.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from pdca.accounts.models import User
from pdca.audits.models import Audit, AuditTeamMember, Finding
from pdca.certification.models import (
    Application,
    Certificate,
    CertificationBodyProfile,
    CertificationCycle,
    CertificationDecision,
    Client,
    ClientSite,
    CycleAudit,
    FindingReview,
)
from pdca.certification.services import dates
from pdca.core.roles import Role
from pdca.standards.models import Standard
from pdca.tenancy.models import Membership, Organization

#: The programme of each of the five cycles: (kind, sequence, years after the cycle's start).
CYCLES = (
    (("stage1", 1, 0), ("stage2", 1, 0), ("surveillance", 1, 1), ("surveillance", 2, 2)),
    (("recertification", 1, 0), ("surveillance", 1, 1), ("surveillance", 2, 2)),
    (("recertification", 1, 0), ("surveillance", 1, 1), ("surveillance", 2, 2)),
    (("recertification", 1, 0), ("surveillance", 1, 1), ("surveillance", 2, 2)),
    (("recertification", 1, 0), ("surveillance", 1, 1)),
)
AUDITS_PER_CLIENT = sum(len(cycle) for cycle in CYCLES)
FINDINGS_PER_AUDIT = 10
GRADES = ("major",) + ("minor",) * 3 + ("observation",) * 3 + ("ofi",) * 2 + ("strength",)
STANDARD_CODES = ("iso9001-2015", "iso14001-2015", "iso45001-2018", "iso27001-2022")
AUDITORS = 50
BATCH = 2000


@dataclass
class SeedResult:
    organization: Organization
    clients: int
    audits: int
    findings: int
    certificates: int


def _batched(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


@transaction.atomic
def seed_certification_body(
    slug: str = "cb-scale",
    *,
    clients: int = 1000,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    findings_per_audit: int = FINDINGS_PER_AUDIT,
) -> SeedResult:
    """Build the body `slug` (refused if it exists) with `clients` clients and their history;
    `progress(n)` is told each client done."""
    if Organization.objects.filter(slug=slug).exists():
        raise ValueError(f"An organization {slug!r} exists already: choose another --slug.")
    rng = random.Random(17)
    today = today or dt.date.today()
    org = Organization.objects.create(
        name=f"Scale Certification ({slug})",
        slug=slug,
        kind=Organization.Kind.CERTIFICATION_BODY,
    )
    CertificationBodyProfile.objects.create(
        organization=org,
        accreditation_body="UKAS",
        accreditation_number="0000",
        certificate_prefix="SC",
    )
    password = make_password(None)
    people = _batched(
        User,
        [
            User(
                email=f"auditor{i:03d}@{slug}.example",
                full_name=f"Auditor {i:03d}",
                password=password,
            )
            for i in range(AUDITORS)
        ],
    )
    _batched(
        Membership,
        [
            Membership(
                organization=org,
                user=user,
                role=Role.LEAD_AUDITOR if i % 3 == 0 else Role.AUDITOR,
            )
            for i, user in enumerate(people)
        ],
    )
    leads = people[::3]
    standards = list(Standard.objects.filter(code__in=STANDARD_CODES))
    if not standards:
        raise ValueError("The standards catalogs are not loaded: load them first.")
    start_of_history = today - dt.timedelta(days=365 * 14)
    audits = findings = certificates = 0
    step = 50
    for first in range(0, clients, step):
        counts = _seed_clients(
            org,
            range(first, min(first + step, clients)),
            rng,
            standards,
            people,
            leads,
            start_of_history,
            today,
            findings_per_audit,
        )
        audits += counts[0]
        findings += counts[1]
        certificates += counts[2]
        if progress:
            progress(min(first + step, clients))
    return SeedResult(org, clients, audits, findings, certificates)


def _seed_clients(
    org, indexes, rng, standards, people, leads, history_start, today, per_audit=FINDINGS_PER_AUDIT
):
    client_rows = _batched(
        Client,
        [
            Client(
                organization=org,
                reference=f"C-{i + 1:05d}",
                name=f"Client {i + 1:05d} Ltd",
                country="GB",
                sector_codes=str(rng.choice((14, 17, 19, 28, 33))),
            )
            for i in indexes
        ],
    )
    site_rows = []
    for client in client_rows:
        for n in range(rng.randint(1, 3)):
            site_rows.append(
                ClientSite(
                    organization=org,
                    client=client,
                    name="Head office" if n == 0 else f"Plant {n}",
                    is_central=n == 0,
                    headcount=rng.randint(5, 400),
                )
            )
    _batched(ClientSite, site_rows)
    applications = _batched(
        Application,
        [
            Application(
                organization=org,
                client=client,
                reference=f"APP-{client.reference}",
                scope=f"Manufacture for {client.name}",
                status=Application.Status.ACCEPTED,
                permanent_personnel=rng.randint(10, 400),
            )
            for client in client_rows
        ],
    )
    chosen = {client.pk: rng.choice(standards) for client in client_rows}
    Application.standards.through.objects.bulk_create(
        [
            Application.standards.through(application_id=a.pk, standard_id=chosen[a.client_id].pk)
            for a in applications
        ],
        batch_size=BATCH,
    )
    cycles: list[CertificationCycle] = []
    for client, application in zip(client_rows, applications, strict=True):
        offset = rng.randint(0, 300)
        for number in range(1, len(CYCLES) + 1):
            decision = history_start + dt.timedelta(days=offset + (number - 1) * 3 * 365 + 60)
            certified = decision <= today
            cycles.append(
                CertificationCycle(
                    organization=org,
                    client=client,
                    application=application,
                    number=number,
                    scope=application.scope,
                    status=(
                        CertificationCycle.Status.ENDED
                        if number < len(CYCLES)
                        else CertificationCycle.Status.CERTIFIED
                        if certified
                        else CertificationCycle.Status.INITIAL
                    ),
                    decision_date=decision if certified else None,
                    expiry_date=dates.expiry_date(decision) if certified else None,
                )
            )
    _batched(CertificationCycle, cycles)
    CertificationCycle.standards.through.objects.bulk_create(
        [
            CertificationCycle.standards.through(
                certificationcycle_id=c.pk, standard_id=chosen[c.client_id].pk
            )
            for c in cycles
        ],
        batch_size=BATCH,
    )
    audit_rows: list[Audit] = []
    programme: list[tuple[CertificationCycle, str, int, dt.date]] = []
    for cycle in cycles:
        assert cycle.decision_date is not None or cycle.number == len(CYCLES)
        base = cycle.decision_date or today
        for kind, sequence, years in CYCLES[cycle.number - 1]:
            start = base + dt.timedelta(days=365 * years - (60 if years == 0 else 0))
            lead = rng.choice(leads)
            audit_rows.append(
                Audit(
                    organization=org,
                    reference=f"{cycle.client.reference}-{cycle.number}-{kind[:2]}{sequence}",
                    title=f"{kind.title()} {cycle.client.name}",
                    audit_type=kind,
                    start_date=start,
                    end_date=start + dt.timedelta(days=1),
                    lead_auditor=lead,
                    status=Audit.Status.CLOSED if start < today else Audit.Status.PLANNED,
                )
            )
            programme.append((cycle, kind, sequence, start))
    _batched(Audit, audit_rows)
    Audit.standards.through.objects.bulk_create(
        [
            Audit.standards.through(audit_id=a.pk, standard_id=chosen[cycle.client_id].pk)
            for a, (cycle, *_rest) in zip(audit_rows, programme, strict=True)
        ],
        batch_size=BATCH,
    )
    _batched(
        CycleAudit,
        [
            CycleAudit(
                organization=org,
                cycle=cycle,
                kind=kind,
                sequence=sequence,
                due_date=start + dt.timedelta(days=30),
                audit=audit,
                planned_days=2,
                delivered_days=2 if start < today else None,
            )
            for audit, (cycle, kind, sequence, start) in zip(audit_rows, programme, strict=True)
        ],
    )
    team = []
    for audit in audit_rows:
        assert audit.lead_auditor is not None
        team.append(
            AuditTeamMember(organization=org, audit=audit, user=audit.lead_auditor, role="lead")
        )
        other = rng.choice(people)
        if other.pk != audit.lead_auditor.pk:
            team.append(AuditTeamMember(organization=org, audit=audit, user=other, role="auditor"))
    _batched(AuditTeamMember, team)
    finding_rows = [
        Finding(
            organization=org,
            audit=audit,
            number=n + 1,
            grade=GRADES[n % len(GRADES)],
            title=f"Finding {n + 1} of {audit.reference}",
            evidence="Records sampled on the day.",
            statement="What was found against the requirement.",
        )
        for audit in audit_rows
        if audit.status == Audit.Status.CLOSED
        for n in range(per_audit)
    ]
    _batched(Finding, finding_rows)
    ends = {audit.pk: audit.end_date for audit in audit_rows}
    _batched(
        FindingReview,
        [
            FindingReview(
                organization=org,
                finding=finding,
                response_due=ends[finding.audit_id] + dt.timedelta(days=30),
                closure_due=ends[finding.audit_id] + dt.timedelta(days=90),
                responded_on=ends[finding.audit_id] + dt.timedelta(days=20),
                plan_status=FindingReview.PlanStatus.ACCEPTED,
                plan_reviewed_on=ends[finding.audit_id] + dt.timedelta(days=25),
                verified_on=ends[finding.audit_id] + dt.timedelta(days=60)
                if finding.grade == "major"
                else None,
            )
            for finding in finding_rows
            if finding.grade in ("major", "minor")
        ],
    )
    certified = [cycle for cycle in cycles if cycle.decision_date is not None]
    decider = people[-1]
    certificate_rows = []
    for cycle in certified:
        assert cycle.decision_date is not None and cycle.expiry_date is not None
        latest = cycle.number == len(CYCLES) or cycle.expiry_date >= today
        status = Certificate.Status.RENEWED
        if latest:
            status = rng.choice(
                (Certificate.Status.ACTIVE,) * 17
                + (
                    Certificate.Status.SUSPENDED,
                    Certificate.Status.WITHDRAWN,
                    Certificate.Status.EXPIRED,
                )
            )
        certificate_rows.append(
            Certificate(
                organization=org,
                number=f"{org.slug.upper()}-{cycle.client.reference}-{cycle.number}",
                client=cycle.client,
                cycle=cycle,
                scope=cycle.scope,
                client_name=cycle.client.name,
                issued_on=cycle.decision_date,
                original_issued_on=history_start,
                expires_on=cycle.expiry_date,
                status=status,
                status_changed_on=cycle.decision_date,
                accredited=True,
                accreditation_body="UKAS",
                accreditation_number="0000",
            )
        )
    _batched(Certificate, certificate_rows)
    Certificate.standards.through.objects.bulk_create(
        [
            Certificate.standards.through(certificate_id=c.pk, standard_id=chosen[c.client_id].pk)
            for c in certificate_rows
        ],
        batch_size=BATCH,
    )
    _batched(
        CertificationDecision,
        [
            CertificationDecision(
                organization=org,
                cycle=certificate.cycle,
                kind="initial" if certificate.cycle.number == 1 else "recertification",
                outcome="granted",
                decided_by=decider,
                decided_on=certificate.issued_on,
                certificate=certificate,
            )
            for certificate in certificate_rows
        ],
    )
    return len(audit_rows), len(finding_rows), len(certificate_rows)
