"""E-mail about corrective action: assignments, reports to triage, checks that fall due,
overdue reminders and escalations. Mail leaves only after the transaction that caused it
commits, sent by a job on the task queue (`core.jobs.builtin.send_mail_later`), and a mail
server that fails never undoes the work."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.jobs.builtin import send_mail_later
from pdca.core.roles import Role
from pdca.improvement.models import CorrectiveAction, Nonconformity

#: Who hears of new reports and escalations besides the owner.
MANAGERS = (Role.SYSTEM_MANAGER, Role.CONSULTANT)
ESCALATION_ROLES = (Role.TOP_MANAGEMENT, Role.SYSTEM_MANAGER)


def link(nonconformity: Nonconformity) -> str:
    path = reverse("improvement:nonconformities-detail", args=[nonconformity.pk])
    return f"{settings.PDCA_BASE_URL}{path}"


def _label(nonconformity: Nonconformity) -> str:
    return f"{nonconformity.reference or f'#{nonconformity.pk}'} {nonconformity.title}"


def notify(users: Iterable, subject: str, body: str) -> None:
    """Mail each active user once, from a worker after the current transaction commits: a
    slow mail server never holds the request, and a failed mail is a job that can be retried
    (`pdca jobs retry`) while the work that caused it stays done."""
    emails = sorted({u.email for u in users if u is not None and u.is_active and u.email})
    for email in emails:
        send_mail_later(email, subject, body)


def members_with_roles(organization_id: int, roles: Iterable[str]) -> list:
    from pdca.accounts.models import User

    return list(
        User.objects.filter(
            memberships__organization_id=organization_id,
            memberships__role__in=list(roles),
            is_active=True,
        ).distinct()
    )


def nonconformity_assigned(nonconformity: Nonconformity, *, actor) -> None:
    owner = nonconformity.owner
    if owner is None or owner == actor:
        return
    notify(
        [owner],
        f"Nonconformity assigned to you: {_label(nonconformity)}",
        f"{actor.full_name or actor.email} made you the owner of nonconformity "
        f"{_label(nonconformity)}.\n\nDue: {nonconformity.due_date or 'no date'}\n"
        f"Next: contain it with a correction, then analyse its cause.\n\n{link(nonconformity)}\n",
    )


def nonconformity_reported(nonconformity: Nonconformity, *, actor) -> None:
    managers = [
        u for u in members_with_roles(nonconformity.organization_id, MANAGERS) if u != actor
    ]
    notify(
        managers,
        f"Nonconformity reported: {_label(nonconformity)}",
        f"{actor.full_name or actor.email} reported a nonconformity ("
        f"{nonconformity.get_source_display().lower()}). It waits for triage.\n\n"
        f"{nonconformity.description[:1000]}\n\n{link(nonconformity)}\n",
    )


def action_assigned(action: CorrectiveAction, *, actor) -> None:
    if action.owner == actor:
        return
    nonconformity = action.nonconformity
    notify(
        [action.owner],
        f"Corrective action assigned to you: {action.title}",
        f"{actor.full_name or actor.email} gave you a corrective action for nonconformity "
        f"{_label(nonconformity)}:\n\n{action.title}\nDue: {action.due_date}\n\n"
        f"Record what you did, with evidence, when it is done.\n\n{link(nonconformity)}\n",
    )


def check_due(nonconformity: Nonconformity, from_date: dt.date, *, actor) -> None:
    """Tell the managers when the effectiveness check may be made (not those who own or
    carried out one of the actions: they may not make it)."""
    involved: set[int] = set()
    current = nonconformity.actions.filter(round=nonconformity.round).exclude(
        status=CorrectiveAction.Status.CANCELLED
    )
    for owner_id, implementer_id in current.values_list("owner_id", "implemented_by_id"):
        involved |= {owner_id, implementer_id}
    managers = [
        u
        for u in members_with_roles(nonconformity.organization_id, MANAGERS)
        if u.pk not in involved
    ]
    notify(
        managers,
        f"Effectiveness check due from {from_date}: {_label(nonconformity)}",
        f"The corrective actions of nonconformity {_label(nonconformity)} are implemented. "
        f"Check that they worked from {from_date} on; the check is made by someone who owns "
        f"none of the actions.\n\n{link(nonconformity)}\n",
    )


def analysis_reopened(nonconformity: Nonconformity, *, actor) -> None:
    if nonconformity.owner is None or nonconformity.owner == actor:
        return
    notify(
        [nonconformity.owner],
        f"Corrective action not effective: {_label(nonconformity)}",
        f"{actor.full_name or actor.email} found the corrective actions of "
        f"{_label(nonconformity)} not effective. The cause analysis is open again "
        f"(round {nonconformity.round}).\n\n{link(nonconformity)}\n",
    )


# --- the daily job: reminders and escalation ---------------------------------------------


@dataclass(frozen=True)
class ReminderResult:
    people: int
    nonconformities: int
    actions: int

    def __str__(self) -> str:
        return (
            f"Reminded {self.people} people of {self.nonconformities} overdue "
            f"nonconformities and {self.actions} overdue actions."
        )


OPEN_STATES = [
    s
    for s in Nonconformity.Status.values
    if s not in (Nonconformity.Status.CLOSED, Nonconformity.Status.DISMISSED)
]


def send_reminders(*, today: dt.date | None = None, organization=None) -> ReminderResult:
    """One mail per person listing their overdue nonconformities and actions; nobody is
    reminded twice on one day. Meant to run daily (`pdca capa remind`, from cron)."""
    today = today or timezone.localdate()
    due_ncs = Nonconformity.objects.filter(
        status__in=OPEN_STATES, due_date__lt=today, owner__isnull=False
    ).exclude(last_reminder=today)
    due_actions = CorrectiveAction.objects.filter(
        status=CorrectiveAction.Status.PLANNED,
        due_date__lt=today,
        nonconformity__status__in=OPEN_STATES,
    ).exclude(last_reminder=today)
    if organization is not None:
        due_ncs = due_ncs.filter(organization=organization)
        due_actions = due_actions.filter(organization=organization)
    ncs = list(due_ncs.select_related("owner").order_by("due_date", "pk"))
    actions = list(due_actions.select_related("owner", "nonconformity").order_by("due_date", "pk"))
    lines: dict = defaultdict(list)
    for nc in ncs:
        assert nc.due_date is not None  # filtered on it
        lines[nc.owner].append(
            f"- Nonconformity {_label(nc)}: {nc.get_status_display().lower()}, due {nc.due_date} "
            f"({(today - nc.due_date).days} days overdue)\n  {link(nc)}"
        )
    for action in actions:
        lines[action.owner].append(
            f"- Action {action.title} ({_label(action.nonconformity)}): due {action.due_date} "
            f"({(today - action.due_date).days} days overdue)\n  {link(action.nonconformity)}"
        )
    with transaction.atomic():
        for person, items in lines.items():
            notify(
                [person],
                f"Overdue corrective-action items: {len(items)}",
                "These are past their due date:\n\n" + "\n".join(items) + "\n",
            )
        # A reminder is bookkeeping, not a change of the record: no activity entry.
        Nonconformity.objects.filter(pk__in=[nc.pk for nc in ncs]).update(last_reminder=today)
        CorrectiveAction.objects.filter(pk__in=[a.pk for a in actions]).update(last_reminder=today)
    return ReminderResult(len(lines), len(ncs), len(actions))


def escalate_overdue(*, today: dt.date | None = None, organization=None) -> list[Nonconformity]:
    """Certification findings overdue by more than their body's grace days are escalated
    once: marked, logged, and top management and the system managers are told."""
    from pdca.improvement.deadlines import pending_deadline, terms_for
    from pdca.improvement.models import CertificationTerms

    today = today or timezone.localdate()
    candidates = Nonconformity.objects.filter(
        source=Nonconformity.Source.CERTIFICATION_AUDIT,
        status__in=OPEN_STATES,
        escalated_at__isnull=True,
    ).select_related("certification_terms", "owner")
    if organization is not None:
        candidates = candidates.filter(organization=organization)
    defaults: dict[int, CertificationTerms] = {}
    escalated = []
    with transaction.atomic():
        for nc in candidates:
            pending = pending_deadline(nc)
            if pending is None:
                continue
            what, due = pending
            if nc.certification_terms is None:  # fetched with the row: no query
                if nc.organization_id not in defaults:
                    defaults[nc.organization_id] = terms_for(nc)
                terms = defaults[nc.organization_id]
            else:
                terms = nc.certification_terms
            if (today - due).days <= terms.escalate_after_days:
                continue
            nc.escalated_at = timezone.now()
            nc.save(update_fields=["escalated_at", "updated_at"])
            record_activity(
                actor=None,
                action="escalate",
                obj=nc,
                changes={"escalated_at": [None, nc.escalated_at.isoformat()]},
                message=f"{what} was due {due} ({terms.name}); {(today - due).days} days overdue.",
            )
            people = members_with_roles(nc.organization_id, ESCALATION_ROLES)
            notify(
                [*people, nc.owner],
                f"Escalated: certification finding overdue, {_label(nc)}",
                f"{what} for {_label(nc)} was due to {terms.name} on {due}: "
                f"{(today - due).days} days overdue. The certification decision may be "
                f"withheld until it is done.\n\n{link(nc)}\n",
            )
            escalated.append(nc)
    return escalated
