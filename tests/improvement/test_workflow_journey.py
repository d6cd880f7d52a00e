"""One nonconformity from an employee's report to a verified, closed record, through the
services (the rules of each step have their own tests)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from pdca.core.exceptions import Conflict
from pdca.core.roles import Role
from pdca.documents.evidence.services import store_evidence
from pdca.improvement.actions import add_corrective_action, implement_corrective_action
from pdca.improvement.models import EffectivenessCheck, Nonconformity
from pdca.improvement.reporting import report_nonconformity
from pdca.improvement.workflow.services import transition_nonconformity
from pdca.standards.models import Requirement
from pdca.system.models import Process

pytestmark = pytest.mark.django_db


def test_an_employee_report_goes_to_a_verified_closed_nonconformity(
    personas, catalog, django_capture_on_commit_callbacks
):
    org = personas.org
    employee = personas.users[Role.EMPLOYEE]
    manager = personas.users[Role.SYSTEM_MANAGER]
    owner = personas.users[Role.PROCESS_OWNER]
    verifier = personas.users[Role.INTERNAL_AUDITOR]
    process = Process.objects.create(organization=org, name="Machining", code="P-01")
    requirement = Requirement.objects.get(standard__code="iso9001-2015", number="8.7")
    photo = store_evidence(org, ("gauge.txt", b"sticker expired"), actor=manager)

    with django_capture_on_commit_callbacks(execute=True):
        nc = report_nonconformity(
            org, actor=employee, title="Gauge out of date", description="Sticker expired."
        )
    assert nc.reference == "NC-0001"
    assert nc.status == "reported"
    consultant = personas.users[Role.CONSULTANT]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([manager.email, consultant.email])

    with django_capture_on_commit_callbacks(execute=True):
        transition_nonconformity(
            nc,
            "triage",
            actor=manager,
            severity="minor",
            owner=owner,
            process=process,
            requirements=[requirement],
        )
    nc.refresh_from_db()
    assert nc.status == "triaged"
    assert nc.due_date == timezone.localdate() + dt.timedelta(days=90)
    assert mail.outbox[-1].to == [owner.email]

    transition_nonconformity(
        nc, "contain", actor=owner, correction="Gauge withdrawn.", evidence=[photo]
    )
    transition_nonconformity(
        nc,
        "analyse",
        actor=owner,
        method="five_whys",
        whys=["Not recalled", "No recall list"],
        root_cause="No calibration recall list.",
    )
    action = add_corrective_action(
        nc,
        actor=owner,
        title="Start a recall list",
        owner=consultant,
        due_date=timezone.localdate() + dt.timedelta(days=10),
    )
    transition_nonconformity(
        nc, "plan", actor=owner, effectiveness_criteria="No expired gauge at next audit."
    )
    implement_corrective_action(action, actor=consultant, note="List in place.", evidence=[photo])
    transition_nonconformity(nc, "implement", actor=owner)

    with pytest.raises(Conflict) as refused:
        transition_nonconformity(nc, "verify", actor=consultant, effective=True, notes="ok")
    assert refused.value.code == "cannot_verify"
    with pytest.raises(Conflict) as waiting:
        transition_nonconformity(nc, "verify", actor=verifier, effective=True, notes="ok")
    assert "waiting period" in str(waiting.value)

    Nonconformity.objects.filter(pk=nc.pk).update(
        implemented_at=timezone.now() - dt.timedelta(days=14)
    )
    transition_nonconformity(
        nc, "verify", actor=verifier, effective=True, notes="Sampled 10 gauges."
    )
    transition_nonconformity(nc, "close", actor=manager)
    nc.refresh_from_db()
    assert nc.status == "closed"
    assert EffectivenessCheck.objects.get(nonconformity=nc).checked_by == verifier
