"""Reminders of overdue training: each person hears of the paths they are late with, and
whoever follows an assignment up hears who is late, on the first day past the due date and
then once a week (the rule needs no bookkeeping, so a day run twice mails twice at most)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pdca.core.jobs.builtin import send_mail_later
from pdca.people.services.assignments import OverdueTraining, overdue_training
from pdca.tenancy.models import Organization

#: Remind on these days past the due date: the first, then every week.
REMIND_EVERY_DAYS = 7


def reminder_day(due_date: dt.date, today: dt.date) -> bool:
    late = (today - due_date).days
    return late >= 1 and late % REMIND_EVERY_DAYS == 1


@dataclass(frozen=True)
class TrainingReminders:
    people: int
    owners: int

    def __str__(self) -> str:
        return f"Reminded {self.people} people of overdue training and {self.owners} followers-up."


def _line(item: OverdueTraining, today: dt.date) -> str:
    days = (today - item.due_date).days
    return f"- {item.path.title}: due {item.due_date} ({days} days overdue)"


def send_training_reminders(
    *, today: dt.date | None = None, organization=None
) -> TrainingReminders:
    today = today or timezone.localdate()
    organizations = (
        [organization]
        if organization is not None
        else list(Organization.objects.filter(is_active=True))
    )
    link = f"{settings.PDCA_BASE_URL}{reverse('people:home')}"
    people = owners = 0
    with transaction.atomic():
        for org in organizations:
            due = [o for o in overdue_training(org, as_of=today) if reminder_day(o.due_date, today)]
            per_person: dict = defaultdict(list)
            per_owner: dict = defaultdict(list)
            for item in due:
                per_person[item.membership.user].append(_line(item, today))
                owner = item.assignment.owner
                if owner is not None and owner != item.membership.user:
                    who = item.membership.user.get_full_name() or item.membership.user.email
                    per_owner[owner].append(f"- {who}: {item.path.title}, due {item.due_date}")
            for user, lines in per_person.items():
                if user.is_active and user.email:
                    send_mail_later(
                        user.email,
                        f"Overdue training: {len(lines)}",
                        "Training assigned to you is past its due date:\n\n"
                        + "\n".join(lines)
                        + f"\n\nResume where you stopped: {link}\n",
                    )
                    people += 1
            for owner, lines in per_owner.items():
                if owner.is_active and owner.email:
                    send_mail_later(
                        owner.email,
                        f"Overdue training you follow up: {len(lines)}",
                        "These people are late with training you assigned or follow up:\n\n"
                        + "\n".join(lines)
                        + "\n",
                    )
                    owners += 1
    return TrainingReminders(people, owners)
