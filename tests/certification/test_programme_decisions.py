"""Finding reviews (deadlines, answer, plan, verification, the six-month rule) and the
decision: every checklist item failing alone, decider independence, refusals."""

import datetime as dt

import pytest

from pdca.audits.findings import update_finding
from pdca.certification.models import (
    CertificationBodyProfile,
    CertificationCycle,
    CertificationDecision,
    CycleAudit,
    FindingReview,
)
from pdca.certification.services import decisions, finding_reviews
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.roles import Role
from tests.certification.programme_factories import finding, hold, new_cycle, stage

pytestmark = pytest.mark.django_db
K = CycleAudit.Kind
TODAY = dt.date.today()


def users(personas):
    return (
        personas.users[Role.CB_MANAGER],
        personas.users[Role.LEAD_AUDITOR],
        personas.users[Role.CERTIFICATION_DECISION_MAKER],
    )


def ready_cycle(personas, *, major=True, minor=True, end=None):
    """An initial cycle with stage 1 and stage 2 held and reported, days delivered, one major
    and one minor of stage 2 answered, accepted and (the major) verified."""
    manager, lead, _ = users(personas)
    cycle = new_cycle(personas)
    end = end or TODAY - dt.timedelta(days=30)
    s1, s2 = stage(cycle, K.STAGE1), stage(cycle, K.STAGE2)
    hold(s1, end - dt.timedelta(days=60), lead=lead, delivered="1.5")
    s1.stage1_outcome = "ready"
    s1.save()
    audit = hold(s2, end - dt.timedelta(days=1), end, lead=lead, delivered="3")
    reviews = []
    for grade, wanted in (("major", major), ("minor", minor)):
        if wanted:
            f = finding(audit, grade, lead)
            review = FindingReview.objects.get(finding=f)
            finding_reviews.record_client_answer(
                review, "Fixed", "No check", "Monthly check", end, actor=manager
            )
            finding_reviews.review_plan(review, True, "", actor=manager)
            if grade == "major":
                finding_reviews.verify_actions(
                    review, "documentary", "Records seen", TODAY, actor=manager
                )
            reviews.append(review)
    return cycle, audit, reviews


def checklist(cycle, decider):
    return {i.code: i for i in decisions.decision_checklist(cycle, decider, TODAY)}


def test_findings_get_reviews_with_the_body_deadlines(personas):
    _manager, lead, _ = users(personas)
    CertificationBodyProfile.objects.create(
        organization=personas.cb,
        major_response_days=14,
        major_closure_days=60,
        minor_response_days=45,
    )
    cycle = new_cycle(personas)
    audit = hold(stage(cycle, K.STAGE1), dt.date(2027, 3, 1), dt.date(2027, 3, 2))
    major = finding(audit, "major", lead)
    review = FindingReview.objects.get(finding=major)
    assert (review.response_due, review.closure_due) == (dt.date(2027, 3, 16), dt.date(2027, 5, 1))
    assert major.nonconformity is None  # the CB's own register stays out of it
    ofi = finding(audit, "ofi", lead, title="Could automate")
    assert not FindingReview.objects.filter(finding=ofi).exists()
    audit.status = "reporting"
    audit.save()
    update_finding(major, actor=lead, grade="minor")
    review.refresh_from_db()
    assert (review.response_due, review.closure_due) == (dt.date(2027, 4, 16), None)
    update_finding(major, actor=lead, grade="observation")
    assert not FindingReview.objects.filter(pk=review.pk).exists()


def test_an_answered_finding_keeps_its_grade(personas):
    manager, lead, _ = users(personas)
    cycle = new_cycle(personas)
    audit = hold(stage(cycle, K.STAGE1), TODAY, status="reporting")
    major = finding(audit, "major", lead)
    review = FindingReview.objects.get(finding=major)
    finding_reviews.record_client_answer(review, "a", "b", "c", TODAY, actor=manager)
    with pytest.raises(ValidationFailed) as refused:
        update_finding(major, actor=lead, grade="observation")
    assert refused.value.errors[0].field == "grade"
    major.refresh_from_db()
    assert major.grade == "major"


def test_review_flow_refusals(personas):
    manager, lead, decider = users(personas)
    cycle = new_cycle(personas)
    audit = hold(stage(cycle, K.STAGE1), TODAY - dt.timedelta(days=5))
    review = FindingReview.objects.get(finding=finding(audit, "major", lead))
    with pytest.raises(Conflict) as early:
        finding_reviews.verify_actions(review, "on_site", "seen", TODAY, actor=manager)
    assert early.value.code == "plan_not_accepted"
    with pytest.raises(Conflict):
        finding_reviews.review_plan(review, True, "", actor=manager)
    with pytest.raises(ValidationFailed) as bad:
        finding_reviews.record_client_answer(
            review, "", "b", "c", TODAY + dt.timedelta(days=1), actor=manager
        )
    assert {e.field for e in bad.value.errors} == {"correction", "responded_on"}
    with pytest.raises(PermissionDenied):
        finding_reviews.record_client_answer(review, "a", "b", "c", TODAY, actor=decider)
    finding_reviews.record_client_answer(review, "a", "b", "c", TODAY, actor=manager)
    with pytest.raises(ValidationFailed) as bad:
        finding_reviews.review_plan(review, False, "", actor=manager)
    assert bad.value.errors[0].field == "reason"
    finding_reviews.review_plan(review, False, "Cause not analysed", actor=manager)
    review.refresh_from_db()
    assert (review.plan_status, review.rejection_reason) == ("rejected", "Cause not analysed")
    finding_reviews.record_client_answer(review, "a", "b2", "c2", TODAY, actor=manager)
    finding_reviews.review_plan(review, True, "", actor=manager)
    with pytest.raises(ValidationFailed) as bad:
        finding_reviews.verify_actions(review, "next_audit", "seen", TODAY, actor=manager)
    assert bad.value.errors[0].field == "method"  # a major is verified on site or from documents
    finding_reviews.verify_actions(review, "on_site", "Seen on site", TODAY, actor=lead)
    review.refresh_from_db()
    assert (review.verified_on, review.verified_by, review.verification_method) == (
        TODAY,
        lead,
        "on_site",
    )


def test_six_month_rule(personas):
    manager, _lead, decider = users(personas)
    end = TODAY - dt.timedelta(days=250)
    cycle, _audit, (_major, _minor) = ready_cycle(personas, end=end)
    # Verified today: more than six months after stage 2 ended.
    assert finding_reviews.needs_new_stage2(cycle, TODAY)
    item = checklist(cycle, decider)["majors_verified"]
    assert not item.ok and "new stage 2" in item.detail
    repeat = decisions.cycles.repeat_audit(cycle, K.STAGE2, actor=manager)
    assert repeat.sequence == 2
    assert not finding_reviews.needs_new_stage2(cycle, TODAY)


def test_unverified_major_past_six_months_needs_a_new_stage2(personas):
    _manager, lead, _ = users(personas)
    cycle = new_cycle(personas)
    s2 = stage(cycle, K.STAGE2)
    audit = hold(s2, dt.date(2027, 1, 10))
    finding(audit, "major", lead)
    assert not finding_reviews.needs_new_stage2(cycle, dt.date(2027, 7, 10))
    assert finding_reviews.needs_new_stage2(cycle, dt.date(2027, 7, 11))


def test_a_complete_cycle_is_granted(personas, monkeypatch):
    _, _, decider = users(personas)
    cycle, _, _ = ready_cycle(personas)
    assert all(i.ok for i in decisions.decision_checklist(cycle, decider, TODAY))
    decision = decisions.decide(cycle, outcome="granted", on=TODAY, actor=decider)
    cycle.refresh_from_db()
    assert decision.kind == "initial" and decision.certificate_id is not None
    assert cycle.status == CertificationCycle.Status.CERTIFIED and cycle.decision_date == TODAY
    assert CycleAudit.objects.filter(cycle=cycle, kind=K.SURVEILLANCE).count() == 2
    assert len(decision.checklist) == 7


def _break(name, cycle, audit, reviews, personas):
    _manager, _lead, decider = users(personas)
    major, minor = reviews
    if name == "report_issued":
        audit.status = "reporting"
        audit.save()
    elif name == "majors_verified":
        FindingReview.objects.filter(pk=major.pk).update(verified_on=None)
    elif name == "minors_accepted":
        FindingReview.objects.filter(pk=minor.pk).update(plan_status="received")
    elif name == "scope_confirmed":
        cycle.sites.clear()
    elif name == "audit_time":
        CycleAudit.objects.filter(audit=audit).update(delivered_days="2.5")
    elif name == "decider_independent":
        from pdca.audits.models import AuditTeamMember

        AuditTeamMember.objects.create(organization=personas.cb, audit=audit, user=decider)


@pytest.mark.parametrize(
    "name",
    [
        "report_issued",
        "majors_verified",
        "minors_accepted",
        "scope_confirmed",
        "audit_time",
        "decider_independent",
    ],
)
def test_each_checklist_item_fails_alone(personas, name):
    _, _, decider = users(personas)
    cycle, audit, reviews = ready_cycle(personas)
    _break(name, cycle, audit, reviews, personas)
    items = checklist(cycle, decider)
    assert [code for code, item in items.items() if not item.ok] == [name]
    with pytest.raises(Conflict) as refused:
        decisions.decide(cycle, outcome="granted", on=TODAY, actor=decider)
    wanted = (
        "decider_not_independent"
        if name == "decider_independent"
        else "decision_checklist_incomplete"
    )
    assert refused.value.code == wanted
    if name != "decider_independent":
        assert items[name].label in refused.value.message
    assert not CertificationDecision.objects.exists()
    cycle.refresh_from_db()
    assert cycle.decision_date is None


def test_the_scope_must_match_the_audited_standards(personas):
    _, _, decider = users(personas)
    cycle, audit, _ = ready_cycle(personas)
    audit.standards.clear()
    assert not checklist(cycle, decider)["scope_confirmed"].ok


def test_the_lead_auditor_may_not_decide(personas):
    from pdca.tenancy.models import Membership

    _, lead, decider = users(personas)
    cycle, audit, _ = ready_cycle(personas)
    audit.lead_auditor = decider
    audit.save()
    item = checklist(cycle, decider)["decider_independent"]
    assert not item.ok and str(audit) in item.detail
    with pytest.raises(Conflict) as refused:
        decisions.decide(cycle, outcome="refused", notes="x", on=TODAY, actor=decider)
    assert refused.value.code == "decider_not_independent"
    # Someone without the decision maker's role may not decide at all.
    Membership.objects.filter(user=lead).update(role=Role.LEAD_AUDITOR)
    with pytest.raises(PermissionDenied):
        decisions.decide(cycle, outcome="granted", on=TODAY, actor=lead)


def test_a_refusal_is_recorded_with_its_notes(personas):
    _, _, decider = users(personas)
    cycle = new_cycle(personas)
    with pytest.raises(ValidationFailed) as bad:
        decisions.decide(cycle, outcome="refused", notes="", on=TODAY, actor=decider)
    assert bad.value.errors[0].field == "notes"
    decision = decisions.decide(
        cycle, outcome="refused", notes="Stage 2 never held", on=TODAY, actor=decider
    )
    assert (decision.outcome, decision.notes) == ("refused", "Stage 2 never held")
    assert {i["code"]: i["ok"] for i in decision.checklist}["report_issued"] is False
    cycle.refresh_from_db()
    assert cycle.decision_date is None


def _renewal(personas, expired_on):
    from pdca.certification.models import Application
    from pdca.certification.services import cycles, dates
    from tests.certification.programme_factories import accepted_application

    manager, lead, _ = users(personas)
    first, _, _ = ready_cycle(personas)
    first.decision_date = dates.anniversary(expired_on, -3) + dt.timedelta(days=1)
    first.expiry_date = expired_on
    first.status = "certified"
    first.save()
    renewal = cycles.open_cycle(
        accepted_application(
            personas.cb, client=first.client, kind=Application.Kind.RECERTIFICATION
        ),
        actor=manager,
    )
    recert = stage(renewal, K.RECERTIFICATION)
    hold(recert, TODAY - dt.timedelta(days=3), lead=lead, delivered="3")
    return renewal


@pytest.mark.parametrize(
    ("expired_days_ago", "kind", "ok"),
    [
        (-10, "recertification", True),  # before expiry
        (10, "recertification", False),  # after expiry: only a restoration
        (10, "restoration", True),  # within six months after expiry
        (-10, "restoration", False),  # not expired yet
    ],
)
def test_recertification_and_restoration_windows(personas, expired_days_ago, kind, ok):
    _, _, decider = users(personas)
    renewal = _renewal(personas, TODAY - dt.timedelta(days=expired_days_ago))
    items = {i.code: i for i in decisions.decision_checklist(renewal, decider, TODAY, kind=kind)}
    assert items["renewal_window"].ok is ok
    assert [c for c, i in items.items() if not i.ok] == ([] if ok else ["renewal_window"])


def test_restoration_after_six_months_is_refused(personas):
    _, _, decider = users(personas)
    renewal = _renewal(personas, TODAY - dt.timedelta(days=200))
    with pytest.raises(Conflict) as refused:
        decisions.decide(renewal, kind="restoration", outcome="granted", on=TODAY, actor=decider)
    assert refused.value.code == "restoration_too_late"
    assert not CertificationDecision.objects.exists()
