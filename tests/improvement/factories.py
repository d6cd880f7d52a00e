"""Shared test data of the corrective-action service tests: the cast of people, valid data for
each step, and `drive`, which takes a nonconformity to any state through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from pdca.core.activity import snapshot
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.documents.evidence.services import store_evidence
from pdca.improvement.actions import add_corrective_action, implement_corrective_action
from pdca.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from pdca.improvement.reporting import report_nonconformity
from pdca.improvement.workflow.services import transition_nonconformity
from pdca.standards.models import Requirement
from pdca.system.models import Process

S = Nonconformity.Status
IMPLEMENTERS = {Role.SYSTEM_MANAGER, Role.CONSULTANT}
VERIFIERS = IMPLEMENTERS | {Role.TOP_MANAGEMENT, Role.INTERNAL_AUDITOR}
#: The nonconformity's owner in `drive` is the process owner.
CHANGERS = IMPLEMENTERS | {Role.PROCESS_OWNER}


WHO_MAY = {
    "triage": IMPLEMENTERS,
    "dismiss": IMPLEMENTERS,
    "contain": CHANGERS,
    "analyse": CHANGERS,
    "plan": CHANGERS,
    "implement": CHANGERS,
    "verify": VERIFIERS,
    "close": IMPLEMENTERS,
}


#: The order `drive` takes a nonconformity through.
#: The states in the order the steps take a nonconformity through them.
PATH = [
    S.REPORTED,
    S.TRIAGED,
    S.CONTAINED,
    S.CAUSE_ANALYSED,
    S.ACTION_PLANNED,
    S.IMPLEMENTED,
    S.VERIFIED,
    S.CLOSED,
]


@dataclass
class Cast:
    """Org A's people, one process, one requirement and one evidence file."""

    org: Any
    users: dict
    process: Process
    requirement: Requirement
    evidence: Any

    def __getitem__(self, role: str):
        return self.users[role]

    @property
    def manager(self):
        return self.users[Role.SYSTEM_MANAGER]

    @property
    def owner(self):
        return self.users[Role.PROCESS_OWNER]


def make_cast(personas) -> Cast:
    org = personas.org
    return Cast(
        org=org,
        users=personas.users,
        process=Process.objects.create(organization=org, name="Machining", code="P-01"),
        requirement=Requirement.objects.get(standard__code="iso9001-2015", number="8.7"),
        evidence=store_evidence(org, ("photo.txt", b"withdrawn gauge"), actor=personas.manager),
    )


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def step_data(cast: Cast, step: str) -> dict[str, Any]:
    """Complete, valid data for `step`."""
    return {
        "triage": {
            "severity": "minor",
            "owner": cast.owner,
            "process": cast.process,
            "requirements": [cast.requirement],
        },
        "dismiss": {"reason": "A planned stop, not a failure."},
        "contain": {"correction": "Gauge withdrawn.", "evidence": [cast.evidence]},
        "analyse": {
            "method": "five_whys",
            "whys": ["Not recalled", "No recall list"],
            "root_cause": "No calibration recall list.",
        },
        "plan": {"effectiveness_criteria": "No expired gauge at the next audit."},
        "implement": {},
        "verify": {"effective": True, "notes": "Sampled ten gauges."},
        "close": {"note": "Done."},
    }[step]


def drive(
    cast: Cast, to: str, *, severity: str = "minor", action_owner=None, implementer=None
) -> Nonconformity:
    """A nonconformity taken to state `to` through the services. Its owner is the process
    owner; its one action is owned (and carried out) by the employee unless told otherwise."""
    action_owner = action_owner or cast[Role.EMPLOYEE]
    nc = report_nonconformity(
        cast.org, actor=cast[Role.EMPLOYEE], title="Gauge out of date", description="Expired."
    )
    if to == S.DISMISSED:
        return transition_nonconformity(
            nc, "dismiss", actor=cast.manager, **step_data(cast, "dismiss")
        )
    for state in PATH[1:]:
        if PATH.index(state) > PATH.index(to):
            break
        if state == S.TRIAGED:
            data = step_data(cast, "triage") | {"severity": severity}
            nc = transition_nonconformity(nc, "triage", actor=cast.manager, **data)
        elif state == S.CONTAINED:
            nc = transition_nonconformity(
                nc, "contain", actor=cast.owner, **step_data(cast, "contain")
            )
        elif state == S.CAUSE_ANALYSED:
            nc = transition_nonconformity(
                nc, "analyse", actor=cast.owner, **step_data(cast, "analyse")
            )
        elif state == S.ACTION_PLANNED:
            add_corrective_action(
                nc,
                actor=cast.owner,
                title="Start a recall list",
                owner=action_owner,
                due_date=in_days(10),
            )
            nc = transition_nonconformity(nc, "plan", actor=cast.owner, **step_data(cast, "plan"))
        elif state == S.IMPLEMENTED:
            for action in CorrectiveAction.objects.filter(nonconformity=nc, round=nc.round):
                implement_corrective_action(
                    action,
                    actor=implementer or action.owner,
                    note="List in place.",
                    evidence=[cast.evidence],
                )
            nc = transition_nonconformity(nc, "implement", actor=cast.owner)
        elif state == S.VERIFIED:
            wait_over(nc)
            nc = transition_nonconformity(
                nc, "verify", actor=cast.manager, **step_data(cast, "verify")
            )
        elif state == S.CLOSED:
            nc = transition_nonconformity(nc, "close", actor=cast.manager)
    assert nc.status == to
    return nc


def ready_for(cast: Cast, nc: Nonconformity, step: str) -> None:
    """Meet the preconditions of `step` beyond the state: an action to plan, actions done,
    the waiting period over."""
    if step == "plan":
        add_corrective_action(
            nc,
            actor=cast.owner,
            title="Start a recall list",
            owner=cast[Role.EMPLOYEE],
            due_date=in_days(10),
        )
    elif step == "implement":
        for action in CorrectiveAction.objects.filter(nonconformity=nc, round=nc.round):
            implement_corrective_action(
                action, actor=action.owner, note="Done.", evidence=[cast.evidence]
            )
    elif step == "verify":
        wait_over(nc)


def wait_over(nc: Nonconformity, days: int = 30) -> None:
    """Move the implementation back `days` days (the longest default waiting period)."""
    Nonconformity.objects.filter(pk=nc.pk).update(implemented_at=noon(in_days(-days)))


def state_of(nc: Nonconformity) -> tuple:
    """Everything a refused step must leave as it was."""
    fresh = Nonconformity.objects.get(pk=nc.pk)
    return (
        snapshot(fresh),
        sorted(fresh.requirements.values_list("pk", flat=True)),
        sorted(fresh.correction_evidence.values_list("pk", flat=True)),
        sorted(
            CorrectiveAction.objects.filter(nonconformity=fresh).values_list(
                "pk", "status", "round"
            )
        ),
        ActivityEntry.objects.filter(organization_id=fresh.organization_id).count(),
        EffectivenessCheck.objects.filter(nonconformity=fresh).count(),
    )


def entries(nc: Nonconformity, action: str | None = None) -> list[ActivityEntry]:
    rows = ActivityEntry.objects.filter(
        object_type="improvement.nonconformity", object_id=str(nc.pk)
    )
    if action:
        rows = rows.filter(action=action)
    return list(rows.order_by("seq"))
