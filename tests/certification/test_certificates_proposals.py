"""What the rules propose for certificates, and the daily job that expires them."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.audits.models import Audit
from pdca.certification.jobs import EXPIRY_KIND, run_certificate_expiry
from pdca.certification.models import Certificate
from pdca.certification.services.certificate_proposals import (
    EXPIRY_REASON,
    certificate_proposals,
    expire_certificates,
)
from pdca.core.jobs.models import Job
from pdca.core.jobs.schedule import schedules
from pdca.core.models import ActivityEntry
from tests.certification import certificate_factories as f

pytestmark = pytest.mark.django_db

S = Certificate.Status
TODAY = dt.date(2026, 6, 1)


def _proposed(org, today=TODAY):
    return [(p.certificate.number, p.action, p.since) for p in certificate_proposals(org, today)]


def _audit(org, status):
    return Audit.objects.create(
        organization=org,
        title="Surveillance 1",
        audit_type=Audit.Type.SURVEILLANCE,
        status=status,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 2),
    )


def test_overdue_surveillance_proposes_suspension(personas):
    cert = f.certificate(personas.cb, number="NB-000001")
    f.surveillance(cert.cycle, dt.date(2026, 3, 9))
    assert _proposed(personas.cb) == [("NB-000001", "suspend", dt.date(2026, 3, 9))]
    proposal = certificate_proposals(personas.cb, TODAY)[0]
    assert proposal.to_status == S.SUSPENDED
    assert proposal.reason == "Surveillance audit due by 2026-03-09 not held"


def test_surveillance_due_today_or_later_proposes_nothing(personas):
    cert = f.certificate(personas.cb)
    f.surveillance(cert.cycle, TODAY)
    assert _proposed(personas.cb) == []


@pytest.mark.parametrize(
    ("status", "proposed"),
    [
        (Audit.Status.PLANNED, True),
        (Audit.Status.IN_PROGRESS, True),
        (Audit.Status.REPORTING, True),
        (Audit.Status.REPORT_ISSUED, False),
        (Audit.Status.CLOSED, False),
    ],
)
def test_surveillance_counts_as_held_once_its_report_is_issued(personas, status, proposed):
    cert = f.certificate(personas.cb)
    f.surveillance(cert.cycle, dt.date(2026, 3, 9), audit=_audit(personas.cb, status))
    assert bool(_proposed(personas.cb)) is proposed


def test_cancelled_surveillance_proposes_nothing(personas):
    cert = f.certificate(personas.cb)
    programme_audit = f.surveillance(cert.cycle, dt.date(2026, 3, 9))
    programme_audit.cancelled_reason = "Merged into the recertification"
    programme_audit.save()
    assert _proposed(personas.cb) == []


def test_already_suspended_certificate_is_not_proposed_for_suspension(personas):
    cert = f.certificate(personas.cb, status=S.SUSPENDED, status_changed_on=dt.date(2026, 4, 1))
    f.surveillance(cert.cycle, dt.date(2026, 3, 9))
    assert _proposed(personas.cb) == []


def test_suspension_past_the_bodys_limit_proposes_withdrawal(personas):
    f.profile(personas.cb, suspension_limit_months=3)
    f.certificate(
        personas.cb, number="NB-000001", status=S.SUSPENDED, status_changed_on=dt.date(2026, 3, 1)
    )
    f.certificate(
        personas.cb, number="NB-000002", status=S.SUSPENDED, status_changed_on=dt.date(2026, 3, 2)
    )
    assert _proposed(personas.cb) == [("NB-000001", "withdraw", dt.date(2026, 6, 1))]


def test_limit_never_exceeds_six_months(personas):
    f.profile(personas.cb, suspension_limit_months=12)
    f.certificate(
        personas.cb, number="NB-000001", status=S.SUSPENDED, status_changed_on=dt.date(2025, 12, 1)
    )
    assert _proposed(personas.cb) == [("NB-000001", "withdraw", dt.date(2026, 6, 1))]


def test_without_profile_the_limit_is_six_months(personas):
    f.certificate(
        personas.cb, number="NB-000001", status=S.SUSPENDED, status_changed_on=dt.date(2025, 12, 2)
    )
    assert _proposed(personas.cb) == []
    assert _proposed(personas.cb, dt.date(2026, 6, 2))[0][1] == "withdraw"


@pytest.mark.parametrize("status", [S.ACTIVE, S.SCOPE_REDUCED, S.SUSPENDED])
def test_past_expiry_proposes_expiry_from_the_day_after(personas, status):
    f.certificate(
        personas.cb,
        number="NB-000001",
        status=status,
        status_changed_on=dt.date(2025, 1, 1),
        expires_on=dt.date(2026, 5, 31),
    )
    f.surveillance(Certificate.objects.get().cycle, dt.date(2026, 3, 9))
    assert _proposed(personas.cb) == [("NB-000001", "expire", TODAY)]


def test_last_valid_day_is_not_expired(personas):
    f.certificate(personas.cb, expires_on=TODAY)
    assert _proposed(personas.cb) == []


@pytest.mark.parametrize("status", [S.WITHDRAWN, S.EXPIRED, S.RENEWED])
def test_final_statuses_propose_nothing(personas, status):
    cert = f.certificate(personas.cb, status=status, expires_on=dt.date(2026, 1, 1))
    f.surveillance(cert.cycle, dt.date(2025, 3, 9))
    assert _proposed(personas.cb) == []


def test_other_bodies_certificates_are_not_proposed(personas):
    from pdca.tenancy.models import Organization

    rival = Organization.objects.create(
        name="Rival", slug="rival", kind=Organization.Kind.CERTIFICATION_BODY
    )
    f.certificate(rival, expires_on=dt.date(2026, 1, 1))
    assert _proposed(personas.cb) == []


def test_proposals_cost_the_same_queries_whatever_their_number(personas):
    from pdca.core.testing.queries import count_queries

    def make(n):
        for _ in range(n):
            cert = f.certificate(personas.cb)
            f.surveillance(cert.cycle, dt.date(2026, 3, 9))
            f.certificate(personas.cb, status=S.SUSPENDED, status_changed_on=dt.date(2025, 1, 1))
            f.certificate(personas.cb, expires_on=dt.date(2026, 1, 1))

    make(1)
    small, found = count_queries(lambda: certificate_proposals(personas.cb, TODAY))
    assert len(found) == 3
    make(5)
    large, found = count_queries(lambda: certificate_proposals(personas.cb, TODAY))
    assert len(found) == 18
    assert large == small


def test_expiry_expires_on_the_day_after_with_the_reason(personas):
    cert = f.certificate(personas.cb, expires_on=dt.date(2026, 5, 20))
    kept = f.certificate(personas.cb, expires_on=TODAY)
    assert [c.number for c in expire_certificates(personas.cb, TODAY)] == [cert.number]
    cert.refresh_from_db()
    kept.refresh_from_db()
    assert (cert.status, cert.status_changed_on, cert.status_reason) == (
        S.EXPIRED,
        dt.date(2026, 5, 21),
        EXPIRY_REASON,
    )
    event = cert.events.order_by("-id").first()
    assert (event.to_status, event.by, event.reason) == (S.EXPIRED, None, EXPIRY_REASON)
    entry = ActivityEntry.objects.get(object_id=str(cert.pk), action="expire")
    assert entry.actor is None and entry.actor_label == "system"
    assert kept.status == S.ACTIVE


def test_daily_job_is_scheduled_and_expires_every_bodys_certificates(personas):
    from pdca.tenancy.models import Organization

    assert EXPIRY_KIND in {entry.name for entry in schedules()}
    rival = Organization.objects.create(
        name="Rival", slug="rival", kind=Organization.Kind.CERTIFICATION_BODY
    )
    mine = f.certificate(personas.cb, expires_on=dt.date(2026, 5, 20))
    theirs = f.certificate(rival, expires_on=dt.date(2026, 5, 30))
    job = Job.objects.create(
        kind=EXPIRY_KIND, title="Certificate expiry", params={"day": TODAY.isoformat()}
    )
    outcome = run_certificate_expiry(job, lambda *args, **kwargs: None)
    assert sorted(outcome.summary["expired"]) == sorted([mine.number, theirs.number])
    assert outcome.message == "Expired 2 certificates."
    assert set(Certificate.objects.values_list("status", flat=True)) == {S.EXPIRED}
    again = run_certificate_expiry(job, lambda *args, **kwargs: None)
    assert again.summary["expired"] == []


def test_expired_certificate_can_still_be_restored_by_decision(personas):
    from pdca.certification.models import CertificationDecision
    from pdca.certification.services.certificates import issue_certificate

    f.profile(personas.cb)
    first = f.cycle(f.client(personas.cb))
    decider = personas.users["certification_decision_maker"]
    old = issue_certificate(f.decision(first, dt.date(2023, 5, 4), by=decider), actor=decider)
    expire_certificates(personas.cb, dt.date(2026, 6, 1))
    old.refresh_from_db()
    assert old.status == S.EXPIRED
    renewed = issue_certificate(
        f.decision(
            f.cycle(first.client, previous=first),
            dt.date(2026, 7, 1),
            kind=CertificationDecision.Kind.RESTORATION,
            by=decider,
        ),
        actor=decider,
    )
    assert renewed.expires_on == dt.date(2029, 5, 3)
