"""Findings that flow both ways: a released audit's nonconformities open in the client's
register; the client's plan goes to the body, whose review feeds the decision checklist."""

import datetime as dt

import pytest
from django.utils import timezone

from pdca.audits.findings import delete_finding, update_finding
from pdca.certification.models import FindingReview
from pdca.certification.services.decisions import decision_checklist
from pdca.certification.services.finding_reviews import review_plan
from pdca.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from pdca.core.roles import Role
from pdca.engagements.models import FindingLink
from pdca.engagements.services.findings import release_audit, send_plan
from pdca.improvement.models import CorrectiveAction, Nonconformity
from tests.certification.programme_factories import finding
from tests.engagements.factories import stage2_in_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(personas):
    return stage2_in_progress(personas)


def _plan(nc, personas):
    Nonconformity.objects.filter(pk=nc.pk).update(
        correction="Gauges recalibrated", root_cause="No recall schedule"
    )
    CorrectiveAction.objects.create(
        organization=personas.org,
        nonconformity=nc,
        title="Calibration recall in the maintenance plan",
        owner=personas.manager,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    nc.refresh_from_db()


def test_release_opens_nonconformities_for_majors_and_minors_only(personas, setup):
    engagement, _cycle, audit, lead = setup
    minor = finding(audit, "minor", lead)
    finding(audit, "ofi", lead, title="Consider digital gauges")
    with pytest.raises(PermissionDenied):
        release_audit(engagement, audit, actor=personas.users[Role.TECHNICAL_EXPERT])
    release_audit(engagement, audit, actor=lead)
    link_ = FindingLink.objects.get()
    assert link_.finding == minor
    nc = link_.nonconformity
    assert nc.organization == personas.org
    assert nc.source == Nonconformity.Source.CERTIFICATION_AUDIT
    assert nc.severity == "minor"
    review = FindingReview.objects.get(finding=minor)
    assert nc.response_due == review.response_due
    with pytest.raises(Conflict):
        release_audit(engagement, audit, actor=lead)


def test_finding_raised_after_release_flows_and_follows_its_grade(personas, setup):
    engagement, _cycle, audit, lead = setup
    release_audit(engagement, audit, actor=lead)
    found = finding(audit, "minor", lead)
    nc = FindingLink.objects.get(finding=found).nonconformity
    update_finding(found, grade="major", actor=lead)
    nc.refresh_from_db()
    assert nc.severity == "major"
    assert nc.closure_due is not None
    update_finding(found, grade="observation", actor=lead)
    nc.refresh_from_db()
    assert nc.status == Nonconformity.Status.DISMISSED
    with pytest.raises(Conflict):
        delete_finding(found, actor=lead)


def test_plan_goes_to_the_body_whose_acceptance_feeds_the_checklist(personas, setup):
    engagement, cycle, audit, lead = setup
    release_audit(engagement, audit, actor=lead)
    found = finding(audit, "minor", lead)
    link_ = FindingLink.objects.get(finding=found)
    with pytest.raises(ValidationFailed):
        send_plan(link_, actor=personas.manager)
    _plan(link_.nonconformity, personas)
    with pytest.raises(NotFound):
        send_plan(link_, actor=personas.outsider)
    with pytest.raises(PermissionDenied):
        send_plan(link_, actor=personas.employee)
    review = send_plan(link_, actor=personas.manager)
    assert review.plan_status == FindingReview.PlanStatus.RECEIVED
    assert "Calibration recall" in review.corrective_action
    decider = personas.users[Role.CERTIFICATION_DECISION_MAKER]
    items = {i.code: i for i in decision_checklist(cycle, decider, timezone.localdate())}
    assert not items["minors_accepted"].ok
    review_plan(review, False, "The cause is not the root cause", actor=lead)
    review.refresh_from_db()
    send_plan(link_, actor=personas.manager)  # answered again after the rejection
    review.refresh_from_db()
    review_plan(review, True, "", actor=lead)
    items = {i.code: i for i in decision_checklist(cycle, decider, timezone.localdate())}
    assert items["minors_accepted"].ok
    with pytest.raises(Conflict):
        send_plan(link_, actor=personas.manager)
    link_.refresh_from_db()
    assert link_.times_sent == 2


def test_triage_keeps_the_bodys_deadlines(personas, setup):
    from pdca.improvement.workflow.services import transition_nonconformity
    from pdca.standards.models import Requirement
    from pdca.system.models import Process

    engagement, _cycle, audit, lead = setup
    release_audit(engagement, audit, actor=lead)
    found = finding(audit, "major", lead)
    nc = FindingLink.objects.get(finding=found).nonconformity
    review = FindingReview.objects.get(finding=found)
    process = Process.objects.create(organization=personas.org, code="P-1", name="Machining")
    transition_nonconformity(
        nc,
        "triage",
        owner=personas.manager,
        process=process,
        requirements=[Requirement.objects.get(standard__code="iso9001-2015", number="7.1.5")],
        actor=personas.manager,
    )
    nc.refresh_from_db()
    assert (nc.response_due, nc.closure_due) == (review.response_due, review.closure_due)
    assert nc.due_date == review.closure_due


def test_the_client_does_not_dismiss_what_the_body_raised(personas, setup):
    from pdca.improvement.workflow.services import transition_nonconformity

    engagement, _cycle, audit, lead = setup
    release_audit(engagement, audit, actor=lead)
    nc = FindingLink.objects.get(finding=finding(audit, "minor", lead)).nonconformity
    with pytest.raises((Conflict, ValidationFailed, PermissionDenied)):
        transition_nonconformity(nc, "dismiss", reason="We disagree", actor=personas.manager)
    nc.refresh_from_db()
    assert nc.status == Nonconformity.Status.REPORTED


def test_release_links_a_nonconformity_the_client_recorded_by_hand(personas, setup):
    engagement, _cycle, audit, lead = setup
    found = finding(audit, "minor", lead, title="Obsolete drawing at machine 4")
    own = Nonconformity.objects.create(
        organization=personas.org,
        title="Obsolete drawing at machine 4",
        description="Recorded from the closing meeting.",
        source=Nonconformity.Source.CERTIFICATION_AUDIT,
        severity="minor",
    )
    release_audit(engagement, audit, actor=lead)
    assert FindingLink.objects.get(finding=found).nonconformity == own
    assert Nonconformity.objects.filter(organization=personas.org).count() == 1


def test_the_body_downloads_the_evidence_of_the_clients_correction(personas, setup):
    from pdca.engagements.services.shared import download_evidence
    from tests.engagements.factories import evidence

    engagement, _cycle, audit, lead = setup
    release_audit(engagement, audit, actor=lead)
    nc = FindingLink.objects.get(finding=finding(audit, "minor", lead)).nonconformity
    proof = evidence(personas, "removed.txt", b"rev B shredded")
    other = evidence(personas, "private.txt", b"not for the body")
    nc.correction_evidence.add(proof)
    assert download_evidence(engagement, proof.pk, actor=lead).file.read() == b"rev B shredded"
    with pytest.raises(NotFound):
        download_evidence(engagement, other.pk, actor=lead)
