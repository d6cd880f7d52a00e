"""Overdue training reminders: the person and whoever follows the assignment up hear of it on
the first day past the due date and then weekly; a passed path is not reminded; the daily
job is scheduled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from pdca.core.jobs.schedule import schedules
from pdca.core.roles import Role
from pdca.people.models import Assignment
from pdca.people.reminders import reminder_day, send_training_reminders
from tests.people.factories import TODAY, in_days, make_path

pytestmark = pytest.mark.django_db


def test_reminder_days_are_the_first_past_due_then_weekly():
    due = dt.date(2026, 12, 1)
    days = [d for d in range(0, 20) if reminder_day(due, due + dt.timedelta(days=d))]
    assert days == [1, 8, 15]


def test_the_late_person_and_the_follower_up_are_reminded(
    personas, django_capture_on_commit_callbacks
):
    path = make_path(personas.org, personas.manager)
    Assignment.objects.create(
        organization=personas.org,
        path=path,
        role=Role.EMPLOYEE,
        due_date=in_days(-1),
        owner=personas.manager,
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = send_training_reminders(today=TODAY, organization=personas.org)
    assert (result.people, result.owners) == (1, 1)
    sent = {m.to[0]: m for m in mail.outbox}
    assert path.title in sent[personas.employee.email].body
    assert "/training/" in sent[personas.employee.email].body
    assert personas.manager.email in sent and "Employee" in sent[personas.manager.email].body
    mail.outbox.clear()
    # The next day is not a reminder day.
    with django_capture_on_commit_callbacks(execute=True):
        quiet = send_training_reminders(today=in_days(1), organization=personas.org)
    assert (quiet.people, mail.outbox) == (0, [])


def test_the_daily_job_is_scheduled():
    entry = {s.name: s for s in schedules()}["training_reminders"]
    assert (entry.kind, entry.at) == ("training_reminders", dt.time(6, 0))
