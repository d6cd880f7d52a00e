"""E-mail of corrective action: sent only after the transaction commits (never when it rolls
back), to the right people; overdue reminders once a day per person; a certification finding
escalated once, only when overdue by more than its body's grace days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.improvement import notifications
from pdca.improvement.actions import add_corrective_action, update_corrective_action
from pdca.improvement.models import CertificationTerms, CorrectiveAction, Nonconformity
from pdca.improvement.notifications import escalate_overdue, send_reminders
from pdca.improvement.reporting import report_nonconformity
from pdca.improvement.workflow.services import transition_nonconformity
from tests.improvement.factories import (
    Cast,
    drive,
    in_days,
    make_cast,
    step_data,
    wait_over,
)

pytestmark = pytest.mark.django_db
S = Nonconformity.Status


class Boom(Exception):
    pass


@pytest.fixture
def cast(personas, catalog) -> Cast:
    return make_cast(personas)


def recipients() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox)


def test_a_report_tells_the_system_managers_after_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report_nonconformity(cast.org, actor=cast[Role.EMPLOYEE], title="Leak", description="Oil.")
        assert mail.outbox == []
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert recipients() == [
        ("consultant@a.example", "Nonconformity reported"),
        ("system_manager@a.example", "Nonconformity reported"),
    ]


def test_a_report_the_manager_made_does_not_tell_the_manager(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_nonconformity(cast.org, actor=cast.manager, title="Leak", description="Oil.")
    assert [m.to for m in mail.outbox] == [["consultant@a.example"]]


def test_nothing_is_sent_when_the_transaction_rolls_back(cast, django_capture_on_commit_callbacks):
    nc = drive(cast, S.REPORTED)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        transition_nonconformity(nc, "triage", actor=cast.manager, **step_data(cast, "triage"))
        raise Boom
    assert callbacks == []
    assert mail.outbox == []
    assert Nonconformity.objects.get(pk=nc.pk).status == S.REPORTED


def test_triage_tells_the_new_owner(cast, django_capture_on_commit_callbacks):
    nc = drive(cast, S.REPORTED)
    with django_capture_on_commit_callbacks(execute=True):
        transition_nonconformity(nc, "triage", actor=cast.manager, **step_data(cast, "triage"))
    assert recipients() == [("process_owner@a.example", "Nonconformity assigned to you")]
    assert f"Due: {in_days(90)}" in mail.outbox[0].body
    assert notifications.link(nc) in mail.outbox[0].body
    assert notifications.link(nc).endswith(f"/nonconformities/{nc.pk}/")


def test_an_owner_who_triages_their_own_is_not_told(cast, django_capture_on_commit_callbacks):
    nc = drive(cast, S.REPORTED)
    data = step_data(cast, "triage") | {"owner": cast.manager}
    with django_capture_on_commit_callbacks(execute=True):
        transition_nonconformity(nc, "triage", actor=cast.manager, **data)
    assert mail.outbox == []


def test_an_action_owner_is_told_on_planning_and_on_reassignment(
    cast, django_capture_on_commit_callbacks
):
    nc = drive(cast, S.CAUSE_ANALYSED)
    with django_capture_on_commit_callbacks(execute=True):
        action = add_corrective_action(
            nc,
            actor=cast.owner,
            title="Recall list",
            owner=cast[Role.EMPLOYEE],
            due_date=in_days(5),
        )
        update_corrective_action(action, actor=cast.owner, due_date=in_days(6))
        update_corrective_action(action, actor=cast.owner, owner=cast[Role.TOP_MANAGEMENT])
    assert [m.to[0] for m in mail.outbox] == ["employee@a.example", "top_management@a.example"]
    assert mail.outbox[0].subject == "Corrective action assigned to you: Recall list"


def test_the_check_due_mail_skips_the_action_owners_and_implementers(
    cast, django_capture_on_commit_callbacks
):
    consultant = cast[Role.CONSULTANT]
    nc = drive(cast, S.ACTION_PLANNED, action_owner=cast[Role.EMPLOYEE])
    from pdca.improvement.actions import implement_corrective_action

    action = CorrectiveAction.objects.get(nonconformity=nc)
    implement_corrective_action(action, actor=consultant, note="Done.", evidence=[cast.evidence])
    with django_capture_on_commit_callbacks(execute=True):
        transition_nonconformity(nc, "implement", actor=cast.owner)
    # The consultant carried out the action: the check is someone else's.
    assert recipients() == [
        ("system_manager@a.example", f"Effectiveness check due from {in_days(14)}")
    ]


def test_not_effective_tells_the_owner_the_analysis_is_open_again(
    cast, django_capture_on_commit_callbacks
):
    nc = drive(cast, S.IMPLEMENTED)
    wait_over(nc)
    with django_capture_on_commit_callbacks(execute=True):
        transition_nonconformity(nc, "verify", actor=cast.manager, effective=False, notes="No.")
    assert recipients() == [("process_owner@a.example", "Corrective action not effective")]
    assert "(round 2)" in mail.outbox[0].body


def test_a_failing_mail_server_does_not_undo_the_step(
    cast, django_capture_on_commit_callbacks, monkeypatch
):
    """The mail is a job: it fails (and says why) while the step stands, and is sent when it
    is retried once the server is back."""
    from pdca.core.jobs import builtin
    from pdca.core.jobs.models import Job
    from pdca.core.jobs.services import retry_job

    def refuse(**kwargs):
        raise ConnectionRefusedError("smtp down")

    real_send_mail = builtin.send_mail
    monkeypatch.setattr(builtin, "send_mail", refuse)
    nc = drive(cast, S.REPORTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        transition_nonconformity(nc, "triage", actor=cast.manager, **step_data(cast, "triage"))
    assert Nonconformity.objects.get(pk=nc.pk).status == S.TRIAGED
    failed = Job.objects.get(kind="send_email", status="failed")
    assert "ConnectionRefusedError" in failed.error
    assert mail.outbox == []
    monkeypatch.setattr(builtin, "send_mail", real_send_mail)
    assert retry_job(failed, actor=None).status == "succeeded"
    assert [m.to for m in mail.outbox] == [[failed.params["to"]]]


# --- reminders ------------------------------------------------------------------------------


def overdue(cast: Cast) -> tuple[Nonconformity, CorrectiveAction]:
    """The process owner's nonconformity and the employee's action, both overdue yesterday."""
    nc = drive(cast, S.ACTION_PLANNED)
    Nonconformity.objects.filter(pk=nc.pk).update(due_date=in_days(-3))
    CorrectiveAction.objects.filter(nonconformity=nc).update(due_date=in_days(-1))
    other = drive(cast, S.TRIAGED)
    Nonconformity.objects.filter(pk=other.pk).update(due_date=in_days(-1))
    return nc, CorrectiveAction.objects.get(nonconformity=nc)


def test_each_person_gets_one_reminder_listing_all_their_overdue_items(
    cast, django_capture_on_commit_callbacks
):
    overdue(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = send_reminders()
    assert (result.people, result.nonconformities, result.actions) == (2, 2, 1)
    by_person = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_person) == ["employee@a.example", "process_owner@a.example"]
    assert by_person["process_owner@a.example"].subject == "Overdue corrective-action items: 2"
    assert "(3 days overdue)" in by_person["process_owner@a.example"].body
    assert "Action Start a recall list" in by_person["employee@a.example"].body


def test_nobody_is_reminded_twice_on_one_day(cast, django_capture_on_commit_callbacks):
    overdue(cast)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = send_reminders()
    assert (again.people, mail.outbox) == (0, [])
    with django_capture_on_commit_callbacks(execute=True):
        tomorrow = send_reminders(today=in_days(1))
    assert tomorrow.people == 2


def test_reminders_leave_no_activity_entry_and_skip_closed_and_current_items(
    cast, django_capture_on_commit_callbacks
):
    closed = drive(cast, S.CLOSED)
    Nonconformity.objects.filter(pk=closed.pk).update(due_date=in_days(-5))
    drive(cast, S.TRIAGED)  # due in 90 days
    entries = ActivityEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        result = send_reminders()
    assert (result.people, ActivityEntry.objects.count()) == (0, entries)


def test_reminders_of_one_organization_leave_the_others(cast, personas):
    overdue(cast)
    assert send_reminders(organization=personas.other).people == 0
    assert send_reminders(organization=cast.org).people == 2


# --- escalation -----------------------------------------------------------------------------


def certification_nc(cast: Cast, response_due: dt.date, **fields) -> Nonconformity:
    return Nonconformity.objects.create(
        organization=cast.org,
        title="Finding",
        description="d",
        source=Nonconformity.Source.CERTIFICATION_AUDIT,
        status=S.TRIAGED,
        severity="major",
        owner=cast.owner,
        response_due=response_due,
        closure_due=response_due + dt.timedelta(days=60),
        **fields,
    )


def test_escalation_comes_only_past_the_grace_days(cast, django_capture_on_commit_callbacks):
    nc = certification_nc(cast, response_due=in_days(-7))  # our terms: 7 grace days
    assert escalate_overdue() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(today=in_days(1)) == [nc]
    assert Nonconformity.objects.get(pk=nc.pk).escalated_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == [
        "process_owner@a.example",
        "system_manager@a.example",
        "top_management@a.example",
    ]
    entry = ActivityEntry.objects.get(action="escalate", object_id=str(nc.pk))
    assert entry.actor is None
    assert entry.message == (
        f"Correction, cause and action plan was due {in_days(-7)} (Default terms); 8 days overdue."
    )


def test_a_finding_is_escalated_once(cast, django_capture_on_commit_callbacks):
    nc = certification_nc(cast, response_due=in_days(-30))
    assert escalate_overdue() == [nc]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(today=in_days(40)) == []
    assert mail.outbox == []
    assert ActivityEntry.objects.filter(action="escalate").count() == 1


def test_the_bodys_own_grace_days_apply(cast):
    strict = CertificationTerms.objects.create(
        organization=cast.org, name="Strict", escalate_after_days=0
    )
    lenient = CertificationTerms.objects.create(
        organization=cast.org, name="Lenient", escalate_after_days=20
    )
    early = certification_nc(cast, response_due=in_days(-1), certification_terms=strict)
    certification_nc(cast, response_due=in_days(-10), certification_terms=lenient)
    assert escalate_overdue() == [early]


def test_the_organizations_default_terms_set_the_grace_days(cast):
    CertificationTerms.objects.create(
        organization=cast.org, name="BSI", is_default=True, escalate_after_days=2
    )
    nc = certification_nc(cast, response_due=in_days(-3))
    assert escalate_overdue() == [nc]


def test_findings_with_nothing_owed_or_of_other_sources_are_not_escalated(cast):
    verified = certification_nc(cast, response_due=in_days(-30))
    Nonconformity.objects.filter(pk=verified.pk).update(status=S.VERIFIED)
    Nonconformity.objects.create(
        organization=cast.org,
        title="x",
        description="y",
        source="employee",
        status=S.TRIAGED,
        response_due=in_days(-30),
    )
    assert escalate_overdue(today=timezone.localdate()) == []
