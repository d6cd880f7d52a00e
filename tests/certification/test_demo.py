"""Northbridge's demo: clients at every point of their cycles, each state reached through the
services, with the facts the docs and the closing note promise; loading it twice changes
nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pdca.accounts.models import User
from pdca.certification.models import (
    Application,
    Certificate,
    CertificationCycle,
    Client,
    FindingReview,
)
from pdca.certification.services.certificate_proposals import certificate_proposals
from pdca.certification.services.decisions import decision_checklist
from pdca.core.models import ActivityChainHead
from pdca.risks.models import Risk
from pdca.tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def northbridge(catalog):
    from pdca.demo import load_demo

    load_demo()
    return Organization.objects.get(slug="northbridge")


def _clients_at_every_point_of_their_cycles(northbridge):
    today = timezone.localdate()
    clients = {c.name: c for c in Client.objects.filter(organization=northbridge)}
    assert set(clients) == {
        "Acme Manufacturing",
        "Harbour Foods",
        "Kestrel Logistics",
        "Meridian Software",
        "Oakfield Plastics",
        "Pennine Engineering",
        "Riverside Print",
        "Calder Coatings",
    }
    harbour = Application.objects.get(client=clients["Harbour Foods"])
    assert harbour.status == Application.Status.SUBMITTED
    assert harbour.calculations.count() == 2
    status = {
        c.client.name: c.status
        for c in Certificate.objects.filter(organization=northbridge).select_related("client")
    }
    assert status["Meridian Software"] == "active"
    assert status["Pennine Engineering"] == "suspended"
    riverside = Certificate.objects.filter(client=clients["Riverside Print"]).order_by("issued_on")
    assert [c.status for c in riverside] == ["renewed", "active"]
    assert riverside[1].previous == riverside[0]
    assert riverside[1].expires_on > riverside[0].expires_on
    # Oakfield's first surveillance is overdue: suspension is proposed, not done.
    proposals = certificate_proposals(northbridge, today)
    assert [(p.certificate.client.name, p.action) for p in proposals] == [
        ("Oakfield Plastics", "suspend")
    ]
    assert all(c.accredited for c in Certificate.objects.filter(organization=northbridge))


def _acme_stage_2_is_over_and_the_decision_waits(northbridge):
    cycle = CertificationCycle.objects.get(client__name="Acme Manufacturing")
    assert cycle.status == CertificationCycle.Status.INITIAL
    reviews = {
        r.finding.grade: r
        for r in FindingReview.objects.filter(
            finding__audit__organization=northbridge,
            finding__audit__certification_audit__cycle=cycle,
        ).select_related("finding")
    }
    assert reviews["major"].plan_status == "accepted" and reviews["major"].verified_on is None
    assert reviews["minor"].plan_status == "received"
    decider = User.objects.get(email="decision@northbridge.example")
    missing = {
        item.code
        for item in decision_checklist(cycle, decider, timezone.localdate())
        if not item.ok
    }
    assert missing == {"majors_verified", "minors_accepted"}


def _impartiality_risks_and_a_declared_conflict(northbridge):
    risks = Risk.objects.filter(organization=northbridge, category__startswith="Impartiality")
    assert risks.count() == 4
    from pdca.certification.models import ConflictOfInterest

    conflict = ConflictOfInterest.objects.get(organization=northbridge)
    assert conflict.client.name == "Harbour Foods"


def _a_certificate_to_iso14001_2015_in_transition(northbridge):
    """Calder Coatings' ISO 14001:2015 certificate moves to ISO 14001:2026 at its first
    surveillance, and the lead auditor has the transition training (with the 2026 catalog)."""
    from pdca.certification.models import CycleAudit
    from pdca.certification.services.impartiality import candidates
    from pdca.people.models import TrainingRecord
    from pdca.standards.models import Standard

    cert = Certificate.objects.get(client__name="Calder Coatings")
    assert [s.code for s in cert.standards.all()] == ["iso14001-2015"]
    assert cert.accredited and cert.status == "active"
    new = Standard.objects.filter(code="iso14001-2026", replaces__code="iso14001-2015").first()
    planned = CycleAudit.objects.filter(cycle=cert.cycle, transition_to__isnull=False)
    trained = TrainingRecord.objects.filter(organization=northbridge, kind="transition")
    if new is None:
        assert not planned.exists() and not trained.exists()
        return
    item = planned.get()
    assert (item.kind, item.sequence, item.audit_id) == ("surveillance", 1, None)
    assert list(item.transition_to.all()) == [new]
    assert item.due_date <= new.transition_ends
    assert [(r.person.email, r.standard) for r in trained] == [("lead@northbridge.example", new)]
    by_email = {c.email: c for c in candidates(item, "lead")}
    assert by_email["lead@northbridge.example"].qualified is True
    assert by_email["auditor@northbridge.example"].untrained == [new.full_name]


def _loading_twice_changes_nothing(northbridge):
    from pdca.demo import load_demo

    heads = {h.chain: h.seq for h in ActivityChainHead.objects.all()}
    load_demo()
    assert {h.chain: h.seq for h in ActivityChainHead.objects.all()} == heads


def test_the_northbridge_demo(northbridge):
    # One test: loading the whole demo takes most of its time.
    _clients_at_every_point_of_their_cycles(northbridge)
    _acme_stage_2_is_over_and_the_decision_waits(northbridge)
    _impartiality_risks_and_a_declared_conflict(northbridge)
    _a_certificate_to_iso14001_2015_in_transition(northbridge)
    _loading_twice_changes_nothing(northbridge)
