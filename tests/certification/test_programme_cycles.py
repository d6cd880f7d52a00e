"""Opening cycles and planning their programme: due dates, stage 1 gating, late and early
audits, surveillance after the decision, recertification before and after expiry."""

import datetime as dt
from decimal import Decimal

import pytest

from pdca.audits.models import Audit
from pdca.certification.models import Application, CertificationCycle, CycleAudit
from pdca.certification.services import cycles, dates
from pdca.certification.services import programme_audits as pa
from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from tests.certification.factories import make_application, make_client
from tests.certification.programme_factories import accepted_application, hold, new_cycle, stage

pytestmark = pytest.mark.django_db
K = CycleAudit.Kind


def manager(personas):
    return personas.users[Role.CB_MANAGER]


def certify(cycle: CertificationCycle, decided: dt.date) -> None:
    """What issue_certificate does to the cycle, made directly."""
    cycle.decision_date = decided
    cycle.expiry_date = dates.expiry_date(decided)
    cycle.status = CertificationCycle.Status.CERTIFIED
    cycle.save()


def test_initial_cycle_copies_the_application_and_plans_both_stages(personas):
    application = accepted_application(
        personas.cb,
        standards=("iso9001-2015", "iso14001-2015"),
        accepted_on=dt.date(2027, 1, 31),
        days={"iso9001-2015": ("1.5", "3", "1", "2"), "iso14001-2015": ("1", "2.5", "1", "2")},
    )
    cycle = cycles.open_cycle(application, actor=manager(personas))
    assert cycle.number == 1
    assert cycle.scope == application.scope
    assert set(cycle.standards.values_list("code", flat=True)) == {"iso9001-2015", "iso14001-2015"}
    assert list(cycle.sites.all()) == list(application.sites.all())
    s1, s2 = stage(cycle, K.STAGE1), stage(cycle, K.STAGE2)
    assert (s1.due_date, s1.planned_days) == (dt.date(2027, 4, 30), Decimal("2.50"))
    assert (s2.due_date, s2.planned_days) == (dt.date(2027, 10, 30), Decimal("5.50"))
    assert ActivityEntry.objects.filter(object_type="certification.cycleaudit").count() == 2


@pytest.mark.parametrize("status", ["draft", "submitted", "declined", "withdrawn"])
def test_a_cycle_is_opened_only_for_an_accepted_application(personas, status):
    client = make_client(personas.cb)
    application = make_application(personas.cb, client, status=status)
    with pytest.raises(Conflict) as refused:
        cycles.open_cycle(application, actor=manager(personas))
    assert refused.value.code == "application_not_accepted"
    assert not CertificationCycle.objects.exists()


def test_one_open_cycle_per_application(personas):
    cycle = new_cycle(personas)
    with pytest.raises(Conflict) as refused:
        cycles.open_cycle(cycle.application, actor=manager(personas))
    assert refused.value.code == "cycle_already_open"
    assert CertificationCycle.objects.count() == 1


@pytest.mark.parametrize(
    "role", [Role.LEAD_AUDITOR, Role.AUDITOR, Role.CERTIFICATION_DECISION_MAKER]
)
def test_only_managers_open_cycles(personas, role):
    application = accepted_application(personas.cb)
    with pytest.raises(PermissionDenied):
        cycles.open_cycle(application, actor=personas.users[role])
    assert not CertificationCycle.objects.exists()


def test_stage2_waits_for_a_ready_stage1(personas):
    cycle = new_cycle(personas)
    s1, s2 = stage(cycle, K.STAGE1), stage(cycle, K.STAGE2)
    with pytest.raises(Conflict) as refused:
        pa.schedule_audit(
            s2,
            start_date=dt.date(2027, 5, 1),
            end_date=dt.date(2027, 5, 2),
            actor=manager(personas),
        )
    assert refused.value.code == "stage1_outcome_needed"
    assert not Audit.objects.exists()
    hold(s1, dt.date(2027, 3, 1), dt.date(2027, 3, 2))
    pa.record_stage1_outcome(s1, "not_ready", "Internal audits not done", actor=manager(personas))
    with pytest.raises(Conflict) as refused:
        pa.schedule_audit(
            s2,
            start_date=dt.date(2027, 5, 1),
            end_date=dt.date(2027, 5, 2),
            actor=manager(personas),
        )
    assert "new stage 1" in refused.value.message
    again = cycles.repeat_audit(cycle, K.STAGE1, actor=manager(personas))
    assert again.sequence == 2
    hold(again, dt.date(2027, 6, 1), dt.date(2027, 6, 2))
    pa.record_stage1_outcome(again, "concerns", "Legal register thin", actor=manager(personas))
    s2.refresh_from_db()
    assert s2.due_date == dt.date(2027, 12, 2)  # six months after the last stage 1 ended
    done = pa.schedule_audit(
        s2, start_date=dt.date(2027, 7, 1), end_date=dt.date(2027, 7, 3), actor=manager(personas)
    )
    assert done.audit.audit_type == "stage2"
    assert done.warnings == []


def test_stage1_outcome_needs_an_issued_report_and_concerns(personas):
    cycle = new_cycle(personas)
    s1 = stage(cycle, K.STAGE1)
    hold(s1, dt.date(2027, 3, 1), status=Audit.Status.REPORTING)
    with pytest.raises(Conflict) as refused:
        pa.record_stage1_outcome(s1, "ready", "", actor=manager(personas))
    assert refused.value.code == "report_not_issued"
    Audit.objects.filter(pk=s1.audit_id).update(status=Audit.Status.REPORT_ISSUED)
    for outcome in ("concerns", "not_ready"):
        with pytest.raises(ValidationFailed) as bad:
            pa.record_stage1_outcome(s1, outcome, "  ", actor=manager(personas))
        assert bad.value.errors[0].field == "concerns"
    with pytest.raises(ValidationFailed) as bad:
        pa.record_stage1_outcome(s1, "maybe", "", actor=manager(personas))
    assert bad.value.errors[0].field == "outcome"
    s1.refresh_from_db()
    assert s1.stage1_outcome == ""
    with pytest.raises(Conflict):
        pa.record_stage1_outcome(stage(cycle, K.STAGE2), "ready", "", actor=manager(personas))


def test_scheduling_creates_the_audit_and_warns_when_late(personas):
    cycle = new_cycle(personas, accepted_on=dt.date(2027, 1, 10))
    s1 = stage(cycle, K.STAGE1)
    lead = personas.users[Role.LEAD_AUDITOR]
    done = pa.schedule_audit(
        s1,
        start_date=dt.date(2027, 5, 3),
        end_date=dt.date(2027, 5, 4),
        lead_auditor=lead,
        actor=manager(personas),
    )
    audit = done.audit
    assert audit.organization == personas.cb
    assert audit.audit_type == "stage1"
    assert audit.lead_auditor == lead
    assert audit.title == f"Stage 1: {cycle.client.name}"
    assert set(audit.standards.all()) == set(cycle.standards.all())
    assert audit.team.get().user == lead
    assert done.warnings == ["Stage 1 was due by 2027-04-10; it is scheduled from 2027-05-03."]
    s1.refresh_from_db()
    assert pa.status_of(s1) == "scheduled" and pa.is_late(s1)
    s2 = stage(cycle, K.STAGE2)
    assert s2.due_date == dt.date(2027, 11, 4)
    with pytest.raises(Conflict) as again:
        pa.schedule_audit(
            s1,
            start_date=dt.date(2027, 5, 3),
            end_date=dt.date(2027, 5, 4),
            actor=manager(personas),
        )
    assert again.value.code == "already_scheduled"


def test_bad_schedule_names_the_field_and_writes_nothing(personas):
    cycle = new_cycle(personas)
    s1 = stage(cycle, K.STAGE1)
    with pytest.raises(ValidationFailed) as bad:
        pa.schedule_audit(
            s1,
            start_date=dt.date(2027, 5, 3),
            end_date=dt.date(2027, 5, 1),
            actor=manager(personas),
        )
    assert [e.field for e in bad.value.errors] == ["end_date"]
    with pytest.raises(ValidationFailed) as bad:
        pa.schedule_audit(
            s1,
            start_date=dt.date(2027, 5, 3),
            end_date=dt.date(2027, 5, 3),
            lead_auditor=personas.outsider,
            actor=manager(personas),
        )
    assert bad.value.errors[0].field == "lead_auditor"
    assert not Audit.objects.exists()
    s1.refresh_from_db()
    assert s1.audit_id is None


def test_statuses(personas):
    cycle = new_cycle(personas, accepted_on=dt.date(2020, 1, 1))
    s1, s2 = stage(cycle, K.STAGE1), stage(cycle, K.STAGE2)
    assert pa.status_of(s1, dt.date(2020, 4, 2)) == "overdue"
    assert pa.status_of(s2, dt.date(2020, 4, 2)) == "due"
    hold(s1, dt.date(2020, 3, 1), status=Audit.Status.IN_PROGRESS)
    assert pa.status_of(s1) == "in_progress"
    Audit.objects.filter(pk=s1.audit_id).update(status=Audit.Status.CLOSED)
    s1.refresh_from_db()
    assert pa.status_of(s1) == "reported"
    s2.cancelled_reason = "Client withdrew"
    assert pa.status_of(s2) == "cancelled"


def test_delivered_days_need_a_reason_when_they_differ(personas):
    cycle = new_cycle(personas)
    s1 = stage(cycle, K.STAGE1)
    with pytest.raises(Conflict):
        pa.record_delivered_days(s1, "1.5", "", actor=manager(personas))
    hold(s1, dt.date(2027, 3, 1))
    with pytest.raises(ValidationFailed) as bad:
        pa.record_delivered_days(s1, "1", "", actor=manager(personas))
    assert bad.value.errors[0].field == "reason"
    for wrong in ("-1", "abc", "1.234"):
        with pytest.raises(ValidationFailed) as bad:
            pa.record_delivered_days(s1, wrong, "x", actor=manager(personas))
        assert bad.value.errors[0].field == "days"
    s1.refresh_from_db()
    assert s1.delivered_days is None
    pa.record_delivered_days(s1, "1", "Site closed one afternoon", actor=manager(personas))
    s1.refresh_from_db()
    assert (s1.delivered_days, s1.deviation_reason) == (
        Decimal("1.00"),
        "Site closed one afternoon",
    )


@pytest.mark.parametrize(
    ("decided", "first", "second", "recert", "expiry"),
    [
        (
            dt.date(2027, 3, 15),
            dt.date(2028, 3, 15),
            dt.date(2029, 3, 15),
            dt.date(2030, 1, 13),
            dt.date(2030, 3, 14),
        ),
        # A leap day: the 12-month step lands on 28 February, the expiry on the day before 1 March.
        (
            dt.date(2028, 2, 29),
            dt.date(2029, 2, 28),
            dt.date(2030, 2, 28),
            dt.date(2030, 12, 30),
            dt.date(2031, 2, 28),
        ),
    ],
)
def test_surveillance_is_planned_from_the_decision(
    personas, decided, first, second, recert, expiry
):
    cycle = new_cycle(personas)
    certify(cycle, decided)
    added = cycles.plan_surveillance(cycle, actor=manager(personas))
    assert [(a.kind, a.sequence, a.due_date) for a in added] == [
        (K.SURVEILLANCE, 1, first),
        (K.SURVEILLANCE, 2, second),
        (K.RECERTIFICATION, 1, recert),
    ]
    assert cycle.expiry_date == expiry
    assert [a.planned_days for a in added] == [Decimal("1.50"), Decimal("1.50"), Decimal("3.00")]
    assert cycles.plan_surveillance(cycle, actor=manager(personas)) == []


def test_surveillance_needs_a_decision(personas):
    cycle = new_cycle(personas)
    with pytest.raises(Conflict):
        cycles.plan_surveillance(cycle, actor=manager(personas))


@pytest.mark.parametrize(
    ("held", "second_due"),
    [
        # Early: held in the decision's own year, so the second is due by the end of the next.
        (dt.date(2027, 11, 20), dt.date(2028, 12, 31)),
        # On time, in the next year: 24 months from the decision comes first.
        (dt.date(2028, 3, 1), dt.date(2029, 3, 15)),
        # Late (after its due date): still within 24 months of the decision.
        (dt.date(2028, 5, 2), dt.date(2029, 3, 15)),
    ],
)
def test_second_surveillance_follows_the_first(personas, held, second_due):
    cycle = new_cycle(personas)
    certify(cycle, dt.date(2027, 3, 15))
    cycles.plan_surveillance(cycle, actor=manager(personas))
    first = stage(cycle, K.SURVEILLANCE, 1)
    done = pa.schedule_audit(first, start_date=held, end_date=held, actor=manager(personas))
    assert bool(done.warnings) == (held > dt.date(2028, 3, 15))
    assert stage(cycle, K.SURVEILLANCE, 2).due_date == second_due


def test_recertification_cycle_renews_and_takes_over_the_planned_audit(personas):
    first = new_cycle(personas)
    certify(first, dt.date(2027, 3, 15))
    cycles.plan_surveillance(first, actor=manager(personas))
    planned = stage(first, K.RECERTIFICATION)
    application = accepted_application(
        personas.cb, client=first.client, kind=Application.Kind.RECERTIFICATION
    )
    renewal = cycles.open_cycle(application, actor=manager(personas), with_stage1=True)
    assert (renewal.number, renewal.previous) == (2, first)
    moved = CycleAudit.objects.get(pk=planned.pk)
    assert moved.cycle == renewal
    assert moved.due_date == dt.date(2030, 1, 13)  # 60 days before the 2030-03-14 expiry
    assert stage(renewal, K.STAGE1).due_date == dt.date(2029, 12, 14)
    assert not CycleAudit.objects.filter(cycle=first, kind=K.RECERTIFICATION).exists()
    # The renewal's programme counts from the old expiry, keeping the rhythm.
    assert cycles.programme_anchor(renewal) == dt.date(2030, 3, 15)
    with pytest.raises(Conflict) as refused:
        cycles.open_cycle(
            accepted_application(
                personas.cb, client=first.client, kind=Application.Kind.RECERTIFICATION
            ),
            actor=manager(personas),
        )
    assert refused.value.code == "already_renewed"


def test_recertification_needs_a_certified_cycle(personas):
    application = accepted_application(personas.cb, kind=Application.Kind.RECERTIFICATION)
    with pytest.raises(Conflict) as refused:
        cycles.open_cycle(application, actor=manager(personas))
    assert refused.value.code == "no_cycle_to_renew"


def test_special_audits(personas):
    cycle = new_cycle(personas)
    item = cycles.add_special_audit(
        cycle,
        K.SHORT_NOTICE,
        dt.date(2027, 6, 1),
        "Complaint from a customer",
        actor=manager(personas),
    )
    assert (item.kind, item.sequence, item.reason) == (
        K.SHORT_NOTICE,
        1,
        "Complaint from a customer",
    )
    with pytest.raises(ValidationFailed) as bad:
        cycles.add_special_audit(cycle, "stage1", None, "", actor=manager(personas))
    assert {e.field for e in bad.value.errors} == {"kind", "due_date", "reason"}
    assert CycleAudit.objects.filter(cycle=cycle).count() == 3
