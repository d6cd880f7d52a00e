"""Deadlines of certification findings: the body's days from the audit's last day, a stage 2
major capped at six months, the terms that apply (chosen, the organization's default, ours),
and which deadline is still owed in each state."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.audits.models import Audit, Finding
from pdca.improvement.deadlines import (
    DEFAULT_TERMS,
    add_months,
    compute_deadlines,
    deadlines_for,
    pending_deadline,
    terms_for,
)
from pdca.improvement.models import CertificationTerms, Nonconformity
from pdca.improvement.workflow.services import transition_nonconformity
from tests.improvement.factories import Cast, in_days, make_cast, step_data

S = Nonconformity.Status
D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 3, 31), 6, D(2026, 9, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 7, 15), 18, D(2028, 1, 15)),
        (D(2026, 5, 10), 0, D(2026, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def terms(**days) -> CertificationTerms:
    values = {
        "name": "Body",
        "major_response_days": 30,
        "major_closure_days": 90,
        "minor_response_days": 30,
        "minor_closure_days": None,
        "escalate_after_days": 7,
    }
    return CertificationTerms(**(values | days))


LAST = D(2026, 8, 31)


def test_a_major_is_answered_and_verified_within_the_bodys_days():
    found = compute_deadlines(
        severity="major", audit_type="surveillance", last_day=LAST, terms=terms()
    )
    assert (found.response_due, found.closure_due) == (D(2026, 9, 30), D(2026, 11, 29))
    assert "verified by the body" in found.before_decision


def test_a_stage2_major_is_verified_within_six_months_whatever_the_body_allows():
    generous = terms(major_closure_days=200)
    stage2 = compute_deadlines(severity="major", audit_type="stage2", last_day=LAST, terms=generous)
    other = compute_deadlines(
        severity="major", audit_type="recertification", last_day=LAST, terms=generous
    )
    assert stage2.closure_due == D(2027, 2, 28)
    assert other.closure_due == D(2027, 3, 19)


def test_a_stage2_major_within_six_months_keeps_the_bodys_date():
    found = compute_deadlines(severity="major", audit_type="stage2", last_day=LAST, terms=terms())
    assert found.closure_due == D(2026, 11, 29)


def test_a_minor_without_closure_days_is_verified_at_the_next_audit():
    found = compute_deadlines(severity="minor", audit_type="stage2", last_day=LAST, terms=terms())
    assert (found.response_due, found.closure_due) == (D(2026, 9, 30), None)
    assert found.before_decision.endswith("verified at the next audit.")


def test_a_minor_with_closure_days_is_verified_by_then():
    found = compute_deadlines(
        severity="minor", audit_type="stage2", last_day=LAST, terms=terms(minor_closure_days=60)
    )
    assert found.closure_due == D(2026, 10, 30)
    assert found.before_decision.endswith("verified by the closure date.")


def test_no_severity_has_no_deadline():
    found = compute_deadlines(severity="", audit_type="stage2", last_day=LAST, terms=terms())
    assert (found.response_due, found.closure_due, found.before_decision) == (None, None, "")


# --- on a nonconformity -----------------------------------------------------------------------


@pytest.fixture
def cast(personas, catalog) -> Cast:
    return make_cast(personas)


def certification_finding(cast: Cast, *, audit_type="stage2", last_day=None, **fields):
    """A certification audit's finding with its nonconformity waiting for triage."""
    last_day = last_day or in_days(-2)
    audit = Audit.objects.create(
        organization=cast.org,
        title="Stage 2",
        audit_type=audit_type,
        start_date=last_day - dt.timedelta(days=1),
        end_date=last_day,
    )
    nc = Nonconformity.objects.create(
        organization=cast.org,
        title="Gauge",
        description="Expired.",
        source=Nonconformity.Source.CERTIFICATION_AUDIT,
        **fields,
    )
    Finding.objects.create(
        organization=cast.org,
        audit=audit,
        number=1,
        grade="major",
        title="Gauge",
        requirement_statement="r",
        evidence="e",
        statement="s",
        nonconformity=nc,
    )
    return nc


def triage(cast: Cast, nc: Nonconformity, severity: str, **extra) -> Nonconformity:
    data = step_data(cast, "triage") | {"severity": severity} | extra
    return transition_nonconformity(nc, "triage", actor=cast.manager, **data)


def test_our_terms_apply_when_the_organization_recorded_none(cast):
    assert terms_for(certification_finding(cast)) is DEFAULT_TERMS


def test_the_organizations_default_terms_apply_unless_others_are_chosen(cast):
    default = CertificationTerms.objects.create(organization=cast.org, name="BSI", is_default=True)
    chosen = CertificationTerms.objects.create(organization=cast.org, name="TÜV")
    CertificationTerms.objects.create(organization=cast.org, name="DNV")
    assert terms_for(certification_finding(cast)) == default
    assert terms_for(certification_finding(cast, certification_terms=chosen)) == chosen


def test_another_organizations_default_does_not_apply(cast, personas):
    CertificationTerms.objects.create(organization=personas.other, name="BSI", is_default=True)
    assert terms_for(certification_finding(cast)) is DEFAULT_TERMS


def test_triage_sets_a_major_findings_deadlines_and_its_due_date(cast):
    nc = triage(cast, certification_finding(cast, last_day=in_days(-2)), "major")
    assert (nc.response_due, nc.closure_due) == (in_days(28), in_days(88))
    # The due date follows the body's closure date, not the policy's 60 days.
    assert nc.due_date == in_days(88)


def test_triage_of_a_minor_without_closure_is_due_when_the_response_is(cast):
    nc = triage(cast, certification_finding(cast, last_day=in_days(-2)), "minor")
    assert (nc.response_due, nc.closure_due, nc.due_date) == (in_days(28), None, in_days(28))


def test_triage_follows_the_chosen_bodys_days(cast):
    chosen = CertificationTerms.objects.create(
        organization=cast.org, name="TÜV", major_response_days=14, major_closure_days=45
    )
    nc = certification_finding(cast, last_day=in_days(-2), certification_terms=chosen)
    nc = triage(cast, nc, "major")
    assert (nc.response_due, nc.closure_due, nc.due_date) == (in_days(12), in_days(43), in_days(43))


def test_a_chosen_due_date_is_kept_besides_the_bodys_deadlines(cast):
    nc = triage(
        cast, certification_finding(cast, last_day=in_days(-2)), "major", due_date=in_days(40)
    )
    assert (nc.response_due, nc.closure_due, nc.due_date) == (in_days(28), in_days(88), in_days(40))


def test_other_nonconformities_have_no_certification_deadlines(cast):
    nc = Nonconformity.objects.create(
        organization=cast.org, title="x", description="y", source="employee"
    )
    assert deadlines_for(nc) is None
    nc = triage(cast, nc, "major")
    assert (nc.response_due, nc.closure_due, nc.due_date) == (None, None, in_days(60))


def test_a_certification_finding_without_its_audit_has_no_deadlines(cast):
    nc = Nonconformity.objects.create(
        organization=cast.org, title="x", description="y", source="certification_audit"
    )
    assert deadlines_for(nc) is None


@pytest.mark.parametrize(
    ("status", "owed"),
    [
        (S.REPORTED, ("Correction, cause and action plan", D(2026, 9, 30))),
        (S.TRIAGED, ("Correction, cause and action plan", D(2026, 9, 30))),
        (S.CONTAINED, ("Correction, cause and action plan", D(2026, 9, 30))),
        (S.CAUSE_ANALYSED, ("Correction, cause and action plan", D(2026, 9, 30))),
        (S.ACTION_PLANNED, ("Corrective action verified", D(2026, 11, 29))),
        (S.IMPLEMENTED, ("Corrective action verified", D(2026, 11, 29))),
        (S.VERIFIED, None),
        (S.CLOSED, None),
        (S.DISMISSED, None),
    ],
)
def test_the_deadline_still_owed_in_each_state(status, owed):
    nc = Nonconformity(status=status, response_due=D(2026, 9, 30), closure_due=D(2026, 11, 29))
    assert pending_deadline(nc) == owed


def test_a_minor_with_its_plan_accepted_owes_nothing_more_before_the_next_audit():
    nc = Nonconformity(status=S.ACTION_PLANNED, response_due=D(2026, 9, 30), closure_due=None)
    assert pending_deadline(nc) is None


def test_a_nonconformity_without_deadlines_owes_none():
    assert pending_deadline(Nonconformity(status=S.TRIAGED)) is None


def test_only_a_certification_finding_takes_a_bodys_terms(cast):
    from pdca.core.exceptions import ValidationFailed
    from pdca.improvement.deadlines import validate_terms_choice

    chosen = CertificationTerms.objects.create(organization=cast.org, name="TÜV")
    nc = Nonconformity(organization=cast.org, source="employee", certification_terms=chosen)
    with pytest.raises(ValidationFailed) as excinfo:
        validate_terms_choice(nc)
    assert [e.field for e in excinfo.value.errors] == ["certification_terms"]


def test_terms_name_a_closure_before_the_response_and_a_second_default(cast):
    from pdca.core.exceptions import ValidationFailed
    from pdca.improvement.deadlines import validate_terms

    CertificationTerms.objects.create(organization=cast.org, name="BSI", is_default=True)
    bad = CertificationTerms(
        organization=cast.org,
        name="TÜV",
        is_default=True,
        major_response_days=30,
        major_closure_days=20,
        minor_response_days=0,
        minor_closure_days=None,
    )
    with pytest.raises(ValidationFailed) as excinfo:
        validate_terms(bad)
    assert [e.field for e in excinfo.value.errors] == [
        "minor_response_days",
        "major_closure_days",
        "is_default",
    ]


def test_an_audit_findings_severity_is_not_changed_in_the_register(personas, catalog):
    from pdca.core.exceptions import ValidationFailed
    from pdca.core.registers.services import update_entry
    from pdca.improvement.registers import NONCONFORMITIES

    audit = Audit.objects.create(
        organization=personas.org,
        title="Stage 2",
        audit_type="stage2",
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 4),
    )
    nc = Nonconformity.objects.create(
        organization=personas.org,
        title="No management review",
        description="None held.",
        source="certification_audit",
        severity="major",
    )
    Finding.objects.create(
        organization=personas.org, audit=audit, number=1, grade="major", title="x", nonconformity=nc
    )
    with pytest.raises(ValidationFailed) as refused:
        update_entry(NONCONFORMITIES, nc, actor=personas.manager, severity="minor")
    assert refused.value.errors[0].code == "graded_by_auditor"
    nc.refresh_from_db()
    assert nc.severity == "major"
    update_entry(NONCONFORMITIES, nc, actor=personas.manager, title="No management review held")
    nc.refresh_from_db()
    assert nc.title == "No management review held"
